"""The real containers: images built by scripts/build-images, run by docker compose under a test project."""

import json
import os
import subprocess

import pytest
from compose_support import PROJECT, Lab, docker_problem, dotenv
from local_lab import ROOT, free_port
from tiers import must_run


@pytest.fixture(scope="session")
def lab():
    problem = docker_problem()
    if problem:
        must_run("LAB_REQUIRE_COMPOSE", problem)

    # Own project name and ports: a learner's running lab is left alone.
    password = dotenv("LAB_WEB_PASSWORD")
    env = {
        **os.environ,
        "LAB_PROXY_PORT": str(free_port()),
        "LAB_WEB_PORT": str(free_port()),
        "LAB_SITE_PORT": str(free_port()),
        "LAB_PROGRESS_PORT": str(free_port()),
        "LAB_WEB_PASSWORD": password,
        "LAB_HTTPS_PORT": str(free_port()),
    }
    lab = Lab(
        int(env["LAB_PROXY_PORT"]),
        int(env["LAB_WEB_PORT"]),
        int(env["LAB_SITE_PORT"]),
        int(env["LAB_PROGRESS_PORT"]),
        password,
        env,
        int(env["LAB_HTTPS_PORT"]),
    )

    build = subprocess.run(
        [str(ROOT / "scripts" / "build-images"), "-p", PROJECT],
        check=False,
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=1800,
        stdin=subprocess.DEVNULL,
    )
    assert build.returncode == 0, f"scripts/build-images failed:\n{build.stdout[-3000:]}\n{build.stderr[-3000:]}"

    lab.compose("down", "-v", "--remove-orphans")
    try:
        # What a learner types, detached so the test can read the logs; it
        # returns once every container has started (the client waits for the proxy itself).
        lab.compose("up", "-d")
        yield lab
    finally:
        logs = lab.compose("logs", "--no-color", check=False).stdout
        lab.compose("down", "-v", "--remove-orphans", check=False)
        (ROOT / ".pytest_cache").mkdir(exist_ok=True)
        (ROOT / ".pytest_cache" / "compose-logs.txt").write_text(logs, encoding="utf-8")


@pytest.fixture(scope="session")
def seed_up(lab):
    """Wait for the client that `up` started; return its exit code and the capture lines then."""
    code = lab.compose("wait", "client", timeout=120, check=False).returncode
    capture = lab.compose("exec", "-T", "proxy", "cat", "/captures/cookies.jsonl").stdout
    return code, [json.loads(line) for line in capture.splitlines()]
