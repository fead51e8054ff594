"""The Execution Table and Variable Tracker, built from recorded steps."""

import io

import pytest
from cookie_client import report, scenarios
from cookie_client.runner import Run, Step
from local_lab import LAB
from rich.console import Console
from rich.table import Table
from seed import SEED_TABLE, SEED_TRACKER, assert_seed_printed
from sheets import matches_expected, sheet_expectations

ALICE = [{"name": "username", "value": "Alice", "domain": "127.0.0.1", "path": "/", "secure": False, "expires": None}]


def seed_steps():
    """The three steps of the seed as the client records them from the wire."""
    actions = ["Client sends first request", "Client sends second request", "Client sends third request"]
    return [
        Step(
            number=n,
            action=actions[n - 1],
            method="GET",
            url="http://127.0.0.1:8080/",
            status=200,
            reason="OK",
            request_cookie_header=None if n == 1 else "username=Alice",
            set_cookie_headers=["username=Alice; Path=/"],
            jar=ALICE,
            body="Hello None" if n == 1 else "Hello Alice",
        )
        for n in (1, 2, 3)
    ]


def seed_run():
    return Run(seed_steps(), ALICE)


def test_seed_table_cell_by_cell():
    assert report.table_rows(scenarios.load("seed"), seed_run()) == SEED_TABLE


def test_seed_tracker():
    assert report.tracker(scenarios.load("seed"), seed_run()) == SEED_TRACKER


def test_rendered_tables_show_every_cell():
    out = io.StringIO()
    report.render(Console(file=out, width=160), scenarios.load("seed"), seed_run())
    text = out.getvalue()
    for heading in ("Execution Table: seed", "Variable Tracker", "After Step 3", "request.cookies.get('username')"):
        assert heading in text
    assert_seed_printed(text)
    # Not a terminal: plain text, no colour codes.
    assert "\x1b[" not in text


@pytest.mark.parametrize(
    ("header", "name", "value"),
    [
        (None, "username", None),
        ("username=Alice", "username", "Alice"),
        ("a=1; username=Bob; c=3", "username", "Bob"),
        ("username=first; username=second", "username", "first"),
        ("usernamex=1", "username", None),
        ("username=", "username", ""),
        ("justaname", "username", None),
    ],
)
def test_sent_value_is_what_the_server_reads(header, name, value):
    assert report.sent_value(header, name) == value


def test_several_set_cookie_headers_each_get_a_line():
    step = seed_steps()[0]
    step.set_cookie_headers = ["a=1; Path=/", "b=2; Path=/shop"]
    row = report.table_rows({"name": "x"}, Run([step], step.jar))[0]
    assert row["Response Headers"] == "Set-Cookie: a=1; Path=/\nSet-Cookie: b=2; Path=/shop"


def test_no_set_cookie_and_empty_jar_are_said_plainly():
    step = seed_steps()[0]
    step.set_cookie_headers, step.jar = [], []
    row = report.table_rows({"name": "x"}, Run([step], step.jar))[0]
    assert row["Response Headers"] == "No Set-Cookie header"
    assert row["Cookie Stored"] == "(empty)"


@pytest.mark.parametrize(
    ("status", "reason", "body", "output"),
    [
        (200, "OK", "  Hello\n Alice ", "Hello Alice"),
        (502, "Bad Gateway", "", "502 Bad Gateway"),
        (431, "Request Header Fields Too Large", "too big", "431 Request Header Fields Too Large: too big"),
        (200, "OK", "x" * 200, "x" * 79 + "…"),
    ],
)
def test_output_cell(status, reason, body, output):
    step = seed_steps()[0]
    step.status, step.reason, step.body = status, reason, body
    assert report.output_cell(step) == output


def test_json_carries_steps_table_and_tracker():
    data = report.as_json(scenarios.load("seed"), "http://127.0.0.1:8080", seed_run())
    assert data["scenario"] == "seed"
    assert data["table"] == SEED_TABLE
    assert data["tracker"] == SEED_TRACKER
    assert data["steps"][1]["request_cookie_header"] == "username=Alice"


def test_plain_output_is_the_layout_the_sheet_pastes():
    """fold=True, the CLI's choice when stdout is no terminal: rich's own layout, as lab/01-seed.md shows it."""
    out = io.StringIO()
    report.render(Console(file=out, width=report.PLAIN_WIDTH), scenarios.load("seed"), seed_run(), fold=True)
    expected = dict(sheet_expectations((LAB / "01-seed.md").read_text(encoding="utf-8")))
    assert matches_expected(expected["docker compose run --rm client seed"], out.getvalue())


@pytest.mark.parametrize(
    ("ranges", "room", "widths"),
    [
        # Every column fits its longest line: rich lays the table out by itself.
        ([(6, 6), (9, 20), (9, 30)], 56, None),
        # rich alone would shrink both wide columns to 15; the middle one keeps its 16-character word.
        ([(6, 6), (16, 30), (10, 40)], 36, [6, 16, 14]),
        # The longest words cannot all fit: they are cut to one common width, nothing else is.
        ([(6, 6), (20, 30), (30, 40)], 40, [6, 17, 17]),
    ],
)
def test_fit_widths(ranges, room, widths):
    assert report.fit_widths(ranges, room) == widths


@pytest.mark.parametrize("width", [36, 47, 61, 80, 99])
def test_a_table_whose_words_fit_comes_out_as_rich_lays_it_out(width):
    def table() -> Table:
        t = Table(show_lines=True)
        for n in (1, 8, 30, 17, 45):
            t.add_column(f"c{n}")
        t.add_row(*("ab " * n for n in (1, 8, 30, 17, 45)))
        return t

    plain, sized = io.StringIO(), io.StringIO()
    Console(file=plain, width=width).print(table())
    console, words_kept = Console(file=sized, width=width), table()
    assert report.keep_words_whole(console, words_kept)
    console.print(words_kept)
    assert sized.getvalue() == plain.getvalue()


@pytest.mark.parametrize(
    ("line", "width", "lines"),
    [
        (
            "Set-Cookie: both=1; Expires=Sat, 01 Jan 2000 00:00:00 GMT; Max-Age=60; Path=/",
            40,
            ["Set-Cookie: both=1;", "Expires=Sat, 01 Jan 2000 00:00:00 GMT;", "Max-Age=60; Path=/"],
        ),
        (
            "site=1; both=1 (persistent); cart=apple (Path=/shop)",
            28,
            ["site=1; both=1 (persistent);", "cart=apple (Path=/shop)"],
        ),
        # A value longer than the line keeps a line of its own; rich then wraps or cuts it.
        ("Cookie: session=" + "x" * 30, 20, ["Cookie:", "session=" + "x" * 30]),
        ("Cookie: a=1; b=2", 80, ["Cookie: a=1; b=2"]),
    ],
)
def test_header_lines_break_only_between_values(line, width, lines):
    assert report.pack(line, width).split("\n") == lines
