"""A challenge solved end to end on the real containers, then progress across a restart and a reset.

After test_compose.py (file order): restarting the proxy empties mitmweb's flow list."""

import json
import subprocess
import urllib.error
import urllib.request

import pytest
from compose_support import PROJECT
from local_lab import ROOT, wait_until

pytestmark = pytest.mark.compose

CHALLENGE = "01-someone-else"


def progress(lab) -> dict:
    return json.loads(lab.compose("run", "--rm", "-T", "client", "progress", "--json", timeout=120).stdout)


def solved(lab) -> set[str]:
    return {row["challenge"] for row in progress(lab)["challenges"] if row["solved"]}


def captured(lab) -> list[dict]:
    out = lab.compose("exec", "-T", "proxy", "cat", "/captures/cookies.jsonl").stdout
    return [json.loads(line) for line in out.splitlines()]


def curl_as_bob(lab) -> None:
    subprocess.run(
        ["curl", "-s", "--max-time", "20", "-H", "Cookie: username=Bob", f"http://127.0.0.1:{lab.proxy_port}/"],
        capture_output=True,
        timeout=30,
        check=True,
    )


def wait_healthy(lab, service: str) -> None:
    def healthy() -> bool:
        line = lab.compose("ps", "--format", "json", service).stdout.strip().splitlines()[-1]
        return json.loads(line).get("Health") == "healthy"

    wait_until(healthy, 60, f"{service} healthy", interval=0.5)


@pytest.fixture(scope="module")
def solved_once(lab, seed_up):
    # The scripted seed solved nothing (the browser test's cross-site link may have solved 06).
    assert CHALLENGE not in solved(lab)
    curl_as_bob(lab)
    return wait_until(
        lambda: next((r for r in captured(lab) if CHALLENGE in r["solved"]), None),
        20,
        "the solving flow in the capture file",
    )


def test_the_proxy_logs_the_solving_flow_with_a_link(lab, solved_once):
    log = lab.compose("logs", "--no-color", "--no-log-prefix", "proxy").stdout
    assert (
        f"Cookie Lab: solved {CHALLENGE}  http://localhost:{lab.web_port}/#/flows/{solved_once['flow_id']}/request"
        f"  sheet: http://progress.localhost:{lab.progress_port}/sheet/01" in log
    )


def test_the_guide_shows_the_sheet_beside_its_solved_challenge_at_the_labs_own_ports(lab, solved_once):
    wait_healthy(lab, "progress")
    with urllib.request.urlopen(f"http://127.0.0.1:{lab.progress_port}/sheet/08", timeout=10) as resp:
        page = resp.read().decode()
    # The sheets are in the image; their addresses are this lab's ports from the environment.
    assert "<h1>08 · Tampering: a plain cookie is whatever the client says</h1>" in page
    assert f"http://127.0.0.1:{lab.proxy_port}/tamper/admin" in page and "127.0.0.1:8080" not in page
    with urllib.request.urlopen(f"http://127.0.0.1:{lab.progress_port}/sheet/01", timeout=10) as resp:
        assert f'<li class="challenge solved" id="{CHALLENGE}"' in resp.read().decode()
    # Solutions are off unless the instructor turns them on.
    with pytest.raises(urllib.error.HTTPError) as off:
        urllib.request.urlopen(f"http://127.0.0.1:{lab.progress_port}/solutions/08", timeout=10)
    with off.value:
        assert off.value.code == 403 and off.value.read().decode().startswith("Solutions are off in this lab")


def test_progress_in_the_client_container_shows_it_and_the_next_hint(lab, solved_once):
    data = progress(lab)
    assert CHALLENGE in solved(lab)
    # The next hint is for the first challenge not solved yet, in the sheets' order.
    first_open = next(row["challenge"] for row in data["challenges"] if not row["solved"])
    assert data["next"]["challenge"] == first_open
    text = lab.compose("run", "--rm", "-T", "client", "progress", timeout=120).stdout
    assert f"Your progress: {data['solved']} of {data['total']}" in text and f"Next: {first_open}." in text


def test_the_progress_board_shows_it(lab, solved_once):
    wait_healthy(lab, "progress")
    with urllib.request.urlopen(f"http://127.0.0.1:{lab.progress_port}/", timeout=10) as resp:
        page = resp.read().decode()
    assert f"<code>{CHALLENGE}</code>" in page and '<span class="yes">solved</span>' in page


def test_progress_survives_a_restart_of_the_proxy_and_is_not_solved_twice(lab, solved_once):
    ca = lab.ca()
    lab.compose("restart", "proxy", timeout=120)
    wait_healthy(lab, "proxy")
    assert CHALLENGE in solved(lab)
    # The log says why a link to a flow printed before the restart opens an empty list.
    log = lab.compose("logs", "--no-color", "proxy").stdout
    assert "links to flows printed before this start open an empty list" in log
    # The lab's CA is kept too: a learner who trusted it still does.
    assert lab.ca() == ca
    before = len(captured(lab))
    curl_as_bob(lab)
    after = wait_until(lambda: captured(lab)[before:], 20, "the repeat's capture line")
    assert after[0]["solved"] == []


def test_reset_progress_starts_over_and_keeps_the_old_traffic(lab, solved_once):
    env = {**lab.env, "COMPOSE_PROJECT_NAME": PROJECT}
    ca = lab.ca()
    proc = subprocess.run(
        [str(ROOT / "scripts" / "reset-progress")],
        check=False,
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        stdin=subprocess.DEVNULL,
    )
    assert proc.returncode == 0, proc.stderr
    assert "your traffic so far is kept as /captures/cookies-" in proc.stdout
    wait_healthy(lab, "proxy")
    assert solved(lab) == set()
    assert lab.ca() == ca, "reset-progress leaves the lab's CA alone"
    kept = lab.compose("exec", "-T", "proxy", "sh", "-c", "cat /captures/cookies-*.jsonl").stdout
    assert CHALLENGE in kept
    # Solvable again after the reset.
    curl_as_bob(lab)
    wait_until(lambda: CHALLENGE in solved(lab), 30, "the challenge solved again")


def test_the_board_stops_cleanly_on_sigterm(lab, solved_once):
    """`docker compose stop` sends SIGTERM: the board exits 0 by itself, not 137 after Docker's 10 s kill."""
    container = lab.container("progress")
    lab.compose("stop", "progress", timeout=60)
    state = json.loads(subprocess.run(["docker", "inspect", container], check=True, capture_output=True).stdout)
    assert state[0]["State"]["ExitCode"] == 0
    assert "cookie-lab board: stopped" in lab.compose("logs", "--no-color", "progress").stdout
    lab.compose("start", "progress", timeout=60)
    wait_healthy(lab, "progress")


def test_progress_survives_down_and_up(lab, solved_once):
    # After the reset above, the challenge was solved again.
    assert CHALLENGE in solved(lab)
    ca = lab.ca()
    lab.compose("down", timeout=180)
    lab.compose("up", "-d", timeout=300)
    wait_healthy(lab, "proxy")
    assert CHALLENGE in solved(lab)
    assert lab.ca() == ca


def test_down_with_volumes_clears_progress(lab, solved_once):
    """Last: the lab starts again from nothing, with a CA of its own."""
    ca = lab.ca()
    lab.compose("down", "-v", timeout=180)
    lab.compose("up", "-d", timeout=300)
    wait_healthy(lab, "proxy")
    assert solved(lab) == set()
    assert lab.ca().startswith("-----BEGIN CERTIFICATE-----") and lab.ca() != ca
