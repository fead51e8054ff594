"""The command line: scenario names, errors, and a target that does not answer."""

import subprocess
import sys

import pytest
from cookie_client import cli, scenarios
from local_lab import SERVICES, free_port


def test_seed_is_the_default_and_is_known():
    assert "seed" in scenarios.names()
    assert cli.parser().parse_args([]).scenario == "seed"
    assert cli.parser().parse_args([]).target == "http://proxy:8080"


def test_every_scenario_file_has_what_the_runner_needs():
    for name in scenarios.names():
        scenario = scenarios.load(name)
        assert scenario["summary"] and scenario["steps"]
        for step in scenario["steps"]:
            assert step["action"] and step["path"].startswith("/")


def test_unknown_scenario_lists_the_known_ones(capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["nosuch"])
    assert exit_info.value.code == 2
    assert (
        "unknown scenario 'nosuch'; known scenarios: seed, attributes, expiry, delete, multiple,"
        " flags, session, tamper, prefixes, size"
    ) in capsys.readouterr().err


def test_list_shows_each_scenario_with_its_summary(capsys):
    assert cli.main(["--list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in lines] == scenarios.names()
    assert lines[0].startswith("seed         The classic example")


def test_silent_target_gives_a_clear_error_and_nonzero_exit():
    port = free_port()  # nothing listens here
    proc = subprocess.run(
        [sys.executable, "-m", "cookie_client", "--target", f"http://127.0.0.1:{port}", "--wait", "0.5"],
        check=False,
        cwd=SERVICES / "client",
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert f"cookie_client: cannot reach http://127.0.0.1:{port} (host '127.0.0.1', port {port})" in proc.stderr
    assert "Is the lab running (docker compose up)?" in proc.stderr
