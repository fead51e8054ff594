"""Start the lab's mitmweb: the lab's CA (made once per install and kept), a certificate for the addresses a learner types, then mitmweb with the lab's options.

Usage:
    python lab_launch.py [more mitmweb options]          # the image's ENTRYPOINT
    python lab_launch.py --print-ca                       # the CA certificate (PEM), to trust it
    python lab_launch.py --health                         # exit 0 when the proxy is ready (health check)

LAB_WAIT_FOR_APP (seconds, the image sets it): before its ports open, the proxy
waits at most that long for the app to accept connections, so that whoever
waits for the proxy's port (the scripted client) never meets an app that is not
up yet. After that it starts anyway, and a request gets mitmproxy's 502.

The CA lives in the confdir (LAB_CONFDIR, in the lab the `ca` volume at /ca):
made by mitmproxy at the first start, kept across restarts, never in an image.
The certificate for https is made again at each start from that CA and names
127.0.0.1, localhost and *.cookielab.localhost, so that https://127.0.0.1:8443/
matches what the learner typed whatever address mitmproxy sees inside Docker.
"""

from __future__ import annotations

import glob
import ipaddress
import os
import socket
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

HERE = Path(__file__).resolve().parent
DEFAULT_CONFDIR = "/ca"
# mitmproxy's own names for the files of its CA in the confdir.
CA_BASENAME = "mitmproxy"
CA_CERT = f"{CA_BASENAME}-ca-cert.pem"
# The name a learner sees in the browser's certificate manager.
CA_NAME = "Cookie Lab CA (this install only)"
# The certificate that https serves, beside the CA; no key of its own: like
# mitmproxy's own certificates it carries the CA's public key, and mitmproxy
# signs the handshake with the CA's key from the same confdir.
LAB_CERT = "cookielab-cert.pem"
# Every name a learner types for the app: the loopback address, localhost and the sibling hosts (lab/11-domain.md).
LAB_NAMES = ["127.0.0.1", "localhost", "cookielab.localhost", "*.cookielab.localhost"]

# The lab's proxy, as every copy of it runs (the image, the tests, the cluster):
# the learner's traffic and the UI's ports, what mitmweb shows, and the addons.
# connection_strategy=lazy: connect to the app per request, so an app that is
#   down gives the learner a 502 flow with mitmproxy's error, not a dropped connection.
# keep_host_header: the app sees the Host the browser sent, as cookies do.
# http2=false: the one traffic port speaks http and https (mitmproxy tells them
#   apart by the first bytes), both HTTP/1.1, so a Cookie header is one line in both.
# web_columns: a sequence option takes one --set per column; `tls` shows https
#   flows with a lock, `comment` the addon's notes.
UPSTREAM = "http://app:8000"
TRAFFIC_PORT = 8080
WEB_PORT = 8081
WEB_COLUMNS = ["tls", "icon", "method", "path", "status", "size", "time", "comment"]
# The lab's one addon script; the order of its addons is in the script.
ADDON_SCRIPT = "lab_proxy.py"


def mitmweb_args(
    upstream: str = UPSTREAM,
    listen_host: str = "",
    listen_port: int = TRAFFIC_PORT,
    web_host: str = "0.0.0.0",
    web_port: int = WEB_PORT,
    addons: bool = True,
) -> list[str]:
    """The lab's mitmweb command line, before the confdir and certificate options."""
    args = [
        "mitmweb",
        "--mode",
        f"reverse:{upstream}",
        "--listen-port",
        str(listen_port),
        "--web-host",
        web_host,
        "--web-port",
        str(web_port),
        "--no-web-open-browser",
        "--set",
        "connection_strategy=lazy",
        "--set",
        "keep_host_header=true",
        "--set",
        "http2=false",
    ]
    if listen_host:
        args += ["--listen-host", listen_host]
    args += [arg for column in WEB_COLUMNS for arg in ("--set", f"web_columns={column}")]
    if addons:
        args += ["-s", str(HERE / ADDON_SCRIPT)]
    return args


def lab_certificate(confdir: Path) -> Path:
    """Make the CA in confdir if it has none yet, and (again) the certificate for the lab's names; return its path."""
    # Imported here: the health check runs this file every second and needs neither.
    from cryptography import x509
    from mitmproxy import certs

    if not (confdir / f"{CA_BASENAME}-ca.pem").exists():
        # Named for the lab, so that a learner who trusted it finds it again to remove it.
        certs.CertStore.create_store(confdir, CA_BASENAME, 2048, organization="Cookie Lab", cn=CA_NAME)
    store = certs.CertStore.from_store(confdir, CA_BASENAME, 2048)
    sans: list[x509.GeneralName] = []
    for name in LAB_NAMES:
        try:
            sans.append(x509.IPAddress(ipaddress.ip_address(name)))
        except ValueError:
            sans.append(x509.DNSName(name))
    cert = certs.dummy_cert(
        store.default_privatekey, store.default_ca.to_cryptography(), LAB_NAMES[0], sans, organization="Cookie Lab"
    )
    path = confdir / LAB_CERT
    # Whole or not at all, for a mitmproxy that reads it while another start writes it.
    part = path.with_name(f".{LAB_CERT}.{os.getpid()}")
    part.write_bytes(cert.to_pem())
    part.replace(path)
    return path


def confdir_args(confdir: Path) -> list[str]:
    """The options that put mitmproxy's state in confdir and serve the lab's certificate for every name."""
    return ["--set", f"confdir={confdir}", "--set", f"certs={lab_certificate(confdir)}"]


def listening(port: int) -> bool:
    """Whether a TCP socket listens on port, read from the kernel's socket table (state 0A): connecting
    instead would make mitmproxy log a client connection every second."""
    for table in glob.glob("/proc/net/tcp*"):
        with open(table, encoding="ascii") as rows:
            for row in rows.readlines()[1:]:
                fields = row.split()
                if fields[1].endswith(f":{port:04X}") and fields[3] == "0A":
                    return True
    return False


def unready(confdir: Path) -> str | None:
    """Why the lab's proxy is not ready yet, or None: the UI answers, the certificate for https is
    in place, and the traffic port listens."""
    try:
        socket.create_connection(("127.0.0.1", WEB_PORT), 1).close()
    except OSError as exc:
        return f"the UI's port {WEB_PORT} does not answer: {exc}"
    cert = confdir / LAB_CERT
    if not cert.exists() or not cert.stat().st_size:
        return f"no certificate for https in {cert}"
    if not listening(TRAFFIC_PORT):
        return f"port {TRAFFIC_PORT} is not listening"
    return None


def wait_for_app(upstream: str, seconds: float, poll: float = 0.05) -> bool:
    """Whether upstream accepted a connection within seconds, polled every poll seconds; says so when it waits."""
    parts = urlsplit(upstream)
    address = (parts.hostname or "", parts.port or 80)
    deadline = time.monotonic() + seconds
    told = False
    while True:
        try:
            socket.create_connection(address, timeout=1).close()
            return True
        except OSError as exc:
            if time.monotonic() >= deadline:
                print(
                    f"Cookie Lab: the app at {parts.netloc} did not answer within {seconds:g} s ({exc}): "
                    "starting anyway; requests get a 502 until it does.",
                    file=sys.stderr,
                )
                return False
            if not told:
                print(f"Cookie Lab: waiting for the app at {parts.netloc} ...", file=sys.stderr)
                told = True
            time.sleep(poll)


def main(argv: list[str]) -> None:
    confdir = Path(os.environ.get("LAB_CONFDIR", DEFAULT_CONFDIR))
    if argv[:1] == ["--health"]:
        problem = unready(confdir)
        sys.exit(f"Cookie Lab proxy: {problem}" if problem else 0)
    if argv[:1] == ["--print-ca"]:
        lab_certificate(confdir)
        sys.stdout.write((confdir / CA_CERT).read_text(encoding="ascii"))
        return
    try:
        args = mitmweb_args() + confdir_args(confdir) + argv
    except OSError as exc:
        sys.exit(f"Cookie Lab: cannot keep the lab's CA in {confdir}: {exc}")
    # mitmweb in this process, not exec'd in a new one: mitmproxy and cryptography are imported
    # already (for the certificate), so the proxy is up about 0.4 s sooner (docs/PERFORMANCE.md).
    from mitmproxy.tools.main import mitmweb

    # After the imports, which take longer than the app's start.
    wait = float(os.environ.get("LAB_WAIT_FOR_APP") or 0)
    if wait > 0:
        wait_for_app(UPSTREAM, wait)
    sys.argv = args
    mitmweb(args[1:])


if __name__ == "__main__":
    main(sys.argv[1:])
