"""The exercise index (lab/exercises.toml): its one validator, and loading it with clear errors.

The index holds the exercises (sheet, solution, scenario), the pages each sheet has the learner open (the
app's start page lists them), the flow each exercise's scripted scenario must leave (its `check`), and the
challenges the proxy grades live. A check and a challenge's steps speak one language: STEP_TYPES below;
the proxy's grader gives each key its meaning (lab_grader.CHECKS).
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

# Each key a step (or an exercise's check) may hold, and the type of its value.
STEP_TYPES: dict[str, type] = {
    "method": str,
    "scheme": str,
    "host": str,
    "path": str,
    "path_prefix": str,
    "path_not_prefix": str,
    "path_in": list,
    "status": int,
    "cookies": dict,
    "cookies_not": dict,
    "first_cookie_not": dict,
    "has_cookies": list,
    "lacks_cookies": list,
    "cookie_count": dict,
    "min_cookie_header": int,
    "sets_cookies": list,
    "set_cookie_contains": str,
    "no_set_cookie": bool,
    "headers": dict,
    "header_contains": dict,
    "has_headers": list,
    "edited": bool,
    "response_contains": str,
    # A step met by a request in the exploit server's log (lab_contract.exploit), not by a flow.
    "exploit_log": bool,
    "stolen_cookies": list,
    "kept_cookies": list,
}

# The keys a step met by the exploit server's log may hold (path_prefix: the logged request's path).
EXPLOIT_LOG_KEYS = ("exploit_log", "path_prefix", "stolen_cookies", "kept_cookies")

# What a list or a table in a step must hold: each item of a list, each value of a table.
STEP_ITEM_TYPES: dict[str, type] = {
    "path_in": str,
    "cookies": str,
    "cookies_not": str,
    "first_cookie_not": str,
    "has_cookies": str,
    "lacks_cookies": str,
    "cookie_count": int,
    "sets_cookies": str,
    "headers": str,
    "header_contains": str,
    "has_headers": str,
    "stolen_cookies": str,
    "kept_cookies": str,
}

# The fields of an exercise, a page and a challenge: their types, and which are required.
EXERCISE_FIELDS = {
    "id": str,
    "title": str,
    "sheet": str,
    "solution": str,
    "scenario": str,
    "minutes": int,
    "check": dict,
    "page": list,
    "challenge": list,
    "retired": list,
}
PAGE_FIELDS = {"path": str, "does": str, "method": str, "form": dict}
CHALLENGE_FIELDS = {"id": str, "task": str, "hints": list, "laptop_only": bool, "step": list}
# A challenge taken out of the lab ([[exercise.retired]]): never graded again, but a learner who solved it
# keeps the solve, shown as retired. replaced_by names the challenge that asks for it now, if one does.
RETIRED_FIELDS = {"id": str, "task": str, "replaced_by": str}


class BadIndex(Exception):
    """The index cannot be read or breaks a rule; the message says where, `reason` alone says why.
    `missing`: there is no file at all."""

    def __init__(self, message: str, reason: str, missing: bool = False) -> None:
        super().__init__(message)
        self.reason = reason
        self.missing = missing


def _type_problems(where: str, table: Any, fields: dict[str, type]) -> list[str]:
    if not isinstance(table, dict):
        return [f"{where}: must be a table"]
    problems = []
    for key, value in table.items():
        if key not in fields:
            problems.append(f"{where}: unknown key {key!r} (known: {', '.join(fields)})")
        elif not isinstance(value, fields[key]) or (fields[key] is int and isinstance(value, bool)):
            problems.append(f"{where}: {key} must be a {fields[key].__name__}")
    return problems


def _is(value: Any, kind: type) -> bool:
    return isinstance(value, kind) and not (kind is int and isinstance(value, bool))


def step_problems(where: str, step: Any) -> list[str]:
    """Everything wrong with one step (or check): unknown keys, values of the wrong type, items of the wrong type."""
    problems = _type_problems(where, step, STEP_TYPES)
    for key, kind in STEP_ITEM_TYPES.items():
        value = step.get(key) if isinstance(step, dict) else None
        items = value.values() if isinstance(value, dict) else value if isinstance(value, list) else []
        if not all(_is(item, kind) for item in items):
            problems.append(f"{where}: every value in {key} must be a {kind.__name__}")
    if isinstance(step, dict):
        log_keys = [key for key in ("stolen_cookies", "kept_cookies") if key in step]
        if step.get("exploit_log") is True:
            problems += [
                f"{where}: a step met by the exploit server's log may hold only {', '.join(EXPLOIT_LOG_KEYS)}, "
                f"not {key}"
                for key in step
                if key in STEP_TYPES and key not in EXPLOIT_LOG_KEYS
            ]
        elif log_keys:
            problems.append(f"{where}: {', '.join(log_keys)} needs exploit_log = true")
    return problems


def _once(where: str, cid: Any, seen: set[str]) -> list[str]:
    """A challenge id (live or retired) met a second time in the index; a missing id is said elsewhere,
    not counted as one more "?"."""
    if not isinstance(cid, str):
        return []
    if cid in seen:
        return [f"{where}: the id is used twice"]
    seen.add(cid)
    return []


def index_problems(index: dict[str, Any]) -> list[str]:
    """Everything wrong with a parsed exercises.toml, in words a person can act on."""
    problems = [f"unknown top-level key {key!r} (known: exercise)" for key in index if key != "exercise"]
    exercises = index.get("exercise", [])
    if not isinstance(exercises, list):
        return [*problems, "exercise must be a list of [[exercise]] tables"]
    seen: set[str] = set()
    for exercise in exercises:
        eid = exercise.get("id", "?") if isinstance(exercise, dict) else "?"
        found = _type_problems(f"exercise {eid}", exercise, EXERCISE_FIELDS)
        problems += found
        if not isinstance(exercise, dict):
            continue
        if not isinstance(exercise.get("id"), str) or not exercise.get("id"):
            problems.append(f"exercise {eid}: needs a text `id`")
        if isinstance(exercise.get("check"), dict):
            problems += step_problems(f"exercise {eid}, check", exercise["check"])
        for number, page in enumerate(exercise.get("page", []) if isinstance(exercise.get("page"), list) else [], 1):
            where = f"exercise {eid}, page {number}"
            problems += _type_problems(where, page, PAGE_FIELDS)
            if isinstance(page, dict):
                problems += [f"{where}: needs a text `{f}`" for f in ("path", "does") if not page.get(f)]
                if page.get("method", "GET") not in ("GET", "POST"):
                    problems.append(f"{where}: method must be GET or POST")
                form = page.get("form", {})
                if isinstance(form, dict) and not all(isinstance(v, str) for v in form.values()):
                    problems.append(f"{where}: every value in form must be a str")
        challenges = exercise.get("challenge", [])
        for challenge in challenges if isinstance(challenges, list) else []:
            cid = challenge.get("id", "?") if isinstance(challenge, dict) else "?"
            where = f"exercise {eid}, challenge {cid}"
            if not isinstance(challenge, dict):
                problems += _type_problems(where, challenge, CHALLENGE_FIELDS)
                continue
            # id and task: "needs a text ..." below says it for both a missing and a wrong value.
            problems += _type_problems(
                where, {k: v for k, v in challenge.items() if k not in ("id", "task")}, CHALLENGE_FIELDS
            )
            problems += _once(where, challenge.get("id"), seen)
            for field in ("id", "task"):
                if not isinstance(challenge.get(field), str) or not challenge.get(field):
                    problems.append(f"{where}: needs a text `{field}`")
            steps = challenge.get("step", [])
            if not steps:
                problems.append(f"{where}: needs at least one [[...step]]")
            for number, step in enumerate(steps if isinstance(steps, list) else [], 1):
                problems += step_problems(f"{where}, step {number}", step)
        retired = exercise.get("retired", [])
        for entry in retired if isinstance(retired, list) else []:
            rid = entry.get("id", "?") if isinstance(entry, dict) else "?"
            where = f"exercise {eid}, retired challenge {rid}"
            problems += _type_problems(where, entry, RETIRED_FIELDS)
            if not isinstance(entry, dict):
                continue
            problems += _once(where, entry.get("id"), seen)
            problems += [f"{where}: needs a text `{f}`" for f in ("id", "task") if not entry.get(f)]
    replaced = [
        (e.get("id", "?"), r.get("id", "?"), r["replaced_by"])
        for e in exercises
        if isinstance(e, dict) and isinstance(e.get("retired"), list)
        for r in e["retired"]
        if isinstance(r, dict) and isinstance(r.get("replaced_by"), str)
    ]
    live = {c["id"] for c in challenges_of(exercises) if isinstance(c.get("id"), str)}
    problems += [
        f"exercise {eid}, retired challenge {rid}: replaced_by names no challenge: {by!r}"
        for eid, rid, by in replaced
        if by not in live
    ]
    return problems


def challenges_of(exercises: list[Any]) -> list[dict[str, Any]]:
    """Every challenge table of the exercise tables, in order, whatever else is wrong with them."""
    return [
        c
        for e in exercises
        if isinstance(e, dict) and isinstance(e.get("challenge"), list)
        for c in e["challenge"]
        if isinstance(c, dict)
    ]


def load_index(path: str | Path) -> dict[str, Any]:
    """The parsed index, checked; raise BadIndex saying what is wrong."""
    try:
        with open(path, "rb") as file:
            index = tomllib.load(file)
    except FileNotFoundError as exc:
        raise BadIndex(f"cannot read {str(path)!r}: {exc}", str(exc), missing=True) from exc
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise BadIndex(f"cannot read {str(path)!r}: {exc}", str(exc)) from exc
    problems = "; ".join(index_problems(index))
    if problems:
        raise BadIndex(f"{path}: {problems}", problems)
    return index


def exercises(index: dict[str, Any]) -> list[dict[str, Any]]:
    return index.get("exercise", [])


def challenges(index: dict[str, Any]) -> list[dict[str, Any]]:
    """Every challenge of the index, in order."""
    return [c for exercise in exercises(index) for c in exercise.get("challenge", [])]


def retired(index: dict[str, Any]) -> list[dict[str, Any]]:
    """Every retired challenge of the index, in order, each with its exercise's id as "exercise"."""
    return [{**r, "exercise": e["id"]} for e in exercises(index) for r in e.get("retired", [])]
