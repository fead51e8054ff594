"""Run docker compose for the tests under their own project name and ports."""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass

from local_lab import ROOT

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
        proc = subprocess.run(cmd, check=False, capture_output=True, text=True, timeout=60)
        if proc.returncode != 0:
            return f"`{' '.join(cmd)}` failed: {proc.stderr.strip()[:300]}"
    return None


@dataclass
class Lab:
    proxy_port: int
    web_port: int
    site_port: int
    progress_port: int
    password: str
    env: dict[str, str]
    https_port: int = 0

    def compose(self, *args: str, timeout: float = 300, check: bool = True) -> subprocess.CompletedProcess:
        proc = subprocess.run(
            ["docker", "compose", "-p", PROJECT, *args],
            check=False,
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
            stdin=subprocess.DEVNULL,
        )
        if check and proc.returncode != 0:
            raise AssertionError(
                f"docker compose {' '.join(args)} exited {proc.returncode}:\n{proc.stdout}\n{proc.stderr}"
            )
        return proc

    def container(self, service: str) -> str:
        return self.compose("ps", "-a", "-q", service).stdout.strip()

    def ca(self) -> str:
        """The lab's CA certificate (PEM), as the README has the learner copy it out of the proxy."""
        return self.compose("exec", "-T", "proxy", "cat", "/ca/mitmproxy-ca-cert.pem").stdout
