"""The lab's guide: the progress board (the same table as `progress`, a page that refreshes itself) and
every exercise sheet beside its live challenges (guide.py).

Usage:
    python -m cookie_client board [--port 8000] [--captures PATH] [--exercises PATH]

Its pages are fetched straight from this server, never through the lab's proxy,
so they leave no flows in mitmweb.
"""

from __future__ import annotations

import html
import json
import re
import signal
from functools import partial
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, quote, urlsplit

from . import data as progress
from . import guide

STATIC = Path(__file__).resolve().parent / "static"
# No inline script anywhere: the board and the sheets run one script, guide.js from this server,
# which reads /progress.json to keep them current; nothing else runs one.
CSP_NO_SCRIPT = "default-src 'none'; style-src 'self'"
SCRIPT_CSP = f"{CSP_NO_SCRIPT}; script-src 'self'; connect-src 'self'"
SHEET_PATH = re.compile(r"^/(sheet|solutions)/(\d\d)$")

# How often guide.js asks for /progress.json (a page that reloads itself would be an accessibility fault).
UPDATE_SECONDS = 3
CSS = b"""body{font:15px/1.45 system-ui,sans-serif;margin:0 auto;max-width:64rem;padding:0 1rem 2rem}
table{border-collapse:collapse;width:100%}th,td{border:1px solid #ccc;padding:.25rem .5rem;text-align:left;vertical-align:top}
th{background:#eee}td code,.next code{white-space:nowrap}td.when{white-space:nowrap}.yes{color:#1b6e1b;font-weight:600}.no{color:#595959}code{font-size:13px}.next{background:#fff6d6;padding:.5rem .8rem}
header.top{padding:.5rem 0;border-bottom:1px solid #ccc;margin-bottom:.5rem}header.top ul{list-style:none;margin:0;padding:0;display:flex;flex-wrap:wrap;gap:.2rem 1.2rem}header.top a{font-weight:600}
body:has(.guide){max-width:92rem}.guide{display:grid;grid-template-columns:minmax(0,1fr) 24rem;gap:1.5rem;align-items:start}
@media (max-width:60rem){.guide{grid-template-columns:minmax(0,1fr)}}
.sheet pre{background:#f4f4f4;padding:.6rem;overflow-x:auto;font-size:13px}.sheet table{width:auto}.sheet img{max-width:100%}
.challenge-column{position:sticky;top:.5rem;max-height:calc(100vh - 1rem);overflow-y:auto;border:1px solid #ccc;padding:0 .9rem .6rem;background:#fafafa}
@media (max-width:60rem){.challenge-column{position:static;max-height:none}.to-challenges{position:sticky;top:0;background:#fff;padding:.3rem 0;border-bottom:1px solid #ccc;z-index:1}}.to-challenges{font-weight:600}
.challenges{list-style:none;padding:0}.challenge{border:1px solid #ccc;border-left:.45rem solid #8a8a8a;padding:.2rem .7rem .5rem;margin:.6rem 0;background:#fff}
.challenge.solved{border-left-color:#1b6e1b;background:#e8f5e8}.challenge h3{font-size:1rem;margin:.4rem 0}.challenge code{overflow-wrap:anywhere}
.status{font-weight:600;margin:.2rem 0}.hint-link{display:inline-block;margin-top:.4rem}.sheet .table-box{margin:1rem 0}.challenge.solved .status{color:#1b6e1b}.hints{padding-left:1.3rem}.laptop-only{background:#fff6d6;padding:.4rem .6rem}
.table-box{overflow-x:auto}nav ol.sheets{list-style:none;padding:0;display:grid;grid-template-columns:repeat(auto-fill,minmax(22rem,1fr));gap:.25rem 1rem;font-size:14px}nav a[aria-current]{font-weight:700}
"""


def page(data: dict, exercises: list[dict] | None = None, settings: guide.Settings | None = None) -> str:
    """The board as HTML, with the guide's sheets listed; every value from the capture file or the index is escaped.
    guide.js keeps its rows, count and next hint current without a reload."""
    e = html.escape
    settings = settings or guide.Settings()
    body = []
    for row in data["challenges"]:
        mark = '<span class="yes">solved</span>' if row["solved"] else '<span class="no">not yet</span>'
        if row.get("retired"):
            mark += " (retired: no longer in the lab, your solve is kept)"
        body.append(
            f'<tr data-row="{e(row["challenge"])}"><td>{e(row["exercise"])}</td><td><code>{e(row["challenge"])}</code></td>'
            f'<td>{e(row["task"])}</td><td class="mark">{mark}</td>'
            f'<td class="when">{e(progress.readable_time(row["when"]))}</td></tr>'
        )
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<title>Progress · Cookie Lab</title><link rel="stylesheet" href="/board.css">'
        f'<script src="/guide.js" defer></script></head><body>{guide.top_bar(settings)}<main>'
        f'<h1>Cookie Lab progress: <span id="count">{data["solved"]} of {data["total"]}</span> challenges solved</h1>'
        f'<div id="next-box" role="status">{next_hint(data)}</div>'
        + (f"<h2>The sheets, each beside its challenges</h2>{guide.sheet_nav(exercises, None)}" if exercises else "")
        # On a narrow screen the table scrolls sideways in its box (focusable, for a keyboard).
        + '<div class="table-box" tabindex="0" role="region" aria-label="Your challenges">'
        "<table><thead><tr><th>exercise</th><th>challenge</th><th>task</th><th>solved</th><th>when (UTC)</th></tr></thead>"
        f"<tbody>{''.join(body)}</tbody></table></div>"
        + (
            f'<p id="skipped">{data["unreadable_lines"]} line(s) of the capture file could not be read'
            " and were skipped.</p>"
            if data["unreadable_lines"]
            else ""
        )
        + f"<p>Graded live by the lab's proxy from your own traffic; read from <code>{e(data['captures'])}</code>."
        f" This page updates itself every {UPDATE_SECONDS} s.</p></main></body></html>"
    )


def next_hint(data: dict) -> str:
    """The next challenge and its first hint, with the guide's page that has the rest (guide.js writes the same)."""
    e = html.escape
    nxt = data["next"]
    if not nxt:
        return '<p class="next" id="next">Every challenge is solved.</p>'
    sheet = next(row["exercise"] for row in data["challenges"] if row["challenge"] == nxt["challenge"])
    more = f"/sheet/{quote(sheet)}{guide.hint_query({nxt['challenge']: 2})}#{nxt['challenge']}"
    return (
        f'<p class="next" id="next">Next: <code>{e(nxt["challenge"])}</code>. Hint: {e(nxt["hint"])} '
        f'(<a href="{e(more)}">more hints, beside its sheet</a>)</p>'
    )


class Handler(BaseHTTPRequestHandler):
    server_version = "cookie-lab-board"

    def __init__(self, *args, captures: str, exercises: str, settings: guide.Settings | None = None, **kwargs) -> None:
        self.captures, self.exercises = captures, exercises
        self.settings = settings or guide.Settings()
        super().__init__(*args, **kwargs)

    def do_GET(self) -> None:
        """Serve the board, a sheet or its solution, the progress as JSON, the static files, or a health answer."""
        url = urlsplit(self.path)
        path = url.path
        if path == "/board.css":
            return self.send(200, "text/css", CSS)
        if path == "/guide.js":
            return self.send(200, "text/javascript", (STATIC / "guide.js").read_bytes())
        if path == "/healthz":
            return self.send(200, "application/json", b'{"status": "ok"}')
        sheet = SHEET_PATH.match(path)
        if path not in ("/", "/progress.json") and not sheet:
            return self.send(404, "text/plain", b"not found: try /\n")
        try:
            exercises = progress.load_exercises(self.exercises)
            data = progress.report(self.captures, self.exercises, exercises, cluster=self.settings.cluster)
            if sheet:
                return self.sheet(sheet.group(1), sheet.group(2), data, exercises, parse_qs(url.query))
        except progress.ProgressError as exc:
            return self.send(500, "text/plain", f"cookie-lab board: {exc}\n".encode())
        if path == "/progress.json":
            return self.send(200, "application/json", json.dumps(data).encode())
        return self.send(200, "text/html", page(data, exercises, self.settings).encode(), csp=SCRIPT_CSP)

    def sheet(self, kind: str, number: str, data: dict, exercises: list[dict], query: dict[str, list[str]]) -> None:
        exercise = guide.find_exercise(exercises, number)
        if exercise is None:
            return self.send(404, "text/plain", f"no sheet {number}: try /\n".encode())
        if kind == "solutions":
            if not self.settings.solutions:
                return self.send(
                    403,
                    "text/plain",
                    b"Solutions are off in this lab: try the hints beside each challenge, in the sheet's page"
                    b" (/sheet/" + number.encode() + b"). Your instructor can turn solutions on"
                    b" (LAB_GUIDE_SOLUTIONS=1).\n",
                )
            if not exercise.get("solution"):
                return self.send(404, "text/plain", f"exercise {number} has no solution in the index\n".encode())
            markdown = guide.read_lab_file(self.exercises, exercise["solution"])
            return self.send(
                200, "text/html", guide.solution_page(exercises, exercise, markdown, self.settings).encode()
            )
        shown = guide.hint_levels(query)
        if not exercise.get("sheet"):
            return self.send(404, "text/plain", f"exercise {number} has no sheet in the index\n".encode())
        markdown = guide.read_lab_file(self.exercises, exercise["sheet"])
        page_html = guide.sheet_page(exercises, exercise, markdown, data, self.settings, shown)
        return self.send(200, "text/html", page_html.encode(), csp=SCRIPT_CSP)

    def send(self, status: int, kind: str, body: bytes, csp: str = CSP_NO_SCRIPT) -> None:
        self.send_response(status)
        self.send_header("Content-Type", f"{kind}; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Content-Security-Policy", csp)
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args) -> None:
        if not self.path.startswith(("/healthz", "/board.css", "/guide.js", "/progress.json")):
            super().log_message(format, *args)


def stop(signum: int, frame: object) -> None:
    """SIGTERM (`docker compose stop`, a pod's end): leave serve_forever at once, as Ctrl-C does."""
    raise KeyboardInterrupt


def serve(host: str, port: int, captures: str, exercises: str) -> None:
    settings = guide.Settings.from_env()
    server = ThreadingHTTPServer(
        (host, port), partial(Handler, captures=captures, exercises=exercises, settings=settings)
    )
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
