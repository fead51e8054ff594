"""Reading the exercise sheets: their sections, their Expected results and commands, and their claims tables."""

from __future__ import annotations

import re
from typing import NoReturn

SHEET_SECTIONS = ["Goal", "Background", "Setup", "Steps", "Expected result", "Questions", "Check"]
# In a sheet's Expected result: `command` ... : then a ```text block with its output.
EXPECTED_BLOCK = re.compile(r"^`([^`\n]+)`[^\n]*:\n\n```text\n(.*?)\n```", re.MULTILINE | re.DOTALL)


def sheet_sections(text: str) -> list[str]:
    return re.findall(r"^## (.+)$", text, re.MULTILINE)


def sheet_expectations(text: str) -> list[tuple[str, str]]:
    """The (command, expected output) pairs of a sheet's Expected result section."""
    section = text.split("\n## Expected result\n", 1)[1].split("\n## ", 1)[0]
    return EXPECTED_BLOCK.findall(section)


def sheet_commands(text: str) -> list[str]:
    """Every command of a sheet's sh blocks, in order, as a learner types them."""
    blocks = re.findall(r"^ *```sh\n(.*?)^ *```", text, re.MULTILINE | re.DOTALL)
    return [line.strip() for block in blocks for line in block.splitlines() if line.strip()]


def matches_expected(expected: str, actual: str) -> bool:
    """Line by line, trailing blanks ignored; `<any>` in a line stands for text that differs between runs."""
    want = [line.rstrip() for line in expected.strip("\n").splitlines()]
    got = [line.rstrip() for line in actual.replace("\r\n", "\n").strip("\n").splitlines()]
    if len(want) != len(got):
        return False
    patterns = [".+?".join(re.escape(part) for part in line.split("<any>")) for line in want]
    return all(re.fullmatch(pattern, line) is not None for pattern, line in zip(patterns, got, strict=True))


# A sheet's claims table: what each client sends, one row per claim, with a
# column per client. The browser tier runs every row in the engine each column names.
CLAIMS_HEADER = ["after", "then", "requests", "Chromium", "Firefox"]
CLIENTS = CLAIMS_HEADER[2:]
# The line right above every claims table, then a blank line: an HTML comment, which a
# learner never sees, telling whoever edits the table that each of its rows is a test.
CLAIMS_MARKER = "<!-- claims: every row is run by tests/browser/test_sheet_claims.py -->"
SEPARATOR_CELL = re.compile(r":?-+:?")
# An entry of a client's cell: a cookie name (an RFC 6265 token, the lab's begin with a
# letter, digit or _, so that `-` for `—` fails), or name=value when the value is the claim.
COOKIE_ENTRY = re.compile(r"[0-9A-Za-z_][!#$%&'*+\-.^_`|~0-9A-Za-z]*(=[^\s,;]*)?")


class ClaimsTableError(ValueError):
    """A claims table that would not run as written; the message names the sheet, the line and what is wrong."""


def table_cells(line: str) -> list[str]:
    """The stripped cells of a Markdown table line; `\\|` is a pipe inside a cell."""
    line = line.strip().removeprefix("|")
    if line.endswith("|") and not line.endswith("\\|"):
        line = line[:-1]
    return [cell.strip().replace("\\|", "|") for cell in re.split(r"(?<!\\)\|", line)]


def is_separator(cells: list[str]) -> bool:
    return all(SEPARATOR_CELL.fullmatch(cell) for cell in cells)


def sheet_claims(text: str, sheet: str = "<sheet>") -> list[dict[str, str]]:
    """Every row of a sheet's claims tables: CLAIMS_MARKER above each, then its header
    `| after | then | requests | Chromium | Firefox |`.

    A table that is marked, or whose header names all the claims columns, parses whole
    or raises ClaimsTableError, and so does a marker with no table under it; other tables
    are left alone, and so is a fenced code block. Read line by line, not through a
    Markdown renderer: a renderer forgives a row with too many or too few cells, and
    here that must fail."""
    lines = text.splitlines()
    rows: list[dict[str, str]] = []
    marker = 0  # the line of a marker still waiting for its table; 0 for none
    fence = ""
    n = 0
    while n < len(lines):
        line = lines[n].strip()
        n += 1
        if fence:
            if line.startswith(fence) and not line.strip(fence[0]):
                fence = ""
        elif marker and line and not line.startswith("|"):
            raise ClaimsTableError(f"{sheet}:{marker}: a claims marker with no table under it (line {n} comes first)")
        elif opening := re.match(r"`{3,}|~{3,}", line):
            fence = opening.group()
        elif re.match(r"<!--\s*claims\b", line):
            if line != CLAIMS_MARKER:
                raise ClaimsTableError(f"{sheet}:{n}: a claims marker must read exactly {CLAIMS_MARKER}")
            marker = n
        elif line.startswith("|"):
            start = n
            while n < len(lines) and lines[n].strip().startswith("|"):
                n += 1
            table = claims_table(lines[start - 1 : n], start, bool(marker), sheet)
            if table is not None and n < len(lines) and lines[n].strip():
                raise ClaimsTableError(
                    f"{sheet}:{n + 1}: a claims table must end with a blank line; this line would be one more row"
                )
            rows += table or []
            marker = 0
    if marker:
        raise ClaimsTableError(f"{sheet}:{marker}: a claims marker with no table under it")
    return rows


def claims_table(lines: list[str], start: int, marked: bool, sheet: str) -> list[dict[str, str]] | None:
    """The rows of one table that begins on line start; None when it is not a claims table."""

    def fail(line: int, what: str) -> NoReturn:
        raise ClaimsTableError(f"{sheet}:{line}: {what}")

    header = table_cells(lines[0])
    if not marked:
        for number, line in enumerate(lines, start):
            if {c.casefold() for c in CLAIMS_HEADER} <= {c.strip("`*").casefold() for c in table_cells(line)}:
                fail(
                    number,
                    f"a table with the claims columns needs the line {CLAIMS_MARKER} above it "
                    "(then a blank line), so that its rows run"
                    if number == start
                    else "a claims header inside another table: a blank line and the marker go above it",
                )
        return None
    if header != CLAIMS_HEADER:
        extra = [c for c in header if c not in CLAIMS_HEADER or header.count(c) > 1]
        missing = [c for c in CLAIMS_HEADER if c not in header]
        what = (
            "; ".join(
                [f"extra column {c!r}" for c in dict.fromkeys(extra)] + [f"missing column {c!r}" for c in missing]
            )
            or "columns in another order"
        )
        fail(start, f"a claims table's header must be | {' | '.join(CLAIMS_HEADER)} |: {what}")
    if len(lines) < 2 or not is_separator(table_cells(lines[1])):
        fail(start + 1, "the line under a claims header must be its separator | --- | --- | --- | --- | --- |")
    if len(table_cells(lines[1])) != len(CLAIMS_HEADER):
        fail(start + 1, f"the separator has {len(table_cells(lines[1]))} cells, the header {len(CLAIMS_HEADER)}")
    rows = []
    for number, line in enumerate(lines[2:], start + 2):
        cells = table_cells(line)
        if is_separator(cells):
            fail(number, "a separator row inside a claims table: only the line under the header is one")
        if len(cells) != len(CLAIMS_HEADER):
            fail(
                number,
                f"{len(cells)} cells in a claims row, which has {len(CLAIMS_HEADER)}: {', '.join(CLAIMS_HEADER)}",
            )
        row = dict(zip(CLAIMS_HEADER, cells, strict=True))
        if empty := [column for column, cell in row.items() if not cell]:
            fail(
                number,
                f"empty {', '.join(empty)} cell: a claims row needs every value "
                "(`—` for a client it is not tested in, `(none)` for no cookie)",
            )
        after = re.findall(r"`([^`]*)`", row["after"])
        if ", ".join(f"`{a}`" for a in after) != row["after"] or not all(
            SHEET_URL.fullmatch(address) for _, address in after_steps(row["after"])
        ):
            fail(
                number,
                f"the after cell {row['after']!r} must be the lab's addresses, each in backticks, separated by commas"
                " (`POST ` before one that is posted to)",
            )
        if after and after[0].startswith("POST "):
            fail(number, "a claims row's first after address is opened, not posted to: the browsers post from it")
        try:
            tested = [client for client in CLIENTS if cookie_names(row[client]) is not None]
        except ValueError as exc:
            fail(number, str(exc))
        if not tested:
            fail(number, "a claims row with `—` in every client's cell runs nowhere")
        rows.append(row)
    if not rows:
        fail(start, "a claims table with no rows")
    return rows


# The addresses the sheets give, at the lab's default ports; a test puts its own ports in.
SHEET_ORIGINS = {
    "http://127.0.0.1:8080": "app",  # loopback: a secure context for Chromium and Firefox
    "https://127.0.0.1:8443": "https",  # the same app over https, with the lab's CA
    "http://[::ffff:127.0.0.1]:8080": "mapped",  # IPv4-mapped IPv6: not a secure context
    "http://shop.cookielab.localhost:8080": "shop",  # the sibling hosts of sheet 11
    "http://blog.cookielab.localhost:8080": "blog",
}
# A sheet's address in a claims cell: one of SHEET_ORIGINS and a path, or a path on the app's first address.
SHEET_URL = re.compile("(" + "|".join(re.escape(origin) for origin in SHEET_ORIGINS) + ")?(/[^`\\s]*)")


def after_steps(cell: str) -> list[tuple[str, str]]:
    """A claims row's after cell as (method, address) pairs, in order: an address is opened (GET), or
    posted to when written `POST /path` (a form with no fields, as the lab pages' buttons send)."""
    steps = []
    for text in re.findall(r"`([^`]*)`", cell):
        method, _, address = text.partition(" ") if text.startswith("POST ") else ("GET", "", text)
        steps.append((method, address))
    return steps


def sheet_url(text: str, origins: dict[str, str]) -> str:
    """A sheet's address as the test reaches it: origins maps each SHEET_ORIGINS name to the test's origin."""
    match = SHEET_URL.fullmatch(text)
    assert match, f"{text!r} is not an address of the lab"
    origin, path = match.groups()
    return origins[SHEET_ORIGINS[origin or "http://127.0.0.1:8080"]] + path


def cookie_names(cell: str) -> list[str] | None:
    """A claims cell as cookie names in the order sent; None for `—`, not tested in that client.

    An entry may be `name=value` when the value is what the claim is about; ValueError
    for an entry that is neither (an empty one, a space in a name, `-` for `—`)."""
    cell = cell.strip()
    if cell == "—":
        return None
    if cell == "(none)":
        return []
    names = [name.strip().strip("`") for name in cell.split(",")]
    for name in names:
        if not COOKIE_ENTRY.fullmatch(name):
            raise ValueError(
                f"{cell!r}: {name!r} is not a cookie name or name=value "
                "(`—` for a client not tested, `(none)` for no cookie)"
            )
    return names
