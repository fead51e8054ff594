"""The tables in a narrow terminal, from every scenario's recorded steps: lines break between values, not inside."""

import io
import re

import pytest
from cookie_client import report, scenarios
from cookie_client.runner import Run, Step
from rich.cells import cell_len
from rich.console import Console


def cookie(name: str, value: str, path: str = "/", secure: bool = False, persistent: bool = False) -> dict:
    """A cookie of the jar as the runner records it; its domain and expiry date do not show in the tables."""
    expires = 1795977938 if persistent else None
    return {"name": name, "value": value, "domain": "127.0.0.1", "path": path, "secure": secure, "expires": expires}


def step(request_cookie_header, set_cookie_headers, jar, body, status=(200, "OK"), note="") -> dict:
    """What one request sent and got back; its action, method and path are the scenario file's."""
    return {
        "request_cookie_header": request_cookie_header,
        "set_cookie_headers": set_cookie_headers,
        "jar": jar,
        "body": body,
        "status": status[0],
        "reason": status[1],
        "note": note,
    }


# The siblings' jar once the blog has tossed its session (the shop's own first, as the jar keeps them).
SIBLINGS_JAR = [
    cookie("hostonly", "1"),
    cookie("session", "alice"),
    cookie("shared", "1"),
    cookie("session", "tossed", path="/siblings/account"),
]

# The XSS lab's jar once logged in: its session id is random, this one from a real run.
XSS_SESSION = "cUlR-1NsnF5LLwTPXpmBPlRBZpuKvle-"
PREFS = cookie("lab_prefs", "theme-dark.lang-en", path="/xss")
XSS_JAR = [PREFS, cookie("lab_session", XSS_SESSION, path="/xss")]
CSRF_SESSION = "Sg0Dge94aMyqmaB3AGik-SDPXLVKc61O"
CSRF_JAR = [cookie("csrf_session", CSRF_SESSION, path="/csrf")]

# Recorded from a real run of each scenario through the lab's proxy
# (`python -m cookie_client NAME --json`): the Expires dates, the session's
# signature and the 4 KB cookie as they came off the wire. Each scenario: its
# steps, then the jar its closing row shows.
RECORDED = {
    "seed": (
        [
            step(None, ["username=Alice; Path=/"], [cookie("username", "Alice")], "Hello None"),
            step("username=Alice", ["username=Alice; Path=/"], [cookie("username", "Alice")], "Hello Alice"),
            step("username=Alice", ["username=Alice; Path=/"], [cookie("username", "Alice")], "Hello Alice"),
        ],
        [cookie("username", "Alice")],
    ),
    "attributes": (
        [
            step(
                None,
                [
                    "site=1; Path=/",
                    "cart=apple; Path=/attributes/shop",
                    "remote=1; Domain=example.test; Path=/",
                    "both=1; Expires=Sat, 01 Jan 2000 00:00:00 GMT; Max-Age=60; Path=/",
                ],
                [
                    cookie("site", "1"),
                    cookie("both", "1", persistent=True),
                    cookie("cart", "apple", path="/attributes/shop"),
                ],
                "set: site, cart, remote, both",
            ),
            step(
                "site=1; both=1",
                [],
                [
                    cookie("site", "1"),
                    cookie("both", "1", persistent=True),
                    cookie("cart", "apple", path="/attributes/shop"),
                ],
                "received: site=1; both=1",
            ),
            step(
                "cart=apple; site=1; both=1",
                [],
                [
                    cookie("site", "1"),
                    cookie("both", "1", persistent=True),
                    cookie("cart", "apple", path="/attributes/shop"),
                ],
                "received: cart=apple; site=1; both=1",
            ),
        ],
        [cookie("site", "1"), cookie("both", "1", persistent=True), cookie("cart", "apple", path="/attributes/shop")],
    ),
    "expiry": (
        [
            step(
                None,
                [
                    "short=1; Expires=Sun, 29 Nov 2026 18:44:44 GMT; Max-Age=2; Path=/",
                    "tab=1; Path=/",
                    "long=1; Expires=Sun, 29 Nov 2026 19:44:42 GMT; Max-Age=3600; Path=/",
                ],
                [cookie("short", "1", persistent=True), cookie("tab", "1"), cookie("long", "1", persistent=True)],
                "set: short (Max-Age=2), tab (session), long (Max-Age=3600)",
            ),
            step(
                "short=1; tab=1; long=1",
                [],
                [cookie("short", "1", persistent=True), cookie("tab", "1"), cookie("long", "1", persistent=True)],
                "received: short=1; tab=1; long=1",
            ),
            step(
                "tab=1; long=1",
                [],
                [cookie("tab", "1"), cookie("long", "1", persistent=True)],
                "received: tab=1; long=1",
            ),
        ],
        [cookie("long", "1", persistent=True)],
    ),
    "delete": (
        [
            step(None, ["user=alice; HttpOnly; Path=/; SameSite=Lax"], [cookie("user", "alice")], "logged in as alice"),
            step(
                "user=alice",
                ["user=; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Path=/delete"],
                [cookie("user", "alice")],
                "deleted user on Path=/delete",
            ),
            step("user=alice", [], [cookie("user", "alice")], "logged in as alice"),
            step(
                "user=alice",
                ["user=; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; HttpOnly; Path=/; SameSite=Lax"],
                [],
                "deleted user on Path=/",
            ),
            step(None, [], [], "not logged in"),
        ],
        [],
    ),
    "multiple": (
        [
            step(
                None,
                ["a=1; Path=/", "b=2; Path=/", "c=3; Path=/", "dup=root; Path=/", "dup=deep; Path=/multiple/deep"],
                [
                    cookie("a", "1"),
                    cookie("b", "2"),
                    cookie("c", "3"),
                    cookie("dup", "root"),
                    cookie("dup", "deep", path="/multiple/deep"),
                ],
                "set: a, b, c, dup on / and dup on /multiple/deep",
            ),
            step(
                "a=1; b=2; c=3; dup=root",
                [],
                [
                    cookie("a", "1"),
                    cookie("b", "2"),
                    cookie("c", "3"),
                    cookie("dup", "root"),
                    cookie("dup", "deep", path="/multiple/deep"),
                ],
                "received: a=1; b=2; c=3; dup=root",
            ),
            step(
                "dup=deep; a=1; b=2; c=3; dup=root",
                [],
                [
                    cookie("a", "1"),
                    cookie("b", "2"),
                    cookie("c", "3"),
                    cookie("dup", "root"),
                    cookie("dup", "deep", path="/multiple/deep"),
                ],
                "received: dup=deep; dup=root; a=1; b=2; c=3 | get('dup') = deep",
            ),
        ],
        [
            cookie("a", "1"),
            cookie("b", "2"),
            cookie("c", "3"),
            cookie("dup", "root"),
            cookie("dup", "deep", path="/multiple/deep"),
        ],
    ),
    "flags": (
        [
            step(
                None,
                [
                    "plain=1; Path=/",
                    "secret=1; Secure; Path=/",
                    "nojs=1; HttpOnly; Path=/",
                    "lax=1; Path=/; SameSite=Lax",
                    "strict=1; Path=/; SameSite=Strict",
                    "cross=1; Secure; Path=/; SameSite=None",
                ],
                [
                    cookie("plain", "1"),
                    cookie("secret", "1", secure=True),
                    cookie("nojs", "1"),
                    cookie("lax", "1"),
                    cookie("strict", "1"),
                    cookie("cross", "1", secure=True),
                ],
                "set: plain, secret, nojs, lax, strict, cross",
            ),
            step(
                "plain=1; nojs=1; lax=1; strict=1",
                [],
                [
                    cookie("plain", "1"),
                    cookie("secret", "1", secure=True),
                    cookie("nojs", "1"),
                    cookie("lax", "1"),
                    cookie("strict", "1"),
                    cookie("cross", "1", secure=True),
                ],
                "received: plain=1; nojs=1; lax=1; strict=1",
            ),
        ],
        [
            cookie("plain", "1"),
            cookie("secret", "1", secure=True),
            cookie("nojs", "1"),
            cookie("lax", "1"),
            cookie("strict", "1"),
            cookie("cross", "1", secure=True),
        ],
    ),
    "session": (
        [
            step(
                None,
                ["session=eyJ1c2VyIjoiYWxpY2UifQ.awxynw.WWnQVqwQNoxH5QdKWNFIgPCnh3I; HttpOnly; Path=/"],
                [cookie("session", "eyJ1c2VyIjoiYWxpY2UifQ.awxynw.WWnQVqwQNoxH5QdKWNFIgPCnh3I")],
                "logged in as alice (signed session)",
                note='session payload: {"user":"alice"}',
            ),
            step(
                "session=eyJ1c2VyIjoiYWxpY2UifQ.awxynw.WWnQVqwQNoxH5QdKWNFIgPCnh3I",
                [],
                [cookie("session", "eyJ1c2VyIjoiYWxpY2UifQ.awxynw.WWnQVqwQNoxH5QdKWNFIgPCnh3I")],
                "session user: alice",
            ),
            step(
                "session=eyJ1c2VyIjoiYWRtaW4ifQ.awxynw.WWnQVqwQNoxH5QdKWNFIgPCnh3I",
                [],
                [cookie("session", "eyJ1c2VyIjoiYWxpY2UifQ.awxynw.WWnQVqwQNoxH5QdKWNFIgPCnh3I")],
                "session user: None",
            ),
            step(
                "username=admin",
                [],
                [cookie("session", "eyJ1c2VyIjoiYWxpY2UifQ.awxynw.WWnQVqwQNoxH5QdKWNFIgPCnh3I")],
                "plain cookie user: admin",
            ),
        ],
        [cookie("session", "eyJ1c2VyIjoiYWxpY2UifQ.awxynw.WWnQVqwQNoxH5QdKWNFIgPCnh3I")],
    ),
    "tamper": (
        [
            step(None, ["username=Alice; Path=/"], [cookie("username", "Alice")], "Hello None"),
            step(
                "username=Alice",
                [],
                [cookie("username", "Alice")],
                "admins only (you are Alice)",
                status=(403, "FORBIDDEN"),
            ),
            step("username=admin", [], [cookie("username", "Alice")], "welcome, admin: here is the admin panel"),
        ],
        [cookie("username", "Alice")],
    ),
    "prefixes": (
        [
            step(
                None,
                ["__Host-id=1; Secure; Path=/", "__Secure-token=1; Secure; Path=/", "__Host-bad=1; Path=/prefixes"],
                [
                    cookie("__Host-id", "1", secure=True),
                    cookie("__Secure-token", "1", secure=True),
                    cookie("__Host-bad", "1", path="/prefixes"),
                ],
                "set: __Host-id, __Secure-token, __Host-bad",
            ),
            step(
                "__Host-bad=1",
                [],
                [
                    cookie("__Host-id", "1", secure=True),
                    cookie("__Secure-token", "1", secure=True),
                    cookie("__Host-bad", "1", path="/prefixes"),
                ],
                "received: __Host-bad=1",
            ),
        ],
        [
            cookie("__Host-id", "1", secure=True),
            cookie("__Secure-token", "1", secure=True),
            cookie("__Host-bad", "1", path="/prefixes"),
        ],
    ),
    "size": (
        [
            step(
                None,
                ["big=" + "x" * 4090 + "; Path=/"],
                [cookie("big", "x" * 4090)],
                "set: big (4090 bytes of value)",
            ),
            step(
                "big=" + "x" * 4090,
                [],
                [cookie("big", "x" * 4090)],
                "Cookie header of 4094 bytes; big is 4090 bytes",
            ),
            step(
                "pad=" + "x" * 8996,
                [],
                [cookie("big", "x" * 4090)],
                (
                    "<html>\n  <head>\n    <title>Request Header Fields Too Large</title>\n  </head>\n  <body>\n"
                    "    <h1><p>Request Header Fields Too Large</p></h1>\n"
                    "    Error parsing headers: &#x27;limit request headers fields size&#x27;\n  </body>\n</html>\n"
                ),
                status=(431, "Request Header Fields Too Large"),
            ),
        ],
        [cookie("big", "x" * 4090)],
    ),
    "siblings": (
        [
            step(
                None,
                [
                    "hostonly=1; Path=/",
                    "shared=1; Domain=cookielab.localhost; Path=/",
                    "sibling=1; Domain=blog.cookielab.localhost; Path=/",
                ],
                [cookie("hostonly", "1"), cookie("shared", "1")],
                "set: hostonly, shared, sibling",
            ),
            step(
                "shared=1",
                [],
                [cookie("hostonly", "1"), cookie("shared", "1")],
                "host: blog.cookielab.localhost (the blog)\nreceived: shared=1",
            ),
            step(
                "hostonly=1; shared=1",
                ["session=alice; HttpOnly; Path=/; SameSite=Lax"],
                [cookie("hostonly", "1"), cookie("session", "alice"), cookie("shared", "1")],
                "signed in: session=alice (host-only)",
            ),
            step(
                "shared=1",
                ["session=tossed; Domain=cookielab.localhost; Path=/siblings/account"],
                SIBLINGS_JAR,
                "tossed: session=tossed; Domain=cookielab.localhost; Path=/siblings/account",
            ),
            step(
                "session=tossed; hostonly=1; session=alice; shared=1",
                [],
                SIBLINGS_JAR,
                "shop, /siblings/account/\nsession, as Flask reads it (the first): tossed\n__Host-session: (none)\n"
                "Cookie: session=tossed; hostonly=1; session=alice; shared=1",
            ),
        ],
        SIBLINGS_JAR,
    ),
    "xss": (
        [
            step(None, ["lab_prefs=theme-dark.lang-en; Path=/xss; SameSite=Lax"], [PREFS], "Not signed in."),
            step(
                "lab_prefs=theme-dark.lang-en",
                [f"lab_session={XSS_SESSION}; Path=/xss; SameSite=Lax"],
                XSS_JAR,
                "signed in as learner: a new server-side session; back to /xss/\n",
                status=(303, "SEE OTHER"),
            ),
            step(f"lab_prefs=theme-dark.lang-en; lab_session={XSS_SESSION}", [], XSS_JAR, "Results for: <b>hello</b>"),
            step(
                f"lab_prefs=theme-dark.lang-en; lab_session={XSS_SESSION}",
                [],
                XSS_JAR,
                "Results for: <script>document.title=document.cookie</script>",
            ),
        ],
        XSS_JAR,
    ),
    "csrf": (
        [
            step(None, [], [], "Not signed in."),
            step(
                None,
                [f"csrf_session={CSRF_SESSION}; Path=/csrf"],
                CSRF_JAR,
                "signed in as learner, session cookie with no SameSite; back to /csrf/\n",
                status=(303, "SEE OTHER"),
            ),
            step(
                f"csrf_session={CSRF_SESSION}",
                [],
                CSRF_JAR,
                "e-mail changed to client@cookielab.example; back to /csrf/\n",
                status=(303, "SEE OTHER"),
            ),
            step(
                f"csrf_session={CSRF_SESSION}",
                [],
                CSRF_JAR,
                "e-mail changed to learner@cookielab.example; back to /csrf/\n",
                status=(303, "SEE OTHER"),
            ),
            step(f"csrf_session={CSRF_SESSION}", [], CSRF_JAR, "learner@cookielab.example"),
        ],
        CSRF_JAR,
    ),
}


def recorded(name: str) -> tuple[dict, Run]:
    scenario = scenarios.load(name)
    steps, final_jar = RECORDED[name]
    return scenario, Run(
        [
            Step(
                number=number,
                action=spec["action"],
                method=spec.get("method", "GET"),
                url=f"http://127.0.0.1:8080{spec['path']}",
                **record,
            )
            for number, (spec, record) in enumerate(zip(scenario["steps"], steps, strict=True), start=1)
        ],
        final_jar,
    )


def printed(name: str, width: int) -> str:
    """Both tables as a terminal of this width shows them, colours aside."""
    out = io.StringIO()
    scenario, run = recorded(name)
    report.render(Console(file=out, width=width), scenario, run)
    return out.getvalue()


def printed_words(text: str) -> list[str]:
    """The words a reader sees inside the tables' rules (not the titles): each line cut at the rules and spaces."""
    lines = [line for line in text.splitlines() if re.search("[│┃]", line)]
    return [word for line in lines for word in re.split(r"[\s│┃]+", line) if word]


def cells(name: str) -> list[str]:
    """Every cell and heading of both tables, as the client builds them (and prints them at full width)."""
    scenario, run = recorded(name)
    track = report.tracker(scenario, run)
    return [
        *report.COLUMNS,
        *(text for row in report.table_rows(scenario, run) for text in row.values()),
        *track["columns"],
        *(text for row in track["rows"] for text in [row["variable"], *row["values"]]),
    ]


def wire_tokens(name: str) -> set[str]:
    """Every `name=value` in the header and jar cells: the cookies and their attributes, as the tables show them."""
    scenario, run = recorded(name)
    texts = [row[c] for row in report.table_rows(scenario, run) for c in report.VALUE_COLUMNS]
    return {word.rstrip(";") for text in texts for word in text.split() if re.match(r"[^()=]+=", word)}


def test_recorded_steps_are_every_scenario():
    assert list(RECORDED) == scenarios.names()


@pytest.mark.parametrize("width", [40, 60, 80, 100, 120])
@pytest.mark.parametrize("name", scenarios.names())
def test_every_word_is_whole_or_visibly_cut(name, width):
    """A fold shows a word that is not in the data (`username=Ali`, then `ce`); a cut ends in an ellipsis."""
    text = printed(name, width)
    assert max(cell_len(line) for line in text.splitlines()) <= width
    words = {word for text in cells(name) for word in text.split()}
    for word in printed_words(text):
        cut = word.endswith("…") and any(w.startswith(word[:-1]) for w in words)
        assert word in words or cut, f"{word!r} is no word of {name}'s data, in:\n{text}"


# At 80 columns a value fits on a line beside its column's name up to this
# length: the session cookie's 65 characters do, the 4 KB cookie's (shown as 120
# characters and a length) do not.
WHOLE_AT_80 = 65


@pytest.mark.parametrize("name", scenarios.names())
def test_at_80_columns_every_cookie_and_attribute_is_on_one_line(name):
    text = printed(name, 80)
    seen = {word.rstrip(";") for word in printed_words(text)}
    for token in wire_tokens(name):
        if len(token) <= WHOLE_AT_80:
            assert token in seen, f"{token!r} is not whole on one line in:\n{text}"
        else:
            assert any(w.endswith("…") and token.startswith(w[:-1]) and "=" in w for w in seen), token
    assert not re.search(r"^(?!.*[│┃]).*=", text, re.MULTILINE), "a value outside the tables' rules"


def test_at_80_columns_the_seed_is_still_its_table():
    """The classic walkthrough keeps the sheet's six columns, and every cookie reads whole."""
    text = printed("seed", 80)
    assert text.splitlines()[:11] == [
        "                             Execution Table: seed                              ",
        "     ┃           ┃ Request        ┃ Response        ┃                ┃          ",
        "Step ┃ Action    ┃ Headers        ┃ Headers         ┃ Cookie Stored  ┃ Output   ",
        "━━━━━╇━━━━━━━━━━━╇━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━╇━━━━━━━━━━",
        "1    │ Client    │ No Cookie      │ Set-Cookie:     │ username=Alice │ Hello    ",
        "     │ sends     │ header         │ username=Alice; │                │ None     ",
        "     │ first     │                │ Path=/          │                │          ",
        "     │ request   │                │                 │                │          ",
        "─────┼───────────┼────────────────┼─────────────────┼────────────────┼──────────",
        "2    │ Client    │ Cookie:        │ Set-Cookie:     │ username=Alice │ Hello    ",
        "     │ sends     │ username=Alice │ username=Alice; │                │ Alice    ",
    ]
    assert text.count("username=Alice") == 4 + 2 + 3  # jar, Cookie, Set-Cookie
    assert "│ request.cookies.get('username') │ None  │ None    │ Alice  │ Alice   │ Alice │" in text


def test_at_80_columns_a_table_too_wide_for_its_values_is_turned():
    """Six columns of cookies do not fit in 80: each step becomes a block, each value beside its column's name."""
    text = printed("attributes", 80)
    assert "│ Step             │ 1                                                         │" in text
    assert "│ Response Headers │ Set-Cookie: site=1; Path=/                                │" in text
    # The Expires date stays whole: the line breaks at "; ", between two values.
    assert "│                  │ Set-Cookie: both=1;                                       │" in text
    assert "│                  │ Expires=Sat, 01 Jan 2000 00:00:00 GMT; Max-Age=60; Path=/ │" in text
    assert "│ Cookie Stored    │ site=1; both=1 (persistent);                              │" in text
    assert "│                  │ cart=apple (Path=/attributes/shop)                        │" in text


def test_at_80_columns_a_tracker_too_wide_is_turned():
    """Five session cookies side by side do not fit: a row per moment, a column per variable."""
    text = printed("session", 80)
    assert "┃              ┃ session cookie               ┃ request.cookies.get('session') ┃" in text
    assert "│ After Step 2 │ eyJ1c2VyIjoiYWxpY2UifQ.a…    │ eyJ1c2VyIjoiYWxpY2UifQ.a… (57  │" in text
