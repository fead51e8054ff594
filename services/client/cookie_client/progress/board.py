"""The progress board: the same table as `progress`, as a web page that refreshes itself.

Usage:
    python -m cookie_client board [--port 8000] [--captures PATH] [--exercises PATH]

Its page is fetched straight from this server, never through the lab's proxy,
so its refreshes leave no flows in mitmweb.
"""

from __future__ import annotations

import html
import json
import signal
from functools import partial
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from . import data as progress

REFRESH_SECONDS = 5
CSS = b"""body{font:15px/1.45 system-ui,sans-serif;margin:0 auto;max-width:64rem;padding:0 1rem 2rem}
table{border-collapse:collapse;width:100%}th,td{border:1px solid #ccc;padding:.25rem .5rem;text-align:left;vertical-align:top}
th{background:#eee}td code,.next code{white-space:nowrap}td.when{white-space:nowrap}.yes{color:#1b6e1b;font-weight:600}.no{color:#8a8a8a}code{font-size:13px}.next{background:#fff6d6;padding:.5rem .8rem}
"""


def page(data: dict) -> str:
    """The board as HTML; every value from the capture file or the index is escaped."""
    e = html.escape
    body = []
    for row in data["challenges"]:
        mark = '<span class="yes">solved</span>' if row["solved"] else '<span class="no">not yet</span>'
        body.append(
            f"<tr><td>{e(row['exercise'])}</td><td><code>{e(row['challenge'])}</code></td>"
            f'<td>{e(row["task"])}</td><td>{mark}</td><td class="when">{e(progress.readable_time(row["when"]))}</td></tr>'
        )
    nxt = data["next"]
    hint = (
        f'<p class="next" id="next">Next: <code>{e(nxt["challenge"])}</code>. Hint: {e(nxt["hint"])} '
        f"(more: <code>docker compose run --rm client hint {e(nxt['challenge'])} --level 2</code>)</p>"
        if nxt
        else '<p class="next" id="next">Every challenge is solved.</p>'
    )
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="refresh" content="{REFRESH_SECONDS}">'
        '<title>Progress · Cookie Lab</title><link rel="stylesheet" href="/board.css"></head><body>'
        f'<h1>Cookie Lab progress: <span id="count">{data["solved"]} of {data["total"]}</span> challenges solved</h1>'
        f"{hint}<table><thead><tr><th>exercise</th><th>challenge</th><th>task</th><th>solved</th><th>when (UTC)</th></tr></thead>"
        f"<tbody>{''.join(body)}</tbody></table>"
        + (
            f'<p id="skipped">{data["unreadable_lines"]} line(s) of the capture file could not be read'
            " and were skipped.</p>"
            if data["unreadable_lines"]
            else ""
        )
        + f"<p>Graded live by the lab's proxy from your own traffic; read from <code>{e(data['captures'])}</code>."
        f" This page reloads every {REFRESH_SECONDS} s.</p></body></html>"
    )


class Handler(BaseHTTPRequestHandler):
    server_version = "cookie-lab-board"

    def __init__(self, *args, captures: str, exercises: str, **kwargs) -> None:
        self.captures, self.exercises = captures, exercises
        super().__init__(*args, **kwargs)

    def do_GET(self) -> None:
        """Serve the board, its data as JSON, its stylesheet, or a health answer."""
        path = self.path.split("?", 1)[0]
        if path == "/board.css":
            return self.send(200, "text/css", CSS)
        if path == "/healthz":
            return self.send(200, "application/json", b'{"status": "ok"}')
        if path not in ("/", "/progress.json"):
            return self.send(404, "text/plain", b"not found: try /\n")
        try:
            data = progress.report(self.captures, self.exercises)
        except progress.ProgressError as exc:
            return self.send(500, "text/plain", f"cookie-lab board: {exc}\n".encode())
        if path == "/progress.json":
            return self.send(200, "application/json", json.dumps(data).encode())
        return self.send(200, "text/html", page(data).encode())

    def send(self, status: int, kind: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", f"{kind}; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Content-Security-Policy", "default-src 'none'; style-src 'self'")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args) -> None:
        if not self.path.startswith(("/healthz", "/board.css")):
            super().log_message(format, *args)


def stop(signum: int, frame: object) -> None:
    """SIGTERM (`docker compose stop`, a pod's end): leave serve_forever at once, as Ctrl-C does."""
    raise KeyboardInterrupt


def serve(host: str, port: int, captures: str, exercises: str) -> None:
    server = ThreadingHTTPServer((host, port), partial(Handler, captures=captures, exercises=exercises))
    # In its container the board is process 1, which the kernel spares a signal it has no handler for:
    # without this, `docker compose stop` waits 10 s and then kills it (exit 137).
    signal.signal(signal.SIGTERM, stop)
    print(f"cookie-lab board: serving progress on {host}:{port}, from {captures} and {exercises}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        print("cookie-lab board: stopped", flush=True)
    finally:
        server.server_close()
