"""The lab as processes on 127.0.0.1: gunicorn with the app's own gunicorn.conf.py, and mitmweb with the
image's command line (services/proxy/lab_launch.py), each on a free loopback port, stopped afterwards.

The benchmark (bench/run.py) starts the lab this way, and so do the stack and browser tiers
(tests/support/stack_support.py imports it): one owner for how the lab runs without containers.
It needs the lab's .venv (scripts/test makes it), which holds mitmproxy, gunicorn and the contract package.
"""

from __future__ import annotations

import atexit
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SERVICES = ROOT / "services"
LAB = ROOT / "lab"
if str(SERVICES / "proxy") not in sys.path:
    sys.path.insert(0, str(SERVICES / "proxy"))

import lab_contract
from lab_contract import exploit
from lab_launch import CA_CERT, confdir_args, mitmweb_args

BIN = Path(sys.executable).parent
PASSWORD = "stack-test-password"
# One CA for every proxy of a test run, as one lab install has one: the browser
# tier's browsers trust it once (CA_CERT in this folder), whichever stack they visit.
CONFDIR = Path(tempfile.mkdtemp(prefix="cookielab-test-ca-"))
atexit.register(shutil.rmtree, CONFDIR, ignore_errors=True)


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(check, timeout: float, what: str, interval: float = 0.1):
    """Call check() until it returns a true value, for at most timeout seconds."""
    deadline = time.monotonic() + timeout
    last: Exception | None = None
    while time.monotonic() < deadline:
        try:
            result = check()
            if result:
                return result
        except Exception as exc:  # noqa: BLE001 - reported below if time runs out
            last = exc
        time.sleep(interval)
    raise TimeoutError(f"{what} not ready after {timeout} s (last error: {last})")


def port_open(port: int, host: str = "127.0.0.1") -> bool:
    try:
        socket.create_connection((host, port), timeout=0.5).close()
        return True
    except OSError:
        return False


def read_capture(path: Path) -> list[dict]:
    """Every line of a capture file, each required to be one whole record (the lab's one reader, strict:
    for the short files of a test or a benchmark run); no file yet, no lines."""
    return lab_contract.read_capture(path, strict=True).records


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
    # The app's volume: the attack labs' state, shared by its workers.
    data = tmp / f"appdata-{port}"
    data.mkdir()
    proc = start(
        [str(BIN / "gunicorn"), "-c", "gunicorn.conf.py", "--bind", f"127.0.0.1:{port}", "cookie_app:create_app()"],
        tmp / f"gunicorn-{port}.log",
        cwd=SERVICES / "app",
        env={**environ, "LAB_EXERCISES": str(LAB / "exercises.toml"), "LAB_DATA_DIR": str(data), **env},
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


@contextmanager
def running_stack_and_site(tmp: Path):
    """running_stack, and the second site sending to it over http and https; the stack's `site` is the
    site's address as a browser opens it (site.localhost, another site than the app's 127.0.0.1)."""
    with running_stack(tmp) as stack:
        site, site_port = start_site(tmp, stack.target, f"https://127.0.0.1:{stack.proxy_port}")
        stack.site = f"http://site.localhost:{site_port}"
        try:
            yield stack
        finally:
            stop(site)


def exploit_folder(tmp: Path) -> Path:
    """The exploit server's folder of a stack in tmp: the site writes it, the proxy reads its log."""
    folder = tmp / "exploit"
    folder.mkdir(exist_ok=True)
    return folder


def start_site(tmp: Path, app_url: str, app_https_url: str = "") -> tuple[subprocess.Popen, int]:
    """Start the second site under gunicorn on a free loopback port, sending its requests to app_url (or app_https_url)."""
    port = free_port()
    # The exploit server's volume (the proxy's grader follows its log); two workers, as in the image, share it.
    exploit = exploit_folder(tmp)
    proc = start(
        [
            str(BIN / "gunicorn"),
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            # As in the image: threads, so that a browser's idle pre-opened connections never hold both workers.
            "--worker-class",
            "gthread",
            "--threads",
            "4",
            "--no-control-socket",
            "cookie_site:create_app()",
        ],
        tmp / f"site-{port}.log",
        cwd=SERVICES / "site",
        env={
            **os.environ,
            "LAB_APP_URL": app_url,
            "LAB_EXPLOIT_DIR": str(exploit),
            **({"LAB_APP_HTTPS_URL": app_https_url} if app_https_url else {}),
        },
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
        """The capture's flow records (a line of kind exploit_log records no flow: exploit_solves())."""
        return [record for record in read_capture(self.capture) if "kind" not in record]

    def exploit_solves(self) -> list[dict]:
        """The capture's lines of steps met by the exploit server's log."""
        return [record for record in read_capture(self.capture) if record.get("kind") == "exploit_log"]


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
        "--set",
        f"lab_exploit_log={exploit_folder(tmp) / exploit.LOG_FILE}",
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
