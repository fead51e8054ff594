"""The sheets' claims tables as the browser tier reads them: each parses whole, and each sheet's rows are counted.

The browser tier runs every row; this tier, which needs no browser, makes sure
that no row is dropped on the way there.
"""

import pytest
from local_lab import LAB
from sheets import CLAIMS_MARKER, ClaimsTableError, cookie_names, sheet_claims

SHEETS = sorted(LAB.glob("[0-9][0-9]-*.md"))
# Claims rows per sheet. A row added to or lost from a sheet fails here until
# this count says so: each row is a test of the browser tier.
CLAIMS_ROWS = {"02": 2, "03": 2, "06": 13, "09": 3, "10": 2, "11": 5, "12": 3, "13": 5}


def claims(sheet) -> list[dict[str, str]]:
    return sheet_claims(sheet.read_text(encoding="utf-8"), f"lab/{sheet.name}")


def test_the_sheets_have_claims_tables():
    assert [sheet.name[:2] for sheet in SHEETS if claims(sheet)] == sorted(CLAIMS_ROWS)


@pytest.mark.parametrize("sheet", SHEETS, ids=[sheet.name for sheet in SHEETS])
def test_each_sheet_has_its_number_of_claims_rows(sheet):
    rows = claims(sheet)
    assert len(rows) == CLAIMS_ROWS.get(sheet.name[:2], 0), (
        f"lab/{sheet.name} has {len(rows)} claims rows: update CLAIMS_ROWS if that is meant"
    )


HEADER = "| after | then | requests | Chromium | Firefox |"
SEPARATOR = "| --- | --- | --- | --- | --- |"
ROW = "| `/flags/set` | `GET /flags/` | plain, lax | plain, secret | plain, secret |"
ROW_AS_DICT = {
    "after": "`/flags/set`",
    "then": "`GET /flags/`",
    "requests": "plain, lax",
    "Chromium": "plain, secret",
    "Firefox": "plain, secret",
}


def marked(*lines: str, indent: str = "") -> str:
    """A sheet's text: a paragraph, then the marker, a blank line and the table lines given, then a paragraph."""
    table = "\n".join(indent + line for line in lines)
    return f"What each client sent:\n\n{indent}{CLAIMS_MARKER}\n\n{table}\n\nThe end.\n"


@pytest.mark.parametrize(
    ("text", "rows"),
    [
        (marked(HEADER, SEPARATOR, ROW), [ROW_AS_DICT]),
        # Inside a numbered step: indented, parsed all the same.
        (marked(HEADER, SEPARATOR, ROW, ROW, indent="   "), [ROW_AS_DICT, ROW_AS_DICT]),
        (marked(HEADER, "|:---|:---:|---:|---|---|", ROW), [ROW_AS_DICT]),
        (marked(HEADER, SEPARATOR, ROW.replace("plain, lax", "`a\\|b`")), [{**ROW_AS_DICT, "requests": "`a|b`"}]),
        (
            marked(HEADER, SEPARATOR, "| `/a/set`, `https://127.0.0.1:8443/b` | the cookie jar | (none) | — | x=1 |"),
            [
                {
                    "after": "`/a/set`, `https://127.0.0.1:8443/b`",
                    "then": "the cookie jar",
                    "requests": "(none)",
                    "Chromium": "—",
                    "Firefox": "x=1",
                }
            ],
        ),
        # Other tables are left alone, those that name some clients included.
        ("| # | sheet | scenario | time |\n| --- | --- | --- | --- |\n| 01 | seed | `seed` | 10 min |\n", []),
        ("| client | Chromium | Firefox | Safari |\n| --- | --- | --- | --- |\n|  | yes | yes | no |\n", []),
        # A claims table shown as text in a code block is no table.
        (f"```text\n{HEADER}\n| after | then |\n```\n", []),
    ],
    ids=[
        "marked",
        "indented",
        "aligned separator",
        "escaped pipe",
        "two addresses, none and a value",
        "an index table",
        "a Safari table",
        "in a code block",
    ],
)
def test_a_claims_table_parses_into_its_rows(text, rows):
    assert sheet_claims(text) == rows


@pytest.mark.parametrize(
    ("text", "error"),
    [
        (marked(HEADER + " note |", SEPARATOR + " --- |", ROW + " why |"), r"sheet>:5: .*: extra column 'note'"),
        (
            marked(
                "| after | then | requests | Chromium |", "| --- | --- | --- | --- |", "| `/a` | `GET /a` | x | x |"
            ),
            r":5: .*: missing column 'Firefox'",
        ),
        (
            marked("| then | after | requests | Chromium | Firefox |", SEPARATOR, ROW),
            r":5: .*: columns in another order",
        ),
        (
            marked("| after | then | then | requests | Chromium | Firefox |", SEPARATOR, ROW),
            r":5: .*extra column 'then'",
        ),
        (marked(HEADER, SEPARATOR, ROW, ROW + " why |"), r":8: 6 cells in a claims row"),
        (marked(HEADER, SEPARATOR, "| `/a` | `GET /a` | x | x |"), r":7: 4 cells in a claims row"),
        (marked(HEADER, SEPARATOR, "| | `GET /flags/` | plain | plain | plain |"), r":7: empty after cell"),
        (marked(HEADER, SEPARATOR, "| `/a` | `GET /a` | | x | |"), r":7: empty requests, Firefox cell"),
        (marked(HEADER, SEPARATOR, ROW, SEPARATOR, ROW), r":8: a separator row inside"),
        (marked(HEADER, ROW), r":6: the line under a claims header must be its separator"),
        (marked(HEADER, "| --- | --- | --- | --- |", ROW), r":6: the separator has 4 cells"),
        (marked(HEADER, SEPARATOR), r":5: a claims table with no rows"),
        (marked(HEADER, SEPARATOR, "| `/a` | `GET /a` | — | — | — |"), r":7: .*runs nowhere"),
        (marked(HEADER, SEPARATOR, "| `/a` | `GET /a` | - | x | x |"), r":7: .*'-' is not a cookie name"),
        (marked(HEADER, SEPARATOR, "| `/a` | `GET /a` | x,, y | x | x |"), r":7: .*'' is not a cookie name"),
        (marked(HEADER, SEPARATOR, "| /a | `GET /a` | x | x | x |"), r":7: the after cell '/a' must be"),
        (marked(HEADER, SEPARATOR, "| `http://localhost/a` | `GET /a` | x | x | x |"), r":7: the after cell"),
        (
            f"{CLAIMS_MARKER}\n\n{HEADER}\n{SEPARATOR}\n{ROW}\nThe end.\n",
            r":6: a claims table must end with a blank line",
        ),
        (
            f"Text.\n\n{CLAIMS_MARKER}\n\nMore text.\n\n{HEADER}\n{SEPARATOR}\n{ROW}\n",
            r":3: a claims marker with no table",
        ),
        (f"Text.\n\n{CLAIMS_MARKER}\n", r":3: a claims marker with no table"),
        (f"{CLAIMS_MARKER}\n{CLAIMS_MARKER}\n\n{HEADER}\n{SEPARATOR}\n{ROW}\n", r":1: a claims marker with no table"),
        ("<!-- claims: every row runs -->\n\n" + f"{HEADER}\n{SEPARATOR}\n{ROW}", r":1: .*must read exactly"),
        (f"Text.\n\n{HEADER}\n{SEPARATOR}\n{ROW}\n", r":3: a table with the claims columns needs the line"),
        (f"1. Step.\n\n   {HEADER}\n   {SEPARATOR}\n   {ROW}\n", r":3: a table with the claims columns needs"),
        (f"| note | firefox | chromium | requests | then | after |\n{SEPARATOR} --- |\n", r":1: .*needs the line"),
        ("| **after** | then | `requests` | Chromium | Firefox |\n" + SEPARATOR, r":1: .*needs the line"),
        (f"| # | sheet |\n| --- | --- |\n| 01 | seed |\n{HEADER}\n{SEPARATOR}\n{ROW}\n", r":4: a claims header inside"),
    ],
    ids=[
        "a sixth column",
        "a missing column",
        "columns swapped",
        "a column twice",
        "a row with six cells",
        "a row with four cells",
        "an empty first cell",
        "empty client cells",
        "a second separator",
        "no separator",
        "a short separator",
        "no rows",
        "no client",
        "a hyphen for a dash",
        "an empty name",
        "an address without backticks",
        "an address not the lab's",
        "a line right under the table",
        "text between marker and table",
        "a marker at the end",
        "two markers",
        "a misspelt marker",
        "an unmarked claims table",
        "an unmarked indented claims table",
        "an unmarked table in another order",
        "an unmarked table with marked-up columns",
        "a claims table glued to another",
    ],
)
def test_a_broken_claims_table_fails_naming_its_line(text, error):
    with pytest.raises(ClaimsTableError, match=error):
        sheet_claims(text)


def flags_sheet_changed(change) -> str:
    """Sheet 06 with change(lines, header) applied to its first claims table, header the index of its header line."""
    lines = (LAB / "06-flags.md").read_text(encoding="utf-8").splitlines()
    change(lines, lines.index(HEADER))
    return "\n".join(lines) + "\n"


def add_note_column(lines, header):
    lines[header] += " note |"
    lines[header + 1] += " --- |"
    for n in range(header + 2, lines.index("", header)):
        lines[n] += " why |"


def empty_first_cell(lines, header):
    lines[header + 2] = "| |" + lines[header + 2].split("|", 2)[2]


def drop_marker(lines, header):
    del lines[header - 2 : header]


def indent(lines, header):
    for n in range(header - 2, lines.index("", header)):
        lines[n] = "   " + lines[n] if lines[n] else ""


@pytest.mark.parametrize(
    ("change", "error"),
    [
        (add_note_column, r"^lab/06-flags\.md:{header}: .*extra column 'note'"),
        (empty_first_cell, r"^lab/06-flags\.md:{row}: empty after cell"),
        (drop_marker, r"^lab/06-flags\.md:{marker}: a table with the claims columns needs the line"),
    ],
    ids=["a note column", "an empty first cell", "no marker"],
)
def test_sheet_06_changed_fails_where_it_was_changed(change, error):
    header = (LAB / "06-flags.md").read_text(encoding="utf-8").splitlines().index(HEADER) + 1
    line = error.format(header=header, row=header + 2, marker=header - 2)
    with pytest.raises(ClaimsTableError, match=line):
        sheet_claims(flags_sheet_changed(change), "lab/06-flags.md")


def test_sheet_06_indented_keeps_its_rows():
    text = flags_sheet_changed(indent)
    assert text != (LAB / "06-flags.md").read_text(encoding="utf-8")
    assert sheet_claims(text) == claims(LAB / "06-flags.md")


def test_the_error_names_the_sheet():
    with pytest.raises(ClaimsTableError, match=r"^lab/06-flags\.md:5: "):
        sheet_claims(marked(HEADER + " note |", SEPARATOR, ROW), "lab/06-flags.md")


@pytest.mark.parametrize(
    ("cell", "names"),
    [
        ("—", None),
        ("(none)", []),
        ("plain, secret", ["plain", "secret"]),
        ("`__Host-id`, session=alice", ["__Host-id", "session=alice"]),
    ],
)
def test_a_client_cell_is_its_cookie_names(cell, names):
    assert cookie_names(cell) == names


@pytest.mark.parametrize("cell", ["", "-", "plain,", "plain secret", "a;b"])
def test_a_client_cell_that_names_no_cookie_fails(cell):
    with pytest.raises(ValueError, match="is not a cookie name"):
        cookie_names(cell)
