"""Start and stop the real gunicorn and mitmweb processes, and run the real client, on 127.0.0.1."""

from __future__ import annotations

import atexit
import io
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import threading
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import requests
from helpers import LAB, SERVICES, free_port, port_open, read_capture, wait_until
from lab_launch import CA_CERT, confdir_args, mitmweb_args
from mitmproxy import http
from mitmproxy import io as mitmproxy_io

BIN = Path(sys.executable).parent
PASSWORD = "stack-test-password"
# One CA for every proxy of a test run, as one lab install has one: the browser
# tier's browsers trust it once (CA_CERT in this folder), whichever stack they visit.
CONFDIR = Path(tempfile.mkdtemp(prefix="cookielab-test-ca-"))
atexit.register(shutil.rmtree, CONFDIR, ignore_errors=True)


def start(cmd: list[str], log: Path, **kwargs) -> subprocess.Popen:
    with open(log, "wb") as out:
        return subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, **kwargs)


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)


def start_app(tmp: Path, **env: str) -> tuple[subprocess.Popen, int]:
    """Start gunicorn with the app's own gunicorn.conf.py on a free loopback port."""
    port = free_port()
    environ = {k: v for k, v in os.environ.items() if k not in ("FLASK_SECRET_KEY", "FORWARDED_ALLOW_IPS")}
    proc = start(
        [str(BIN / "gunicorn"), "-c", "gunicorn.conf.py", "--bind", f"127.0.0.1:{port}", "cookie_app:create_app()"],
        tmp / f"gunicorn-{port}.log",
        cwd=SERVICES / "app",
        env={**environ, "LAB_EXERCISES": str(LAB / "exercises.toml"), **env},
    )
    wait_until(lambda: http_status(f"http://127.0.0.1:{port}/healthz") == 200, 30, "gunicorn")
    return proc, port


@contextmanager
def running_stack(tmp: Path, **app_env: str):
    """Real gunicorn and mitmweb (with the lab's addons) on free loopback ports, stopped afterwards."""
    app, app_port = start_app(tmp, **app_env)
    try:
        proxy, stack = start_proxy(tmp, app_port)
        try:
            yield stack
        finally:
            stop(proxy)
    finally:
        stop(app)


def start_site(tmp: Path, app_url: str, app_https_url: str = "") -> tuple[subprocess.Popen, int]:
    """Start the second site under gunicorn on a free loopback port, sending its requests to app_url (or app_https_url)."""
    port = free_port()
    proc = start(
        [
            str(BIN / "gunicorn"),
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--no-control-socket",
            "cookie_site:create_app()",
        ],
        tmp / f"site-{port}.log",
        cwd=SERVICES / "site",
        env={**os.environ, "LAB_APP_URL": app_url, **({"LAB_APP_HTTPS_URL": app_https_url} if app_https_url else {})},
    )
    wait_until(lambda: http_status(f"http://127.0.0.1:{port}/healthz") == 200, 30, "the second site")
    return proc, port


def http_status(url: str) -> int:
    with urllib.request.urlopen(url, timeout=1) as resp:
        return resp.status


@dataclass
class Stack:
    app_port: int
    proxy_port: int
    web_port: int
    capture: Path
    proxy_log: Path
    # The proxy's confdir: the lab's CA (CA_CERT in it) and the https certificate.
    confdir: Path

    @property
    def target(self) -> str:
        return f"http://127.0.0.1:{self.proxy_port}"

    @property
    def https(self) -> str:
        """The same app over https: the one traffic port answers both."""
        return f"https://127.0.0.1:{self.proxy_port}"

    @property
    def ca(self) -> Path:
        return self.confdir / CA_CERT

    def client(self, *args: str) -> subprocess.CompletedProcess:
        """Run the real client, as the client container does, against the proxy."""
        return subprocess.run(
            [sys.executable, "-m", "cookie_client", *args, "--target", self.target],
            check=False,
            cwd=SERVICES / "client",
            capture_output=True,
            text=True,
            timeout=60,
        )

    def records(self) -> list[dict]:
        return read_capture(self.capture)


def start_proxy(
    tmp: Path, app_port: int, capture: Path | None = None, ports: tuple[int, int] | None = None, addon: bool = True
):
    """Start mitmweb before app_port with the image's options (and the addons unless told not to); return it and its Stack."""
    proxy_port, web_port = ports or (free_port(), free_port())
    capture = capture or tmp / f"cookies-{proxy_port}.jsonl"
    confdir = CONFDIR
    stack = Stack(app_port, proxy_port, web_port, capture, tmp / f"mitmweb-{proxy_port}.log", confdir)
    lab = [
        "--set",
        f"cookie_log={capture}",
        "--set",
        f"lab_exercises={LAB / 'exercises.toml'}",
        "--set",
        f"lab_ui_url=http://localhost:{web_port}/",
    ]
    # The image's command line (lab_launch.py), on loopback ports, with the venv's mitmweb.
    args = mitmweb_args(f"http://127.0.0.1:{app_port}", "127.0.0.1", proxy_port, "127.0.0.1", web_port, addons=addon)
    proc = start(
        [
            str(BIN / args[0]),
            *args[1:],
            *confdir_args(confdir),
            "--set",
            f"web_password={PASSWORD}",
            *(lab if addon else []),
        ],
        stack.proxy_log,
    )
    wait_until(lambda: port_open(proxy_port) and port_open(web_port), 30, "mitmweb")
    return proc, stack


class MitmwebUI:
    """A logged-in mitmweb UI session: the Bearer password, and the XSRF token pair its UI sends."""

    def __init__(self, web_port: int) -> None:
        self.base = f"http://127.0.0.1:{web_port}"
        self.http = requests.Session()
        self.http.headers["Authorization"] = f"Bearer {PASSWORD}"
        # Tornado's XSRF check is double-submit: the header must equal the cookie.
        token = secrets.token_hex(16)
        self.http.cookies.set("_mitmproxy_xsrf", token, domain="127.0.0.1", path="/")
        self.http.headers["X-XSRFToken"] = token

    def call(self, method: str, path: str, **kwargs) -> requests.Response:
        resp = self.http.request(method, self.base + path, timeout=10, **kwargs)
        resp.raise_for_status()
        return resp

    def flows(self) -> list[dict]:
        return self.call("GET", "/flows").json()

    def dump(self) -> list[http.HTTPFlow]:
        """Every flow mitmweb holds, as mitmproxy's own flow objects (its /flows/dump, read by its FlowReader)."""
        reader = mitmproxy_io.FlowReader(io.BytesIO(self.call("GET", "/flows/dump").content))
        return [flow for flow in reader.stream() if isinstance(flow, http.HTTPFlow)]

    def close(self) -> None:
        self.http.close()


def intercept_edit_resume(stack, ui, path: str, cookie: str, edited_cookie: str) -> tuple[requests.Response, dict]:
    """Intercept a request to path, swap its Cookie header in mitmweb, resume it; return the answer and the flow."""
    ui.call("PUT", "/options", json={"intercept": f"~q & ~u {path}"})
    answer: dict = {}

    def learner_request() -> None:
        # Like the sheet's curl: waits while the flow is held.
        answer["resp"] = requests.get(f"{stack.target}{path}", headers={"Cookie": cookie}, timeout=30)

    thread = threading.Thread(target=learner_request)
    thread.start()
    try:
        held = wait_until(
            lambda: next((f for f in ui.flows() if f["request"]["path"] == path and f["intercepted"]), None),
            10,
            "the intercepted flow",
        )
        headers = [[k, edited_cookie if k.lower() == "cookie" else v] for k, v in held["request"]["headers"]]
        ui.call("PUT", f"/flows/{held['id']}", json={"request": {"headers": headers}})
        ui.call("POST", f"/flows/{held['id']}/resume")
    finally:
        thread.join(timeout=30)
    return answer["resp"], held
