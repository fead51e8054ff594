"""The learner's progress, read from the proxy's capture file: which challenges each exercise's flows solved, and when."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import lab_contract

DEFAULT_CAPTURES = lab_contract.CAPTURES
DEFAULT_EXERCISES = lab_contract.EXERCISES


class ProgressError(Exception):
    """The capture file or the exercise index cannot be read; the message says which and why."""


@dataclass
class Row:
    exercise: str
    challenge: str
    task: str
    solved: bool
    when: str | None
    flow_id: str | None
    # Taken out of the lab ([[exercise.retired]]): shown only when solved, with its solve, and counted nowhere.
    retired: bool = False

    def to_dict(self) -> dict[str, Any]:
        """The row for `progress --json`; "retired" only on a retired row, so a live row keeps its fields."""
        data = asdict(self)
        if not self.retired:
            del data["retired"]
        return data


def load_exercises(path: str | Path) -> list[dict[str, Any]]:
    """The index's exercises, checked by the lab's one validator."""
    try:
        exercises = lab_contract.exercises(lab_contract.load_index(path))
    except lab_contract.BadIndex as exc:
        if exc.missing:
            raise ProgressError(f"no exercise index at {path} (give one with --exercises PATH)") from exc
        raise ProgressError(f"cannot read the exercise index {path}: {exc.reason}") from exc
    if not exercises:
        # "0 of 0 solved, every challenge solved" would be no news to anyone.
        raise ProgressError(f"the exercise index {path} lists no exercise (give the lab's with --exercises PATH)")
    return exercises


def solved_flows(path: str | Path) -> tuple[dict[str, dict[str, Any]], int]:
    """The first capture record that solved each challenge, and how many lines could not be read."""
    capture = lab_contract.CaptureReader(path)  # a half line or a record of the wrong shape: counted
    first: dict[str, dict[str, Any]] = {}
    try:
        for record in capture:  # one line at a time: only the solving records are kept
            solved = record.get("solved", [])
            for cid in solved if isinstance(solved, list) else []:
                first.setdefault(str(cid), record)
    except OSError as exc:
        raise ProgressError(f"cannot read the capture file {path}: {exc}") from exc
    return first, capture.skipped


def readable_time(time: str | None) -> str:
    """A capture record's ISO time as a person reads it, in UTC: 2026-11-29 19:19:59."""
    return f"{time[:10]} {time[11:19]}" if time else ""


def rows(exercises: list[dict[str, Any]], first: dict[str, dict[str, Any]]) -> list[Row]:
    """Each exercise's challenges, then those of its retired challenges that the learner solved."""
    out = []
    for exercise in exercises:
        for challenge in exercise.get("challenge", []):
            out.append(row(exercise, challenge, first.get(challenge["id"])))
        for old in exercise.get("retired", []):
            if old["id"] in first:
                out.append(row(exercise, old, first[old["id"]], retired=True))
    return out


def row(exercise: dict[str, Any], challenge: dict[str, Any], record: dict[str, Any] | None, retired=False) -> Row:
    return Row(
        exercise["id"],
        challenge["id"],
        challenge["task"],
        record is not None,
        record.get("time") if record else None,
        record.get("flow_id") if record else None,
        retired,
    )


def next_hint(
    exercises: list[dict[str, Any]], table: list[Row], skip: frozenset[str] = frozenset()
) -> tuple[str, str] | None:
    """The first unsolved challenge (none of skip) and its first hint, or None when all are solved."""
    hints = {c["id"]: c.get("hints", []) for e in exercises for c in e.get("challenge", [])}
    for entry in table:
        if not entry.solved and not entry.retired and entry.challenge not in skip:
            return entry.challenge, (hints[entry.challenge] or ["(no hint)"])[0]
    return None


def report(
    captures: str | Path,
    exercises_path: str | Path,
    exercises: list[dict[str, Any]] | None = None,
    cluster: bool = False,
) -> dict[str, Any]:
    """Everything `progress` shows, as data: the rows, the counts, the next hint. exercises: the index's,
    when the caller has loaded it already. cluster: the lab runs on a cluster, where a laptop_only
    challenge cannot be done: it is neither counted nor offered next (unless solved all the same)."""
    exercises = load_exercises(exercises_path) if exercises is None else exercises
    first, unreadable = solved_flows(captures)
    table = rows(exercises, first)
    laptop = frozenset(c["id"] for e in exercises for c in e.get("challenge", []) if cluster and c.get("laptop_only"))
    counted = [r for r in table if not r.retired and (r.solved or r.challenge not in laptop)]
    hint = next_hint(exercises, table, laptop)
    return {
        "captures": str(captures),
        "solved": sum(r.solved for r in counted),
        "total": len(counted),
        "challenges": [r.to_dict() for r in table],
        "next": {"challenge": hint[0], "hint": hint[1]} if hint else None,
        "unreadable_lines": unreadable,
    }


def hints(exercises_path: str | Path, challenge: str, level: int) -> list[str]:
    """A challenge's hints, the first `level` of them; never its solution."""
    for exercise in load_exercises(exercises_path):
        for c in exercise.get("challenge", []):
            if c["id"] == challenge:
                return c.get("hints", [])[: max(level, 1)]
    known = [c["id"] for e in load_exercises(exercises_path) for c in e.get("challenge", [])]
    raise ProgressError(f"no challenge {challenge!r}; known challenges: {', '.join(known)}")
