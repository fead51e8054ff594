"""Faults through the real processes: the app down, the header size limit, concurrency, the proxy killed mid-sequence."""

import json
import signal
import subprocess
import sys
import threading

import pytest
import requests
from helpers import raw_request
from local_lab import PASSWORD, SERVICES, free_port, start_proxy, stop, wait_until
from mitmweb import MitmwebUI

pytestmark = pytest.mark.stack


def test_app_down_gives_mitmproxys_502_recorded_and_a_clear_client_message(tmp_path):
    dead = free_port()  # nothing listens here: the app is down
    proxy, lab = start_proxy(tmp_path, dead)
    try:
        head = b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: username=Alice\r\nConnection: close\r\n\r\n"
        response = raw_request(lab.proxy_port, head)
        assert response.startswith(b"HTTP/1.1 502 Bad Gateway\r\n")
        assert b"Server: mitmproxy" in response and b"Connect call failed" in response

        proc = lab.client("seed", "--json")
    finally:
        stop(proxy)
    assert proc.returncode == 1
    assert (
        f"cookie_client: step 1: the proxy answered 502 Bad Gateway: the app behind it is unreachable"
        f" ([Errno 111] Connect call failed ('127.0.0.1', {dead}))"
    ) in proc.stderr
    # The table still shows what happened at each step.
    outputs = [row["Output"] for row in json.loads(proc.stdout)["table"][:3]]
    assert all(output.startswith("502 Bad Gateway: <html>") for output in outputs)
    records = lab.records()
    assert len(records) == 4
    assert records[0]["request_cookie_headers"] == ["username=Alice"]
    for record in records:
        assert record["status"] is None
        assert record["error"] == f"[Errno 111] Connect call failed ('127.0.0.1', {dead})"


@pytest.mark.parametrize(("size", "status"), [(8180, 200), (8181, 431)])
def test_cookie_header_just_under_and_over_gunicorns_limit(stack, size, status):
    # gunicorn refuses a header line over 8190 bytes, CRLF included: "Cookie: " + value + CRLF.
    value = b"pad=" + b"x" * (size - 4)
    before = len(stack.records())
    head = b"GET /size/ HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nCookie: " + value + b"\r\n\r\n"
    response = raw_request(stack.proxy_port, head)
    assert response.startswith(f"HTTP/1.1 {status} ".encode())
    (record,) = stack.records()[before:]
    assert record["status"] == status
    assert record["request_cookie_headers"] == [value.decode()]


def test_eight_clients_times_250_requests_give_2000_whole_lines(stack):
    before = len(stack.records())
    statuses: list[int] = []
    lock = threading.Lock()

    def client(n: int) -> None:
        with requests.Session() as session:
            for _ in range(250):
                status = session.get(f"{stack.target}/", headers={"Cookie": f"client={n}"}, timeout=10).status_code
                with lock:
                    statuses.append(status)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
        assert not thread.is_alive(), f"{thread.name} still sending after 300 s"
    assert statuses == [200] * 2000

    records = stack.records()[before:]
    assert len(records) == 2000
    assert len({r["flow_id"] for r in records}) == 2000
    assert sorted(r["request_cookie_headers"][0] for r in records) == sorted(
        f"client={n}" for n in range(8) for _ in range(250)
    )


def test_proxy_killed_mid_sequence_loses_no_line_and_the_client_says_which_step_failed(stack, tmp_path):
    capture = tmp_path / "cookies.jsonl"
    proxy, lab = start_proxy(tmp_path, stack.app_port, capture)
    # mitmweb holds step 3 (the /expiry/ request without short): once it is held, the client has had
    # its answer to step 2 and waits for step 3's, so the proxy dies there, however slow the machine.
    ui = MitmwebUI(lab.web_port, PASSWORD)
    client = None
    try:
        ui.call("PUT", "/options", json={"intercept": r"~q & ~u /expiry/$ & !~hq short="})
        client = subprocess.Popen(
            [sys.executable, "-m", "cookie_client", "expiry", "--target", lab.target],
            cwd=SERVICES / "client",
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        held = wait_until(lambda: [f for f in ui.flows() if f["intercepted"]], 30, "step 3 held in mitmweb")
        assert [f["request"]["path"] for f in held] == ["/expiry/"]
        assert [r["path"] for r in lab.records()] == ["/expiry/set", "/expiry/"]
        assert client.poll() is None, "the client ended before the proxy was killed"
        proxy.send_signal(signal.SIGKILL)
        proxy.wait(timeout=10)
        _out, err = client.communicate(timeout=60)
    finally:
        ui.close()
        if client is not None:
            client.kill()
        stop(proxy)

    assert client.returncode == 1
    assert (
        f"cookie_client: step 3 (GET {lab.target}/expiry/) got no response: the connection to {lab.target} failed"
        " after 2 completed step(s); is the proxy running (docker compose ps)?"
    ) in err
    assert [r["path"] for r in lab.records()] == ["/expiry/set", "/expiry/"]

    # The same proxy again on the same ports and file: the lab works and the file goes on.
    proxy, lab = start_proxy(tmp_path, stack.app_port, capture, (lab.proxy_port, lab.web_port))
    try:
        assert lab.client("seed").returncode == 0
    finally:
        stop(proxy)
    assert [r["path"] for r in lab.records()] == ["/expiry/set", "/expiry/", "/", "/", "/"]
