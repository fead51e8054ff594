"""Every curriculum scenario through the real stack: its table and tracker cell by cell, and its capture records."""

import json
import re

import pytest

pytestmark = pytest.mark.stack

# Cells that change from run to run are patterns; every other cell is literal.
DATE = r"[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT"
ALICE_SESSION = r"eyJ1c2VyIjoiYWxpY2UifQ\.[\w-]+\.[\w-]+"
ADMIN_SESSION = r"eyJ1c2VyIjoiYWRtaW4ifQ\.[\w-]+\.[\w-]+"
SESSION_CUT = re.compile(r"eyJ1c2VyIjoiYWxpY2UifQ\.[\w-]… \(57 chars\)")
FORGED_CUT = re.compile(r"eyJ1c2VyIjoiYWRtaW4ifQ\.[\w-]… \(57 chars\)")
SESSION_JAR = re.compile(r"session=eyJ1c2VyIjoiYWxpY2UifQ\.[\w-]… \(57 chars\)")
X = "x" * 116
BIG = "xxxxxxxxxxxxxxxxxxxxxxxx… (4090 chars)"
N = "None"

# scenario: (rows of (Request Headers, Response Headers, Cookie Stored, Output)), tracker rows)
EXPECTED = {
    "attributes": (
        [
            (
                "No Cookie header",
                (
                    "Set-Cookie: site=1; Path=/\nSet-Cookie: cart=apple; Path=/attributes/shop\n"
                    "Set-Cookie: remote=1; Domain=example.test; Path=/\n"
                    "Set-Cookie: both=1; Expires=Sat, 01 Jan 2000 00:00:00 GMT; Max-Age=60; Path=/"
                ),
                "site=1; both=1 (persistent); cart=apple (Path=/attributes/shop)",
                "set: site, cart, remote, both",
            ),
            (
                "Cookie: site=1; both=1",
                "No Set-Cookie header",
                "site=1; both=1 (persistent); cart=apple (Path=/attributes/shop)",
                "received: site=1; both=1",
            ),
            (
                "Cookie: cart=apple; site=1; both=1",
                "No Set-Cookie header",
                "site=1; both=1 (persistent); cart=apple (Path=/attributes/shop)",
                "received: cart=apple; site=1; both=1",
            ),
            (
                "N/A",
                "N/A",
                "site=1; both=1 (persistent); cart=apple (Path=/attributes/shop)",
                "cart stays scoped to /attributes/shop",
            ),
        ],
        [
            ["cart cookie", N, "apple", "apple", "apple", "apple"],
            ["request.cookies.get('cart')", N, N, N, "apple", "apple"],
            ["remote cookie", N, N, N, N, N],
            ["request.cookies.get('remote')", N, N, N, N, N],
            ["both cookie", N, "1", "1", "1", "1"],
            ["request.cookies.get('both')", N, N, "1", "1", "1"],
        ],
    ),
    "expiry": (
        [
            (
                "No Cookie header",
                re.compile(
                    f"Set-Cookie: short=1; Expires={DATE}; Max-Age=2; Path=/\nSet-Cookie: tab=1; Path=/\n"
                    f"Set-Cookie: long=1; Expires={DATE}; Max-Age=3600; Path=/"
                ),
                "short=1 (persistent); tab=1; long=1 (persistent)",
                "set: short (Max-Age=2), tab (session), long (Max-Age=3600)",
            ),
            (
                "Cookie: short=1; tab=1; long=1",
                "No Set-Cookie header",
                "short=1 (persistent); tab=1; long=1 (persistent)",
                "received: short=1; tab=1; long=1",
            ),
            ("Cookie: tab=1; long=1", "No Set-Cookie header", "tab=1; long=1 (persistent)", "received: tab=1; long=1"),
            ("N/A", "N/A", "long=1 (persistent)", "session cookie tab is gone, persistent long stays"),
        ],
        [
            ["short cookie", N, "1", "1", N, N],
            ["request.cookies.get('short')", N, N, "1", N, N],
            ["tab cookie", N, "1", "1", "1", N],
            ["request.cookies.get('tab')", N, N, "1", "1", "1"],
            ["long cookie", N, "1", "1", "1", "1"],
            ["request.cookies.get('long')", N, N, "1", "1", "1"],
        ],
    ),
    "delete": (
        [
            (
                "No Cookie header",
                "Set-Cookie: user=alice; HttpOnly; Path=/; SameSite=Lax",
                "user=alice",
                "logged in as alice",
            ),
            (
                "Cookie: user=alice",
                "Set-Cookie: user=; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Path=/delete",
                "user=alice",
                "deleted user on Path=/delete",
            ),
            ("Cookie: user=alice", "No Set-Cookie header", "user=alice", "logged in as alice"),
            (
                "Cookie: user=alice",
                "Set-Cookie: user=; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; HttpOnly; Path=/; SameSite=Lax",
                "(empty)",
                "deleted user on Path=/",
            ),
            ("No Cookie header", "No Set-Cookie header", "(empty)", "not logged in"),
            ("N/A", "N/A", "(empty)", "logged out"),
        ],
        [
            ["user cookie", N, "alice", "alice", "alice", N, N, N],
            ["request.cookies.get('user')", N, N, "alice", "alice", "alice", N, N],
        ],
    ),
    "multiple": (
        [
            (
                "No Cookie header",
                (
                    "Set-Cookie: a=1; Path=/\nSet-Cookie: b=2; Path=/\nSet-Cookie: c=3; Path=/\n"
                    "Set-Cookie: dup=root; Path=/\nSet-Cookie: dup=deep; Path=/multiple/deep"
                ),
                "a=1; b=2; c=3; dup=root; dup=deep (Path=/multiple/deep)",
                "set: a, b, c, dup on / and dup on /multiple/deep",
            ),
            (
                "Cookie: a=1; b=2; c=3; dup=root",
                "No Set-Cookie header",
                "a=1; b=2; c=3; dup=root; dup=deep (Path=/multiple/deep)",
                "received: a=1; b=2; c=3; dup=root",
            ),
            (
                "Cookie: dup=deep; a=1; b=2; c=3; dup=root",
                "No Set-Cookie header",
                "a=1; b=2; c=3; dup=root; dup=deep (Path=/multiple/deep)",
                "received: dup=deep; dup=root; a=1; b=2; c=3 | get('dup') = deep",
            ),
            (
                "N/A",
                "N/A",
                "a=1; b=2; c=3; dup=root; dup=deep (Path=/multiple/deep)",
                "two cookies named dup live side by side",
            ),
        ],
        [
            ["dup cookie", N, "root", "root", "root", "root"],
            ["request.cookies.get('dup')", N, N, "root", "deep", "deep"],
        ],
    ),
    "flags": (
        [
            (
                "No Cookie header",
                (
                    "Set-Cookie: plain=1; Path=/\nSet-Cookie: secret=1; Secure; Path=/\nSet-Cookie: nojs=1; HttpOnly; Path=/\n"
                    "Set-Cookie: lax=1; Path=/; SameSite=Lax\nSet-Cookie: strict=1; Path=/; SameSite=Strict\n"
                    "Set-Cookie: cross=1; Secure; Path=/; SameSite=None"
                ),
                "plain=1; secret=1 (Secure); nojs=1; lax=1; strict=1; cross=1 (Secure)",
                "set: plain, secret, nojs, lax, strict, cross",
            ),
            (
                "Cookie: plain=1; nojs=1; lax=1; strict=1",
                "No Set-Cookie header",
                "plain=1; secret=1 (Secure); nojs=1; lax=1; strict=1; cross=1 (Secure)",
                "received: plain=1; nojs=1; lax=1; strict=1",
            ),
            (
                "N/A",
                "N/A",
                "plain=1; secret=1 (Secure); nojs=1; lax=1; strict=1; cross=1 (Secure)",
                "Secure cookies are kept but never sent over http",
            ),
        ],
        [
            ["secret cookie", N, "1", "1", "1"],
            ["request.cookies.get('secret')", N, N, N, N],
            ["nojs cookie", N, "1", "1", "1"],
            ["request.cookies.get('nojs')", N, N, "1", "1"],
            ["cross cookie", N, "1", "1", "1"],
            ["request.cookies.get('cross')", N, N, N, N],
        ],
    ),
    "session": (
        [
            (
                "No Cookie header",
                re.compile(f"Set-Cookie: session={ALICE_SESSION}; HttpOnly; Path=/"),
                SESSION_JAR,
                'logged in as alice (signed session) | session payload: {"user":"alice"}',
            ),
            (
                re.compile(f"Cookie: session={ALICE_SESSION}"),
                "No Set-Cookie header",
                SESSION_JAR,
                "session user: alice",
            ),
            (re.compile(f"Cookie: session={ADMIN_SESSION}"), "No Set-Cookie header", SESSION_JAR, "session user: None"),
            ("Cookie: username=admin", "No Set-Cookie header", SESSION_JAR, "plain cookie user: admin"),
            ("N/A", "N/A", SESSION_JAR, "signed is not encrypted, but a forged session is empty"),
        ],
        [
            ["session cookie", N, SESSION_CUT, SESSION_CUT, SESSION_CUT, SESSION_CUT, SESSION_CUT],
            ["request.cookies.get('session')", N, N, SESSION_CUT, FORGED_CUT, N, N],
        ],
    ),
    "tamper": (
        [
            ("No Cookie header", "Set-Cookie: username=Alice; Path=/", "username=Alice", "Hello None"),
            (
                "Cookie: username=Alice",
                "No Set-Cookie header",
                "username=Alice",
                "403 FORBIDDEN: admins only (you are Alice)",
            ),
            (
                "Cookie: username=admin",
                "No Set-Cookie header",
                "username=Alice",
                "welcome, admin: here is the admin panel",
            ),
            ("N/A", "N/A", "username=Alice", "the server trusted a cookie it never set"),
        ],
        [
            ["username cookie", N, "Alice", "Alice", "Alice", "Alice"],
            ["request.cookies.get('username')", N, N, "Alice", "admin", "admin"],
        ],
    ),
    "prefixes": (
        [
            (
                "No Cookie header",
                (
                    "Set-Cookie: __Host-id=1; Secure; Path=/\nSet-Cookie: __Secure-token=1; Secure; Path=/\n"
                    "Set-Cookie: __Host-bad=1; Path=/prefixes"
                ),
                "__Host-id=1 (Secure); __Secure-token=1 (Secure); __Host-bad=1 (Path=/prefixes)",
                "set: __Host-id, __Secure-token, __Host-bad",
            ),
            (
                "Cookie: __Host-bad=1",
                "No Set-Cookie header",
                "__Host-id=1 (Secure); __Secure-token=1 (Secure); __Host-bad=1 (Path=/prefixes)",
                "received: __Host-bad=1",
            ),
            (
                "N/A",
                "N/A",
                "__Host-id=1 (Secure); __Secure-token=1 (Secure); __Host-bad=1 (Path=/prefixes)",
                "requests does not check prefixes; a browser would refuse __Host-bad",
            ),
        ],
        [
            ["__Host-id cookie", N, "1", "1", "1"],
            ["request.cookies.get('__Host-id')", N, N, N, N],
            ["__Host-bad cookie", N, "1", "1", "1"],
            ["request.cookies.get('__Host-bad')", N, N, "1", "1"],
        ],
    ),
    "size": (
        [
            ("No Cookie header", f"Set-Cookie: big={X}… (4102 chars)", f"big={BIG}", "set: big (4090 bytes of value)"),
            (
                f"Cookie: big={X}… (4094 chars)",
                "No Set-Cookie header",
                f"big={BIG}",
                "Cookie header of 4094 bytes; big is 4090 bytes",
            ),
            (
                f"Cookie: pad={X}… (9000 chars)",
                "No Set-Cookie header",
                f"big={BIG}",
                "431 Request Header Fields Too Large: <html> <head> <title>Request Header Fields…",
            ),
            ("N/A", "N/A", f"big={BIG}", "the 431 is in the proxy's capture file too"),
        ],
        [["big cookie", N, BIG, BIG, BIG, BIG], ["request.cookies.get('big')", N, N, BIG, N, N]],
    ),
}


def same(expected, actual) -> bool:
    return bool(expected.fullmatch(actual)) if isinstance(expected, re.Pattern) else expected == actual


def assert_cells(expected: list, actual: list, where: str) -> None:
    assert len(actual) == len(expected), f"{where}: {len(actual)} cells, expected {len(expected)}: {actual}"
    for index, (want, got) in enumerate(zip(expected, actual, strict=True)):
        assert same(want, got), f"{where}, cell {index}: {got!r} does not match {want!r}"


@pytest.fixture(scope="module", params=list(EXPECTED))
def scenario_run(request, stack):
    """Run one scenario with the real client; return its name, JSON and the capture records it produced."""
    before = len(stack.records())
    proc = stack.client(request.param, "--json")
    assert proc.returncode == 0, proc.stderr
    return request.param, json.loads(proc.stdout), stack.records()[before:]


def test_table_cell_by_cell(scenario_run):
    name, data, _ = scenario_run
    rows, _ = EXPECTED[name]
    assert [r["Step"] for r in data["table"]] == [str(n) for n in range(1, len(rows) + 1)]
    for number, (want, got) in enumerate(zip(rows, data["table"], strict=True), start=1):
        cells = [got["Request Headers"], got["Response Headers"], got["Cookie Stored"], got["Output"]]
        assert_cells(list(want), cells, f"{name} step {number}")


def test_tracker_cell_by_cell(scenario_run):
    name, data, _ = scenario_run
    _, tracker = EXPECTED[name]
    assert len(data["tracker"]["rows"]) == len(tracker)
    for want, got in zip(tracker, data["tracker"]["rows"], strict=True):
        assert_cells(want, [got["variable"], *got["values"]], f"{name} tracker")


def test_capture_records_match_what_the_client_saw(scenario_run):
    """The proxy recorded exactly the headers the client sent and received, one line per request."""
    name, data, records = scenario_run
    assert len(records) == len(data["steps"]), name
    for step, record in zip(data["steps"], records, strict=True):
        assert record["method"] == step["method"]
        assert step["url"].endswith(record["path"])
        assert record["status"] == step["status"]
        sent = step["request_cookie_header"]
        assert record["request_cookie_headers"] == ([sent] if sent else [])
        assert record["set_cookie_headers"] == step["set_cookie_headers"]
        assert record["error"] is None
