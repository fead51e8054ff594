"""https through the real containers, with the lab's CA trusted as the README says, and certificate errors never ignored."""

import json
import socket
import ssl
import subprocess
import tarfile
import urllib.request

import pytest
from compose_support import PROJECT
from local_lab import wait_until

pytestmark = pytest.mark.compose


@pytest.fixture(scope="module")
def trusted(lab, seed_up, tmp_path_factory):
    """A TLS context that trusts the lab's CA alone, copied out with the README's command."""
    pem = tmp_path_factory.mktemp("ca") / "cookielab-ca.pem"
    lab.compose("cp", "proxy:/ca/mitmproxy-ca-cert.pem", str(pem))
    context = ssl.create_default_context(cafile=str(pem))
    assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname
    return context


def https_get(lab, context, host: str, path: str) -> tuple[int, str]:
    """GET path over https from 127.0.0.1:LAB_HTTPS_PORT, naming host in SNI, the certificate check and Host."""
    with (
        socket.create_connection(("127.0.0.1", lab.https_port), timeout=10) as raw,
        context.wrap_socket(raw, server_hostname=host) as tls,
    ):
        tls.sendall(f"GET {path} HTTP/1.1\r\nHost: {host}:{lab.https_port}\r\nConnection: close\r\n\r\n".encode())
        answer = b""
        while chunk := tls.recv(65536):
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    return int(head.split()[1]), body.decode()


def records(lab) -> list[dict]:
    return [
        json.loads(line)
        for line in lab.compose("exec", "-T", "proxy", "cat", "/captures/cookies.jsonl").stdout.splitlines()
    ]


def test_the_app_answers_https_at_127_0_0_1_with_a_certificate_the_lab_ca_signed(lab, trusted):
    with urllib.request.urlopen(f"https://127.0.0.1:{lab.https_port}/", timeout=10, context=trusted) as resp:
        assert resp.read() == b"Hello None"
        assert resp.headers.get_all("Set-Cookie") == ["username=Alice; Path=/"]
    record = wait_until(
        lambda: next((r for r in reversed(records(lab)) if r["scheme"] == "https"), None),
        15,
        "the https flow's capture line",
    )
    assert record["path"] == "/" and record["host"] == f"127.0.0.1:{lab.https_port}"


@pytest.mark.parametrize("host", ["localhost", "shop.cookielab.localhost", "blog.cookielab.localhost"])
def test_the_certificate_names_every_address_a_learner_types(lab, trusted, host):
    status, body = https_get(lab, trusted, host, "/siblings/")
    assert status == 200 and body.startswith(f"host: {host}")


def test_a_name_the_certificate_does_not_cover_is_refused(lab, trusted):
    with pytest.raises(ssl.SSLCertVerificationError):
        https_get(lab, trusted, "example.test", "/")


def test_the_proxy_image_holds_no_ca_and_no_key_of_the_lab(lab, seed_up, tmp_path):
    """The CA is made at the first start, in the `ca` volume: the image has neither it nor any private key of it."""
    ca_body = "".join(lab.ca().strip().splitlines()[1:-1]).encode()
    image = f"{PROJECT}-proxy"
    container = subprocess.run(
        ["docker", "create", image], capture_output=True, text=True, timeout=60, check=True
    ).stdout.strip()
    try:
        keys, named, has_ca_dir = [], [], False
        with (
            subprocess.Popen(["docker", "export", container], stdout=subprocess.PIPE) as export,
            tarfile.open(fileobj=export.stdout, mode="r|") as layers,
        ):
            for member in layers:
                if member.name.rstrip("/") == "ca" and member.isdir():
                    has_ca_dir = True
                if "mitmproxy-ca" in member.name or "cookielab-cert" in member.name:
                    named.append(member.name)
                if not member.isfile() or member.size > 5_000_000:
                    continue
                data = layers.extractfile(member).read()
                if data.lstrip().startswith(b"-----BEGIN") and b"PRIVATE KEY-----" in data:
                    keys.append(member.name)
                assert ca_body[:64] not in data.replace(b"\n", b""), member.name
        assert export.wait(timeout=120) == 0
    finally:
        subprocess.run(["docker", "rm", container], check=False, capture_output=True, timeout=60)
    assert has_ca_dir and named == []
    # The one key file in the image is a test fixture of tornado's (mitmweb's web server), not the lab's.
    assert [key.rsplit("-packages/", 1)[-1] for key in keys] == ["tornado/test/test.key"]


def test_the_safari_override_publishes_the_second_site_and_the_board_on_ipv6_loopback(lab, seed_up):
    """The README's way to the second site and the board for Safari, which resolves no *.localhost name."""
    files = ["-f", "docker-compose.yml", "-f", "docker-compose.safari.yml"]
    lab.compose(*files, "up", "-d", "--wait", "site", "progress", timeout=300)
    try:
        for port, text in ((lab.site_port, "Requests from another site"), (lab.progress_port, "Cookie Lab progress")):
            with urllib.request.urlopen(f"http://[::1]:{port}/", timeout=10) as resp:
                assert text in resp.read().decode()
    finally:
        # Back to the plain file's ports for the tests after this one.
        lab.compose("up", "-d", "--wait", "site", "progress", timeout=300)
