"""What the solutions of the rewritten challenges, and the Steps rewritten with them, say a browser does, in
both engines. Each engine on a stack of its own, so that each solves the challenge afresh."""

import pytest
from local_lab import PASSWORD, running_stack_and_site, wait_until
from mitmweb import MitmwebUI

pytestmark = pytest.mark.browser


@pytest.fixture
def fresh(tmp_path):
    with running_stack_and_site(tmp_path) as stack:
        yield stack


def visit(tab, stack, path: str) -> list[str]:
    """Open path in the tab; the Cookie headers its request carried (its own capture record, not an older one)."""
    before = len(stack.records())
    tab.goto(stack.target + path)
    record = wait_until(
        lambda: next((r for r in stack.records()[before:] if r["path"] == path), None), 15, f"a record of {path}"
    )
    return record["request_cookie_headers"]


def test_02_cart_stays_home_from_a_path_that_only_begins_like_its_own(fresh, tab):
    visit(tab, fresh, "/attributes/set")
    assert "cart=apple" in visit(tab, fresh, "/attributes/shop/inspect")[0]
    (shopping,) = visit(tab, fresh, "/attributes/shopping/inspect")
    assert "site=1" in shopping and "cart" not in shopping
    record = wait_until(
        lambda: next((r for r in fresh.records() if "02-not-a-prefix" in r["solved"]), None), 15, "the solve"
    )
    assert record["path"] == "/attributes/shopping/inspect"


def test_09_a_host_cookie_from_page_script_is_kept_only_with_the_prefixs_rules(fresh, tab):
    tab.goto(fresh.target + "/prefixes/inspect")
    # Refused: no Secure; then a Path other than /.
    tab.js('document.cookie = "__Host-mine=1; Path=/"')
    tab.js('document.cookie = "__Host-mine=2; Secure; Path=/prefixes"')
    assert "__Host-mine" not in tab.js("document.cookie")
    assert "__Host-mine" not in "".join(visit(tab, fresh, "/prefixes/inspect"))
    # Kept: Secure, Path=/, no Domain, over http at 127.0.0.1 (a secure context).
    tab.js('document.cookie = "__Host-mine=3; Secure; Path=/"')
    assert visit(tab, fresh, "/prefixes/inspect") == ["__Host-mine=3"]
    wait_until(lambda: any("09-host-prefix-yours" in r["solved"] for r in fresh.records()), 15, "the solve")


def test_06_strict_stays_home_on_arrival_from_the_second_site_and_comes_back_on_your_own_request(fresh, tab):
    visit(tab, fresh, "/flags/set")
    before = len(fresh.records())
    tab.goto(fresh.site + "/")
    tab.click("#send-link")
    arrived = wait_until(
        lambda: next((r for r in fresh.records()[before:] if r["path"] == "/flags/?via=link"), None), 15, "the arrival"
    )
    assert "lax=1" in arrived["request_cookie_headers"][0] and "strict" not in arrived["request_cookie_headers"][0]
    # Typed in the address bar: a request the learner starts, same-site.
    assert "strict=1" in visit(tab, fresh, "/flags/inspect")[0]
    wait_until(lambda: any("06-strict-costs" in r["solved"] for r in fresh.records()), 15, "the solve")


def test_01_the_cookie_goes_where_the_app_has_no_page(fresh, tab):
    visit(tab, fresh, "/")
    assert visit(tab, fresh, "/no-such-page") == ["username=Alice"]
    record = wait_until(
        lambda: next((r for r in fresh.records() if "01-cookie-everywhere" in r["solved"]), None), 15, "the solve"
    )
    assert (record["path"], record["status"]) == ("/no-such-page", 404)


def test_03_page_script_drops_long_before_its_hour_is_up(fresh, tab):
    visit(tab, fresh, "/expiry/set")
    assert "long=1" in visit(tab, fresh, "/expiry/inspect")[0]
    tab.js('document.cookie = "long=; Max-Age=0; Path=/"')
    (sent,) = visit(tab, fresh, "/expiry/inspect")
    assert "tab=1" in sent and "long" not in sent
    wait_until(lambda: any("03-expire-it-yourself" in r["solved"] for r in fresh.records()), 15, "the solve")


def test_08_step_3_the_server_gets_what_mitmweb_sent_and_page_script_sees_the_jar(fresh, tab):
    """Sheet 08, Step 3, in both engines: /inspect held in mitmweb, its Cookie edited to username=Mallory."""
    ui = MitmwebUI(fresh.web_port, PASSWORD)
    try:
        visit(tab, fresh, "/")
        ui.call("PUT", "/options", json={"intercept": "~q & ~u /inspect"})
        # Started from page script, so that the test goes on while mitmweb holds the request.
        tab.js(f"setTimeout(() => {{ location.href = '{fresh.target}/inspect'; }}, 0)")
        held = wait_until(
            lambda: next((f for f in ui.flows() if f["request"]["path"] == "/inspect" and f["intercepted"]), None),
            15,
            "the held request",
        )
        headers = [[k, "username=Mallory" if k.lower() == "cookie" else v] for k, v in held["request"]["headers"]]
        ui.call("PUT", f"/flows/{held['id']}", json={"request": {"headers": headers}})
        ui.call("POST", f"/flows/{held['id']}/resume")
        tab.wait_text("pre.raw", "username=Mallory", timeout=15)
        assert tab.js("document.cookie") == "username=Alice"
    finally:
        ui.call("PUT", "/options", json={"intercept": ""})
        ui.close()
    assert not any(r["solved"] for r in fresh.records())
