"""Docs and code kept together: the exercise index, the sheets, the solutions, the scenarios, the containers."""

import os
import re
import shutil
import subprocess

import pytest
from cookie_client import scenarios
from helpers import exercises
from local_lab import LAB, ROOT, SERVICES
from ruamel.yaml import YAML
from sheets import SHEET_SECTIONS, sheet_expectations, sheet_sections
from tiers import must_run

EXERCISES = exercises()
IDS = [e["id"] for e in EXERCISES]


def test_exercises_are_numbered_in_order():
    assert IDS == [f"{n:02d}" for n in range(1, len(IDS) + 1)]


@pytest.mark.parametrize("exercise", EXERCISES, ids=IDS)
def test_every_exercise_has_its_sheet_solution_and_scenario(exercise):
    sheet = LAB / exercise["sheet"]
    assert sheet.name.startswith(exercise["id"] + "-")
    assert sheet_sections(sheet.read_text(encoding="utf-8")) == SHEET_SECTIONS
    solution = LAB / exercise["solution"]
    assert solution.parent.name == "solutions" and solution.read_text(encoding="utf-8").strip()
    assert exercise["scenario"] in scenarios.names()
    assert exercise["minutes"] > 0
    assert {"path", "status"} <= exercise["check"].keys()
    assert exercise["check"].keys() & {"header_contains", "set_cookie_contains"}


@pytest.mark.parametrize("exercise", EXERCISES, ids=IDS)
def test_every_sheet_runs_its_scenario_and_shows_its_output(exercise):
    text = (LAB / exercise["sheet"]).read_text(encoding="utf-8")
    command = f"docker compose run --rm client {exercise['scenario']}"
    assert f"```sh\n   {command}\n   ```" in text
    assert command in [c for c, _ in sheet_expectations(text)]
    # Every client command in the sheet names a scenario that exists.
    for name in re.findall(r"docker compose run --rm client (\w+)", text):
        assert name in scenarios.names() or name in ("progress", "hint")


def test_every_scenario_is_in_a_sheet():
    assert sorted(e["scenario"] for e in EXERCISES) == sorted(scenarios.names())


def test_the_index_lists_every_sheet():
    index = (LAB / "README.md").read_text(encoding="utf-8")
    for exercise in EXERCISES:
        assert f"]({exercise['sheet']})" in index


def test_sheet_01_keeps_the_seeds_key_moments_and_quiz():
    text = (LAB / "01-seed.md").read_text(encoding="utf-8")
    assert "### Key moments" in text
    questions = text.split("\n## Questions\n", 1)[1].split("\n## ", 1)[0]
    assert len(re.findall(r"^\d\. ", questions, re.MULTILINE)) == 3


def test_two_sheets_have_the_learner_intercept_edit_resume_and_replay_in_mitmweb():
    words = ("~q", "**Intercept**", "**Edit**", "**Resume**", "**Replay**")
    acting = [e["sheet"] for e in EXERCISES if all(w in (LAB / e["sheet"]).read_text(encoding="utf-8") for w in words)]
    assert len(acting) >= 2, acting


def test_solutions_live_apart_from_the_sheets():
    assert {p.name for p in (LAB / "solutions").iterdir()} == {
        e["solution"].removeprefix("solutions/") for e in EXERCISES
    }
    for sheet in LAB.glob("[0-9][0-9]-*.md"):
        assert "## Solution" not in sheet.read_text(encoding="utf-8")


# One folder per container, each with its Dockerfile.
SERVICE_NAMES = sorted(p.parent.name for p in SERVICES.glob("*/Dockerfile"))


@pytest.mark.parametrize("service", SERVICE_NAMES)
def test_every_dockerfile_runs_as_a_non_root_user(service):
    dockerfile = (SERVICES / service / "Dockerfile").read_text(encoding="utf-8")
    users = re.findall(r"^USER (\S+)", dockerfile, re.MULTILINE)
    assert users and users[-1] not in ("root", "0")
    assert re.search(r"^ARG PYTHON_IMAGE=python:3\.13-slim$", dockerfile, re.MULTILINE)


BIN = ROOT / ".venv" / "bin"


@pytest.mark.parametrize("service", SERVICE_NAMES)
def test_dockerfile_passes_hadolint(service):
    proc = subprocess.run(
        [str(BIN / "hadolint"), "--no-color", str(SERVICES / service / "Dockerfile")],
        check=False,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0 and proc.stdout == "", proc.stdout


def test_compose_file_passes_compose_lint():
    proc = subprocess.run(
        [str(BIN / "compose-lint"), "docker-compose.yml"],
        check=False,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stdout
    # The one exception is the lab's public mitmweb login, and it is justified in .compose-lint.yml.
    assert "0 issues" in proc.stdout and "1 suppressed" in proc.stdout


def test_compose_file_passes_docker_compose_config():
    if not shutil.which("docker"):
        # Docker is the compose tier's need: required there (or under CI), this fails rather than skips.
        must_run("LAB_REQUIRE_COMPOSE", "docker is not installed")
    proc = subprocess.run(
        ["docker", "compose", "config", "-q"], check=False, cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 0, proc.stderr


def test_compose_file_parses_and_points_at_real_paths():
    compose = YAML(typ="safe").load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    # The progress board runs the client's image with another command.
    assert (
        set(compose["services"]) == set(SERVICE_NAMES) | {"progress"} == {"app", "proxy", "site", "client", "progress"}
    )
    assert compose["services"]["progress"]["build"] == compose["services"]["client"]["build"]
    for service in compose["services"].values():
        # Every image builds from the repository's root, each with its own Dockerfile.
        assert service["build"]["context"] == "."
        assert (ROOT / service["build"]["dockerfile"]).is_file()
        for port in service.get("ports", []):
            assert port.startswith("127.0.0.1:")


def test_the_lab_validator_accepts_the_index_and_the_grader_knows_every_step_key():
    import lab_contract
    import lab_grader

    assert lab_contract.index_problems(lab_contract.load_index(LAB / "exercises.toml")) == []
    # One step language: the grader gives each key of the index's language its meaning, in its order.
    # (A step met by the exploit server's log has keys of its own, judged by Grader.entry_met.)
    assert [*lab_grader.CHECKS, *lab_grader.LOG_STEP_KEYS] == list(lab_contract.STEP_TYPES)
    assert {*lab_grader.LOG_STEP_KEYS, "path_prefix"} == set(lab_contract.index.EXPLOIT_LOG_KEYS)
    # The grader judges a step's keys cheap ones first: every key once, none left out.
    assert sorted(lab_grader.JUDGED_ORDER) == sorted(lab_grader.CHECKS)


@pytest.mark.parametrize("exercise", EXERCISES, ids=IDS)
def test_every_exercise_has_one_to_three_challenges_with_hints(exercise):
    challenges = exercise["challenge"]
    assert 1 <= len(challenges) <= 3
    for challenge in challenges:
        assert challenge["id"].startswith(exercise["id"] + "-")
        assert "\n" not in challenge["task"] and len(challenge["task"]) <= 160
        assert 2 <= len(challenge["hints"]) <= 3


@pytest.mark.parametrize("exercise", EXERCISES, ids=IDS)
def test_sheet_check_names_its_challenges_and_the_progress_command(exercise):
    check = (LAB / exercise["sheet"]).read_text(encoding="utf-8").split("\n## Check\n", 1)[1]
    for challenge in exercise["challenge"]:
        assert f"- `{challenge['id']}`: {challenge['task']}" in check
    assert "docker compose run --rm client progress" in check


@pytest.mark.parametrize("exercise", EXERCISES, ids=IDS)
def test_solution_says_how_each_challenge_is_solved(exercise):
    solution = (LAB / exercise["solution"]).read_text(encoding="utf-8")
    section = solution.split("\n## Challenges\n", 1)[1]
    for challenge in exercise["challenge"]:
        assert f"- `{challenge['id']}`: " in section


def test_the_safari_override_publishes_the_second_site_and_board_on_ipv6_loopback_only():
    override = YAML(typ="safe").load((ROOT / "docker-compose.safari.yml").read_text(encoding="utf-8"))
    assert set(override["services"]) == {"site", "progress"}
    for service in override["services"].values():
        assert [port.split("]:")[0] for port in service["ports"]] == ["[::1"]
    assert "docker compose -f docker-compose.yml -f docker-compose.safari.yml up" in (ROOT / "README.md").read_text(
        encoding="utf-8"
    )


def test_the_build_context_sends_only_what_the_dockerfiles_copy():
    """Images build from the root: .dockerignore keeps .venv, .git and the rest out of every build."""
    rules = [
        line for line in (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines() if line and line[0] != "#"
    ]
    assert rules[0] == "*"
    assert set(rules) >= {"!contract/lab_contract/", "!lab/exercises.toml", "!services/"}
    # The guide (the client's image) takes the sheets and their solutions too.
    sheets = ("lab/*.md", "lab/solutions/") if "!lab/*.md" in rules and "!lab/solutions/" in rules else ()
    for service in SERVICE_NAMES:
        for line in (SERVICES / service / "Dockerfile").read_text(encoding="utf-8").splitlines():
            if line.startswith("COPY "):
                for source in line.split()[1:-1]:
                    allowed = ("services/" + service + "/", "contract/lab_contract/", "lab/exercises.toml")
                    assert source.startswith(allowed + (sheets if service == "client" else ())), line
                    assert list(ROOT.glob(source)), line


def test_the_offline_base_says_it_needs_root_where_there_is_no_sudo(tmp_path):
    """README, Without Docker Hub: scripts/build-images asks sudo for root itself, and where there is no
    sudo (a root shell is the usual case there) a user who is not root is told plainly."""
    tools = tmp_path / "bin"
    tools.mkdir()
    # What the script reaches before the check: bash, a user who is not root, no image yet, and no sudo.
    (tools / "bash").symlink_to(shutil.which("bash"))
    (tools / "id").write_text("#!/bin/sh\necho 1000\n")
    (tools / "docker").write_text("#!/bin/sh\nexit 1\n")
    for tool in ("id", "docker"):
        (tools / tool).chmod(0o755)
    proc = subprocess.run(
        [str(tools / "bash"), str(ROOT / "scripts" / "offline-base"), "x"],
        check=False,
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": str(tools)},
        stdin=subprocess.DEVNULL,
    )
    assert proc.returncode == 1
    assert proc.stderr.strip().splitlines()[-1] == (
        "offline-base: debootstrap needs root, and there is no sudo here: run scripts/build-images as root"
    )


def test_the_offline_base_exits_0_when_it_has_built_the_base(tmp_path):
    """scripts/build-images goes on to the wheelhouses only if the stand-in base's script exits 0 after a
    build. Its clean-up (the EXIT trap) once failed under set -e, because debootstrap had already ended:
    the base was built, and the whole build stopped with status 1 and no message."""
    tools = tmp_path / "bin"
    tools.mkdir()
    stubs = {
        "id": "echo 0",
        # debootstrap [options] SUITE ROOT MIRROR: a root with the one folder the script edits.
        "debootstrap": 'mkdir -p "$4/usr/lib/python3.13"; echo "I: Retrieving stub"',
        "docker": 'case "$1" in inspect|image) exit 1;; import) cat >/dev/null;; run) echo "Python 3.13.5";; esac',
    }
    for name, body in stubs.items():
        (tools / name).write_text(f"#!/bin/sh\n{body}\n")
        (tools / name).chmod(0o755)
    proc = subprocess.run(
        ["bash", str(ROOT / "scripts" / "offline-base"), "stub/python:base"],
        check=False,
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": f"{tools}:{os.environ['PATH']}"},
        stdin=subprocess.DEVNULL,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.splitlines()[-1] == "offline-base: built stub/python:base (Python 3.13.5)"
