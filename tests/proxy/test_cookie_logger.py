"""The cookie logger addon, loaded from its file with mitmproxy's own test harness."""

import logging
import os

import pytest
from addon_support import load_addon, load_lab, make_flow, run_flow
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from local_lab import read_capture
from mitmproxy import exceptions


def test_seed_first_request_is_recorded(tctx, logger_addon, capture, caplog):
    flow = make_flow(set_cookies=[b"username=Alice; Path=/"])
    with caplog.at_level(logging.INFO):
        run_flow(tctx, logger_addon, flow)

    assert "→ GET /  Cookie: (none)" in caplog.messages
    assert "← 200  Set-Cookie: username=Alice; Path=/" in caplog.messages
    (record,) = read_capture(capture)
    assert record == {
        "time": "1999-12-31T23:00:00.000+00:00",
        "flow_id": flow.id,
        "method": "GET",
        "scheme": "http",
        "host": "127.0.0.1:8080",
        "path": "/",
        "status": 200,
        "request_cookie_headers": [],
        "request_cookies": [],
        "set_cookie_headers": ["username=Alice; Path=/"],
        "set_cookies": [{"name": "username", "value": "Alice", "attributes": {"Path": "/"}, "header": 0}],
        "parse_errors": [],
        "error": None,
        "replay": None,
        "edited": False,
        "solved": [],
        "steps": [],
    }
    assert flow.comment == "Cookie: (none) | Set-Cookie: username=Alice; Path=/"


def test_second_request_sends_the_cookie(tctx, logger_addon, capture, caplog):
    with caplog.at_level(logging.INFO):
        run_flow(tctx, logger_addon, make_flow([b"username=Alice"], [b"username=Alice; Path=/"]))
    assert "→ GET /  Cookie: username=Alice" in caplog.messages
    (record,) = read_capture(capture)
    assert record["request_cookie_headers"] == ["username=Alice"]
    assert record["request_cookies"] == [{"name": "username", "value": "Alice", "header": 0}]


def test_repeated_headers_are_never_joined(tctx, logger_addon, capture, caplog):
    flow = make_flow([b"a=1; b=2", b"a=3"], [b"a=1; Path=/", b"b=2; Path=/shop", b"a=4"])
    with caplog.at_level(logging.INFO):
        run_flow(tctx, logger_addon, flow)
    (record,) = read_capture(capture)
    assert record["request_cookie_headers"] == ["a=1; b=2", "a=3"]
    assert [(c["name"], c["value"], c["header"]) for c in record["request_cookies"]] == [
        ("a", "1", 0),
        ("b", "2", 0),
        ("a", "3", 1),
    ]
    assert record["set_cookie_headers"] == ["a=1; Path=/", "b=2; Path=/shop", "a=4"]
    assert [c["header"] for c in record["set_cookies"]] == [0, 1, 2]
    # One log line per header: two Cookie lines, three Set-Cookie lines.
    assert sum(m.startswith("→ GET /  Cookie: ") for m in caplog.messages) == 2
    assert sum(m.startswith("← 200  Set-Cookie: ") for m in caplog.messages) == 3


def test_every_attribute_is_parsed(tctx, logger_addon, capture):
    header = (
        b"id=42; Expires=Wed, 21 Oct 2037 07:28:00 GMT; Max-Age=60; Path=/shop; "
        b"Domain=example.test; Secure; HttpOnly; SameSite=Lax; Partitioned; Priority=High"
    )
    run_flow(tctx, logger_addon, make_flow(set_cookies=[header]))
    (cookie,) = read_capture(capture)[0]["set_cookies"]
    assert cookie["name"] == "id" and cookie["value"] == "42"
    assert cookie["attributes"] == {
        "Expires": "Wed, 21 Oct 2037 07:28:00 GMT",
        "Max-Age": "60",
        "Path": "/shop",
        "Domain": "example.test",
        "Secure": True,
        "HttpOnly": True,
        "SameSite": "Lax",
        "Partitioned": True,
        "Priority": "High",
    }


def test_attribute_names_are_matched_case_insensitively(tctx, logger_addon, capture):
    run_flow(tctx, logger_addon, make_flow(set_cookies=[b"a=1; max-age=0; PATH=/x; secure; samesite=none"]))
    (cookie,) = read_capture(capture)[0]["set_cookies"]
    assert cookie["attributes"] == {"Max-Age": "0", "Path": "/x", "Secure": True, "SameSite": "none"}


MALFORMED = {
    "duplicate names": b"username=Alice; username=Mallory",
    "no equals sign": b"justaname",
    "empty name": b"=value",
    "quotes": b'username="Al;ice"; other="unterminated',
    "only separators": b";;; ;",
    "empty value": b"username=",
    "non-utf8 bytes": b"username=\xff\xfe\x80caf\xe9",
    "control characters": b"username=a\x01\x1b[31mred",
    "9 KB value": b"big=" + b"x" * 9 * 1024,
}


@pytest.mark.parametrize("raw", MALFORMED.values(), ids=MALFORMED.keys())
def test_malformed_cookie_is_recorded_byte_for_byte(tctx, logger_addon, capture, caplog, raw):
    flow = make_flow([raw], [raw])
    with caplog.at_level(logging.INFO):
        run_flow(tctx, logger_addon, flow)
    (record,) = read_capture(capture)
    for kept in (record["request_cookie_headers"][0], record["set_cookie_headers"][0]):
        assert kept.encode("utf-8", "surrogateescape") == raw
    # The log line is printable text whatever came in.
    for message in caplog.messages:
        assert "\x1b" not in message
        message.encode("utf-8")


def test_long_value_is_cut_in_the_log_but_whole_in_the_capture(tctx, logger_addon, capture, caplog):
    value = b"big=" + b"x" * 9000
    with caplog.at_level(logging.INFO):
        run_flow(tctx, logger_addon, make_flow([value]))
    (line,) = [m for m in caplog.messages if m.startswith("→")]
    assert line == "→ GET /  Cookie: big=" + "x" * 196 + "… (9004 chars)"
    assert read_capture(capture)[0]["request_cookie_headers"] == [value.decode()]


def test_non_utf8_bytes_are_escaped_in_the_log(tctx, logger_addon, caplog):
    with caplog.at_level(logging.INFO):
        run_flow(tctx, logger_addon, make_flow([b"username=caf\xe9"]))
    assert "→ GET /  Cookie: username=caf\\xe9" in caplog.messages


def test_failed_flow_is_recorded_with_its_error(tctx, logger_addon, capture, caplog):
    flow = make_flow([b"username=Alice"], resp=False, err=True)
    with caplog.at_level(logging.INFO):
        run_flow(tctx, logger_addon, flow)
    (record,) = read_capture(capture)
    assert record["status"] is None
    assert record["error"] == flow.error.msg
    assert record["request_cookie_headers"] == ["username=Alice"]
    assert f"✗ GET /  error: {flow.error.msg}" in caplog.messages
    assert flow.comment.endswith(f"error: {flow.error.msg}")


def test_a_flow_with_response_and_error_gives_one_line(tctx, logger_addon, capture):
    flow = make_flow(set_cookies=[b"a=1"], err=True)
    run_flow(tctx, logger_addon, flow)
    logger_addon.error(flow)
    assert len(read_capture(capture)) == 1


def test_a_replayed_flow_gets_a_line_of_its_own(tctx, logger_addon, capture):
    flow = make_flow([b"username=Alice"], [b"username=Alice; Path=/"])
    run_flow(tctx, logger_addon, flow)
    # mitmweb's Replay sends the same flow object through the proxy again.
    flow.is_replay = "request"
    flow.request.headers["cookie"] = "username=admin"
    run_flow(tctx, logger_addon, flow)
    first, second = read_capture(capture)
    assert first["flow_id"] == second["flow_id"] == flow.id
    assert (first["replay"], second["replay"]) == (None, "request")
    assert second["request_cookie_headers"] == ["username=admin"]


def test_learners_comment_is_kept(tctx, logger_addon):
    flow = make_flow(set_cookies=[b"a=1"])
    flow.comment = "my note"
    run_flow(tctx, logger_addon, flow)
    assert flow.comment == "my note | Cookie: (none) | Set-Cookie: a=1"


def test_empty_cookie_log_writes_no_file(tctx, tmp_path, caplog):
    addon = load_addon(tctx)
    tctx.configure(addon, cookie_log="")
    with caplog.at_level(logging.INFO):
        run_flow(tctx, addon, make_flow([b"a=1"]))
    assert list(tmp_path.iterdir()) == []
    assert "→ GET /  Cookie: a=1" in caplog.messages


def test_default_cookie_log_outside_the_container_is_a_warning(tctx, caplog):
    # The lab's default /captures exists only in the proxy's container.
    with caplog.at_level(logging.WARNING):
        load_addon(tctx)
    assert (
        "cookie_log: /captures does not exist, so no capture file is written; set cookie_log to a path"
        in caplog.messages
    )


def test_unwritable_cookie_log_is_a_clear_option_error(tctx, tmp_path):
    addon = load_addon(tctx)
    with pytest.raises(
        exceptions.OptionsError, match=r"cookie_log: cannot append to '.*/missing/cookies.jsonl': No such file"
    ):
        tctx.configure(addon, cookie_log=str(tmp_path / "missing" / "cookies.jsonl"))


def test_a_write_failure_loses_nothing(tctx, logger_addon, capture, caplog):
    # Swap the capture file for a read-only descriptor, so the write fails.
    os.close(logger_addon._fd)
    logger_addon._fd = os.open(capture, os.O_RDONLY)
    with caplog.at_level(logging.INFO):
        run_flow(tctx, logger_addon, make_flow([b"username=Alice"]))
    (error,) = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert "cookie_log: cannot write to" in error.getMessage()
    assert '"request_cookie_headers":["username=Alice"]' in error.getMessage()


def test_banner_prints_the_ui_address_and_login(tctx, caplog):
    grader, recorder = load_lab(tctx)
    tctx.options.add_option("web_password", str, "", "as mitmweb declares it")
    tctx.configure(recorder, cookie_log="")
    tctx.configure(grader, lab_exercises="", lab_ui_url="http://localhost:8081/", web_password="cookielab")
    with caplog.at_level(logging.INFO):
        grader.running()
    assert (
        "Cookie Lab: open mitmweb at http://localhost:8081/  password: cookielab"
        "  (or http://localhost:8081/?token=cookielab)"
    ) in caplog.messages


header_bytes = st.binary(max_size=300).map(lambda b: b.replace(b"\r", b"").replace(b"\n", b""))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cookies=st.lists(header_bytes, max_size=3), set_cookies=st.lists(header_bytes, max_size=3))
def test_any_header_gives_exactly_one_parseable_line(tctx, logger_addon, capture, cookies, set_cookies):
    # One addon serves every example, as one proxy serves every flow.
    before = len(read_capture(capture))
    run_flow(tctx, logger_addon, make_flow(cookies, set_cookies))
    new = read_capture(capture)[before:]
    assert len(new) == 1
    assert [h.encode("utf-8", "surrogateescape") for h in new[0]["request_cookie_headers"]] == cookies
    assert [h.encode("utf-8", "surrogateescape") for h in new[0]["set_cookie_headers"]] == set_cookies
