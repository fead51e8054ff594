"""The lab's three addresses in real browsers: which is a secure context, what the non-secure one looks like, and Chromium's HTTPS-First mode there."""

import json
import tempfile
import uuid
from pathlib import Path

import pytest
from engines import CHROMIUM
from helpers import mitmweb_flows, wait_until
from stack_support import PASSWORD

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
    # Not upgraded to https (Chromium's automatic HTTPS upgrades are on by default).
    assert tab.js("location.protocol") == "http:"
    headers = flow_headers(lab, probe)
    assert headers["host"] == f"[::ffff:7f00:1]:{port}"
    # Fetch metadata goes only to secure origins: none here, but at 127.0.0.1.
    assert not [name for name in headers if name.startswith("sec-fetch-")]
    loopback = f"probe={tab.engine}-{uuid.uuid4().hex}"
    tab.goto(f"{lab.app}/flags/?{loopback}")
    assert flow_headers(lab, loopback)["sec-fetch-site"] == "none"


def test_chromiums_always_use_secure_connections_stops_at_the_non_secure_address_only(lab, chromium_browser):
    """HTTPS-First mode ("Always use secure connections") on, in a profile of its own: the
    non-secure address is not upgraded to https, it is stopped before any request leaves,
    and http://127.0.0.1 loads as usual."""
    with tempfile.TemporaryDirectory(prefix="cookielab-chromium-") as profile:
        (Path(profile) / "Default").mkdir()
        (Path(profile) / "Default" / "Preferences").write_text(json.dumps({"https_only_mode_enabled": True}))
        context = chromium_browser.browser_type.launch_persistent_context(
            profile, executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
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
