"""The real containers: images built by scripts/build-images, run by docker compose under a test project."""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass

import pytest
from helpers import ROOT, free_port

PROJECT = os.environ.get("LAB_TEST_PROJECT", "cookielab-test")


def dotenv(name: str) -> str:
    """A setting's value in the committed .env, as compose reads it."""
    for line in (ROOT / ".env").read_text(encoding="utf-8").splitlines():
        key, sep, value = line.partition("=")
        if sep and key.strip() == name:
            return value.strip()
    raise KeyError(name)


def docker_problem() -> str | None:
    """Why the compose tier cannot run here, or None when it can."""
    if not shutil.which("docker"):
        return "docker is not installed"
    for cmd in (["docker", "info"], ["docker", "compose", "version"]):
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
        if proc.returncode != 0:
            return f"`{' '.join(cmd)}` failed: {proc.stderr.strip()[:300]}"
    return None


@dataclass
class Lab:
    proxy_port: int
    web_port: int
    password: str
    env: dict[str, str]

    def compose(self, *args: str, timeout: float = 300, check: bool = True) -> subprocess.CompletedProcess:
        proc = subprocess.run(
            ["docker", "compose", "-p", PROJECT, *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
            stdin=subprocess.DEVNULL,
        )
        if check and proc.returncode != 0:
            raise AssertionError(f"docker compose {' '.join(args)} exited {proc.returncode}:\n{proc.stdout}\n{proc.stderr}")
        return proc

    def container(self, service: str) -> str:
        return self.compose("ps", "-a", "-q", service).stdout.strip()


@pytest.fixture(scope="session")
def lab():
    problem = docker_problem()
    if problem:
        if os.environ.get("LAB_REQUIRE_COMPOSE") == "1" or os.environ.get("CI"):
            pytest.fail(f"the compose tier must run here, but {problem}", pytrace=False)
        pytest.skip(f"compose tier: {problem}")

    # Own project name and ports: a learner's running lab is left alone.
    password = dotenv("LAB_WEB_PASSWORD")
    env = {**os.environ, "LAB_PROXY_PORT": str(free_port()), "LAB_WEB_PORT": str(free_port()), "LAB_WEB_PASSWORD": password}
    lab = Lab(int(env["LAB_PROXY_PORT"]), int(env["LAB_WEB_PORT"]), password, env)

    build = subprocess.run(
        [str(ROOT / "scripts" / "build-images"), "-p", PROJECT],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=1800, stdin=subprocess.DEVNULL,
    )
    assert build.returncode == 0, f"scripts/build-images failed:\n{build.stdout[-3000:]}\n{build.stderr[-3000:]}"

    lab.compose("down", "-v", "--remove-orphans")
    try:
        # What a learner types, detached so the test can read the logs; it
        # returns once app and proxy are healthy and the client has started.
        lab.compose("up", "-d")
        yield lab
    finally:
        logs = lab.compose("logs", "--no-color", check=False).stdout
        lab.compose("down", "-v", "--remove-orphans", check=False)
        (ROOT / ".pytest_cache").mkdir(exist_ok=True)
        (ROOT / ".pytest_cache" / "compose-logs.txt").write_text(logs, encoding="utf-8")
