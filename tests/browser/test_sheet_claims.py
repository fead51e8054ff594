"""Every claims table in lab/: each row run in the real client it names, requests, Chromium and Firefox.

A row says which paths are visited first (`after`), which request comes next
(`then`) and, per client, the cookie names that request carried, in order. A
cell `—` is a client the row is not tested in, and the sheet says so.
"""

import re
import tempfile
import time

import pytest
import requests
from engines import CHROMIUM, ChromiumTab, FirefoxTab
from helpers import LAB, cookie_names, sheet_claims, wait_until

pytestmark = pytest.mark.browser

# Chromium lets a cookie without SameSite ride a cross-site POST for 2 minutes
# after it was set; rows that say "2 min after" run on a jar older than that
# (the `aged` fixture, set up when the tier starts).
AGED = 125


def claims() -> list[tuple[str, dict[str, str]]]:
    rows = []
    for sheet in sorted(LAB.glob("[0-9][0-9]-*.md")):
        for row in sheet_claims(sheet.read_text(encoding="utf-8")):
            rows.append((sheet.name[:2], row))
    # Rows on the aged jar last, so that the rest runs while it ages.
    return sorted(rows, key=lambda r: "2 min after" in r[1]["then"])


CLAIMS = claims()


def test_the_sheets_have_claims_tables():
    sheets = {sheet for sheet, _ in CLAIMS}
    assert {"02", "03", "06", "09", "10"} <= sheets


def paths(cell: str) -> list[str]:
    return re.findall(r"`(/[^`]*)`", cell)


def then_path(then: str) -> str:
    return re.search(r"`(?:GET )?(/[^`]*)`", then).group(1)


def seconds(then: str) -> float:
    match = re.search(r"after (\d+) s\b", then)
    return float(match.group(1)) if match else 0.0


def new_record(lab, before: int, where: str) -> dict:
    """The first capture record after the first `before` whose path contains where."""
    def found():
        return next((r for r in lab.records()[before:] if where in r["path"]), None)

    return wait_until(found, 15, f"a capture record for {where}")


def names_in(record: dict) -> list[str]:
    return [cookie["name"] for cookie in record["request_cookies"]]


def run_in_browser(lab, tab, row: dict[str, str]) -> list[str]:
    for path in paths(row["after"]):
        tab.goto(lab.app + path)
    then = row["then"]
    time.sleep(seconds(then))  # a cookie's own lifetime is what is being waited for
    before = len(lab.records())
    if then.startswith("`document.cookie`"):
        tab.goto(lab.app + paths(then)[0])
        text = tab.js("document.cookie")
        return [pair.split("=", 1)[0] for pair in text.split("; ")] if text else []
    if (via := re.match(r"`via=([a-z-]+)`", then)) is not None:
        kind = via.group(1)
        tab.goto(lab.site + "/")
        tab.click({"link": "#send-link", "get-form": "#get-form button", "post-form": "#post-form button"}
                  .get(kind, f"#send-{kind}"))
        return names_in(new_record(lab, before, f"via={kind}"))
    method, path = re.match(r"`(GET) (/[^`]*)`", then).groups()
    tab.goto(lab.app + path)
    return names_in(new_record(lab, before, path))


def run_in_requests(lab, row: dict[str, str]) -> list[str]:
    then = row["then"]
    match = re.match(r"`GET (/[^`]*)`", then)
    assert match, f"the requests column can only check a GET, not {then!r}: write — there"
    with requests.Session() as session:
        for path in paths(row["after"]):
            session.get(lab.app + path, timeout=10)
        time.sleep(seconds(then))
        before = len(lab.records())
        session.get(lab.app + match.group(1), timeout=10)
    return names_in(new_record(lab, before, match.group(1)))


# One test per row and client, except the clients a row marks `—` (not tested there).
CASES = [
    pytest.param((sheet, row), client, id=f"{sheet}: {row['after']} then {row['then']} [{client}]")
    for sheet, row in CLAIMS
    for client in ("requests", "Chromium", "Firefox")
    if cookie_names(row[client]) is not None
]


@pytest.mark.parametrize(("claim", "client"), CASES)
def test_a_sheet_claim_holds_in_the_client_it_names(request, lab, aged, claim, client):
    sheet, row = claim
    want = cookie_names(row[client])
    if client == "requests":
        got = run_in_requests(lab, row)
    elif "2 min after" in row["then"]:
        tabs, born = aged
        # Deadline-based: whatever the rest of the tier took counts towards it.
        time.sleep(max(0.0, AGED - (time.monotonic() - born)))
        got = run_in_browser(lab, tabs[client], {**row, "after": ""})
    elif "browser restart" in row["then"]:
        got = run_after_restart(lab, request.getfixturevalue("chromium_browser"), row)
    else:
        fixture = "chromium_browser" if client == "Chromium" else "firefox_browser"
        browser = request.getfixturevalue(fixture)
        tab = ChromiumTab(browser) if client == "Chromium" else FirefoxTab(browser.client)
        try:
            got = run_in_browser(lab, tab, row)
        finally:
            tab.close()
    assert got == want, f"sheet {sheet} claims {client} sends {row[client]} ({row['after']} then {row['then']})"


def run_after_restart(lab, browser, row: dict[str, str]) -> list[str]:
    """Chromium with a profile on disk: visit, quit, start again on the same profile, then request."""
    with tempfile.TemporaryDirectory(prefix="cookielab-chromium-") as profile:
        def context():
            return browser.browser_type.launch_persistent_context(
                profile, executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])

        first = context()
        for path in paths(row["after"]):
            first.pages[0].goto(lab.app + path)
        first.close()
        second = context()
        time.sleep(seconds(row["then"]))
        before = len(lab.records())
        path = then_path(row["then"])
        second.pages[0].goto(lab.app + path)
        second.close()
    return names_in(new_record(lab, before, path))
