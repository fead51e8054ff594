"""Run a scenario's requests through one requests.Session and record each step."""

from __future__ import annotations

import html
import json
import re
import socket
import time
from dataclasses import asdict, dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit

import lab_contract
import requests

from . import flask_session

# Seconds to wait for a connection and for a response, for each request.
TIMEOUT = (3.05, 15)
# How the scripted client names itself: the proxy's grader never counts its flows
# as the learner's work (lab/exercises.toml).
USER_AGENT = f"{lab_contract.CLIENT_AGENT}/1.0 {requests.utils.default_user_agent()}"


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
    # What the client worked out from a cookie, e.g. a decoded session payload.
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def jar_contents(jar: requests.cookies.RequestsCookieJar) -> list[dict[str, Any]]:
    """Return the cookies the jar would still send somewhere, in its order; expired ones are gone."""
    return [
        {"name": c.name, "value": c.value, "domain": c.domain, "path": c.path, "secure": c.secure, "expires": c.expires}
        for c in jar
        if not c.is_expired()
    ]


def request_headers(spec: dict[str, Any], session: requests.Session) -> dict[str, str]:
    """The step's headers; a Cookie header given here replaces what the jar would send."""
    headers = dict(spec.get("headers", {}))
    if "pad_cookie" in spec:
        # One cookie of exactly this many bytes in the header value.
        size = int(spec["pad_cookie"])
        headers["Cookie"] = "pad=" + "x" * (size - len("pad="))
    if "forge_session" in spec:
        original = session.cookies.get("session")
        if original is None:
            raise StepFailed("forge_session: the jar holds no session cookie to forge")
        headers["Cookie"] = "session=" + flask_session.forge(original, spec["forge_session"])
    return headers


def step_note(spec: dict[str, Any], session: requests.Session) -> str:
    name = spec.get("decode_session")
    if not name or session.cookies.get(name) is None:
        return ""
    payload = flask_session.decode(session.cookies.get(name))
    return f"{name} payload: {json.dumps(payload, separators=(',', ':'))}"


def shown_body(spec: dict[str, Any], resp: requests.Response) -> str:
    """The body, or where the step names an `excerpt` (a regular expression) the part of an HTML page
    that matters: the first match, or a note that there was none. An error keeps its whole body."""
    pattern = spec.get("excerpt")
    if not pattern or resp.status_code >= 500:
        return resp.text
    found = re.search(pattern, resp.text, re.DOTALL)
    return found.group(0) if found else f"(no {pattern!r} in the page)"


def unreachable_app(step: Step, server: str) -> str | None:
    """mitmproxy's own 502 means the proxy is up but could not reach the app: say so, with its reason."""
    if step.status != 502 or not server.startswith("mitmproxy"):
        return None
    reason = re.search(r"<p>(.*?)</p>", step.body, re.DOTALL)
    detail = html.unescape(reason.group(1)).strip() if reason else step.reason
    return f"step {step.number}: the proxy answered 502 Bad Gateway: the app behind it is unreachable ({detail})"


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
            # Often: at `docker compose up` the client waits here for the proxy's port.
            time.sleep(0.05)


@dataclass
class Run:
    """A scenario's recorded steps, and the jar when it closed."""

    steps: list[Step]
    final_jar: list[dict[str, Any]]
    # What went wrong behind the proxy, one line per step it hit.
    problems: list[str] = field(default_factory=list)


def run(scenario: dict[str, Any], target: str, session: requests.Session | None = None) -> Run:
    """Send the scenario's requests in order and record each one."""
    session = session or requests.Session()
    session.headers["User-Agent"] = USER_AGENT
    steps = []
    problems = []
    for number, spec in enumerate(scenario["steps"], start=1):
        method = spec.get("method", "GET")
        url = urljoin(target.rstrip("/") + "/", spec["path"].lstrip("/"))
        try:
            resp = session.request(
                method,
                url,
                headers=request_headers(spec, session),
                data=spec.get("form"),
                allow_redirects=False,
                timeout=TIMEOUT,
            )
        except requests.ConnectionError as exc:
            raise StepFailed(
                f"step {number} ({method} {url}) got no response: the connection to {target} failed"
                f" after {number - 1} completed step(s); is the proxy running (docker compose ps)? ({exc})"
            ) from exc
        except requests.Timeout as exc:
            raise StepFailed(f"step {number} ({method} {url}) got no response within {TIMEOUT[1]} s") from exc
        except requests.RequestException as exc:
            raise StepFailed(f"step {number} ({method} {url}) failed: {exc}") from exc
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
                body=shown_body(spec, resp),
                note=step_note(spec, session),
            )
        )
        if problem := unreachable_app(steps[-1], resp.headers.get("Server", "")):
            problems.append(problem)
        if "wait" in spec:
            # The scenario's own pause, e.g. to let a Max-Age run out.
            time.sleep(float(spec["wait"]))
    if scenario.get("closing", {}).get("clear_session_cookies"):
        # What closing a browser does: session cookies go, persistent ones stay.
        session.cookies.clear_session_cookies()
    return Run(steps, jar_contents(session.cookies), problems)
