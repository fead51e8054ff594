"""Real browsers against the real stack: Chromium and Firefox from Debian's packages,
gunicorn, mitmweb with the addon and the second site as processes on 127.0.0.1.

Without a browser the tier is skipped, unless LAB_REQUIRE_BROWSER=1 or CI is
set: then it fails. scripts/test installs both browsers when they are missing.
"""

import time
from pathlib import Path

import pytest
from engines import FIREFOX, SHOTS, ChromiumTab, Firefox, FirefoxTab, chromium_session, require
from local_lab import free_port, start_app, start_proxy, start_site, stop
from sheets import SHEET_ORIGINS, sheet_url


class BrowserLab:
    """The stack's addresses as a browser uses them: the app through the proxy at
    127.0.0.1 (and over https, at the non-secure IPv4-mapped address and on the
    sibling hosts: the proxy's one port answers all), mitmweb at localhost, the
    second site at site.localhost."""

    def __init__(self, stack, site_port: int) -> None:
        self.stack = stack
        port = stack.proxy_port
        self.app = f"http://127.0.0.1:{port}"
        self.https = f"https://127.0.0.1:{port}"
        self.mapped = f"http://[::ffff:127.0.0.1]:{port}"
        self.shop = f"http://shop.cookielab.localhost:{port}"
        self.blog = f"http://blog.cookielab.localhost:{port}"
        self.web = f"http://localhost:{stack.web_port}"
        self.site = f"http://site.localhost:{site_port}"
        # The lab's CA, trusted by the tier's browsers as the README tells learners to.
        self.ca = stack.ca

    def url(self, address: str) -> str:
        """A sheet's address (helpers.SHEET_ORIGINS, or a path on the app) at this stack's ports."""
        return sheet_url(address, {name: getattr(self, name) for name in set(SHEET_ORIGINS.values())})

    def records(self) -> list[dict]:
        return self.stack.records()


@pytest.fixture(scope="session")
def lab(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("browser")
    proxy_port, web_port = _ports()
    app, app_port = start_app(
        tmp,
        LAB_WEB_URL=f"http://localhost:{web_port}/",
        LAB_APP_URL=f"http://127.0.0.1:{proxy_port}/",
        LAB_HTTPS_URL=f"https://127.0.0.1:{proxy_port}/",
    )
    proxy, stack = start_proxy(tmp, app_port, ports=(proxy_port, web_port))
    site, site_port = start_site(tmp, f"http://127.0.0.1:{proxy_port}", f"https://127.0.0.1:{proxy_port}")
    try:
        yield BrowserLab(stack, site_port)
    finally:
        stop(site)
        stop(proxy)
        stop(app)


def _ports() -> tuple[int, int]:
    return free_port(), free_port()


@pytest.fixture(scope="session")
def chromium_browser(lab):
    """Chromium trusting the lab's CA, in a store of its own, as the README has a learner do."""
    yield from chromium_session(lab.ca)


@pytest.fixture(scope="session")
def firefox_browser(lab):
    """Firefox trusting the lab's CA, in its profile alone."""
    if not Path(FIREFOX).exists():
        require(f"{FIREFOX} is missing (apt-get install firefox-esr)")
    try:
        firefox = Firefox(ca=lab.ca)
    except Exception as exc:  # noqa: BLE001 - reported as the tier's failure or skip
        require(f"Firefox did not start: {exc}")
    yield firefox
    firefox.quit()


@pytest.fixture(params=["chromium", "firefox"])
def tab(request):
    """A page in a fresh cookie jar, in each engine in turn."""
    if request.param == "chromium":
        tab = ChromiumTab(request.getfixturevalue("chromium_browser"))
    else:
        tab = FirefoxTab(request.getfixturevalue("firefox_browser").client)
    yield tab
    tab.close()


@pytest.fixture
def chromium(chromium_browser):
    """A Chromium page in a fresh cookie jar, for what is tested in Chromium alone."""
    tab = ChromiumTab(chromium_browser)
    yield tab
    tab.close()


@pytest.fixture(scope="session")
def shots():
    SHOTS.mkdir(parents=True, exist_ok=True)
    return SHOTS


@pytest.fixture(scope="session", autouse=True)
def aged(lab, chromium_browser):
    """A Chromium context and a second Firefox whose jars got /flags/set when the
    tier started: the sheet's "2 min after" rows use them, and the rest of the
    tier runs while they age."""
    try:
        firefox = Firefox(ca=lab.ca)
    except Exception as exc:  # noqa: BLE001 - reported as the tier's failure or skip
        require(f"Firefox did not start: {exc}")
    chromium = ChromiumTab(chromium_browser)
    tabs = {"Chromium": chromium, "Firefox": FirefoxTab(firefox.client)}
    for tab in tabs.values():
        tab.goto(lab.app + "/flags/set")
    born = time.monotonic()
    yield tabs, born
    chromium.close()
    firefox.quit()
