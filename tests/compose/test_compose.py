"""`docker compose up` as a learner runs it: the seed table, the capture file, mitmweb, and the containers' shape."""

import json
import os
import shlex
import signal
import subprocess
import urllib.error
import urllib.request

import pytest
import requests
from compose_support import PROJECT
from helpers import exercises
from local_lab import LAB, ROOT, wait_until
from mitmweb import mitmweb_flows
from seed import SEED_TABLE, SEED_TRACKER, assert_seed_printed
from sheets import matches_expected, sheet_commands, sheet_expectations

pytestmark = pytest.mark.compose


def test_client_prints_the_seed_table_and_exits_0(lab, seed_up):
    code, _ = seed_up
    assert code == 0
    output = lab.compose("logs", "--no-color", "--no-log-prefix", "client").stdout
    assert "Execution Table: seed" in output
    assert_seed_printed(output)


def test_app_and_proxy_keep_running_healthy(lab, seed_up):
    def service_states() -> dict[str, tuple]:
        states = {}
        for line in lab.compose("ps", "-a", "--format", "json").stdout.splitlines():
            entry = json.loads(line)
            states[entry["Service"]] = (entry["State"], entry.get("Health", ""), entry.get("ExitCode"))
        return states

    # `up -d` waits for app and proxy only (the client depends on them); site and progress
    # start beside them and pass their first health check when they do. One deadline for all.
    waited = ("app", "proxy", "site", "progress")
    try:
        wait_until(
            lambda: all(service_states().get(s, ("", ""))[1] == "healthy" for s in waited),
            60,
            f"{', '.join(waited)} healthy",
            interval=0.5,
        )
    except TimeoutError:
        pass  # the assertions below name the service that is not healthy, and its state
    states = service_states()
    assert states["app"][:2] == ("running", "healthy")
    assert states["proxy"][:2] == ("running", "healthy")
    assert states["site"][:2] == ("running", "healthy")
    assert states["progress"][:2] == ("running", "healthy")
    assert states["client"][0] == "exited" and states["client"][2] == 0


def test_capture_file_holds_the_three_flows(seed_up):
    _, records = seed_up
    assert [(r["method"], r["path"], r["status"]) for r in records] == [("GET", "/", 200)] * 3
    assert [r["request_cookie_headers"] for r in records] == [[], ["username=Alice"], ["username=Alice"]]
    assert [r["set_cookie_headers"] for r in records] == [["username=Alice; Path=/"]] * 3


def test_mitmweb_lists_the_three_flows_with_the_password(lab, seed_up):
    _, records = seed_up
    by_id = {f["id"]: f for f in mitmweb_flows(lab.web_port, lab.password)}
    seed_flows = [by_id[r["flow_id"]] for r in records]
    assert [f["request"]["path"] for f in seed_flows] == ["/"] * 3
    assert [f["response"]["status_code"] for f in seed_flows] == [200] * 3
    assert seed_flows[0]["comment"] == "Cookie: (none) | Set-Cookie: username=Alice; Path=/"


def test_mitmweb_flow_list_has_the_comment_column(lab, seed_up):
    request = urllib.request.Request(f"http://127.0.0.1:{lab.web_port}/options")
    request.add_header("Authorization", f"Bearer {lab.password}")
    with urllib.request.urlopen(request, timeout=10) as resp:
        options = json.load(resp)
    assert options["web_columns"]["value"] == ["tls", "icon", "method", "path", "status", "size", "time", "comment"]
    assert options["keep_host_header"]["value"] is True


@pytest.mark.parametrize("password", [None, "not-the-password"])
def test_mitmweb_refuses_without_the_password(lab, seed_up, password):
    with pytest.raises(requests.HTTPError) as refused:
        mitmweb_flows(lab.web_port, password)
    assert refused.value.response.status_code == 403


def test_proxy_log_shows_cookie_lines_and_the_login(lab, seed_up):
    log = lab.compose("logs", "--no-color", "--no-log-prefix", "proxy").stdout
    assert "→ GET /  Cookie: (none)" in log
    assert "→ GET /  Cookie: username=Alice" in log
    assert "← 200  Set-Cookie: username=Alice; Path=/" in log
    assert f"Cookie Lab: open mitmweb at http://localhost:{lab.web_port}/  password: {lab.password}" in log


def test_learner_reaches_the_app_through_the_published_proxy_port(lab, seed_up):
    with urllib.request.urlopen(f"http://127.0.0.1:{lab.proxy_port}/", timeout=10) as resp:
        assert resp.read() == b"Hello None"
        assert resp.headers.get_all("Set-Cookie") == ["username=Alice; Path=/"]


def test_client_container_runs_any_scenario_as_json(lab, seed_up):
    proc = lab.compose("run", "--rm", "-T", "client", "seed", "--json", timeout=120)
    data = json.loads(proc.stdout)
    assert data["target"] == "http://proxy:8080"
    assert data["table"] == SEED_TABLE
    assert data["tracker"] == SEED_TRACKER


def inspect(container: str) -> dict:
    out = subprocess.run(["docker", "inspect", container], capture_output=True, text=True, timeout=60, check=True)
    return json.loads(out.stdout)[0]


@pytest.mark.parametrize("service", ["app", "proxy", "site", "progress", "client"])
def test_containers_run_hardened(lab, seed_up, service):
    container = inspect(lab.container(service))
    assert container["Config"]["User"] == "10001:10001"
    assert container["HostConfig"]["CapDrop"] == ["ALL"]
    assert not container["HostConfig"]["CapAdd"]
    assert "no-new-privileges:true" in container["HostConfig"]["SecurityOpt"]
    assert container["HostConfig"]["ReadonlyRootfs"] is True
    assert container["HostConfig"]["Privileged"] is False
    # Writable places: a tmpfs at /tmp, the captures and CA volumes for the proxy alone, the attack labs'
    # state for the app, the exploit server's volume for the site (the proxy reads it); the exercise index
    # is read-only wherever it is mounted.
    assert set(container["HostConfig"]["Tmpfs"]) == {"/tmp"}
    mounts = {m["Destination"]: m["RW"] for m in container["Mounts"]}
    want = {
        "app": {"/data": True},
        "site": {"/exploit": True},
        "proxy": {"/captures": True, "/lab/exercises.toml": False, "/ca": True, "/exploit": False},
    }.get(service, {"/captures": False, "/lab/exercises.toml": False})
    assert mounts == want


def test_a_container_cannot_write_to_its_root_filesystem(lab, seed_up):
    script = "open('/srv/proxy/x', 'w')"
    proc = lab.compose("exec", "-T", "proxy", "python", "-c", script, check=False)
    assert proc.returncode != 0 and "Read-only file system" in proc.stderr


def test_published_ports_are_on_loopback_only_and_the_app_is_not_published(lab, seed_up):
    bindings = inspect(lab.container("proxy"))["HostConfig"]["PortBindings"]
    # The traffic port twice: http at LAB_PROXY_PORT, https at LAB_HTTPS_PORT.
    bindings["8080/tcp"].sort(key=lambda b: b["HostPort"] != str(lab.proxy_port))
    assert bindings == {
        "8080/tcp": [
            {"HostIp": "127.0.0.1", "HostPort": str(lab.proxy_port)},
            {"HostIp": "127.0.0.1", "HostPort": str(lab.https_port)},
        ],
        "8081/tcp": [{"HostIp": "127.0.0.1", "HostPort": str(lab.web_port)}],
    }
    assert not inspect(lab.container("app"))["HostConfig"]["PortBindings"]
    assert inspect(lab.container("site"))["HostConfig"]["PortBindings"] == {
        "8000/tcp": [{"HostIp": "127.0.0.1", "HostPort": str(lab.site_port)}],
    }
    assert inspect(lab.container("progress"))["HostConfig"]["PortBindings"] == {
        "8000/tcp": [{"HostIp": "127.0.0.1", "HostPort": str(lab.progress_port)}],
    }


def test_captures_volume_is_read_only_for_the_client(lab, seed_up):
    script = (
        "import pathlib; print(len(pathlib.Path('/captures/cookies.jsonl').read_text().splitlines()));"
        " open('/captures/x', 'w')"
    )
    proc = lab.compose("run", "--rm", "-T", "--no-deps", "--entrypoint", "python", "client", "-c", script, check=False)
    assert proc.returncode != 0
    assert int(proc.stdout.strip()) >= 3
    assert "Read-only file system" in proc.stderr


def test_app_trusts_x_forwarded_from_the_proxy(lab, seed_up):
    request = urllib.request.Request(f"http://127.0.0.1:{lab.proxy_port}/echo", headers={"X-Forwarded-Proto": "https"})
    with urllib.request.urlopen(request, timeout=10) as resp:
        echo = json.load(resp)
    # The proxy's address is on the app's backend network, which gunicorn trusts.
    assert echo["scheme"] == "https"
    # keep_host_header: the app sees the Host the learner's client sent.
    assert echo["host"] == f"127.0.0.1:{lab.proxy_port}"


def test_nothing_but_the_proxy_reaches_the_app(lab, seed_up):
    # The client sits on the frontend network only: the app's name does not even resolve there.
    script = "import socket; socket.create_connection(('app', 8000), 2)"
    proc = lab.compose("run", "--rm", "-T", "--no-deps", "--entrypoint", "python", "client", "-c", script, check=False)
    assert proc.returncode != 0
    assert "socket.gaierror" in proc.stderr


@pytest.mark.parametrize("name", ["app", "proxy"])
def test_the_second_site_reaches_neither_the_app_nor_the_proxy(lab, seed_up, name):
    # Its own network: the learner's browser is its only way to the app.
    script = f"import socket; socket.create_connection(({name!r}, 8080), 2)"
    proc = lab.compose("exec", "-T", "site", "python", "-c", script, check=False)
    assert proc.returncode != 0
    assert "socket.gaierror" in proc.stderr


def test_the_exploit_server_keeps_the_learners_page_across_a_restart_of_the_site(lab, seed_up):
    site = f"http://127.0.0.1:{lab.site_port}"
    page = "<h1>kept across a restart</h1>"
    assert requests.post(site + "/exploit-server", data={"page": page}, timeout=10).status_code == 200
    assert requests.get(site + "/log/before-restart", timeout=10).status_code == 200
    lab.compose("restart", "site")
    served = wait_until(lambda: requests.get(site + "/exploit", timeout=2), 60, "the site after its restart")
    assert served.text == page
    assert "/log/before-restart" in requests.get(site + "/exploit-server/log", timeout=10).text
    # The proxy reads the same log, and may not write it.
    proc = lab.compose("exec", "-T", "proxy", "sh", "-c", "echo x >> /exploit/requests.jsonl", check=False)
    assert proc.returncode != 0 and "Read-only file system" in proc.stderr


def test_the_start_page_links_mitmweb_and_the_second_site_at_their_ports(lab, seed_up):
    with urllib.request.urlopen(f"http://127.0.0.1:{lab.proxy_port}/lab/", timeout=10) as resp:
        page = resp.read().decode()
    assert f'href="http://localhost:{lab.web_port}/"' in page
    assert f'href="http://site.localhost:{lab.site_port}/"' in page
    with urllib.request.urlopen(f"http://127.0.0.1:{lab.site_port}/", timeout=10) as resp:
        assert f'href="http://127.0.0.1:{lab.proxy_port}/flags/?via=link"' in resp.read().decode()


@pytest.mark.parametrize("sheet", ["01-seed.md", "08-tamper.md"])
def test_sheet_runs_through_docker_compose_as_written(lab, seed_up, sheet):
    for command, expected in sheet_expectations((LAB / sheet).read_text(encoding="utf-8")):
        args = shlex.split(command)
        if args[:5] == ["docker", "compose", "run", "--rm", "client"]:
            # As written, with -T because the test has no terminal.
            out = lab.compose("run", "--rm", "-T", "client", *args[5:], timeout=120).stdout
        else:
            assert args[0] == "curl", command
            args = [a.replace("127.0.0.1:8080", f"127.0.0.1:{lab.proxy_port}") for a in args[1:]]
            curl = ["curl", "--max-time", "20", *args]
            out = subprocess.run(curl, capture_output=True, text=True, timeout=30, check=True).stdout
        assert matches_expected(expected, out), f"{command} printed:\n{out}\nexpected:\n{expected}"


def test_every_sheet_command_runs_on_the_real_containers(lab, seed_up):
    """Each sheet's commands, in order, as typed, against this test's project and ports: none fails."""
    env = {**lab.env, "COMPOSE_PROJECT_NAME": PROJECT}
    for exercise in exercises():
        for command in sheet_commands((LAB / exercise["sheet"]).read_text(encoding="utf-8")):
            typed = command.replace("127.0.0.1:8080", f"127.0.0.1:{lab.proxy_port}")
            proc = subprocess.run(
                ["bash", "-c", typed],
                check=False,
                cwd=ROOT,
                env=env,
                capture_output=True,
                text=True,
                timeout=120,
                stdin=subprocess.DEVNULL,
            )
            assert proc.returncode == 0, f"sheet {exercise['id']}: {command!r} exited {proc.returncode}:\n{proc.stderr}"


def test_zz_proxy_crash_heals_by_itself_and_the_capture_file_stays_whole(lab, seed_up):
    """Last in this file: it kills mitmweb, whose flows live in memory."""
    proxy = lab.container("proxy")
    ca = lab.ca()
    state = inspect(proxy)["State"]
    # A crash, not a stop: the process dies under Docker (`docker kill` would count as a manual stop).
    os.kill(state["Pid"], signal.SIGKILL)
    # Right after the kill Docker may still report the old process as running and
    # healthy: wait for a start that is newer than the one killed.
    wait_until(
        lambda: (
            (s := inspect(proxy)["State"])["StartedAt"] != state["StartedAt"]
            and s["Status"] == "running"
            and s["Health"]["Status"] == "healthy"
        ),
        60,
        "the proxy restarted and healthy",
        interval=0.5,
    )
    assert inspect(proxy)["RestartCount"] >= 1
    # The same CA after a crash: a learner who trusted it still does.
    assert lab.ca() == ca
    before = lab.compose("exec", "-T", "proxy", "cat", "/captures/cookies.jsonl").stdout
    lab.compose("run", "--rm", "-T", "client", "seed", timeout=120)
    after = lab.compose("exec", "-T", "proxy", "cat", "/captures/cookies.jsonl").stdout
    # Whole JSON lines only, and the new flows appended after the old ones.
    assert after.startswith(before) and after.endswith("\n")
    records = [json.loads(line) for line in after.splitlines()]
    assert [r["path"] for r in records[-3:]] == ["/"] * 3
