"""gunicorn.conf.py: which addresses may send X-Forwarded-*, the quiet health log, and no debugging in the image."""

import builtins
import datetime
import importlib.util
import logging
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml
from cookie_app import create_app
from gunicorn.config import Config
from local_lab import ROOT, SERVICES

ROUTE_TABLE = """\
Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT
eth0\t00000000\t010012AC\t0003\t0\t0\t0\t00000000\t0\t0\t0
eth0\t000012AC\t00000000\t0001\t0\t0\t0\t0000FFFF\t0\t0\t0
eth1\t0010A8C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0
"""
# The networks of ROUTE_TABLE that the host reaches without a gateway, worked out by hand.
ROUTE_TABLE_NETWORKS = ["172.18.0.0/16", "192.168.16.0/24"]
KERNEL_ROUTES = "/proc/net/route"


def load_conf(monkeypatch, route_table: Path | None = None, **env):
    """Run the conf file as gunicorn does; with route_table, the conf reads that file where it reads the kernel's."""
    for name in ("FORWARDED_ALLOW_IPS", "LAB_TRUST_OWN_NETWORK"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    spec = importlib.util.spec_from_file_location("gunicorn_conf", SERVICES / "app" / "gunicorn.conf.py")
    module = importlib.util.module_from_spec(spec)
    if route_table is not None:
        # The conf reads the route table while it loads: a global `open` in its
        # namespace shadows the builtin for that one path.
        def reroute(path, *args, **kwargs):
            return builtins.open(route_table if path == KERNEL_ROUTES else path, *args, **kwargs)

        module.open = reroute
    spec.loader.exec_module(module)
    return module


def gunicorn_settings(conf) -> Config:
    """The settings gunicorn takes from the conf module: known names only, as its own loader does."""
    cfg = Config()
    for name, value in vars(conf).items():
        if name in cfg.settings:
            cfg.set(name, value)
    return cfg


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


@pytest.mark.parametrize(
    ("table", "expected"),
    [
        pytest.param(ROUTE_TABLE, ",".join(ROUTE_TABLE_NETWORKS), id="the-directly-connected-networks"),
        pytest.param(ROUTE_TABLE.splitlines()[0] + "\n", "127.0.0.1,::1", id="no-route-loopback-only"),
        pytest.param(None, "127.0.0.1,::1", id="no-route-table-loopback-only"),
    ],
)
def test_compose_trusts_the_backend_network(monkeypatch, tmp_path, table, expected):
    routes = tmp_path / "route"
    if table is not None:
        routes.write_text(table)
    conf = load_conf(monkeypatch, route_table=routes, LAB_TRUST_OWN_NETWORK="1")
    assert conf.forwarded_allow_ips == expected
    assert "*" not in conf.forwarded_allow_ips
    assert gunicorn_settings(conf).forwarded_allow_ips == expected.split(",")


def test_explicit_setting_wins(monkeypatch):
    conf = load_conf(monkeypatch, LAB_TRUST_OWN_NETWORK="1", FORWARDED_ALLOW_IPS="10.9.9.9")
    assert not hasattr(conf, "forwarded_allow_ips")


def test_laptop_sized(monkeypatch):
    conf = load_conf(monkeypatch)
    assert conf.bind == "0.0.0.0:8000"
    assert 1 <= conf.workers * conf.threads <= 16
    assert conf.preload_app is True


def test_no_debug(monkeypatch):
    """What gunicorn runs from this conf in the image: no reloader, no FLASK_DEBUG, and Flask's debug off."""
    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    cfg = gunicorn_settings(load_conf(monkeypatch))
    assert cfg.reload is False
    assert "FLASK_DEBUG" not in cfg.env
    # The image's environment, where gunicorn's raw_env would add to it.
    for name, value in cfg.env.items():
        monkeypatch.setenv(name, value)
    app = create_app()
    assert app.debug is False
    assert app.config["DEBUG"] is False
    # Nothing the image or compose passes the app turns debugging on either.
    assert "FLASK_DEBUG" not in (SERVICES / "app" / "Dockerfile").read_text(encoding="utf-8")
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    assert "FLASK_DEBUG" not in compose["services"]["app"].get("environment", {})


@pytest.mark.parametrize(
    ("path", "line"),
    [
        ("/healthz", None),
        ("/", '"GET / HTTP/1.1" 200 5 "-" "python-urllib/3"'),
        ("/echo", '"GET /echo HTTP/1.1" 200 5 "-" "python-urllib/3"'),
    ],
)
def test_health_checks_stay_out_of_the_access_log(monkeypatch, capsys, path, line):
    conf = load_conf(monkeypatch)
    # gunicorn's logger adds its handlers to these global loggers: give them back untouched.
    for name in ("gunicorn.access", "gunicorn.error"):
        monkeypatch.setattr(logging.getLogger(name), "handlers", [])
    cfg = gunicorn_settings(conf)
    logger = cfg.logger_class(cfg)
    assert isinstance(logger, conf.QuietHealthLogger)
    capsys.readouterr()
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": path,
        "PATH_INFO": path,
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "172.18.0.3",
        "HTTP_USER_AGENT": "python-urllib/3",
    }
    resp = SimpleNamespace(status="200 OK", headers=[("Content-Type", "text/plain")], sent=5)
    logger.access(resp, SimpleNamespace(headers=[]), environ, datetime.timedelta(milliseconds=3))
    lines = capsys.readouterr().out.splitlines()
    if line is None:
        assert lines == []
    else:
        assert len(lines) == 1 and lines[0].startswith("172.18.0.3 - - [") and lines[0].endswith(line), lines
