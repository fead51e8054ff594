"""The learner's progress, in one package: the data (read from the capture file and the exercise index),
the terminal table, the board (a page that refreshes itself) and their commands."""

from .data import (
    DEFAULT_CAPTURES,
    DEFAULT_EXERCISES,
    ProgressError,
    Row,
    hints,
    load_exercises,
    next_hint,
    readable_time,
    report,
    rows,
    solved_flows,
)

__all__ = [
    "DEFAULT_CAPTURES",
    "DEFAULT_EXERCISES",
    "ProgressError",
    "Row",
    "hints",
    "load_exercises",
    "next_hint",
    "readable_time",
    "report",
    "rows",
    "solved_flows",
]
