"""The second site in real browsers: cross-site to the app and to mitmweb, and never sent their cookies."""

import pytest
from helpers import mitmweb_flows, wait_until
from stack_support import PASSWORD

pytestmark = pytest.mark.browser

KINDS = {"link": "#send-link", "get-form": "#get-form button", "post-form": "#post-form button",
         "img": "#send-img", "fetch": "#send-fetch", "iframe": "#send-iframe"}


def flow_headers(lab, via: str) -> dict[str, str]:
    """The request headers of the newest flow tagged via=<kind>, from mitmweb's /flows API."""
    def newest():
        flows = [f for f in mitmweb_flows(lab.stack.web_port, PASSWORD) if f"via={via}" in f["request"]["path"]]
        return flows[-1] if flows else None

    flow = wait_until(newest, 15, f"the via={via} flow in mitmweb")
    return {name.lower(): value for name, value in flow["request"]["headers"]}


def login_to_mitmweb(lab, tab) -> None:
    tab.goto(f"{lab.web}/?token={PASSWORD}")
    wait_until(lambda: tab.js("document.cookie") or tab.js("document.readyState") == "complete", 10, "mitmweb")


@pytest.mark.parametrize("kind", KINDS)
def test_every_request_from_the_second_site_is_cross_site(lab, tab, kind, shots):
    tab.goto(lab.app + "/flags/set")
    tab.goto(lab.site + "/")
    tab.click(KINDS[kind])
    headers = flow_headers(lab, kind)
    assert headers["sec-fetch-site"] == "cross-site"
    if kind == "iframe":
        tab.goto(lab.site + "/")
        tab.click(KINDS[kind])
        tab.wait_text("#status-iframe", "loaded")
        tab.screenshot(shots / f"second-site-{tab.engine}.png")


def test_the_second_sites_server_never_receives_the_apps_or_mitmwebs_cookies(lab, tab):
    login_to_mitmweb(lab, tab)
    tab.goto(lab.app + "/flags/set")
    tab.goto(lab.app + "/")
    tab.goto(lab.site + "/")
    assert tab.text("#site-received") == "(no Cookie header)"


def test_ports_do_not_separate_cookies_so_localhost_would_share_mitmwebs(lab, chromium):
    """Why the second site is site.localhost and not localhost:<another port> (README, sheet 06)."""
    login_to_mitmweb(lab, chromium)
    mitmweb_cookies = {c["name"] for c in chromium.context.cookies() if c["domain"] == "localhost"}
    assert mitmweb_cookies, "mitmweb set no cookie at login"
    chromium.goto(lab.site.replace("site.localhost", "localhost") + "/")
    received = chromium.text("#site-received")
    assert all(name in received for name in mitmweb_cookies), received


def test_a_normal_chromium_profile_sends_no_cookie_with_embedded_cross_site_requests(lab, chromium_browser):
    """Sheet 06 says "with their default settings": a profile on disk, not only a private context."""
    import tempfile

    from engines import CHROMIUM

    with tempfile.TemporaryDirectory(prefix="cookielab-chromium-") as profile:
        context = chromium_browser.browser_type.launch_persistent_context(
            profile, executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        try:
            page = context.pages[0]
            page.goto(lab.app + "/flags/set")
            page.goto(lab.site + "/")
            before = len(lab.records())
            for kind in ("img", "fetch", "iframe"):
                page.click(f"#send-{kind}")
            def three():
                new = [r for r in lab.records()[before:] if "via=" in r["path"]]
                return new if len(new) >= 3 else None

            records = wait_until(three, 15, "the three embedded requests")
        finally:
            context.close()
    assert sorted((r["path"], r["request_cookie_headers"]) for r in records) == [
        ("/flags/?via=fetch", []), ("/flags/?via=iframe", []), ("/flags/?via=img", [])]
