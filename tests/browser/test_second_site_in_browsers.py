"""The second site in real browsers: cross-site to the app and to mitmweb, and never sent their cookies."""

import pytest
from local_lab import PASSWORD, wait_until
from mitmweb import mitmweb_flows

pytestmark = pytest.mark.browser

KINDS = {
    "link": "#send-link",
    "get-form": "#get-form button",
    "post-form": "#post-form button",
    "img": "#send-img",
    "fetch": "#send-fetch",
    "iframe": "#send-iframe",
}


def via_flows(lab, via: str) -> list[dict]:
    """The flows tagged via=<kind> in mitmweb's /flows API, oldest first."""
    return [f for f in mitmweb_flows(lab.stack.web_port, PASSWORD) if f"via={via}" in f["request"]["path"]]


def flow_headers(lab, via: str, before: set[str]) -> dict[str, str]:
    """The request headers of the first flow tagged via=<kind> whose id is not in before (the ids from before the click)."""

    def new():
        flows = [f for f in via_flows(lab, via) if f["id"] not in before]
        return flows[0] if flows else None

    flow = wait_until(new, 15, f"a new via={via} flow in mitmweb")
    return {name.lower(): value for name, value in flow["request"]["headers"]}


def auth_cookie(lab) -> str:
    """The name of mitmweb's login cookie: mitmproxy 12's WebAuth.auth_cookie_name, one per web port."""
    return f"mitmproxy-auth-{lab.stack.web_port}"


def jar(tab, host: str) -> set[str]:
    """The names of the cookies for host in the tab's jar, HttpOnly ones (which page script cannot see) too."""
    if tab.engine == "chromium":
        return {c["name"] for c in tab.context.cookies() if c["domain"] == host}
    with tab.client.using_context(tab.client.CONTEXT_CHROME):
        return set(
            tab.client.execute_script(
                "return Services.cookies.cookies.filter(c => c.host == arguments[0]).map(c => c.name);",
                script_args=[host],
            )
        )


def login_to_mitmweb(lab, tab) -> None:
    """Open mitmweb with its token and wait until its login cookie (HttpOnly) is in the tab's jar."""
    tab.goto(f"{lab.web}/?token={PASSWORD}")
    wait_until(lambda: auth_cookie(lab) in jar(tab, "localhost"), 10, f"mitmweb's {auth_cookie(lab)} cookie")


@pytest.mark.parametrize("kind", KINDS)
def test_every_request_from_the_second_site_is_cross_site(lab, tab, kind, shots):
    tab.goto(lab.app + "/flags/set")
    tab.goto(lab.site + "/")
    before = {f["id"] for f in via_flows(lab, kind)}
    tab.click(KINDS[kind])
    headers = flow_headers(lab, kind, before)
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
    # The jar did hold mitmweb's login cookie all along: the site was not sent it.
    assert auth_cookie(lab) in jar(tab, "localhost")


def test_ports_do_not_separate_cookies_so_localhost_would_share_mitmwebs(lab, chromium):
    """Why the second site is site.localhost and not localhost:<another port> (README, sheet 06)."""
    login_to_mitmweb(lab, chromium)
    mitmweb_cookies = {c["name"] for c in chromium.context.cookies() if c["domain"] == "localhost"}
    assert mitmweb_cookies, "mitmweb set no cookie at login"
    assert auth_cookie(lab) in mitmweb_cookies, mitmweb_cookies
    chromium.goto(lab.site.replace("site.localhost", "localhost") + "/")
    received = chromium.text("#site-received")
    assert all(name in received for name in mitmweb_cookies), received


def test_a_normal_chromium_profile_sends_no_cookie_with_embedded_cross_site_requests(lab, chromium_browser):
    """Sheet 06 says "with their default settings": a profile on disk, not only a private context."""
    import tempfile

    from engines import CHROMIUM

    with tempfile.TemporaryDirectory(prefix="cookielab-chromium-") as profile:
        context = chromium_browser.browser_type.launch_persistent_context(
            profile, executable_path=CHROMIUM, headless=True, args=["--no-sandbox"]
        )
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
        ("/flags/?via=fetch", []),
        ("/flags/?via=iframe", []),
        ("/flags/?via=img", []),
    ]
