"""The board as its own process, as its container runs it (outside scripts/mutants' selection: a mutant
switched on in the tests' process means nothing in another)."""

import signal
import subprocess
import sys
from pathlib import Path

import cookie_client
from local_lab import free_port, port_open, wait_until


def test_the_board_stops_at_once_on_sigterm(tmp_path):
    """`docker compose stop progress` sends SIGTERM: the board says so and exits 0, with no wait for a kill."""
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "cookie_client", "board", "--port", str(port), "--captures", str(tmp_path / "c.jsonl")],
        # Where the tests import it from (services/client, or mutants/src under scripts/mutants).
        cwd=Path(cookie_client.__file__).parent.parent,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        wait_until(lambda: port_open(port), 30, "the board")
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=30)
    finally:
        proc.kill()
    assert proc.returncode == 0
    assert out.splitlines()[-1] == "cookie-lab board: stopped"
