"""The lab's three addresses in real browsers: which is a secure context, what the non-secure one looks like, and Chromium's HTTPS-First mode there."""

import json
import tempfile
import uuid
from pathlib import Path

import pytest
from engines import CHROMIUM
from local_lab import PASSWORD, wait_until
from mitmweb import mitmweb_flows

pytestmark = pytest.mark.browser


@pytest.mark.parametrize(("address", "secure"), [("app", "yes"), ("https", "yes"), ("mapped", "no")])
def test_every_page_says_whether_its_address_is_a_secure_context(lab, tab, address, secure):
    tab.goto(getattr(lab, address) + "/lab/")
    assert tab.wait_text("#secure-context", secure) == secure
    assert tab.js("window.isSecureContext") is (secure == "yes")


def flow_headers(lab, probe: str) -> dict[str, str]:
    """The request headers of the one flow whose path carries probe, from mitmweb's /flows API."""

    def found():
        flows = [f for f in mitmweb_flows(lab.stack.web_port, PASSWORD) if probe in f["request"]["path"]]
        return flows[0] if len(flows) == 1 else None

    flow = wait_until(found, 15, f"the flow of {probe}")
    return {name.lower(): value for name, value in flow["request"]["headers"]}


def test_the_non_secure_address_is_shown_as_ffff_7f00_1_and_gets_no_fetch_metadata(lab, tab):
    port = lab.stack.proxy_port
    probe = f"probe={tab.engine}-{uuid.uuid4().hex}"
    tab.goto(f"{lab.mapped}/flags/?{probe}")
    # Both browsers rewrite the address, in the address bar and in Host.
    assert tab.js("location.host") == f"[::ffff:7f00:1]:{port}"
    # Plain http (Chromium's own HTTPS upgrades, off under Playwright, are tested below).
    assert tab.js("location.protocol") == "http:"
    headers = flow_headers(lab, probe)
    assert headers["host"] == f"[::ffff:7f00:1]:{port}"
    # Fetch metadata goes only to secure origins: none here, but at 127.0.0.1.
    assert not [name for name in headers if name.startswith("sec-fetch-")]
    loopback = f"probe={tab.engine}-{uuid.uuid4().hex}"
    tab.goto(f"{lab.app}/flags/?{loopback}")
    assert flow_headers(lab, loopback)["sec-fetch-site"] == "none"


# Playwright starts Chromium with these features off; Chrome ships with them on.
HTTPS_UPGRADE_FEATURES = ("HttpsUpgrades", "HttpsFirstBalancedModeAutoEnable")


@pytest.fixture(scope="module")
def playwrights_disabled_features(chromium_browser) -> str:
    """The --disable-features switch Playwright gives Chromium, read from chrome://version."""
    page = chromium_browser.new_page()
    try:
        page.goto("chrome://version")
        switches = page.inner_text("#command_line").split()
    finally:
        page.close()
    return next(s for s in switches if s.startswith("--disable-features="))


def chromium_as_shipped(chromium_browser, switch: str, profile: str, https_first: bool):
    """Chromium on a profile on disk with its HTTPS upgrades on, as Chrome ships, and
    "Always use secure connections" (HTTPS-First mode) as given."""
    (Path(profile) / "Default").mkdir()
    (Path(profile) / "Default" / "Preferences").write_text(json.dumps({"https_only_mode_enabled": https_first}))
    features = [f for f in switch.split("=", 1)[1].split(",") if f not in HTTPS_UPGRADE_FEATURES]
    return chromium_browser.browser_type.launch_persistent_context(
        profile,
        executable_path=CHROMIUM,
        headless=True,
        ignore_default_args=[switch],
        args=["--no-sandbox", f"--disable-features={','.join(features)}"],
    )


def tls_attempts(lab) -> list[str]:
    """The proxy's log lines of TLS handshakes that failed: an https attempt the certificate did not cover."""
    return [
        line for line in lab.stack.proxy_log.read_text(encoding="utf-8").splitlines() if "TLS handshake failed" in line
    ]


def test_chromiums_https_upgrades_leave_the_non_secure_address_on_http(
    lab, chromium_browser, playwrights_disabled_features
):
    assert set(HTTPS_UPGRADE_FEATURES) <= set(playwrights_disabled_features.split("=", 1)[1].split(","))
    before = tls_attempts(lab)
    with tempfile.TemporaryDirectory(prefix="cookielab-chromium-") as profile:
        context = chromium_as_shipped(chromium_browser, playwrights_disabled_features, profile, https_first=False)
        try:
            page = context.pages[0]
            page.goto("chrome://version")
            assert "HttpsUpgrades" not in page.inner_text("#command_line")
            probe = f"upgrades-{uuid.uuid4().hex}"
            page.goto(f"{lab.mapped}/flags/?{probe}")
            assert page.url.startswith("http://[::ffff:7f00:1]:")
        finally:
            context.close()
    record = wait_until(lambda: next((r for r in lab.records() if probe in r["path"]), None), 15, "the probe's record")
    # Plain http, and no https attempt before it.
    assert record["scheme"] == "http" and tls_attempts(lab) == before


def test_chromiums_always_use_secure_connections_stops_at_the_non_secure_address_only(
    lab, chromium_browser, playwrights_disabled_features
):
    """HTTPS-First mode ("Always use secure connections") on: the non-secure address is not
    upgraded to https, it is stopped before any request leaves, and http://127.0.0.1 loads as usual."""
    with tempfile.TemporaryDirectory(prefix="cookielab-chromium-") as profile:
        context = chromium_as_shipped(chromium_browser, playwrights_disabled_features, profile, https_first=True)
        try:
            page = context.pages[0]
            probe = f"hfm-{uuid.uuid4().hex}"
            page.goto(f"{lab.app}/flags/?{probe}-loopback")
            assert page.url == f"{lab.app}/flags/?{probe}-loopback"
            with pytest.raises(Exception, match="ERR_BLOCKED_BY_CLIENT"):
                page.goto(f"{lab.mapped}/flags/?{probe}")
        finally:
            context.close()
    paths = [record["path"] for record in lab.records() if probe in record["path"]]
    assert paths == [f"/flags/?{probe}-loopback"]


def test_the_start_page_links_the_three_addresses_of_this_lab(lab, tab):
    tab.goto(lab.app + "/lab/")
    links = tab.js("[...document.querySelectorAll('ul.addresses a')].map((a) => a.href)")
    # The browser's own form of the non-secure address.
    mapped = lab.mapped.replace("[::ffff:127.0.0.1]", "[::ffff:7f00:1]")
    assert links == [lab.app + "/lab/", mapped + "/lab/", lab.https + "/lab/"]
