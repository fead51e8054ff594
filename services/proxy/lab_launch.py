"""Start the lab's mitmweb: the lab's CA (made once per install and kept), a certificate for the addresses a learner types, then mitmweb with the lab's options.

Usage:
    python lab_launch.py [more mitmweb options]          # the image's ENTRYPOINT
    python lab_launch.py --print-ca                       # the CA certificate (PEM), to trust it

The CA lives in the confdir (LAB_CONFDIR, in the lab the `ca` volume at /ca):
made by mitmproxy at the first start, kept across restarts, never in an image.
The certificate for https is made again at each start from that CA and names
127.0.0.1, localhost and *.cookielab.localhost, so that https://127.0.0.1:8443/
matches what the learner typed whatever address mitmproxy sees inside Docker.
"""

from __future__ import annotations

import ipaddress
import os
import sys
from pathlib import Path

from cryptography import x509
from mitmproxy import certs

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
WEB_COLUMNS = ["tls", "icon", "method", "path", "status", "size", "time", "comment"]
ADDONS = ["lab_grader.py", "cookie_logger.py"]


def mitmweb_args(
    upstream: str = "http://app:8000",
    listen_host: str = "",
    listen_port: int = 8080,
    web_host: str = "0.0.0.0",
    web_port: int = 8081,
    addons: bool = True,
) -> list[str]:
    """The lab's mitmweb command line, before the confdir and certificate options."""
    args = ["mitmweb", "--mode", f"reverse:{upstream}", "--listen-port", str(listen_port),
            "--web-host", web_host, "--web-port", str(web_port), "--no-web-open-browser",
            "--set", "connection_strategy=lazy", "--set", "keep_host_header=true", "--set", "http2=false"]
    if listen_host:
        args += ["--listen-host", listen_host]
    args += [arg for column in WEB_COLUMNS for arg in ("--set", f"web_columns={column}")]
    # The grader before the logger: the logger records what the grader decided.
    if addons:
        args += [arg for name in ADDONS for arg in ("-s", str(HERE / name))]
    return args


def lab_certificate(confdir: Path) -> Path:
    """Make the CA in confdir if it has none yet, and (again) the certificate for the lab's names; return its path."""
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
    cert = certs.dummy_cert(store.default_privatekey, store.default_ca.to_cryptography(), LAB_NAMES[0], sans,
                            organization="Cookie Lab")
    path = confdir / LAB_CERT
    # Whole or not at all, for a mitmproxy that reads it while another start writes it.
    part = path.with_name(f".{LAB_CERT}.{os.getpid()}")
    part.write_bytes(cert.to_pem())
    part.replace(path)
    return path


def confdir_args(confdir: Path) -> list[str]:
    """The options that put mitmproxy's state in confdir and serve the lab's certificate for every name."""
    return ["--set", f"confdir={confdir}", "--set", f"certs={lab_certificate(confdir)}"]


def main(argv: list[str]) -> None:
    confdir = Path(os.environ.get("LAB_CONFDIR", DEFAULT_CONFDIR))
    if argv[:1] == ["--print-ca"]:
        lab_certificate(confdir)
        sys.stdout.write((confdir / CA_CERT).read_text(encoding="ascii"))
        return
    try:
        args = mitmweb_args() + confdir_args(confdir) + argv
    except OSError as exc:
        sys.exit(f"Cookie Lab: cannot keep the lab's CA in {confdir}: {exc}")
    os.execvp(args[0], args)


if __name__ == "__main__":
    main(sys.argv[1:])
