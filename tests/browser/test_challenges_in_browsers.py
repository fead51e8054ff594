"""The challenges only a browser can solve, solved in real Chromium as their solutions say,
on a stack of their own so that the grader starts from nothing solved."""

import pytest
from engines import ChromiumTab
from local_lab import PASSWORD, running_stack_and_site, wait_until
from mitmweb import mitmweb_flows

pytestmark = pytest.mark.browser

# What each test here solves: the stack tier's BROWSER_ONLY is checked against this table,
# and each test's body against its row.
SOLVES = {
    "test_06_the_lax_cookie_goes_cross_site_over_https": ("06-lax-over-https",),
    "test_06_strict_is_missing_on_arrival_and_back_on_the_next_request": ("06-strict-costs",),
    "test_08_the_admin_panel_opens_in_your_browser": ("08-admin-in-your-browser",),
    "test_09_a_host_cookie_of_your_own_from_page_script": ("09-host-prefix-yours",),
    "test_06_secret_goes_over_https_and_is_refused_at_the_non_secure_address": ("06-secret-needs-https",),
    "test_09_prefixes_refused_at_the_non_secure_address_then_sent_over_https": ("09-prefix-needs-https",),
    "test_11_the_host_prefix_holds_against_the_blogs_toss": ("11-host-prefix-holds",),
}


@pytest.fixture(scope="module")
def fresh(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("browser-challenges")
    with running_stack_and_site(tmp) as stack:
        yield stack


@pytest.fixture
def tab(chromium_browser):
    tab = ChromiumTab(chromium_browser)
    yield tab
    tab.close()


def solved_by(stack, challenge: str) -> dict:
    return wait_until(
        lambda: next((r for r in stack.records() if challenge in r["solved"]), None),
        15,
        f"a capture record that solves {challenge}",
    )


def assert_marked(stack, record: dict) -> None:
    flow = next(f for f in mitmweb_flows(stack.web_port, PASSWORD) if f["id"] == record["flow_id"])
    assert flow["marked"] == "✔"


def test_06_the_lax_cookie_goes_cross_site_over_https(fresh, tab):
    tab.goto(f"https://127.0.0.1:{fresh.proxy_port}/flags/set")
    tab.goto(fresh.site + "/?app=https")
    tab.click("#send-link")
    went = solved_by(fresh, "06-lax-over-https")
    assert went["path"] == "/flags/?via=link" and went["scheme"] == "https"
    assert_marked(fresh, went)


def test_06_strict_is_missing_on_arrival_and_back_on_the_next_request(fresh, tab):
    tab.goto(fresh.target + "/flags/set")
    tab.goto(fresh.site + "/")
    tab.click("#send-link")
    # The learner types the app's address: a request of their own, same-site.
    tab.goto(fresh.target + "/flags/inspect")
    back = solved_by(fresh, "06-strict-costs")
    assert back["path"] == "/flags/inspect" and "strict=1" in back["request_cookie_headers"][0]
    assert_marked(fresh, back)


def test_08_the_admin_panel_opens_in_your_browser(fresh, tab):
    tab.goto(fresh.target + "/")
    # The solution's console line, run in the lab's page.
    tab.js('document.cookie = "username=admin; path=/"')
    tab.goto(fresh.target + "/tamper/admin")
    assert tab.text("body") == "welcome, admin: here is the admin panel"
    assert_marked(fresh, solved_by(fresh, "08-admin-in-your-browser"))


def test_09_a_host_cookie_of_your_own_from_page_script(fresh, tab):
    tab.goto(fresh.target + "/prefixes/inspect")
    # The solution's console line.
    tab.js('document.cookie = "__Host-mine=1; Secure; Path=/"')
    tab.goto(fresh.target + "/prefixes/inspect")
    record = solved_by(fresh, "09-host-prefix-yours")
    assert record["request_cookie_headers"] == ["__Host-mine=1"]
    assert_marked(fresh, record)


def mapped(stack) -> str:
    """The non-secure address: loopback written as IPv4-mapped IPv6 (the browser shows [::ffff:7f00:1])."""
    return f"http://[::ffff:127.0.0.1]:{stack.proxy_port}"


def test_06_secret_goes_over_https_and_is_refused_at_the_non_secure_address(fresh, tab):
    for url in (
        fresh.https + "/flags/set",
        fresh.https + "/flags/",
        mapped(fresh) + "/flags/set",
        mapped(fresh) + "/flags/",
    ):
        tab.goto(url)
    record = solved_by(fresh, "06-secret-needs-https")
    assert record["host"] == f"[::ffff:7f00:1]:{fresh.proxy_port}" and record["request_cookie_headers"] == [
        "plain=1; nojs=1; lax=1; strict=1"
    ]
    assert_marked(fresh, record)


def test_09_prefixes_refused_at_the_non_secure_address_then_sent_over_https(fresh, tab):
    for url in (
        mapped(fresh) + "/prefixes/set",
        mapped(fresh) + "/prefixes/",
        fresh.https + "/prefixes/set",
        fresh.https + "/prefixes/",
    ):
        tab.goto(url)
    record = solved_by(fresh, "09-prefix-needs-https")
    assert record["scheme"] == "https" and record["request_cookie_headers"] == ["__Host-id=1; __Secure-token=1"]


def test_11_the_host_prefix_holds_against_the_blogs_toss(fresh, tab):
    shop, blog = (f"http://{name}.cookielab.localhost:{fresh.proxy_port}" for name in ("shop", "blog"))
    tab.goto(shop + "/siblings/login-host")
    # The blog's form, filled in as the solution says.
    tab.goto(blog + "/siblings/blog")
    tab.page.fill("#toss-name", "__Host-session")
    tab.click("#toss-form button")
    tab.goto(shop + "/siblings/account/")
    assert "__Host-session: alice" in tab.text("body")
    record = solved_by(fresh, "11-host-prefix-holds")
    assert record["request_cookie_headers"] == ["__Host-session=alice"]
