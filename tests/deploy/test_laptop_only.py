"""Challenges that a class on a cluster cannot solve, said the same way in the three places that say it:
`laptop_only = true` in lab/exercises.toml, ` (laptop only)` at the end of the challenge's bullet in
its sheet's Check section (and `**Laptop only.**` under the title of a sheet that is so as a whole),
and the table of docs/CLASSROOM.md that the instructor reads before the class."""

import re

import pytest
from helpers import exercises
from local_lab import LAB, ROOT

MARK = " (laptop only)"
SHEET_MARK = "**Laptop only.**"
CLASSROOM = ROOT / "docs" / "CLASSROOM.md"
# The instructor's table: one row per laptop-only challenge, with its sheet.
TABLE_HEADER = ["challenge", "sheet", "why not on a cluster"]
BULLET = re.compile(r"^- `([^`]+)`: (.*)$")

EXERCISES = exercises()
LAPTOP_ONLY = {c["id"]: e["sheet"] for e in EXERCISES for c in e["challenge"] if c.get("laptop_only")}


def check_bullets(sheet: str) -> dict[str, str]:
    """Each challenge bullet of a sheet's Check section: id -> its text, continuation lines joined."""
    section = (LAB / sheet).read_text(encoding="utf-8").split("\n## Check\n", 1)[1].split("\n## ", 1)[0]
    bullets: dict[str, str] = {}
    current = None
    for line in section.splitlines():
        match = BULLET.match(line)
        if match:
            current = match.group(1)
            bullets[current] = match.group(2).rstrip()
        elif current and line.startswith("  ") and line.strip():
            bullets[current] += " " + line.strip()
        else:
            current = None
    return bullets


def marked_as_a_whole(sheet: str) -> bool:
    """The sheet's first line under its title starts with the mark."""
    lines = [line for line in (LAB / sheet).read_text(encoding="utf-8").splitlines() if line.strip()]
    return lines[0].startswith("# ") and len(lines) > 1 and lines[1].startswith(SHEET_MARK)


def classroom_table() -> dict[str, str]:
    """docs/CLASSROOM.md's laptop-only table: challenge id -> the sheet's file, both written in backticks."""
    rows, in_table = {}, False
    for line in CLASSROOM.read_text(encoding="utf-8").splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")] if line.startswith("|") else None
        if cells == TABLE_HEADER:
            in_table = True
        elif cells is None:
            in_table = False
        elif in_table and not set(cells[0]) <= set("-: "):
            rows[cells[0].strip("`")] = cells[1].strip("`").removeprefix("lab/")
    return rows


def test_some_challenges_are_laptop_only():
    """Sheets 06, 09 and 11 have challenges a cluster cannot serve: the index must say which."""
    assert LAPTOP_ONLY, "no challenge in lab/exercises.toml has laptop_only = true"


def test_laptop_only_is_a_boolean_when_given():
    for exercise in EXERCISES:
        for challenge in exercise["challenge"]:
            assert isinstance(challenge.get("laptop_only", False), bool), challenge["id"]


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda e: e["id"])
def test_the_sheet_marks_exactly_the_laptop_only_challenges(exercise):
    bullets = check_bullets(exercise["sheet"])
    for challenge in exercise["challenge"]:
        assert challenge["id"] in bullets, f"{exercise['sheet']}: no Check bullet for {challenge['id']}"
        marked = bullets[challenge["id"]].endswith(MARK)
        assert marked == bool(challenge.get("laptop_only")), (exercise["sheet"], challenge["id"])
    # A marked bullet names a challenge of this sheet's exercise, which the loop above has seen.
    unknown = {cid for cid, text in bullets.items() if text.endswith(MARK)} - {c["id"] for c in exercise["challenge"]}
    assert not unknown, f"{exercise['sheet']}: marked bullets for no challenge of its own: {unknown}"


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda e: e["id"])
def test_a_sheet_marked_as_a_whole_has_only_laptop_only_challenges(exercise):
    text = (LAB / exercise["sheet"]).read_text(encoding="utf-8")
    if marked_as_a_whole(exercise["sheet"]):
        assert all(c.get("laptop_only") for c in exercise["challenge"]), exercise["sheet"]
    else:
        assert SHEET_MARK not in text, f"{exercise['sheet']}: {SHEET_MARK} belongs right under the title"


def test_the_classroom_guide_names_every_laptop_only_challenge_and_its_sheet():
    table = classroom_table()
    assert table, f"docs/CLASSROOM.md has no table headed {' | '.join(TABLE_HEADER)}"
    assert table == LAPTOP_ONLY
    # A sheet that is laptop only as a whole is said to be so, in one paragraph with its file's name.
    paragraphs = [" ".join(p.split()) for p in CLASSROOM.read_text(encoding="utf-8").split("\n\n")]
    for exercise in EXERCISES:
        if marked_as_a_whole(exercise["sheet"]):
            assert any(f"`lab/{exercise['sheet']}`" in p and "laptop only as a whole" in p for p in paragraphs), (
                exercise["sheet"]
            )
