"""The grader addon, loaded with the recorder from the lab's one addon script, with mitmproxy's own test harness."""

import json
import logging

import pytest
from addon_support import grader_of, load_lab, make_flow, run_flow
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from local_lab import LAB, read_capture
from mitmproxy import exceptions

BROWSER = b"Mozilla/5.0 (X11; Linux x86_64) Chrome/156.0"


@pytest.fixture
def grader(tctx, logger_addon):
    """The grader on the lab's own exercises.toml, from the same script as the logger (before it, as in the image)."""
    addon = grader_of(logger_addon)
    tctx.configure(addon, lab_exercises=str(LAB / "exercises.toml"), lab_ui_url="http://localhost:8081/")
    return addon


def send(tctx, grader, logger_addon, cookies=(), *, path=b"/", status=200, agent=BROWSER, body=b""):
    # As the app answers: its / sets username=Alice every time.
    set_cookies = [b"username=Alice; Path=/"] if path == b"/" else []
    flow = make_flow(cookies, set_cookies, path=path, status=status)
    flow.request.headers["user-agent"] = agent
    flow.response.content = body
    run_flow(tctx, logger_addon, flow, grader)
    return flow


def test_a_solving_flow_is_marked_commented_logged_and_recorded(tctx, grader, logger_addon, capture, caplog):
    with caplog.at_level(logging.INFO):
        flow = send(tctx, grader, logger_addon, [b"username=Bob"], body=b"Hello Bob")
    (record,) = read_capture(capture)
    assert record["solved"] == ["01-someone-else"] and record["steps"] == ["01-someone-else#1"]
    assert flow.marked == ":heavy_check_mark:"
    assert flow.comment == "✔ solved 01-someone-else | Cookie: username=Bob | Set-Cookie: username=Alice; Path=/"
    assert f"Cookie Lab: solved 01-someone-else  http://localhost:8081/#/flows/{flow.id}/request" in caplog.messages


def test_a_challenge_is_solved_once(tctx, grader, logger_addon, capture):
    send(tctx, grader, logger_addon, [b"username=Bob"])
    second = send(tctx, grader, logger_addon, [b"username=Eve"])
    assert [r["solved"] for r in read_capture(capture)] == [["01-someone-else"], []]
    assert not second.marked


def test_the_scripted_clients_flows_never_solve(tctx, grader, logger_addon, capture):
    send(tctx, grader, logger_addon, [b"username=Bob"], agent=b"cookie-lab-client/1.0 python-requests/2.34.2")
    (record,) = read_capture(capture)
    assert record["solved"] == [] and record["steps"] == []


def test_steps_must_come_in_order_in_separate_flows(tctx, grader, logger_addon, capture):
    cid = "04-wrong-path-then-right"
    # The last step first counts for nothing.
    send(tctx, grader, logger_addon, [], path=b"/delete/whoami")
    for path in (b"/delete/logout-wrong-path", b"/delete/whoami", b"/delete/logout"):
        send(tctx, grader, logger_addon, [b"user=alice"], path=path)
    send(tctx, grader, logger_addon, [], path=b"/delete/whoami")
    records = read_capture(capture)
    assert [r["steps"] for r in records] == [[], [f"{cid}#1"], [f"{cid}#2"], [f"{cid}#3"], [f"{cid}#4"]]
    assert records[-1]["solved"] == [cid]


def test_an_edit_in_mitmweb_is_seen(tctx, grader, logger_addon, capture):
    flow = make_flow([b"username=Alice"], path=b"/tamper/admin")
    flow.request.headers["user-agent"] = BROWSER
    # What mitmweb does when the learner edits an intercepted flow.
    flow.backup()
    flow.request.headers["cookie"] = "username=admin"
    run_flow(tctx, logger_addon, flow, grader)
    (record,) = read_capture(capture)
    # Forged in mitmweb: not the browser's own doing, so not 08-admin-in-your-browser.
    assert record["solved"] == ["08-forged-in-mitmweb"]


def test_the_log_says_what_an_edited_request_really_sent(tctx, grader, logger_addon, capture, caplog):
    flow = make_flow([b"username=Alice"], path=b"/tamper/admin")
    flow.backup()
    flow.request.headers["cookie"] = "username=admin"
    with caplog.at_level(logging.INFO):
        run_flow(tctx, logger_addon, flow, grader)
    assert "✎ GET /tamper/admin  edited in mitmweb, sent as Cookie: username=admin" in caplog.messages
    assert read_capture(capture)[0]["edited"] is True


@pytest.mark.parametrize("change", ["replay", "mark", "comment"])
def test_a_replay_or_a_mark_is_no_edit(tctx, grader, logger_addon, capture, change):
    """mitmweb saves a backup before these too; only a changed request counts as edited."""
    flow = make_flow([b"username=admin"], path=b"/tamper/admin")
    flow.request.headers["user-agent"] = "curl/8.5.0"
    flow.backup()
    if change == "replay":
        flow.is_replay = "request"
    elif change == "mark":
        flow.marked = ":star:"
    else:
        flow.comment = "mine"
    run_flow(tctx, logger_addon, flow, grader)
    (record,) = read_capture(capture)
    assert record["edited"] is False and "08-forged-in-mitmweb" not in record["solved"]


def test_progress_comes_back_from_the_capture_file_after_a_restart(tctx, grader, logger_addon, capture):
    send(tctx, grader, logger_addon, [b"user=alice"], path=b"/delete/logout-wrong-path")
    send(tctx, grader, logger_addon, [b"username=Bob"])
    grader.running()  # a restarted proxy reads the file again
    assert grader.reached["01-someone-else"] == 1 and grader.reached["04-wrong-path-then-right"] == 1
    send(tctx, grader, logger_addon, [b"username=Eve"])
    send(tctx, grader, logger_addon, [b"user=alice"], path=b"/delete/whoami")
    assert [r["steps"] for r in read_capture(capture)[2:]] == [[], ["04-wrong-path-then-right#2"]]


def test_a_half_line_in_the_capture_file_is_skipped_at_start(tctx, grader, logger_addon, capture):
    capture.write_text(
        '{"solved": ["01-someone-else"], "steps": ["01-someone-else#1"]}\n{"solved": [', encoding="ascii"
    )
    grader.running()
    assert grader.reached == {"01-someone-else": 1}


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        (
            '[[exercise]]\nid = "01"\n[[exercise.challenge]]\nid = "x"\ntask = "t"\n[[exercise.challenge.step]]\npth = "/"\n',
            "exercise 01, challenge x, step 1: unknown key 'pth'",
        ),
        (
            '[[exercise]]\nid = "01"\n[[exercise.challenge]]\nid = "x"\ntask = "t"\n[[exercise.challenge.step]]\nstatus = "200"\n',
            "exercise 01, challenge x, step 1: status must be a int",
        ),
        ('[[exercise]]\nid = "01"\n[[exercise.challenge]]\nid = "x"\ntask = "t"\n', "challenge x: needs at least one"),
        ("[[exercise]\n", "cannot read"),
    ],
)
def test_a_broken_index_is_refused_with_a_clear_message(tctx, tmp_path, toml, message):
    addon, _ = load_lab(tctx)
    index = tmp_path / "exercises.toml"
    index.write_text(toml, encoding="utf-8")
    with pytest.raises(exceptions.OptionsError, match=message.replace("(", r"\(").replace(")", r"\)")):
        tctx.configure(addon, lab_exercises=str(index))


def test_an_empty_option_grades_nothing(tctx, logger_addon, capture):
    addon = grader_of(logger_addon)
    tctx.configure(addon, lab_exercises=str(LAB / "exercises.toml"))
    tctx.configure(addon, lab_exercises="")
    run_flow(tctx, logger_addon, make_flow([b"username=Bob"]), addon)
    assert read_capture(capture)[0]["solved"] == []


header_bytes = st.binary(max_size=200).map(lambda b: b.replace(b"\r", b"").replace(b"\n", b""))
paths = st.sampled_from([b"/", b"/delete/whoami", b"/tamper/admin", b"/size/", b"/flags/?via=x", b"/%ff", b"/\x00"])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cookies=st.lists(header_bytes, max_size=3), path=paths, agent=header_bytes, body=st.binary(max_size=200))
def test_odd_traffic_never_breaks_grading(tctx, grader, logger_addon, capture, caplog, cookies, path, agent, body):
    before = len(read_capture(capture))
    caplog.clear()  # one hypothesis example at a time: the fixture lives across them
    flow = make_flow(cookies, path=path)
    flow.request.headers["user-agent"] = agent
    flow.request.headers["sec-fetch-site"] = agent
    flow.response.content = body
    run_flow(tctx, logger_addon, flow, grader)
    (record,) = read_capture(capture)[before:]
    assert isinstance(record["solved"], list) and json.dumps(record)
    # The grader catches a check that raises and logs it: a record alone would hide the crash.
    grader_log = type(grader).__module__
    assert [r.getMessage() for r in caplog.records if r.name == grader_log and r.levelno >= logging.ERROR] == []


def browse(tctx, grader, logger_addon, path: bytes, cookies=(), set_cookies=(), *, tls=False, host=b"127.0.0.1:8080"):
    """A browser's flow through the grader and the logger, over https when tls is true."""
    flow = make_flow(cookies, set_cookies, path=path, tls=tls, host=host, headers=[(b"user-agent", BROWSER)])
    run_flow(tctx, logger_addon, flow, grader)
    return flow


MAPPED = b"[::ffff:7f00:1]:8080"


def test_secret_over_https_then_refused_at_the_non_secure_address_solves_06(tctx, grader, logger_addon, capture):
    cid = "06-secret-needs-https"
    # The same requests over plain http at 127.0.0.1 solve nothing: the first step asks for https.
    browse(tctx, grader, logger_addon, b"/flags/", [b"plain=1; secret=1"])
    browse(tctx, grader, logger_addon, b"/flags/", [b"plain=1; secret=1"], tls=True)
    browse(
        tctx,
        grader,
        logger_addon,
        b"/flags/set",
        set_cookies=[b"plain=1; Path=/", b"secret=1; Secure; Path=/"],
        host=MAPPED,
    )
    browse(tctx, grader, logger_addon, b"/flags/", [b"plain=1"], host=MAPPED)
    records = read_capture(capture)
    assert [r["scheme"] for r in records] == ["http", "https", "http", "http"]
    assert [[s for s in r["steps"] if s.startswith(cid)] for r in records] == [
        [],
        [f"{cid}#1"],
        [f"{cid}#2"],
        [f"{cid}#3"],
    ]
    assert records[-1]["solved"] == [cid]


def test_the_non_secure_address_counts_only_in_the_form_browsers_send(tctx, grader, logger_addon, capture):
    browse(
        tctx,
        grader,
        logger_addon,
        b"/prefixes/set",
        set_cookies=[b"__Host-id=1; Secure; Path=/", b"__Secure-token=1; Secure; Path=/"],
        host=b"[::ffff:127.0.0.1]:8080",
    )
    (record,) = read_capture(capture)
    assert record["steps"] == [] and record["host"] == "[::ffff:127.0.0.1]:8080"


def test_a_tossed_session_read_first_on_the_cart_solves_11(tctx, grader, logger_addon, capture):
    cid = "11-tossed-session"
    shop, blog = b"shop.cookielab.localhost:8080", b"blog.cookielab.localhost:8080"
    toss = b"session=mallory; Domain=cookielab.localhost; Path=/siblings/cart"
    browse(
        tctx, grader, logger_addon, b"/siblings/toss?value=mallory&path=/siblings/cart", set_cookies=[toss], host=blog
    )
    # The Steps' toss, read where the Steps read it: not the challenge.
    browse(tctx, grader, logger_addon, b"/siblings/account/", [b"session=tossed; session=alice"], host=shop)
    # The shop's own session first: the toss did not win.
    browse(tctx, grader, logger_addon, b"/siblings/cart/", [b"session=alice; session=mallory"], host=shop)
    browse(tctx, grader, logger_addon, b"/siblings/cart/", [b"session=mallory; session=alice"], host=shop)
    records = read_capture(capture)
    assert [r["solved"] for r in records] == [[], [], [], [cid]]


def test_the_host_prefix_holding_against_a_toss_solves_11(tctx, grader, logger_addon, capture):
    shop, blog = b"shop.cookielab.localhost:8080", b"blog.cookielab.localhost:8080"
    browse(
        tctx,
        grader,
        logger_addon,
        b"/siblings/login-host",
        set_cookies=[b"__Host-session=alice; Secure; Path=/"],
        host=shop,
    )
    browse(
        tctx,
        grader,
        logger_addon,
        b"/siblings/toss?name=__Host-session",
        set_cookies=[b"__Host-session=tossed; Domain=cookielab.localhost; Secure; Path=/siblings/account"],
        host=blog,
    )
    flow = browse(tctx, grader, logger_addon, b"/siblings/account/", [b"__Host-session=alice"], host=shop)
    assert read_capture(capture)[-1]["solved"] == ["11-host-prefix-holds"] and flow.marked


@pytest.mark.parametrize(
    ("trust", "header", "tls", "scheme"),
    [
        (False, None, True, "https"),
        (False, None, False, "http"),
        # A learner's own X-Forwarded-Proto counts for nothing unless the proxy is told to trust it.
        (False, b"https", False, "http"),
        (True, b"https", False, "https"),
        (True, b"HTTPS, http", False, "https"),
        (True, b"gopher", False, "http"),
    ],
)
def test_the_scheme_is_the_clients_or_a_trusted_ingresss(
    tctx, grader, logger_addon, capture, trust, header, tls, scheme
):
    tctx.configure(logger_addon, lab_trust_forwarded_proto=trust)
    flow = make_flow(path=b"/echo", tls=tls, headers=[(b"x-forwarded-proto", header)] if header else [])
    run_flow(tctx, logger_addon, flow, grader)
    assert read_capture(capture)[-1]["scheme"] == scheme


SEC_FETCH = [(b"sec-fetch-site", b"none"), (b"sec-fetch-mode", b"navigate"), (b"sec-fetch-dest", b"document")]


@pytest.mark.parametrize(
    ("agent", "headers", "solved"),
    [
        (BROWSER, (), []),  # a browser's User-Agent alone: any program can send it
        (b"curl/8.5.0", SEC_FETCH, []),
        (BROWSER, SEC_FETCH[:1], []),
        (
            BROWSER,
            SEC_FETCH,
            ["08-admin-in-your-browser"],
        ),  # what a browser's navigation sends (or a determined forger)
    ],
)
def test_your_browser_is_known_by_its_sec_fetch_headers_too(
    tctx, grader, logger_addon, capture, agent, headers, solved
):
    flow = make_flow([b"username=admin"], path=b"/tamper/admin", headers=headers)
    flow.request.headers["user-agent"] = agent
    run_flow(tctx, logger_addon, flow, grader)
    assert read_capture(capture)[0]["solved"] == solved


def test_a_replay_keeps_the_solved_comment_and_is_logged_as_a_replay(tctx, grader, logger_addon, capture, caplog):
    """Sheet 08, Step 4: Replay the flow that was forged in mitmweb. Its ✔ comment stays (`~comment solved`
    still finds it), and the log says replay, not edit, as the record does."""
    flow = make_flow([b"username=Alice"], path=b"/tamper/admin")
    flow.backup()
    flow.request.headers["cookie"] = "username=admin"
    run_flow(tctx, logger_addon, flow, grader)
    assert flow.comment.startswith("✔ solved 08-forged-in-mitmweb | ")
    first = flow.comment
    flow.is_replay = "request"
    caplog.clear()
    with caplog.at_level(logging.INFO):
        run_flow(tctx, logger_addon, flow, grader)
    # Kept whole; a challenge the replay solves in its turn is added after it.
    assert flow.comment.startswith(first)
    assert "↻ GET /tamper/admin  Cookie: username=admin  (replayed in mitmweb)" in caplog.messages
    assert not [m for m in caplog.messages if m.startswith("✎")]
    assert read_capture(capture)[1]["replay"] == "request"
