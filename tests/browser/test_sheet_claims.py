"""Every claims table in lab/: each row run in the real client it names, requests, Chromium and Firefox.

A row says which paths are visited first (`after`), which request comes next
(`then`) and, per client, the cookie names that request carried, in order. A
cell `—` is a client the row is not tested in, and the sheet says so.
"""

import html
import json
import re
import tempfile
import time
from urllib.parse import urlsplit

import pytest
import requests
from engines import CHROMIUM, ChromiumTab, FirefoxTab
from local_lab import LAB, wait_until
from sheets import SHEET_URL, after_steps, cookie_names, sheet_claims

pytestmark = pytest.mark.browser

# Chromium lets a cookie without SameSite ride a cross-site POST for 2 minutes
# after it was set; rows that say "2 min after" run on a jar older than that
# (the `aged` fixture, set up when the tier starts).
AGED = 125


def claims() -> list[tuple[str, dict[str, str]]]:
    rows = []
    for sheet in sorted(LAB.glob("[0-9][0-9]-*.md")):
        for row in sheet_claims(sheet.read_text(encoding="utf-8"), f"lab/{sheet.name}"):
            rows.append((sheet.name[:2], row))
    # Rows on the aged jar last, so that the rest runs while it ages.
    return sorted(rows, key=lambda r: "2 min after" in r[1]["then"])


CLAIMS = claims()
# Which sheets have claims tables, and their rows, are counted in tests/check/test_claims_tables.py.


def addresses(cell: str) -> list[str]:
    """The lab's addresses in a cell, in order: every `...` that is one (a path, or an origin of SHEET_ORIGINS and a path)."""
    return [text for text in re.findall(r"`(?:GET )?([^`]+)`", cell) if SHEET_URL.fullmatch(text)]


def seconds(then: str) -> float:
    match = re.search(r"after (\d+) s\b", then)
    return float(match.group(1)) if match else 0.0


def new_record(lab, before: int, where: str) -> dict:
    """The first capture record after the first `before` whose path contains where."""

    def found():
        return next((r for r in lab.records()[before:] if where in r["path"]), None)

    return wait_until(found, 15, f"a capture record for {where}")


def pairs_in(record: dict) -> list[tuple[str, str]]:
    return [(cookie["name"], cookie["value"]) for cookie in record["request_cookies"]]


def browser_jar(tab) -> list[tuple[str, str]]:
    """Every cookie in the tab's jar (a fresh one per row): what the browser kept, sent or not."""
    if isinstance(tab, ChromiumTab):
        return [(c["name"], c["value"]) for c in tab.context.cookies()]
    with tab.client.using_context(tab.client.CONTEXT_CHROME):
        return [
            tuple(pair)
            for pair in tab.client.execute_script("return Services.cookies.cookies.map(c => [c.name, c.value]);")
        ]


def run_in_browser(lab, tab, row: dict[str, str]) -> list[tuple[str, str]]:
    for method, address in after_steps(row["after"]):
        if method == "POST":
            tab.post(lab.url(address))  # from the page opened before it, as its button would
        else:
            tab.goto(lab.url(address))
    then = row["then"]
    time.sleep(seconds(then))  # a cookie's own lifetime is what is being waited for
    before = len(lab.records())
    if then.startswith("the cookie jar"):
        return browser_jar(tab)
    if then.startswith("`document.cookie`"):
        tab.goto(lab.url(addresses(then)[0]))
        text = tab.js("document.cookie")
        return [tuple(pair.split("=", 1)) for pair in text.split("; ")] if text else []
    if (sent := re.match(r"`(GET|POST) ([^`]+)` from the exploit server", then)) is not None:
        return from_the_exploit_server(lab, tab, before, *sent.groups())
    if (via := re.match(r"`via=([a-z-]+)`", then)) is not None:
        kind = via.group(1)
        # The second site sends to the app's https address when the row says so.
        tab.goto(lab.site + ("/?app=https" if "over https" in then else "/"))
        tab.click(
            {"link": "#send-link", "get-form": "#get-form button", "post-form": "#post-form button"}.get(
                kind, f"#send-{kind}"
            )
        )
        return pairs_in(new_record(lab, before, f"via={kind}"))
    url = lab.url(re.match(r"`GET ([^`]+)`", then).group(1))
    tab.goto(url)
    return pairs_in(new_record(lab, before, urlsplit(url).path))


def from_the_exploit_server(lab, tab, before: int, method: str, address: str) -> list[tuple[str, str]]:
    """The request a page on the exploit server sends to address as soon as it opens: a form it submits
    (POST), or a top-level navigation (GET), as an attacker's page does. The page is stored as a learner
    stores it, through the exploit server's form."""
    url = lab.url(address)
    if method == "POST":
        page = f'<form method="post" action="{html.escape(url)}"></form><script>document.forms[0].submit()</script>'
    else:
        page = f"<script>location = {json.dumps(url)}</script>"
    # requests cannot resolve site.localhost: the same server at 127.0.0.1.
    server = lab.site.replace("//site.localhost:", "//127.0.0.1:") + "/exploit-server"
    assert requests.post(server, data={"page": page}, timeout=10).status_code == 200
    tab.goto(lab.site + "/exploit")
    return pairs_in(new_record(lab, before, urlsplit(url).path))


def requests_get(lab, session: requests.Session, address: str) -> requests.Response:
    """GET a sheet's address with requests. It cannot resolve *.localhost names: it connects to
    127.0.0.1 and names the host in the Host header, which its cookie jar then goes by."""
    url = urlsplit(lab.url(address))
    headers = {}
    if url.hostname.endswith(".localhost"):
        headers["Host"] = url.netloc
        url = url._replace(netloc=f"127.0.0.1:{url.port}")
    return session.get(url.geturl(), headers=headers, timeout=10, verify=str(lab.ca))


def run_in_requests(lab, row: dict[str, str]) -> list[tuple[str, str]]:
    then = row["then"]
    match = re.match(r"`GET ([^`]+)`", then)
    assert match or then.startswith("the cookie jar"), (
        f"the requests column can only check a GET or its jar, not {then!r}: write — there"
    )
    with requests.Session() as session:
        for method, address in after_steps(row["after"]):
            if method == "POST":
                session.post(lab.url(address), timeout=10, verify=str(lab.ca))
            else:
                requests_get(lab, session, address)
        time.sleep(seconds(then))
        if not match:
            return [(cookie.name, cookie.value) for cookie in session.cookies]
        before = len(lab.records())
        requests_get(lab, session, match.group(1))
    return pairs_in(new_record(lab, before, urlsplit(lab.url(match.group(1))).path))


def matches(got: list[tuple[str, str]], want: list[str], any_order: bool) -> bool:
    """Whether the cookies got are the cell's: names, or name=value where the cell gives a value."""
    if any_order:
        got, want = sorted(got), sorted(want, key=lambda entry: entry.split("=", 1)[0])
    if len(got) != len(want):
        return False
    return all(
        (f"{name}={value}" if "=" in entry else name) == entry for (name, value), entry in zip(got, want, strict=False)
    )


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
    # Rows run in a way of their own: what that way assumes, asserted before it runs.
    if "2 min after" in row["then"]:
        assert row["after"] == "`/flags/set`" and row["requests"] == "—", (
            f'sheet {sheet}: a "2 min after" row runs in the browsers on the `aged` jars, which got only'
            f" `/flags/set` when the tier started: its after must be `/flags/set` and its requests cell —,"
            f" not {row['after']} and {row['requests']}"
        )
    if "browser restart" in row["then"]:
        assert row["requests"] == row["Firefox"] == "—", (
            f'sheet {sheet}: a "browser restart" row runs in Chromium only (run_after_restart):'
            f" its requests and Firefox cells must be —, not {row['requests']} and {row['Firefox']}"
        )
    want = cookie_names(row[client])
    # A jar has no order that the sheet claims; a request's Cookie header has.
    any_order = row["then"].startswith("the cookie jar")
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
    assert matches(got, want, any_order), (
        f"sheet {sheet} claims {client} sends {row[client]} ({row['after']} then {row['then']}), got {got}"
    )


def run_after_restart(lab, browser, row: dict[str, str]) -> list[str]:
    """Chromium with a profile on disk: visit, quit, start again on the same profile, then request."""
    with tempfile.TemporaryDirectory(prefix="cookielab-chromium-") as profile:

        def context():
            return browser.browser_type.launch_persistent_context(
                profile, executable_path=CHROMIUM, headless=True, args=["--no-sandbox"]
            )

        first = context()
        for method, address in after_steps(row["after"]):
            assert method == "GET", "a browser restart row opens its after addresses; it posts to none"
            first.pages[0].goto(lab.url(address))
        first.close()
        second = context()
        time.sleep(seconds(row["then"]))
        before = len(lab.records())
        url = lab.url(addresses(row["then"])[0])
        second.pages[0].goto(url)
        second.close()
    return pairs_in(new_record(lab, before, urlsplit(url).path))
