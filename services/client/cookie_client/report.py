"""Build the Execution Table and Variable Tracker from recorded steps, and print them."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table

from .runner import Run, Step

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
                f"Cookie: {cut(s.request_cookie_header, HEADER_LIMIT)}" if s.request_cookie_header else "No Cookie header"
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


def render(console: Console, scenario: dict[str, Any], run: Run) -> None:
    """Print both tables; rich drops colour by itself when there is no terminal."""
    note = (scenario.get("closing") or {}).get("note")
    table = Table(title=f"Execution Table: {scenario['name']}", caption=note, show_lines=True)
    for column in COLUMNS:
        table.add_column(column, overflow="fold")
    for row in table_rows(scenario, run):
        table.add_row(*(row[c] for c in COLUMNS))
    console.print(table)

    track = tracker(scenario, run)
    if track["rows"]:
        table = Table(title="Variable Tracker", show_lines=True)
        for column in track["columns"]:
            table.add_column(column, overflow="fold")
        for row in track["rows"]:
            table.add_row(row["variable"], *row["values"])
        console.print(table)
