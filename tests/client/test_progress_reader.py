"""The progress reader's rules, row by row: which challenges a capture file shows solved, when, by which flow, and what comes next."""

import json

import pytest
from cookie_client import progress

# Each challenge has the one step the lab's validator asks for; progress never reads steps.
INDEX = """
[[exercise]]
id = "01"
[[exercise.challenge]]
id = "01-a"
task = "Do a."
hints = ["a, vaguely", "a, precisely"]
step = [{ path = "/a" }]
[[exercise.challenge]]
id = "01-b"
task = "Do b."
step = [{ path = "/b" }]

[[exercise]]
id = "02"
title = "An exercise with nothing to solve"

[[exercise]]
id = "03"
[[exercise.challenge]]
id = "03-c"
task = "Do c."
hints = []
step = [{ path = "/c" }]
"""


@pytest.fixture
def index(tmp_path):
    path = tmp_path / "exercises.toml"
    path.write_text(INDEX, encoding="utf-8")
    return path


def capture(tmp_path, *lines):
    path = tmp_path / "cookies.jsonl"
    path.write_text(
        "".join((line if isinstance(line, str) else json.dumps(line)) + "\n" for line in lines), encoding="utf-8"
    )
    return path


def row(exercise, challenge, task, when=None, flow_id=None, solved=None):
    return {
        "exercise": exercise,
        "challenge": challenge,
        "task": task,
        "solved": bool(when) if solved is None else solved,
        "when": when,
        "flow_id": flow_id,
    }


def test_the_report_lists_every_challenge_with_the_flow_that_first_solved_it(tmp_path, index):
    path = capture(
        tmp_path,
        {"time": "2026-11-29T10:00:00.000+00:00", "flow_id": "f1", "solved": []},
        {"time": "2026-11-29T10:01:00.000+00:00", "flow_id": "f2", "solved": ["03-c"]},
        {"time": "2026-11-29T10:02:00.000+00:00", "flow_id": "f3", "solved": ["01-a", "03-c"]},
    )
    assert progress.report(path, index) == {
        "captures": str(path),
        "solved": 2,
        "total": 3,
        "challenges": [
            row("01", "01-a", "Do a.", "2026-11-29T10:02:00.000+00:00", "f3"),
            row("01", "01-b", "Do b."),
            row("03", "03-c", "Do c.", "2026-11-29T10:01:00.000+00:00", "f2"),
        ],
        "next": {"challenge": "01-b", "hint": "(no hint)"},
        "unreadable_lines": 0,
    }


def test_the_next_hint_is_the_first_unsolved_challenges_first(tmp_path, index):
    data = progress.report(tmp_path / "none.jsonl", index)
    assert (data["solved"], data["total"], data["unreadable_lines"]) == (0, 3, 0)
    assert data["next"] == {"challenge": "01-a", "hint": "a, vaguely"}
    assert [r["solved"] for r in data["challenges"]] == [False, False, False]


def test_an_empty_hint_list_says_so_and_all_solved_has_no_next(tmp_path, index):
    path = capture(tmp_path, {"solved": ["01-a", "01-b"]})
    assert progress.report(path, index)["next"] == {"challenge": "03-c", "hint": "(no hint)"}
    path = capture(tmp_path, {"solved": ["01-a", "01-b", "03-c"]})
    data = progress.report(path, index)
    assert data["next"] is None and data["solved"] == data["total"] == 3


def test_a_solving_record_without_time_or_flow_still_counts(tmp_path, index):
    path = capture(tmp_path, {"solved": ["01-b"]})
    assert progress.report(path, index)["challenges"][1] == row("01", "01-b", "Do b.", solved=True)


def test_lines_that_are_not_records_are_counted_and_skipped(tmp_path):
    path = capture(
        tmp_path,
        '{"solved": [',  # a half line from a crash
        "",
        "[1, 2]",
        '"text"',
        {"solved": "01-a"},  # not a list: read, solves nothing
        {"solved": None},
        {"flow_id": "f1"},
        {"flow_id": "f2", "solved": ["01-a", 7]},
    )
    first, unreadable = progress.solved_flows(path)
    assert first == {"01-a": {"flow_id": "f2", "solved": ["01-a", 7]}, "7": {"flow_id": "f2", "solved": ["01-a", 7]}}
    assert unreadable == 4


def test_bytes_that_are_not_ascii_spoil_no_record(tmp_path):
    path = tmp_path / "cookies.jsonl"
    path.write_bytes(b'{"flow_id": "caf\xc3\xa9", "solved": ["01-a"]}\n')
    first, unreadable = progress.solved_flows(path)
    assert list(first) == ["01-a"] and unreadable == 0


def test_no_capture_file_yet_is_nothing_solved(tmp_path):
    assert progress.solved_flows(tmp_path / "none.jsonl") == ({}, 0)


def test_an_unreadable_capture_file_is_a_clear_error(tmp_path):
    with pytest.raises(
        progress.ProgressError, match=rf"^cannot read the capture file {tmp_path}: \[Errno 21\] Is a directory"
    ):
        progress.solved_flows(tmp_path)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (None, "no exercise index at {path} (give one with --exercises PATH)"),
        ("[[exercise]\n", "cannot read the exercise index {path}: Expected ']]' at the end of an array declaration"),
        (
            'title = "no exercises"\n',
            "cannot read the exercise index {path}: unknown top-level key 'title' (known: exercise)",
        ),
    ],
)
def test_a_missing_or_broken_index_is_a_clear_error(tmp_path, text, message):
    path = tmp_path / "exercises.toml"
    if text is not None:
        path.write_text(text, encoding="utf-8")
    with pytest.raises(progress.ProgressError) as error:
        progress.load_exercises(path)
    assert str(error.value).startswith(message.format(path=path))


def test_an_index_that_is_a_directory_is_a_clear_error(tmp_path):
    with pytest.raises(progress.ProgressError, match=rf"^cannot read the exercise index {tmp_path}: \[Errno 21\]"):
        progress.load_exercises(tmp_path)


@pytest.mark.parametrize(
    ("time", "shown"),
    [
        ("2026-11-29T19:19:59.123+00:00", "2026-11-29 19:19:59"),
        (None, ""),
        ("", ""),
    ],
)
def test_a_records_time_reads_as_a_person_reads_it(time, shown):
    assert progress.readable_time(time) == shown


@pytest.mark.parametrize(
    ("challenge", "level", "hints"),
    [
        ("01-a", 1, ["a, vaguely"]),
        ("01-a", 2, ["a, vaguely", "a, precisely"]),
        ("01-a", 9, ["a, vaguely", "a, precisely"]),
        # Asking for none still gives the first.
        ("01-a", 0, ["a, vaguely"]),
        ("01-b", 1, []),
        ("03-c", 1, []),
    ],
)
def test_hints_go_up_to_the_level_asked(index, challenge, level, hints):
    assert progress.hints(index, challenge, level) == hints


def test_an_unknown_challenge_names_every_known_one(index):
    with pytest.raises(progress.ProgressError) as error:
        progress.hints(index, "99-nope", 1)
    assert str(error.value) == "no challenge '99-nope'; known challenges: 01-a, 01-b, 03-c"


def test_a_row_is_what_the_board_and_json_show():
    assert progress.Row("01", "01-a", "Do a.", True, "t", "f").to_dict() == row("01", "01-a", "Do a.", "t", "f")


def test_an_index_without_exercises_is_a_clear_error_not_all_solved(tmp_path):
    path = tmp_path / "exercises.toml"
    path.write_text("# nothing yet\n", encoding="utf-8")
    with pytest.raises(progress.ProgressError) as error:
        progress.report(tmp_path / "none.jsonl", path)
    assert str(error.value) == f"the exercise index {path} lists no exercise (give the lab's with --exercises PATH)"
