"""Every sheet's commands run against the real stack, their output compared with the sheet's Expected result."""

import shlex
import shutil
import subprocess

import lab_grader
import pytest
import requests
from helpers import exercises
from local_lab import LAB, PASSWORD, running_stack, wait_until
from mitmweb import MitmwebUI
from sheets import matches_expected, sheet_commands, sheet_expectations
from stack_support import intercept_edit_resume

pytestmark = pytest.mark.stack

CLIENT = ["docker", "compose", "run", "--rm", "client"]
CASES = [
    pytest.param(command, expected, id=f"{exercise['id']}: {command}")
    for exercise in exercises()
    for command, expected in sheet_expectations((LAB / exercise["sheet"]).read_text(encoding="utf-8"))
]


def run_sheet_command(stack, command: str) -> subprocess.CompletedProcess:
    """Run a sheet's command as the learner would, aimed at this stack instead of the compose ports."""
    args = shlex.split(command)
    if args[: len(CLIENT)] == CLIENT:
        return stack.client(*args[len(CLIENT) :])
    if args[0] == "curl":
        curl = shutil.which("curl")
        assert curl, "curl is not installed (scripts/test installs it)"
        args = [a.replace("127.0.0.1:8080", f"127.0.0.1:{stack.proxy_port}") for a in args[1:]]
        return subprocess.run(
            [curl, "--max-time", "20", *args], check=False, capture_output=True, text=True, timeout=30
        )
    assert "docker" not in args, f"the stack tier has no way to run {command!r}"
    # A local command, such as decoding base64.
    return subprocess.run(["bash", "-c", command], check=False, capture_output=True, text=True, timeout=30)


@pytest.mark.parametrize(("command", "expected"), CASES)
def test_sheet_command_prints_its_expected_result(stack, command, expected):
    proc = run_sheet_command(stack, command)
    assert proc.returncode == 0, proc.stderr
    assert matches_expected(expected, proc.stdout), f"{command} printed:\n{proc.stdout}\nexpected:\n{expected}"


@pytest.mark.parametrize("exercise", exercises(), ids=lambda e: e["id"])
def test_exercise_check_is_met_by_its_scenario(stack, exercise):
    """The check is a step of the challenges' language, judged by the grader's own code on mitmweb's real flows."""
    before = len(stack.records())
    proc = stack.client(exercise["scenario"], "--json")
    assert proc.returncode == 0, proc.stderr
    ids = {record["flow_id"] for record in stack.records()[before:]}
    ui = MitmwebUI(stack.web_port, PASSWORD)
    try:
        flows = [flow for flow in ui.dump() if flow.id in ids]
    finally:
        ui.close()
    assert len(flows) == len(ids)
    met = [flow.request.path for flow in flows if lab_grader.step_met(exercise["check"], flow)]
    assert met, exercise["check"]
    # The same check on the scenario's other flows: it names one kind of flow, not every one.
    assert len(met) < len(flows) or len(flows) == 1, met


def test_every_sheets_commands_as_written_solve_no_challenge(tmp_path):
    """A challenge asks for what the Steps do not do: every command of every sheet, run as written (the
    scripted client, curl, local commands) on a stack of its own, leaves every challenge unsolved. The
    browser Steps are run likewise in the browser tier (test_steps_solve_nothing.py)."""
    with running_stack(tmp_path) as stack:
        ran = 0
        for exercise in exercises():
            for command in sheet_commands((LAB / exercise["sheet"]).read_text(encoding="utf-8")):
                args = shlex.split(command)
                # What reads the learner's own progress or the proxy's files, not traffic.
                if args[:1] == ["docker"] and args[: len(CLIENT)] != CLIENT:
                    continue
                if args[len(CLIENT) : len(CLIENT) + 1] in (["progress"], ["hint"]):
                    continue
                run_sheet_command(stack, command)
                ran += 1
        assert ran > 10
        solved = sorted({cid for record in stack.records() for cid in record["solved"]})
        assert solved == [], f"the sheets' own commands solve {solved}"


def test_the_mitmweb_steps_of_sheets_07_and_08_solve_no_challenge(tmp_path):
    """Sheet 07's Steps 3 and 4 and sheet 08's Steps 3 and 4, done through the REST calls mitmweb's UI
    makes, on a stack of their own: they show how to forge a request in mitmweb, and solve nothing."""
    with running_stack(tmp_path) as stack:
        ui = MitmwebUI(stack.web_port, PASSWORD)
        try:
            # Sheet 07: log in (the start page's form), forge the payload in mitmweb, replay the original.
            login = requests.post(f"{stack.target}/session/login", data={"user": "alice"}, timeout=10)
            session = login.cookies["session"]
            forged = "eyJ1c2VyIjoiYWRtaW4ifQ." + session.split(".", 1)[1]
            intercept_edit_resume(stack, ui, "/session/whoami", f"session={session}", f"session={forged}")
            ui.call("PUT", "/options", json={"intercept": ""})
            original = requests.get(
                f"{stack.target}/session/whoami", headers={"Cookie": f"session={session}"}, timeout=10
            )
            assert original.text == "session user: alice"
            # Sheet 08: the seed page, then /inspect held and edited, then replayed.
            requests.get(f"{stack.target}/", timeout=10)
            _, flow = intercept_edit_resume(stack, ui, "/inspect", "username=Alice", "username=Mallory")
            ui.call("PUT", "/options", json={"intercept": ""})
            ui.call("POST", f"/flows/{flow['id']}/replay")
            wait_until(lambda: any(r["replay"] for r in stack.records()), 10, "the replay's capture line")
        finally:
            ui.call("PUT", "/options", json={"intercept": ""})
            ui.close()
        solved = sorted({cid for record in stack.records() for cid in record["solved"]})
        assert solved == [], f"sheets 07 and 08's mitmweb Steps solve {solved}"


def test_curl_writes_an_httponly_cookie_to_its_jar_as_a_hash_httponly_line(stack, tmp_path):
    """Sheet 04, Step 4: `grep -v '^#' jar` hides user, which curl's jar keeps on a #HttpOnly_ line."""
    curl = shutil.which("curl")
    assert curl, "curl is not installed (scripts/test installs it)"
    jar = tmp_path / "jar"
    subprocess.run(
        [curl, "-s", "-o", "/dev/null", "-c", str(jar), f"{stack.target}/delete/login"],
        check=True,
        timeout=30,
    )
    lines = jar.read_text(encoding="utf-8").splitlines()
    assert [line.split("\t")[0] for line in lines if "\tuser\t" in line] == ["#HttpOnly_127.0.0.1"]
    assert not [line for line in lines if not line.startswith("#") and "\tuser\t" in line]
