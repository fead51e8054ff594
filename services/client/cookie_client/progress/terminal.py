"""The learner's progress in a terminal: one row per challenge, then the next hint (rich renders it)."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from .data import readable_time


def render_progress(console: Console, data: dict[str, Any]) -> None:
    """Print the learner's progress: one row per challenge, then the next hint."""
    table = Table(title=f"Your progress: {data['solved']} of {data['total']} challenges solved", show_lines=False)
    # A challenge id is what `hint` takes: never broken. The time breaks between date and hour.
    table.add_column("Exercise", overflow="fold")
    table.add_column("Challenge", no_wrap=True)
    table.add_column("Task", overflow="fold")
    table.add_column("Solved", no_wrap=True)
    table.add_column("When (UTC)", overflow="fold", min_width=len("2026-11-29"))
    for row in data["challenges"]:
        table.add_row(
            Text(row["exercise"]),
            Text(row["challenge"]),
            Text(row["task"]),
            Text(("yes (retired)" if row.get("retired") else "yes") if row["solved"] else "-"),
            Text(readable_time(row["when"])),
        )
    console.print(table)
    if data["next"]:
        cid = data["next"]["challenge"]
        console.print(Text(f"Next: {cid}. Hint: {data['next']['hint']}"))
        console.print(Text(f"More hints: docker compose run --rm client hint {cid} --level 2"))
    else:
        console.print(Text("Every challenge is solved."))
    if data["unreadable_lines"]:
        console.print(
            Text(f"({data['unreadable_lines']} line(s) of {data['captures']} could not be read and were skipped)")
        )
