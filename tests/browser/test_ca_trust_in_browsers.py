"""The lab over https in real browsers: trusted once the lab's CA is in the browser's own store, refused with its warning page without it.

Each browser trusts the CA in a throwaway store of its own (Chromium's HOME,
Firefox's profile), as the README tells learners to do in one profile; no
certificate error is ignored anywhere.
"""

from pathlib import Path

import pytest
from engines import FIREFOX, ChromiumTab, Firefox, FirefoxTab, launch_chromium, require
from lab_launch import CA_NAME
from local_lab import running_stack, wait_until

pytestmark = pytest.mark.browser

# What each engine shows a learner whose browser does not trust the lab's CA, word for word.
CHROMIUM_REFUSAL = "net::ERR_CERT_AUTHORITY_INVALID"  # in the error Playwright's goto raises
CHROMIUM_HEADING = "Your connection is not private"
CHROMIUM_CODE = "NET::ERR_CERT_AUTHORITY_INVALID"  # on the page, under the heading
FIREFOX_PAGE = "about:certerror?e=nssBadCert"
FIREFOX_TITLE = "Warning: Security Risk"
FIREFOX_HEADING = "Be careful. Something doesn\u2019t look right."
FIREFOX_CODE = "Error Code: SEC_ERROR_UNKNOWN_ISSUER"  # behind the page's Advanced button
# Firefox's certificate error page draws itself in a shadow root, in text filled in after load.
FIREFOX_CARD = "document.querySelector('net-error-card').shadowRoot"


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    with running_stack(tmp_path_factory.mktemp("ca-trust")) as stack:
        yield stack


def chromium(chromium_browser, ca: Path | None):
    """A second Chromium beside the tier's, with a store of its own that trusts ca (or nothing)."""
    try:
        browser = launch_chromium(chromium_browser.browser_type, ca)
    except Exception as exc:  # noqa: BLE001 - reported as the tier's failure or skip
        require(f"Chromium did not start: {exc}")
    yield browser
    browser.close()


def firefox(ca: Path | None):
    """A Firefox whose fresh profile trusts ca (or nothing)."""
    if not Path(FIREFOX).exists():
        require(f"{FIREFOX} is missing (apt-get install firefox-esr)")
    try:
        browser = Firefox(ca)
    except Exception as exc:  # noqa: BLE001 - reported as the tier's failure or skip
        require(f"Firefox did not start: {exc}")
    yield browser
    browser.quit()


@pytest.fixture(scope="module")
def chromium_with_ca(stack, chromium_browser):
    yield from chromium(chromium_browser, stack.ca)


@pytest.fixture(scope="module")
def chromium_without_ca(chromium_browser):
    yield from chromium(chromium_browser, None)


@pytest.fixture(scope="module")
def firefox_with_ca(stack):
    yield from firefox(stack.ca)


@pytest.fixture(scope="module")
def firefox_without_ca():
    yield from firefox(None)


@pytest.fixture(params=["chromium", "firefox"])
def trusting(request):
    """A page in a fresh cookie jar, in each engine in turn, in a browser that trusts the lab's CA."""
    browser = request.getfixturevalue(f"{request.param}_with_ca")
    tab = ChromiumTab(browser) if request.param == "chromium" else FirefoxTab(browser.client)
    yield tab
    tab.close()


def test_the_start_page_loads_over_https_once_the_browser_trusts_the_lab_ca(stack, trusting, shots):
    trusting.goto(stack.https + "/lab/")  # raises on any certificate error
    assert trusting.js("[window.isSecureContext, location.protocol]") == [True, "https:"]
    assert trusting.wait_text("#secure-context", "yes") == "yes"
    assert trusting.text("h1") == "Cookie Lab"
    trusting.screenshot(shots / f"start-https-{trusting.engine}.png")


def test_the_capture_file_tells_https_from_http(stack, trusting):
    https_path, http_path = (f"/lab/?via={trusting.engine}-{scheme}" for scheme in ("https", "http"))
    trusting.goto(stack.https + https_path)
    trusting.goto(stack.target + http_path)

    def both() -> dict[str, str] | None:
        schemes = {r["path"]: r["scheme"] for r in stack.records() if r["path"] in (https_path, http_path)}
        return schemes if len(schemes) == 2 else None

    assert wait_until(both, 10, "both flows in the capture file") == {https_path: "https", http_path: "http"}


def test_chromium_without_the_ca_refuses_the_page_with_its_warning(stack, chromium_without_ca, shots):
    from playwright.sync_api import Error

    tab = ChromiumTab(chromium_without_ca)
    try:
        # Unique, to show that the app never saw the request.
        path = "/lab/?via=chromium-untrusted"
        with pytest.raises(Error, match=CHROMIUM_REFUSAL):
            tab.goto(stack.https + path)
        assert tab.text("h1") == CHROMIUM_HEADING
        body = tab.text("body")
        assert body.startswith(CHROMIUM_HEADING) and CHROMIUM_CODE in body, body
        tab.screenshot(shots / "cert-warning-chromium.png")
        tab.click("#details-button")  # Advanced
        assert "Proceed to 127.0.0.1 (unsafe)" in tab.wait_text("body", "its security certificate is not trusted")
        assert [r for r in stack.records() if r["path"] == path] == []
    finally:
        tab.close()


def test_firefox_without_the_ca_refuses_the_page_with_its_warning(stack, firefox_without_ca, shots):
    from marionette_driver.errors import InsecureCertificateException

    tab = FirefoxTab(firefox_without_ca.client)
    path = "/lab/?via=firefox-untrusted"
    with pytest.raises(InsecureCertificateException):
        tab.goto(stack.https + path)
    assert tab.js("document.documentURI").startswith(FIREFOX_PAGE)
    assert tab.js("document.title") == FIREFOX_TITLE
    heading = wait_until(lambda: tab.js(f"{FIREFOX_CARD}.querySelector('h1').textContent"), 10, "the warning's heading")
    assert heading == FIREFOX_HEADING
    tab.screenshot(shots / "cert-warning-firefox.png")
    tab.js(f"{FIREFOX_CARD}.querySelector('#advanced-button').click()")
    details = wait_until(
        lambda: (text := tab.js(f"{FIREFOX_CARD}.textContent")) and FIREFOX_CODE in text and text,
        10,
        "the Advanced details",
    )
    assert "Firefox doesn\u2019t trust this site because we can\u2019t tell who issued the certificate" in details
    assert [r for r in stack.records() if r["path"] == path] == []


def test_the_lab_ca_is_named_for_the_lab(stack, chromium_with_ca):
    """A learner who trusted it finds it again by its name, to remove it."""
    page = chromium_with_ca.new_page()
    try:
        response = page.goto(stack.https + "/lab/")
        assert response.security_details()["issuer"] == CA_NAME
    finally:
        page.close()


def test_after_clicking_through_the_warning_secure_cookies_work_over_https(
    stack, chromium_without_ca, firefox_without_ca
):
    """The README's other way in: past the warning, once, the page is https and Secure cookies are kept and sent."""
    from marionette_driver.errors import InsecureCertificateException
    from playwright.sync_api import Error

    chromium = ChromiumTab(chromium_without_ca)
    try:
        with pytest.raises(Error, match=CHROMIUM_REFUSAL):
            chromium.goto(stack.https + "/flags/set")
        chromium.click("#details-button")  # Advanced
        chromium.click("#proceed-link")  # Proceed to 127.0.0.1 (unsafe)
        chromium.goto(stack.https + "/flags/")
        assert chromium.text("body") == "received: plain=1; secret=1; nojs=1; lax=1; strict=1; cross=1"
    finally:
        chromium.close()

    firefox = FirefoxTab(firefox_without_ca.client)
    with pytest.raises(InsecureCertificateException):
        firefox.goto(stack.https + "/flags/set")
    wait_until(lambda: firefox.js(f"{FIREFOX_CARD}.querySelector('h1').textContent"), 10, "the warning's heading")
    firefox.js(f"{FIREFOX_CARD}.querySelector('#advanced-button').click()")
    wait_until(lambda: firefox.js(f"{FIREFOX_CARD}.querySelector('#exception-button')"), 10, "the Proceed button")
    assert firefox.js(f"{FIREFOX_CARD}.querySelector('#exception-button').textContent.trim()") == (
        f"Proceed to 127.0.0.1:{stack.proxy_port} (Risky)"
    )
    firefox.js(f"{FIREFOX_CARD}.querySelector('#exception-button').click()")
    wait_until(
        lambda: firefox.js("location.protocol") == "https:" and firefox.text("body").startswith("set:"),
        15,
        "the page past the warning",
    )
    firefox.goto(stack.https + "/flags/")
    assert firefox.text("body") == "received: plain=1; secret=1; nojs=1; lax=1; strict=1; cross=1"
