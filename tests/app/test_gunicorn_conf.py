"""gunicorn.conf.py: which addresses may send X-Forwarded-*, and the quiet health log."""

import importlib.util

import pytest
from helpers import SERVICES

ROUTE_TABLE = """\
Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT
eth0\t00000000\t010012AC\t0003\t0\t0\t0\t00000000\t0\t0\t0
eth0\t000012AC\t00000000\t0001\t0\t0\t0\t0000FFFF\t0\t0\t0
eth1\t0010A8C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0
"""


def load_conf(monkeypatch, **env):
    for name in ("FORWARDED_ALLOW_IPS", "LAB_TRUST_OWN_NETWORK"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    spec = importlib.util.spec_from_file_location("gunicorn_conf", SERVICES / "app" / "gunicorn.conf.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_connected_networks_skips_routes_through_a_gateway(monkeypatch, tmp_path):
    table = tmp_path / "route"
    table.write_text(ROUTE_TABLE)
    conf = load_conf(monkeypatch)
    assert conf.connected_networks(str(table)) == ["172.18.0.0/16", "192.168.16.0/24"]


def test_connected_networks_without_a_route_table(monkeypatch, tmp_path):
    assert load_conf(monkeypatch).connected_networks(str(tmp_path / "missing")) == []


def test_default_trusts_loopback_only(monkeypatch):
    conf = load_conf(monkeypatch)
    # gunicorn's own default applies: the config does not widen it.
    assert not hasattr(conf, "forwarded_allow_ips")


def test_compose_trusts_the_backend_network(monkeypatch):
    conf = load_conf(monkeypatch, LAB_TRUST_OWN_NETWORK="1")
    assert conf.forwarded_allow_ips == (",".join(conf.connected_networks()) or "127.0.0.1,::1")
    assert "*" not in conf.forwarded_allow_ips


def test_explicit_setting_wins(monkeypatch):
    conf = load_conf(monkeypatch, LAB_TRUST_OWN_NETWORK="1", FORWARDED_ALLOW_IPS="10.9.9.9")
    assert not hasattr(conf, "forwarded_allow_ips")


def test_laptop_sized_and_no_debug(monkeypatch):
    conf = load_conf(monkeypatch)
    assert conf.bind == "0.0.0.0:8000"
    assert 1 <= conf.workers * conf.threads <= 16
    assert conf.preload_app is True


@pytest.mark.parametrize(("path", "logged"), [("/healthz", False), ("/", True), ("/echo", True)])
def test_health_checks_stay_out_of_the_access_log(monkeypatch, path, logged):
    conf = load_conf(monkeypatch)
    calls = []
    monkeypatch.setattr(conf.Logger, "access", lambda *args: calls.append(args))
    conf.QuietHealthLogger.access(object.__new__(conf.QuietHealthLogger), None, None, {"PATH_INFO": path}, 0)
    assert bool(calls) == logged
