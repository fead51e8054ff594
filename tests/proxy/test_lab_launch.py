"""The launcher's health check (the image's HEALTHCHECK and the cluster's readiness probe), on real sockets."""

import socket

import lab_launch
import pytest
from lab_launch import LAB_CERT


@pytest.fixture
def ports(monkeypatch):
    """Two listening sockets on free loopback ports, standing for the UI's and the traffic port."""
    ui, traffic = socket.socket(), socket.socket()
    for sock in (ui, traffic):
        sock.bind(("127.0.0.1", 0))
    monkeypatch.setattr(lab_launch, "WEB_PORT", ui.getsockname()[1])
    monkeypatch.setattr(lab_launch, "TRAFFIC_PORT", traffic.getsockname()[1])
    yield ui, traffic
    ui.close()
    traffic.close()


def test_ready_only_when_the_ui_answers_the_certificate_is_there_and_traffic_listens(tmp_path, ports):
    ui, traffic = ports
    assert lab_launch.unready(tmp_path).startswith(f"the UI's port {lab_launch.WEB_PORT} does not answer")
    ui.listen()
    assert lab_launch.unready(tmp_path) == f"no certificate for https in {tmp_path / LAB_CERT}"
    (tmp_path / LAB_CERT).write_bytes(b"")
    assert lab_launch.unready(tmp_path) == f"no certificate for https in {tmp_path / LAB_CERT}"
    (tmp_path / LAB_CERT).write_bytes(b"-----BEGIN CERTIFICATE-----\n")
    assert lab_launch.unready(tmp_path) == f"port {lab_launch.TRAFFIC_PORT} is not listening"
    traffic.listen()
    assert lab_launch.unready(tmp_path) is None


def test_the_health_check_says_why_it_fails(tmp_path, ports, monkeypatch, capsys):
    monkeypatch.setenv("LAB_CONFDIR", str(tmp_path))
    with pytest.raises(SystemExit) as failed:
        lab_launch.main(["--health"])
    assert str(failed.value.code).startswith("Cookie Lab proxy: the UI's port")
    for sock in ports:
        sock.listen()
    (tmp_path / LAB_CERT).write_bytes(b"x")
    with pytest.raises(SystemExit) as passed:
        lab_launch.main(["--health"])
    assert passed.value.code == 0


def test_the_proxy_waits_for_the_app_and_says_so(capsys):
    """LAB_WAIT_FOR_APP: a listening app is found at once, silently; one that never answers is waited for,
    with a line saying so, then given up on with a line saying what a request will get."""
    app = socket.socket()
    app.bind(("127.0.0.1", 0))
    app.listen()
    upstream = f"http://127.0.0.1:{app.getsockname()[1]}"
    assert lab_launch.wait_for_app(upstream, 5)
    assert capsys.readouterr().err == ""
    app.close()
    assert not lab_launch.wait_for_app(upstream, 0.2, poll=0.05)
    lines = capsys.readouterr().err.splitlines()
    assert lines[0] == f"Cookie Lab: waiting for the app at 127.0.0.1:{upstream.rsplit(':', 1)[1]} ..."
    assert lines[1].startswith(
        f"Cookie Lab: the app at 127.0.0.1:{upstream.rsplit(':', 1)[1]} did not answer within 0.2 s"
    )
    assert lines[1].endswith("starting anyway; requests get a 502 until it does.")
