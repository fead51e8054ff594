"""A class's progress: each learner's `progress --json` output, merged into one plain table for the instructor
(`scripts/class table`)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .data import ProgressError


def read_learner(path: str | Path) -> dict[str, bool]:
    """Which challenges one learner solved, from their `progress --json` output, in its order."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        # A retired challenge is in no one's count: its row only keeps an old solve.
        return {str(row["challenge"]): row["solved"] is True for row in data["challenges"] if not row.get("retired")}
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ProgressError(f"{path}: not a `progress --json` output ({exc})") from exc


def class_rows(learners: list[tuple[str, dict[str, bool]]]) -> list[dict[str, str]]:
    """One row per learner, one column per challenge (every learner's, in the order first seen): x solved, . not."""
    challenges = list(dict.fromkeys(c for _, solved in learners for c in solved))
    return [
        {
            "learner": name,
            "solved": f"{sum(solved.values())} of {len(challenges)}",
            **{c: "x" if solved.get(c) else "." for c in challenges},
        }
        for name, solved in learners
    ]


def plain_table(rows: list[dict[str, Any]]) -> str:
    """Rows as text columns two spaces apart, headed by their keys: for a terminal or a file."""
    columns = list(rows[0])
    widths = {c: max(len(c), *(len(str(r[c])) for r in rows)) for c in columns}
    lines = ["  ".join(c.ljust(widths[c]) for c in columns)]
    lines += ["  ".join(str(r[c]).ljust(widths[c]) for c in columns) for r in rows]
    return "\n".join(line.rstrip() for line in lines)
