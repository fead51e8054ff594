"""The one validator of the exercise index, and loading it with errors that say where and why."""

import lab_contract
import pytest
from lab_contract import BadIndex, index_problems, load_index
from local_lab import LAB


def test_the_labs_own_index_loads_with_every_exercise_page_and_challenge():
    index = load_index(LAB / "exercises.toml")
    exercises = lab_contract.exercises(index)
    assert [e["id"] for e in exercises] == [f"{n:02}" for n in range(1, len(exercises) + 1)]
    assert all(e["page"] for e in exercises)  # the start page has something to list for every sheet
    assert len(lab_contract.challenges(index)) == sum(len(e.get("challenge", [])) for e in exercises)


@pytest.mark.parametrize(
    ("index", "problems"),
    [
        ({"title": "x"}, ["unknown top-level key 'title' (known: exercise)"]),
        ({"exercise": {"id": "01"}}, ["exercise must be a list of [[exercise]] tables"]),
        ({"exercise": [{"id": "01", "minutes": "ten"}]}, ["exercise 01: minutes must be a int"]),
        (
            {"exercise": [{"id": "01", "sheeet": "01.md"}]},
            [
                (
                    "exercise 01: unknown key 'sheeet' (known: id, title, "
                    "sheet, solution, scenario, minutes, check, page, challenge, retired)"
                )
            ],
        ),
        # A check speaks the steps' language.
        (
            {"exercise": [{"id": "01", "check": {"request_cookie": "a"}}]},
            ["exercise 01, check: unknown key 'request_cookie' (known: " + ", ".join(lab_contract.STEP_TYPES) + ")"],
        ),
        ({"exercise": [{"id": "01", "check": {"status": "200"}}]}, ["exercise 01, check: status must be a int"]),
        ({"exercise": [{"id": "01", "page": [{"path": "/"}]}]}, ["exercise 01, page 1: needs a text `does`"]),
        (
            {"exercise": [{"id": "01", "page": [{"path": "/", "does": "d", "method": "PUT"}]}]},
            ["exercise 01, page 1: method must be GET or POST"],
        ),
        (
            {"exercise": [{"id": "01", "page": [{"path": "/", "does": "d", "form": ["user"]}]}]},
            ["exercise 01, page 1: form must be a dict"],
        ),
        (
            {"exercise": [{"id": "01", "challenge": [{"id": "x", "task": "t", "step": [{}], "hint": ["h"]}]}]},
            ["exercise 01, challenge x: unknown key 'hint' (known: id, task, hints, laptop_only, step)"],
        ),
        ({"exercise": [{"title": "t"}]}, ["exercise ?: needs a text `id`"]),
        ({"exercise": [{"id": 1}]}, ["exercise 1: id must be a str", "exercise 1: needs a text `id`"]),
        # Lists and tables in a step hold what the grader compares with.
        (
            {"exercise": [{"id": "01", "check": {"has_headers": [3]}}]},
            ["exercise 01, check: every value in has_headers must be a str"],
        ),
        (
            {"exercise": [{"id": "01", "check": {"cookie_count": {"a": "1"}}}]},
            ["exercise 01, check: every value in cookie_count must be a int"],
        ),
        (
            {"exercise": [{"id": "01", "check": {"cookie_count": {"a": True}}}]},
            ["exercise 01, check: every value in cookie_count must be a int"],
        ),
        (
            {"exercise": [{"id": "01", "page": [{"path": "/", "does": "d", "form": {"user": 1}}]}]},
            ["exercise 01, page 1: every value in form must be a str"],
        ),
        # A challenge id that is no text is named, never a crash.
        (
            {"exercise": [{"id": "01", "challenge": [{"id": ["x"], "task": "t", "step": [{}]}]}]},
            ["exercise 01, challenge ['x']: needs a text `id`"],
        ),
    ],
)
def test_every_problem_is_named_where_it_is(index, problems):
    assert index_problems(index) == problems


def test_loading_says_what_is_wrong_and_where(tmp_path):
    path = tmp_path / "exercises.toml"
    with pytest.raises(BadIndex) as missing:
        load_index(path)
    assert missing.value.missing and str(missing.value).startswith(f"cannot read '{path}': [Errno 2]")
    path.write_text("[[exercise]\n", encoding="utf-8")
    with pytest.raises(BadIndex) as broken:
        load_index(path)
    assert not broken.value.missing and "Expected ']]'" in broken.value.reason
    path.write_text('[[exercise]]\nid = "01"\nminutes = "ten"\n', encoding="utf-8")
    with pytest.raises(BadIndex) as wrong:
        load_index(path)
    assert str(wrong.value) == f"{path}: exercise 01: minutes must be a int"
    assert wrong.value.reason == "exercise 01: minutes must be a int"


@pytest.mark.parametrize(
    ("retired", "problems"),
    [
        ([{"id": "01-old", "task": "Did a.", "replaced_by": "01-a"}], []),
        ([{"id": "01-a", "task": "Did a."}], ["exercise 01, retired challenge 01-a: the id is used twice"]),
        ([{"id": "01-old"}], ["exercise 01, retired challenge 01-old: needs a text `task`"]),
        (
            [{"id": "01-old", "task": "t", "replaced_by": "01-nope"}],
            ["exercise 01, retired challenge 01-old: replaced_by names no challenge: '01-nope'"],
        ),
        (
            [{"id": "01-old", "task": "t", "step": []}],
            ["exercise 01, retired challenge 01-old: unknown key 'step' (known: id, task, replaced_by)"],
        ),
    ],
)
def test_a_retired_challenge_keeps_its_id_to_itself_and_names_a_live_successor(retired, problems):
    live = {"id": "01-a", "task": "Do a.", "step": [{"path": "/"}]}
    index = {"exercise": [{"id": "01", "challenge": [live], "retired": retired}]}
    assert lab_contract.index_problems(index) == problems
    if not problems:
        assert lab_contract.retired(index) == [{**retired[0], "exercise": "01"}]
        assert lab_contract.challenges(index) == [live]


def test_every_problem_of_a_badly_broken_index_is_named_in_order_and_none_stops_the_others():
    """One index with a problem at every level, and the exercises and entries after each: every problem is
    reported (none replaces an earlier one, none stops the check of what follows), each named where it is."""
    index = {
        "exercise": [
            "not a table",
            {
                "id": "01",
                "check": {"bogus": 1},
                "page": ["not a table", {"path": "/"}],
                "challenge": ["not a table", {"id": "01-a", "task": "t"}],
                "retired": ["not a table", {"id": "01-r"}, {"task": "t"}, {"id": "01-r", "task": "t"}],
            },
            {"id": "02", "challenge": "not a list", "retired": "not a list", "page": "not a list"},
            {"id": "03", "challenge": [{"id": "01-r", "task": "t", "step": "not a list"}]},
            {"id": "04", "challenge": [{"id": "04-a", "task": "t", "step": ["not a table"]}]},
            {"retired": [{"task": "t", "replaced_by": "nowhere"}]},
        ]
    }
    assert index_problems(index) == [
        "exercise ?: must be a table",
        ("exercise 01, check: unknown key 'bogus' (known: " + ", ".join(lab_contract.STEP_TYPES) + ")"),
        "exercise 01, page 1: must be a table",
        "exercise 01, page 2: needs a text `does`",
        "exercise 01, challenge ?: must be a table",
        "exercise 01, challenge 01-a: needs at least one [[...step]]",
        "exercise 01, retired challenge ?: must be a table",
        "exercise 01, retired challenge 01-r: needs a text `task`",
        "exercise 01, retired challenge ?: needs a text `id`",
        "exercise 01, retired challenge 01-r: the id is used twice",
        "exercise 02: challenge must be a list",
        "exercise 02: retired must be a list",
        "exercise 02: page must be a list",
        "exercise 03, challenge 01-r: step must be a list",
        "exercise 03, challenge 01-r: the id is used twice",
        "exercise 04, challenge 04-a, step 1: must be a table",
        "exercise ?: needs a text `id`",
        "exercise ?, retired challenge ?: needs a text `id`",
        "exercise ?, retired challenge ?: replaced_by names no challenge: 'nowhere'",
    ]


def test_an_exercise_without_challenges_has_none_and_a_missing_index_says_why(tmp_path):
    assert lab_contract.challenges({"exercise": [{"id": "01"}]}) == []
    assert lab_contract.retired({"exercise": [{"id": "01"}]}) == []
    with pytest.raises(BadIndex) as missing:
        load_index(tmp_path / "none.toml")
    assert missing.value.missing and "No such file or directory" in missing.value.reason
