"""Build the Execution Table and Variable Tracker from recorded steps, and print them."""

from __future__ import annotations

import re
from typing import Any

from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, RenderableType, RenderResult
from rich.measure import Measurement
from rich.table import Table
from rich.text import Text

from .runner import Run, Step

# Table width when the output is not a terminal (docker compose logs, a pipe), for every table the client prints.
PLAIN_WIDTH = 160
# Longest cookie value and Cookie header shown in a cell; the full text is in --json.
VALUE_LIMIT = 24
HEADER_LIMIT = 120
COLUMNS = ["Step", "Action", "Request Headers", "Response Headers", "Cookie Stored", "Output"]
# Longest response body shown in the Output column.
OUTPUT_LIMIT = 80


def cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else f"{text[:limit]}… ({len(text)} chars)"


def sent_value(cookie_header: str | None, name: str) -> str | None:
    """Return what the server reads as request.cookies.get(name): the first value sent."""
    # Werkzeug keeps the first of duplicated names; the client only needs that rule.
    for part in (cookie_header or "").split(";"):
        key, sep, value = part.strip().partition("=")
        if sep and key == name:
            return value
    return None


def stored_value(jar: list[dict[str, Any]], name: str) -> str | None:
    return next((c["value"] for c in jar if c["name"] == name), None)


def output_cell(step: Step) -> str:
    text = " ".join(step.body.split())
    if not 200 <= step.status < 300:
        text = f"{step.status} {step.reason}" + (f": {text}" if text else "")
    if step.note:
        text = f"{text} | {step.note}"
    return text if len(text) <= OUTPUT_LIMIT else text[: OUTPUT_LIMIT - 1] + "…"


def jar_entry(cookie: dict[str, Any]) -> str:
    """name=value, then what sets it apart: a narrower Path, Secure, a lifetime."""
    traits = [f"Path={cookie['path']}"] if cookie["path"] != "/" else []
    traits += ["Secure"] if cookie["secure"] else []
    traits += ["persistent"] if cookie["expires"] is not None else []
    entry = f"{cookie['name']}={cut(cookie['value'], VALUE_LIMIT)}"
    return f"{entry} ({', '.join(traits)})" if traits else entry


def jar_cell(jar: list[dict[str, Any]]) -> str:
    return "; ".join(jar_entry(c) for c in jar) or "(empty)"


def table_rows(scenario: dict[str, Any], run: Run) -> list[dict[str, str]]:
    """One row per step, then the scenario's closing row; each cell from the wire."""
    steps = run.steps
    rows = [
        {
            "Step": str(s.number),
            "Action": s.action,
            "Request Headers": (
                f"Cookie: {cut(s.request_cookie_header, HEADER_LIMIT)}"
                if s.request_cookie_header
                else "No Cookie header"
            ),
            "Response Headers": (
                "\n".join(f"Set-Cookie: {cut(h, HEADER_LIMIT)}" for h in s.set_cookie_headers) or "No Set-Cookie header"
            ),
            "Cookie Stored": jar_cell(s.jar),
            "Output": output_cell(s),
        }
        for s in steps
    ]
    closing = scenario.get("closing")
    if closing:
        rows.append(
            {
                "Step": str(len(steps) + 1),
                "Action": closing["action"],
                "Request Headers": "N/A",
                "Response Headers": "N/A",
                "Cookie Stored": jar_cell(run.final_jar),
                "Output": closing["output"],
            }
        )
    return rows


def tracker(scenario: dict[str, Any], run: Run) -> dict[str, Any]:
    """The Variable Tracker: each tracked cookie in the jar and as the server read it."""
    steps = run.steps
    columns = ["Variable", "Start"] + [f"After Step {s.number}" for s in steps] + ["Final"]
    rows = []
    for name in scenario.get("track", []):
        stored = [stored_value(s.jar, name) for s in steps]
        read = [sent_value(s.request_cookie_header, name) for s in steps]
        rows.append(tracker_row(f"{name} cookie", stored, stored_value(run.final_jar, name)))
        rows.append(tracker_row(f"request.cookies.get('{name}')", read, read[-1] if read else None))
    return {"columns": columns, "rows": rows}


def tracker_row(variable: str, values: list[str | None], final: str | None) -> dict[str, Any]:
    cells = [None, *values, final]
    return {"variable": variable, "values": [str(v) if v is None else cut(v, VALUE_LIMIT) for v in cells]}


def as_json(scenario: dict[str, Any], target: str, run: Run) -> dict[str, Any]:
    return {
        "scenario": scenario["name"],
        "target": target,
        "steps": [s.to_dict() for s in run.steps],
        "final_jar": run.final_jar,
        "table": table_rows(scenario, run),
        "tracker": tracker(scenario, run),
    }


def render(console: Console, scenario: dict[str, Any], run: Run, *, fold: bool = False) -> None:
    """Print both tables; rich drops colour by itself when there is no terminal.

    fold=True is rich's own layout, which folds a word longer than its column:
    the output the exercise sheets paste at PLAIN_WIDTH, kept byte for byte.
    Otherwise no word is broken across two lines (see keep_words_whole).
    """
    title = f"Execution Table: {scenario['name']}"
    note = (scenario.get("closing") or {}).get("note")
    rows = table_rows(scenario, run)
    table = Table(title=title, caption=note, show_lines=True)
    for column in COLUMNS:
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(*(row[c] if fold else cell(c, row[c]) for c in COLUMNS))
    if not fold and not keep_words_whole(console, table):
        table = step_blocks(title, note, rows)
        keep_words_whole(console, table)
    console.print(table)

    track = tracker(scenario, run)
    if track["rows"]:
        table = Table(title="Variable Tracker", show_lines=True)
        for column in track["columns"]:
            table.add_column(column, overflow="fold")
        for row in track["rows"]:
            table.add_row(*(v if fold else Text(v) for v in [row["variable"], *row["values"]]))
        if not fold and not keep_words_whole(console, table):
            table = tracker_turned(track)
            keep_words_whole(console, table)
        console.print(table)


def step_blocks(title: str, caption: str | None, rows: list[dict[str, str]]) -> Table:
    """The Execution Table turned for a narrow terminal: a block per step, each cell beside its column's name."""
    table = Table(title=title, caption=caption, show_header=False)
    table.add_column(style="table.header")
    table.add_column()
    for row in rows:
        for column in COLUMNS:
            table.add_row(column, cell(column, row[column]), end_section=column == COLUMNS[-1])
    return table


def tracker_turned(track: dict[str, Any]) -> Table:
    """The Variable Tracker turned for a narrow terminal: a row per moment, a column per variable."""
    table = Table(title="Variable Tracker", show_lines=True)
    table.add_column()
    for row in track["rows"]:
        table.add_column(row["variable"])
    for index, moment in enumerate(track["columns"][1:]):
        table.add_row(moment, *(Text(row["values"][index]) for row in track["rows"]))
    return table


# Columns whose cells list values: the headers and the jar.
VALUE_COLUMNS = {"Request Headers", "Response Headers", "Cookie Stored"}


def cell(column: str, text: str) -> RenderableType:
    # Text, not str: a cookie value such as [b] is shown as it is, not read as rich markup.
    return Values(text) if column in VALUE_COLUMNS else Text(text)


class Values:
    """A cell of values separated by "; " or by a header's name: its lines break only between values.

    rich breaks at any space, so `both=1 (persistent)` or `Expires=Sun, 29 Nov 2026
    10:00:00 GMT` could end one line and go on in the next; this cell puts as many
    whole values on a line as the column holds, and leaves to rich only a value
    longer than a line.
    """

    def __init__(self, text: str) -> None:
        self.text = text

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        return Measurement.get(console, options, Text(self.text))

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield Text("\n".join(pack(line, options.max_width) for line in self.text.split("\n")))


def pack(line: str, width: int) -> str:
    """Lines of at most width made of whole values of line, broken only after "; " or "Cookie:"/"Set-Cookie:"."""
    lines: list[str] = []
    for value in re.split(r"(?<=;) |(?<=^Cookie:) |(?<=^Set-Cookie:) ", line):
        if lines and cell_len(lines[-1]) + 1 + cell_len(value) <= width:
            lines[-1] += " " + value
        else:
            lines.append(value)
    return "\n".join(lines)


# Why the columns are sized here and not by rich alone: rich wraps a cell only at
# whitespace, so a cookie `name=value` or an attribute `Path=/` is one word to it.
# But a table too wide for the terminal has its widest columns cut down to one
# level whatever their longest word, and a word longer than its column is then
# folded: at 80 columns `username=Alice` came out as `username=Ali` over `ce`,
# which reads as two values. Non-breaking spaces do not help (rich breaks at
# U+00A0 like at any space), nor does a column's min_width (rich's shrinking
# ignores it, and the table then overflows the terminal); overflow="ellipsis"
# alone would cut `username=Alice` to `username=Al…` where it could have fitted.
#
# So every column gets at least its longest word, and the rest is shared as rich
# shares it. If that does not fit, the table drops its outer frame (4 characters);
# if it still does not fit, render() turns it (a block per step, a row per moment),
# which gives each value nearly the whole width: six columns of cookies side by
# side need more than 80 columns in 7 of the 10 scenarios. Only what still does
# not fit, such as the 57-character session cookie in a 50-column terminal, is cut
# with an ellipsis, the longest words first: `session=eyJ…` shows that something
# is missing, where a fold shows a value that does not exist. A date longer than
# its column still wraps at its own spaces. The full text is always in --json.


def keep_words_whole(console: Console, table: Table) -> bool:
    """Size table's columns so that rich breaks lines only between words; False if some word is cut."""
    content = []
    for column in table.columns:
        column.overflow = "ellipsis"
        sizes = [Measurement.get(console, console.options, c) for c in [column.header, *column.cells]]
        content.append((max(m.minimum for m in sizes), max(m.maximum for m in sizes)))

    def frame(edge: bool) -> tuple[list[int], int]:
        """Each column's padding (1 each side, none at the table's edges if not edge) and the room the rules leave."""
        last = len(table.columns) - 1
        pads = [2 - (not edge) * ((i == 0) + (i == last)) for i in range(last + 1)]
        return pads, console.width - (last + 2 * edge)

    pads, room = frame(edge=True)
    whole = sum(low + pad for (low, _), pad in zip(content, pads, strict=False)) <= room
    if not whole:
        slim_pads, slim_room = frame(edge=False)
        if sum(low + pad for (low, _), pad in zip(content, slim_pads, strict=False)) <= slim_room:
            pads, room, whole = slim_pads, slim_room, True
            table.show_edge = table.pad_edge = False
    widths = fit_widths([(low + pad, high + pad) for (low, high), pad in zip(content, pads, strict=False)], room)
    if widths is not None:
        for column, width, pad in zip(table.columns, widths, pads, strict=False):
            column.width = width - pad
    return whole


def fit_widths(ranges: list[tuple[int, int]], room: int) -> list[int] | None:
    """Widths in room for columns of (longest word, longest line), padding included; None if rich fits them itself.

    rich's own shrinking (Table._collapse_widths, rounding included), so that a
    table whose words all fit comes out as rich lays it out, except that no column
    goes below its longest word unless the longest words cannot all fit.
    """
    if sum(high for _, high in ranges) <= room:
        return None
    floors = [low for low, _ in ranges]
    cap = max(floors)
    while sum(min(floor, cap) for floor in floors) > room:
        cap -= 1  # the longest words are the ones cut, each with an ellipsis
    if cap < 3:
        return None  # not one character per column: leave it to rich
    floors = [min(floor, cap) for floor in floors]
    widths = [high for _, high in ranges]
    while (excess := sum(widths) - room) > 0:
        # The widest columns that can still shrink come down towards the next width.
        movable = [width > floor for width, floor in zip(widths, floors, strict=False)]
        top = max(width for width, m in zip(widths, movable, strict=False) if m)
        below = max((width for width, m in zip(widths, movable, strict=False) if m and width < top), default=0)
        tops = [i for i, m in enumerate(movable) if m and widths[i] == top]
        # rich's ratio_reduce: the excess shared in column order, round() rounding halves to even.
        left = excess
        for done, i in enumerate(tops):
            cut = min(excess, top - max(below, floors[i]), round(left / (len(tops) - done)))
            widths[i] -= cut
            left -= cut
    return widths
