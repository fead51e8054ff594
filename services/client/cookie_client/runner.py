"""Run a scenario's requests through one requests.Session and record each step."""

from __future__ import annotations

import socket
import time
from dataclasses import asdict, dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests

# Seconds to wait for a connection and for a response, for each request.
TIMEOUT = (3.05, 15)


class TargetUnreachable(Exception):
    """The target did not accept a connection within the wait."""


class StepFailed(Exception):
    """A request of the scenario got no HTTP response."""


@dataclass
class Step:
    """What one request sent and got back, as the client saw it on the wire."""

    number: int
    action: str
    method: str
    url: str
    status: int
    reason: str
    request_cookie_header: str | None
    set_cookie_headers: list[str]
    jar: list[dict[str, Any]] = field(default_factory=list)
    body: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def jar_contents(jar: requests.cookies.RequestsCookieJar) -> list[dict[str, Any]]:
    """Return the jar's cookies in the order it will send them."""
    return [
        {"name": c.name, "value": c.value, "domain": c.domain, "path": c.path, "secure": c.secure, "expires": c.expires}
        for c in jar
    ]


def wait_for(target: str, wait: float) -> None:
    """Poll the target's TCP port until it accepts, for at most wait seconds."""
    parts = urlsplit(target)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    deadline = time.monotonic() + wait
    attempts = 0
    while True:
        attempts += 1
        try:
            socket.create_connection((host, port), timeout=1).close()
            return
        except OSError as exc:
            if time.monotonic() >= deadline:
                raise TargetUnreachable(
                    f"cannot reach {target} (host {host!r}, port {port}): "
                    f"{attempts} attempts in {wait:g} s, last error: {exc}"
                ) from exc
            time.sleep(0.2)


def run(scenario: dict[str, Any], target: str, session: requests.Session | None = None) -> list[Step]:
    """Send the scenario's requests in order and record each one."""
    session = session or requests.Session()
    steps = []
    for number, spec in enumerate(scenario["steps"], start=1):
        method = spec.get("method", "GET")
        url = urljoin(target.rstrip("/") + "/", spec["path"].lstrip("/"))
        try:
            resp = session.request(
                method,
                url,
                headers=spec.get("headers"),
                data=spec.get("form"),
                allow_redirects=False,
                timeout=TIMEOUT,
            )
        except requests.RequestException as exc:
            raise StepFailed(f"step {number} ({method} {url}) got no response: {exc}") from exc
        steps.append(
            Step(
                number=number,
                action=spec["action"],
                method=method,
                url=url,
                status=resp.status_code,
                reason=resp.reason or "",
                # The header the prepared request really carried, from the jar.
                request_cookie_header=resp.request.headers.get("Cookie"),
                # Each Set-Cookie on its own: requests' resp.headers joins them.
                set_cookie_headers=resp.raw.headers.getlist("Set-Cookie"),
                jar=jar_contents(session.cookies),
                body=resp.text,
            )
        )
        if "wait" in spec:
            time.sleep(float(spec["wait"]))
    return steps
