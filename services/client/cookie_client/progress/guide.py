"""The guide: every exercise sheet as a web page, beside its challenges and their live status.

The sheets are the lab's own Markdown (lab/*.md), rendered by markdown-it-py with raw HTML off, so
that whatever a sheet holds is shown as text. Their addresses are the learner's own: the sheets are
written for a laptop's default ports, and the guide writes in the addresses it is given (LAB_*_URL,
from `.env` through docker-compose.yml, or each learner's hosts from scripts/class). On a cluster
(LAB_GUIDE_PLACE=cluster), commands that need the learner's own checkout are marked "laptop only".

Hints are shown one more per click, never the solution; solutions are served only when the
instructor turns them on (LAB_GUIDE_SOLUTIONS=1).
"""

from __future__ import annotations

import html
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from markdown_it import MarkdownIt

from . import data as progress

# The addresses the sheets are written with (a laptop with the default .env), and the setting that
# gives each learner's own: the app (http and https), mitmweb, the second site and this guide.
SHEET_ADDRESSES = {
    "LAB_APP_URL": "http://127.0.0.1:8080/",
    "LAB_HTTPS_URL": "https://127.0.0.1:8443/",
    "LAB_WEB_URL": "http://localhost:8081/",
    "LAB_SITE_URL": "http://site.localhost:8082/",
    "LAB_GUIDE_URL": "http://progress.localhost:8083/",
}
# A sheet's own file name, and a solution's: NN-name.md.
SHEET_LINK = re.compile(r"^(?:\./)?(solutions/)?(\d\d)-[\w-]+\.md(#[\w-]*)?$")
LAPTOP_ONLY = (
    "Laptop only: your class's lab runs on a cluster, where this command has no place. Use curl against your"
    " own addresses, and this guide's challenge status and hints instead."
)


@dataclass
class Settings:
    """What the guide shows: the learner's addresses, where the lab runs, and whether solutions are on."""

    addresses: dict[str, str] = field(default_factory=lambda: dict(SHEET_ADDRESSES))
    cluster: bool = False
    solutions: bool = False

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        addresses = {key: env.get(key) or default for key, default in SHEET_ADDRESSES.items()}
        addresses = {key: value if value.endswith("/") else value + "/" for key, value in addresses.items()}
        return cls(
            addresses,
            cluster=env.get("LAB_GUIDE_PLACE", "") == "cluster",
            solutions=env.get("LAB_GUIDE_SOLUTIONS", "") == "1",
        )

    def rewrite(self, text: str) -> str:
        """text with each of the sheets' addresses made the learner's, in one pass (so that no address
        written in is rewritten again): whole URLs before a bare host:port."""
        swaps: dict[str, str] = {}
        for key, written in SHEET_ADDRESSES.items():
            own = self.addresses[key]
            swaps[written.rstrip("/")] = own.rstrip("/")
            swaps.setdefault(urlsplit(written).netloc, urlsplit(own).netloc)
        # The app's other names on a laptop, on the same port: the IPv4-mapped address (sheets 06 and
        # 09) and the sibling hosts (sheet 11).
        app = urlsplit(self.addresses["LAB_APP_URL"])
        if app.hostname == "127.0.0.1" and app.port:
            for name in ("[::ffff:127.0.0.1]", ".cookielab.localhost"):
                swaps[f"{name}:8080"] = f"{name}:{app.port}"
        swaps = {written: own for written, own in swaps.items() if written != own}
        if not swaps:
            return text
        pattern = re.compile("|".join(re.escape(w) for w in sorted(swaps, key=len, reverse=True)))
        return pattern.sub(lambda m: swaps[m.group()], text)


def _markdown(settings: Settings) -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False}).enable("table")
    fence = md.renderer.rules["fence"]

    def fence_with_note(renderer, tokens, idx, options, env):
        # A wide block scrolls sideways: focusable, so that a keyboard can scroll it too.
        shown = fence(tokens, idx, options, env).replace("<pre>", '<pre tabindex="0">', 1)
        if settings.cluster and "docker compose" in tokens[idx].content:
            return f'<p class="laptop-only">{html.escape(LAPTOP_ONLY)}</p>\n{shown}'
        return shown

    md.add_render_rule("fence", fence_with_note)
    # A wide table (the claims tables) scrolls in a box of its own, focusable, instead of widening the page.
    md.add_render_rule(
        "table_open", lambda renderer, tokens, idx, options, env: '<div class="table-box" tabindex="0"><table>\n'
    )
    md.add_render_rule("table_close", lambda renderer, tokens, idx, options, env: "</table></div>\n")
    return md


# A note in a sheet for whoever edits it (such as the claims marker above each claims table): never shown.
MAINTAINER_NOTE = re.compile(r"^<!--.*?-->[ \t]*\n", re.MULTILINE | re.DOTALL)


def render_markdown(text: str, settings: Settings) -> str:
    """A sheet (or a solution) as HTML: raw HTML in it shown as text, links to sheets made the guide's."""
    md = _markdown(settings)
    tokens = md.parse(settings.rewrite(MAINTAINER_NOTE.sub("", text)))
    for token in tokens:
        for child in token.children or []:
            if child.type == "link_open":
                child.attrSet("href", guide_href(str(child.attrGet("href") or "")))
    return md.renderer.render(tokens, md.options, {})


def guide_href(href: str) -> str:
    """A link in a sheet, as the guide serves it: another sheet's or a solution's page, else as written."""
    match = SHEET_LINK.match(href)
    if not match:
        return href
    solution, number, anchor = match.groups()
    return f"/{'solutions' if solution else 'sheet'}/{number}{anchor or ''}"


def find_exercise(exercises: list[dict[str, Any]], number: str) -> dict[str, Any] | None:
    return next((e for e in exercises if e["id"] == number), None)


def read_lab_file(exercises_path: str | Path, relative: str) -> str:
    """A sheet or a solution, beside the exercise index (in the image: /lab)."""
    folder = Path(exercises_path).parent.resolve()
    path = (folder / relative).resolve()
    if not path.is_relative_to(folder):
        raise progress.ProgressError(f"the exercise index names {relative!r}, outside its own folder {folder}")
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise progress.ProgressError(f"cannot read {path}: {exc.strerror or exc}") from exc


def challenge_panel(
    exercise: dict[str, Any], report: dict[str, Any], shown_hints: dict[str, int], cluster: bool = False
) -> str:
    """The sheet's challenges beside it: each one's task, live status (guide.js) and hints shown so far."""
    e = html.escape
    rows = {row["challenge"]: row for row in report["challenges"]}
    items = []
    for challenge in exercise.get("challenge", []):
        cid = challenge["id"]
        row = rows.get(cid, {})
        solved = bool(row.get("solved"))
        hints = challenge.get("hints", [])
        level = min(max(shown_hints.get(cid, 0), 0), len(hints))
        shown = "".join(f"<li>{e(hint)}</li>" for hint in hints[:level])
        if level < len(hints):
            more = (
                f'<a class="hint-link" href="{e(hint_query({**shown_hints, cid: level + 1}))}#{e(cid)}">'
                f"{'Show a hint' if level == 0 else 'Show the next hint'} ({level + 1} of {len(hints)})</a>"
            )
        else:
            more = '<p class="no-more">No more hints: the sheet\'s Background and Steps hold the rest.</p>'
        laptop = (
            ' <span class="laptop-tag">(laptop only: it needs an address your class\'s cluster does not give;'
            " skip it here)</span>"
            if challenge.get("laptop_only") and cluster
            else ""
        )
        items.append(
            f'<li class="challenge {"solved" if solved else "open"}" id="{e(cid)}" data-challenge="{e(cid)}">'
            f"<h3><code>{e(cid)}</code>{laptop}</h3>"
            f'<p class="status" role="status">{status_text(solved, row.get("when"))}</p>'
            f'<p class="task">{e(challenge["task"])}</p>'
            f'<ol class="hints">{shown}</ol>{more}</li>'
        )
    kept = [
        f"<li><code>{e(row['challenge'])}</code>: {e(row['task'])} ({e(status_text(True, row['when']))})</li>"
        for row in report["challenges"]
        if row.get("retired") and row["exercise"] == exercise["id"]
    ]
    retired = (
        f'<h3 class="retired-title">Retired challenges you solved</h3><ul class="retired">{"".join(kept)}</ul>'
        "<p>They are no longer in the lab; your solves are kept.</p>"
        if kept
        else ""
    )
    if not items:
        return f'<p class="none">This sheet has no challenge.</p>{retired}'
    return f'<ol class="challenges">{"".join(items)}</ol>{retired}'


def hint_query(levels: dict[str, int]) -> str:
    """The query that shows these hints: each challenge's level kept, so one card's hints stay open
    while another's are revealed."""
    return "?" + "&".join(f"h={quote(cid)}:{level}" for cid, level in levels.items() if level > 0)


def hint_levels(query: dict[str, list[str]]) -> dict[str, int]:
    """The hints a sheet's page shows, from its query (hint_query's): h=ID:LEVEL, repeated."""
    levels = {}
    for item in query.get("h", []):
        cid, _, level = item.rpartition(":")
        if cid and _small_number(level):
            levels[cid] = int(level)
    return levels


def _small_number(text: str) -> bool:
    """ASCII digits, few of them: "²" is a digit to str.isdigit() but not to int(), and no challenge has
    a thousand hints."""
    return text.isascii() and text.isdigit() and len(text) <= 3


def status_text(solved: bool, when: str | None) -> str:
    """A challenge's status as the page shows it (guide.js writes the same)."""
    if solved:
        return f"✔ Solved at {html.escape(progress.readable_time(when))} UTC"
    return "Not solved yet"


def sheet_nav(exercises: list[dict[str, Any]], current: str | None) -> str:
    e = html.escape
    links = []
    for exercise in exercises:
        number = exercise["id"]
        here = ' aria-current="page"' if number == current else ""
        links.append(f'<li><a href="/sheet/{e(number)}"{here}>{e(number)} · {e(exercise.get("title", ""))}</a></li>')
    return f'<nav aria-label="Sheets"><ol class="sheets">{"".join(links)}</ol></nav>'


def sheet_page(
    exercises: list[dict[str, Any]],
    exercise: dict[str, Any],
    markdown: str,
    report: dict[str, Any],
    settings: Settings,
    shown_hints: dict[str, int],
) -> str:
    """One sheet beside its challenges, with the lab's sheets listed and a link to the solution when on."""
    e = html.escape
    number = exercise["id"]
    solved = sum(
        1 for row in report["challenges"] if row["exercise"] == number and row["solved"] and not row.get("retired")
    )
    total = len(exercise.get("challenge", []))
    solution = (
        f'<p><a href="/solutions/{e(number)}">The solution to this sheet\'s questions</a></p>'
        if settings.solutions
        else ""
    )
    return layout(
        f"{number} · {exercise.get('title', '')}",
        f'<div class="guide"><div class="sheet-column">{sheet_nav(exercises, number)}'
        f'<p class="to-challenges"><a href="#challenges-title">This sheet\'s challenges'
        f' (<span class="sheet-count">{solved} of {total}</span> solved)</a></p>'
        f'<article class="sheet">{render_markdown(markdown, settings)}</article>{solution}</div>'
        f'<aside class="challenge-column" aria-labelledby="challenges-title">'
        f'<h2 id="challenges-title">Challenges: <span class="sheet-count" id="sheet-count">'
        f"{solved} of {total}</span> solved</h2>"
        f"<p>Graded live by the lab's proxy from your own traffic. This list turns green by itself.</p>"
        f"{challenge_panel(exercise, report, shown_hints, settings.cluster)}"
        f'<p><a href="/">Your progress in every sheet</a></p></aside></div>',
        settings,
    )


def solution_page(exercises: list[dict[str, Any]], exercise: dict[str, Any], markdown: str, settings: Settings) -> str:
    number = exercise["id"]
    return layout(
        f"Solution {number} · {exercise.get('title', '')}",
        f'<div class="guide"><div class="sheet-column">{sheet_nav(exercises, number)}'
        f'<article class="sheet">{render_markdown(markdown, settings)}</article>'
        f'<p><a href="/sheet/{html.escape(number)}">Back to the sheet</a></p></div></div>',
        settings,
    )


def top_bar(settings: Settings) -> str:
    """The guide's way back to the rest of the lab, at the learner's own addresses."""
    e = html.escape
    a = settings.addresses
    links = [
        ("/", "Guide and progress"),
        (a["LAB_APP_URL"] + "lab/", "Start page"),
        (a["LAB_WEB_URL"], "mitmweb"),
        (a["LAB_SITE_URL"], "Second site"),
    ]
    items = "".join(f'<li><a href="{e(href)}">{e(text)}</a></li>' for href, text in links)
    return f'<header class="top"><nav aria-label="The lab"><ul>{items}</ul></nav></header>'


def layout(title: str, body: str, settings: Settings) -> str:
    """Every guide page: its stylesheet and script from this server (the CSP allows no inline script)."""
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(title)} · Cookie Lab</title>"
        '<link rel="stylesheet" href="/board.css"><script src="/guide.js" defer></script></head>'
        f"<body>{top_bar(settings)}<main>{body}</main></body></html>"
    )
