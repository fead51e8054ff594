"""Record every Cookie and Set-Cookie header that crosses the proxy: a readable log line per header, one JSON line per flow, and a comment on the flow in mitmweb.

Usage (the Recorder runs as part of the lab's one addon script, after the grader):
    mitmweb --mode reverse:http://127.0.0.1:8000 -s lab_proxy.py --set cookie_log=cookies.jsonl

The JSON fields are documented in README.md beside this file. This module also
owns what the lab's addons share about a flow (the metadata keys below, the
scheme the learner used, how a header is shown), so each is written once.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import time
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

import lab_contract
from mitmproxy import ctx, exceptions, http
from mitmproxy.net.http import cookies as mcookies

logger = logging.getLogger(__name__)

# The readable traffic lines go straight to stdout (`docker compose logs proxy`),
# not through mitmproxy's log machinery: its event store wakes the event loop
# and feeds mitmweb's UI for every record, which cost about 1 ms per flow
# (docs/PERFORMANCE.md). The lab's banner and errors still go through it.
traffic = logging.getLogger("cookie_lab.traffic")
traffic.propagate = False
traffic.setLevel(logging.INFO)
if not traffic.handlers:  # the module runs again when mitmproxy reloads the script
    _stdout = logging.StreamHandler(sys.stdout)
    _stdout.setFormatter(logging.Formatter("[%(asctime)s.%(msecs)03d] %(message)s", datefmt="%H:%M:%S"))
    traffic.addHandler(_stdout)


def say(line: str) -> None:
    """Print a traffic line, at once. (Deferring the write until mitmproxy had sent the flow on, with
    loop.call_soon, made the keep-alive p50 worse, not better: docs/PERFORMANCE.md.)"""
    traffic.info(line)


# Longest header value shown in full in a log line or flow comment.
DISPLAY_LIMIT = 200

# RFC 6265bis attribute names, keyed by their lower-case form.
ATTRIBUTES = {
    name.lower(): name
    for name in ("Expires", "Max-Age", "Path", "Domain", "Secure", "HttpOnly", "SameSite", "Partitioned")
}

DEFAULT_COOKIE_LOG = lab_contract.CAPTURES

# Marks a flow whose record was written, so a flow with both a response and an
# error still gives exactly one JSON line. Cleared when the flow passes the
# request hook again: mitmweb replays a flow in place, and a replay is a new
# exchange with a line of its own.
RECORDED = "cookie_logger.recorded"
# What the lab's addons tell each other about a flow, in flow.metadata; each
# key has one writer. Written by the grader (lab_grader.py), which runs first:
# the challenges the flow solved, the steps of a challenge it met, and whether
# the learner edited its request in mitmweb. Written by the Recorder when the
# request arrives: the scheme the learner's client used.
SOLVED = "cookie_lab.solved"
STEPS = "cookie_lab.steps"
EDITED = "cookie_lab.edited"
SCHEME = "cookie_lab.scheme"


def display(text: str, limit: int = DISPLAY_LIMIT) -> str:
    """Make a header value safe and short for a log line: bytes that are not
    UTF-8 and control characters are escaped, and a long value is cut with its
    length shown."""
    if text.isascii() and text.isprintable():
        shown = text  # the usual case, checked at C speed
    else:
        shown = text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
        shown = "".join(c if c.isprintable() else f"\\x{ord(c):02x}" for c in shown)
    if len(text) > limit:
        return f"{shown[:limit]}… ({len(text)} chars)"
    return shown


def parse_request_cookies(header: str) -> list[dict[str, Any]]:
    """Split one Cookie header into name/value pairs, duplicates kept in order."""
    return [{"name": name, "value": value} for name, value in mcookies.parse_cookie_header(header)]


def parse_set_cookie(header: str) -> list[dict[str, Any]]:
    """Split one Set-Cookie header into cookies with their attributes.

    mitmproxy's parser keeps malformed input; a flag attribute (Secure,
    HttpOnly, Partitioned) becomes True, a repeated attribute keeps its last
    value as RFC 6265 section 5.3 says, unknown attributes keep their own name.
    """
    parsed = []
    for name, value, attrs in mcookies.parse_set_cookie_header(header):
        attributes: dict[str, Any] = {}
        for key, attr_value in attrs.fields:
            attributes[ATTRIBUTES.get(key.lower(), key)] = True if attr_value is None else attr_value
        parsed.append({"name": name, "value": value, "attributes": attributes})
    return parsed


def parse_each(kind: str, parse, headers: list[str], errors: list[str]) -> list[dict[str, Any]]:
    """Parse every header on its own, tagging each result with its header's index.

    A header the parser cannot read is noted in errors, never raised: it is
    still kept raw in the record.
    """
    parsed: list[dict[str, Any]] = []
    for index, header in enumerate(headers):
        try:
            parsed.extend({**item, "header": index} for item in parse(header))
        except Exception as exc:  # noqa: BLE001 - bad input must never stop the proxy
            errors.append(f"{kind} header {index}: {type(exc).__name__}: {exc}")
    return parsed


def iso_time(timestamp: float | None) -> str | None:
    if timestamp is None:
        return None
    return datetime.fromtimestamp(timestamp, UTC).isoformat(timespec="milliseconds")


def flow_record(flow: http.HTTPFlow, trust_forwarded_proto: bool = False) -> dict[str, Any]:
    """Build the JSON record of one flow from its raw headers."""
    cookie_headers = flow.request.headers.get_all("cookie")
    set_cookie_headers = flow.response.headers.get_all("set-cookie") if flow.response else []
    parse_errors: list[str] = []
    request_cookies = parse_each("Cookie", parse_request_cookies, cookie_headers, parse_errors)
    set_cookies = parse_each("Set-Cookie", parse_set_cookie, set_cookie_headers, parse_errors)
    return {
        "time": iso_time(flow.request.timestamp_start),
        "flow_id": flow.id,
        "method": flow.request.method,
        "scheme": scheme_of(flow, trust_forwarded_proto),
        "host": flow.request.host_header,
        "path": flow.request.path,
        "status": flow.response.status_code if flow.response else None,
        "request_cookie_headers": cookie_headers,
        "request_cookies": request_cookies,
        "set_cookie_headers": set_cookie_headers,
        "set_cookies": set_cookies,
        "parse_errors": parse_errors,
        "error": flow.error.msg if flow.error else None,
        # "request" when mitmweb replayed the request (same flow_id as the original).
        "replay": flow.is_replay,
        "edited": bool(flow.metadata.get(EDITED)),
        "solved": list(flow.metadata.get(SOLVED, [])),
        "steps": list(flow.metadata.get(STEPS, [])),
    }


def flow_scheme(flow: http.HTTPFlow, trust_forwarded_proto: bool = False) -> str:
    """The scheme the learner's client used: https when it spoke TLS to the proxy.

    In reverse mode flow.request.scheme is the app's (http) whatever the client
    spoke. Behind an Ingress that ends TLS, the controller says it in
    X-Forwarded-Proto, trusted only when the proxy is reachable from it alone.
    """
    if flow.client_conn.tls_established:
        return "https"
    if trust_forwarded_proto:
        forwarded = flow.request.headers.get("x-forwarded-proto", "").split(",")[0].strip().lower()
        if forwarded in ("http", "https"):
            return forwarded
    return "http"


def scheme_of(flow: http.HTTPFlow, trust_forwarded_proto: bool = False) -> str:
    """The scheme the Recorder found when the request arrived; without it (a flow that failed before its
    request hook, or the grader used alone), the flow's own."""
    return flow.metadata.get(SCHEME) or flow_scheme(flow, trust_forwarded_proto)


def header_entries(name: str, headers: list[str]) -> list[str]:
    """One readable entry per header, or one saying there was none: for log lines and flow comments."""
    return [f"{name}: {display(h)}" for h in headers] or [f"{name}: (none)"]


class Recorder:
    def __init__(self) -> None:
        self._fd: int | None = None

    def load(self, loader) -> None:
        loader.add_option(
            "cookie_log",
            str,
            DEFAULT_COOKIE_LOG,
            "Append one JSON line per flow with its Cookie and Set-Cookie headers "
            "to this file. Empty: no file, log lines only.",
        )
        loader.add_option(
            "lab_trust_forwarded_proto",
            bool,
            False,
            "Take a plain-http flow's scheme from its X-Forwarded-Proto header. Only where an Ingress "
            "that ends TLS and sets the header is the one way to the proxy.",
        )

    def configure(self, updates: set[str]) -> None:
        if "cookie_log" not in updates:
            return
        self._close()
        path = ctx.options.cookie_log
        if not path:
            return
        if path == DEFAULT_COOKIE_LOG and not os.path.isdir(os.path.dirname(path)):
            # Outside the lab's container: log lines only, and say so.
            logger.warning(
                f"cookie_log: {os.path.dirname(path)} does not exist, so no capture file is written;"
                " set cookie_log to a path"
            )
            return
        try:
            # O_APPEND with one write() per line: every line lands whole, after
            # the others, and is on disk for a reader as soon as it is written.
            self._fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        except OSError as exc:
            raise exceptions.OptionsError(f"cookie_log: cannot append to {path!r}: {exc.strerror}") from exc

    def running(self) -> None:
        if self._fd is not None:
            logger.info(f"Cookie Lab: capturing cookies to {ctx.options.cookie_log}")

    def history(self) -> Iterable[dict[str, Any]]:
        """The records in the capture file so far, oldest first, read as they are iterated: a line that is
        no record is skipped."""
        path = ctx.options.cookie_log
        return lab_contract.CaptureReader(path) if path else []

    def request(self, flow: http.HTTPFlow) -> None:
        flow.metadata.pop(RECORDED, None)
        # Worked out once, here, for the grader's steps and for the record.
        flow.metadata[SCHEME] = flow_scheme(flow, ctx.options.lab_trust_forwarded_proto)
        # ↻: mitmweb's Replay sent this request again, as it now is (edits included).
        replay = flow.is_replay == "request"
        prefix = f"{'↻' if replay else '→'} {display(flow.request.method)} {display(flow.request.path)}"
        for entry in header_entries("Cookie", flow.request.headers.get_all("cookie")):
            say(f"{prefix}  {entry}{'  (replayed in mitmweb)' if replay else ''}")

    def response(self, flow: http.HTTPFlow) -> None:
        assert flow.response is not None
        record = self._finish(flow)
        set_cookies = record["set_cookie_headers"] if record else flow.response.headers.get_all("set-cookie")
        for entry in header_entries("Set-Cookie", set_cookies):
            say(f"← {flow.response.status_code}  {entry}")

    def error(self, flow: http.HTTPFlow) -> None:
        assert flow.error is not None
        say(f"✗ {display(flow.request.method)} {display(flow.request.path)}  error: {display(flow.error.msg)}")
        self._finish(flow)

    def done(self) -> None:
        self._close()

    def _finish(self, flow: http.HTTPFlow) -> dict[str, Any] | None:
        """Record the flow once: comment and JSON line. Return the record, or None if it was already written."""
        if flow.metadata.get(RECORDED):
            return None
        flow.metadata[RECORDED] = True
        record = flow_record(flow, ctx.options.lab_trust_forwarded_proto)
        self._comment(flow, record)
        self._write(record)
        return record

    @staticmethod
    def _comment(flow: http.HTTPFlow, record: dict[str, Any]) -> None:
        parts = [f"✔ solved {cid}" for cid in record["solved"]]
        parts += header_entries("Cookie", record["request_cookie_headers"])
        parts += header_entries("Set-Cookie", record["set_cookie_headers"])
        if record["error"]:
            parts.append(f"error: {display(record['error'])}")
        # mitmweb shows a comment on one line, in the flow list and the detail view.
        note = " | ".join(parts)
        # Keep whatever is on the flow already: the learner's own words, and a replayed flow's first
        # comment with its ✔ solved mark, to which a replay that says the same adds nothing.
        if not flow.comment:
            flow.comment = note
        elif note not in flow.comment:
            flow.comment = f"{flow.comment} | {note}"

    def record_exploit_solve(
        self, flow: http.HTTPFlow | None, entry: dict[str, Any], solved: list[str], steps: list[str]
    ) -> None:
        """Record steps met (and challenges solved) by a request in the exploit server's log, after the flow
        that carried the payload was recorded: a record of its own, kind "exploit_log", naming that flow."""
        if flow is not None and solved:
            note = " | ".join(f"✔ solved {cid} (the exploit server's log got it)" for cid in solved)
            flow.comment = f"{flow.comment} | {note}" if flow.comment else note
        self._write(
            {
                "time": iso_time(time.time()),
                "kind": "exploit_log",
                "flow_id": flow.id if flow is not None else None,
                "exploit_request": {key: entry[key] for key in ("time", "method", "path", "query")},
                "solved": solved,
                "steps": steps,
            }
        )

    def _write(self, record: dict[str, Any]) -> None:
        if self._fd is None:
            return
        # ensure_ascii keeps bytes that are not UTF-8 (held by mitmproxy as
        # lone surrogates) as \udcXX escapes: the exact bytes come back with
        # str.encode("utf-8", "surrogateescape").
        line = (json.dumps(record, ensure_ascii=True, separators=(",", ":")) + "\n").encode("ascii")
        try:
            written = os.write(self._fd, line)
            if written != len(line):
                raise OSError(f"short write: {written} of {len(line)} bytes")
        except OSError as exc:
            # Nothing lost: the record goes to the log when the file refuses it.
            logger.error(
                f"cookie_log: cannot write to {ctx.options.cookie_log}: {exc}; record: {line.decode().strip()}"
            )

    def _close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


# Not loaded on its own: lab_proxy.py runs the Recorder after the grader.
