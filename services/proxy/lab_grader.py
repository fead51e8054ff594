"""Grade the learner's own traffic against the lab's challenges, live: a flow that solves one is marked in mitmweb, named in the log and in its capture record.

Usage (the Grader runs as part of the lab's one addon script, before the Recorder):
    mitmweb --mode reverse:http://127.0.0.1:8000 -s lab_proxy.py --set lab_exercises=lab/exercises.toml

The Recorder (cookie_logger.py) writes what this addon decided (flow.metadata)
into the flow's comment and capture record, and gives back the records of an
earlier run, so a restarted proxy goes on where the learner was.
"""

from __future__ import annotations

import asyncio
import collections
import logging
import os
import urllib.parse
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import lab_contract
from cookie_logger import EDITED, SOLVED, STEPS, display, header_entries, say, scheme_of, traffic
from lab_contract import CLIENT_AGENT, exploit
from mitmproxy import ctx, exceptions, hooks, http

logger = logging.getLogger(__name__)

DEFAULT_EXERCISES = lab_contract.EXERCISES
DEFAULT_EXPLOIT_LOG = f"{exploit.EXPLOIT_DIR}/{exploit.LOG_FILE}"
MARKER = ":heavy_check_mark:"


def _cookie_values(flow: http.HTTPFlow, name: str) -> list[str]:
    return flow.request.cookies.get_all(name)


# The parts of a request a learner edits in mitmweb.
EDITABLE = ("method", "scheme", "host", "port", "path", "headers", "content")


def edited_in_mitmweb(flow: http.HTTPFlow) -> bool:
    """Whether the request differs from the one mitmweb saved before its first change.

    mitmweb saves a backup of a flow before an edit, but also before a replay or
    a new comment or mark: only a request that differs from that backup was
    edited. (flow.modified() compares the whole flow, response and times too.)
    """
    backup = getattr(flow, "_backup", None)
    if not backup or not backup.get("request"):
        return False
    now = flow.request.get_state()
    return any(backup["request"].get(key) != now.get(key) for key in EDITABLE)


def _response_text(flow: http.HTTPFlow) -> str:
    if flow.response is None or flow.response.raw_content is None:
        return ""
    return flow.response.get_text(strict=False) or ""


def _hostname(flow: http.HTTPFlow) -> str:
    """The Host header's name without its port, lower-cased; an IPv6 address keeps its brackets."""
    host = (flow.request.host_header or "").lower()
    name, colon, port = host.rpartition(":")
    if colon and port.isdigit() and ("[" not in host or name.endswith("]")):
        return name
    return host


# What a step may ask of one flow: each key's check, given the flow and the key's value. The keys and
# the types of their values are the index's step language (lab_contract.STEP_TYPES), in its order.
CHECKS = {
    "method": lambda f, v: f.request.method == v,
    # "https" when the learner's client spoke TLS to the proxy; "http" otherwise.
    "scheme": lambda f, v: scheme_of(f) == v,
    # The host the learner typed (Host header, port left out), e.g. "shop.cookielab.localhost" or "[::ffff:7f00:1]".
    "host": lambda f, v: _hostname(f) == v.lower(),
    "path": lambda f, v: f.request.path.split("?", 1)[0] == v,
    "path_prefix": lambda f, v: f.request.path.startswith(v),
    "path_not_prefix": lambda f, v: not f.request.path.startswith(v),
    "path_in": lambda f, v: f.request.path.split("?", 1)[0] in v,
    "status": lambda f, v: f.response is not None and f.response.status_code == v,
    # name = value: the request carried this cookie with this value.
    "cookies": lambda f, v: all(value in _cookie_values(f, name) for name, value in v.items()),
    # name = value: the request carried this cookie, and never with this value.
    "cookies_not": lambda f, v: all(
        _cookie_values(f, name) and value not in _cookie_values(f, name) for name, value in v.items()
    ),
    # name = value: the request carried name, and the first of them (the one most servers read) is not value.
    "first_cookie_not": lambda f, v: all(
        _cookie_values(f, name) and _cookie_values(f, name)[0] != value for name, value in v.items()
    ),
    "has_cookies": lambda f, v: all(_cookie_values(f, name) for name in v),
    "lacks_cookies": lambda f, v: not any(_cookie_values(f, name) for name in v),
    "cookie_count": lambda f, v: all(len(_cookie_values(f, name)) == n for name, n in v.items()),
    "min_cookie_header": lambda f, v: any(len(h) >= v for h in f.request.headers.get_all("cookie")),
    "sets_cookies": lambda f, v: f.response is not None and all(name in f.response.cookies for name in v),
    "set_cookie_contains": lambda f, v: (
        f.response is not None and any(v in header for header in f.response.headers.get_all("set-cookie"))
    ),
    "no_set_cookie": lambda f, v: f.response is not None and (not f.response.headers.get_all("set-cookie")) == v,
    "headers": lambda f, v: all(f.request.headers.get(name, "").lower() == value.lower() for name, value in v.items()),
    "header_contains": lambda f, v: all(value in f.request.headers.get(name, "") for name, value in v.items()),
    # The request carried each of these headers, whatever their values (e.g. the Sec-Fetch-* that browsers send).
    "has_headers": lambda f, v: all(name in f.request.headers for name in v),
    # Changed in mitmweb (intercept and edit) before it went on.
    "edited": lambda f, v: edited_in_mitmweb(f) == v,
    "response_contains": lambda f, v: v in _response_text(f),
}


def load_challenges(path: str) -> list[dict[str, Any]]:
    """Every challenge of an exercises.toml, in order, each with its exercise's id as "sheet"; raise
    OptionsError saying what is wrong."""
    try:
        index = lab_contract.load_index(path)
    except lab_contract.BadIndex as exc:
        raise exceptions.OptionsError(f"lab_exercises: {exc}") from exc
    return [{**c, "sheet": e["id"]} for e in lab_contract.exercises(index) for c in e.get("challenge", [])]


# The keys a step is judged by, the cheap ones first (a path or a status rules most flows out before
# any cookie is parsed); every flow meets every challenge's next step, so this order is the grader's cost.
CHEAP_FIRST = [
    "method",
    "scheme",
    "path",
    "path_prefix",
    "path_not_prefix",
    "path_in",
    "status",
    "host",
    "edited",
    "no_set_cookie",
]
JUDGED_ORDER = CHEAP_FIRST + [key for key in CHECKS if key not in CHEAP_FIRST]


def step_met(step: dict[str, Any], flow: http.HTTPFlow) -> bool:
    return all(CHECKS[key](flow, step[key]) for key in JUDGED_ORDER if key in step)


# The keys only a step met by the exploit server's log holds (Grader.entry_met gives them their meaning;
# such a step may also hold path_prefix, of the logged request's path).
LOG_STEP_KEYS = ("exploit_log", "stolen_cookies", "kept_cookies")

# How often the grader looks for new requests in the exploit server's log, in seconds.
EXPLOIT_LOG_PERIOD = 0.5
# The app's values of a cookie an exploit-log step watches: the last few, and none too short to be
# found by chance in a logged request.
KEPT_VALUES = 20
SHORTEST_VALUE = 8


def logged_text(entry: dict[str, Any]) -> str:
    """Everything a page's request can carry a stolen value in, as sent and URL-decoded."""
    sent = "\n".join([f"{entry['path']}?{entry['query']}", entry["body"], *(value for _, value in entry["headers"])])
    return f"{sent}\n{urllib.parse.unquote_plus(sent)}"


class Grader:
    def __init__(
        self,
        history: Callable[[], Iterable[dict[str, Any]]] = tuple,
        record_exploit_solve: Callable[..., None] | None = None,
    ) -> None:
        self.challenges: list[dict[str, Any]] = []
        # Per challenge id: how many of its steps the learner's flows have met, in order.
        self.reached: dict[str, int] = {}
        # The capture records of earlier runs (the Recorder's), to go on from; none by default.
        self.history = history
        # The exploit server's log (lab_contract.exploit), followed while steps wait for it.
        self.record_exploit_solve = record_exploit_solve
        self.follower: exploit.Follower | None = None
        self._following: asyncio.Task | None = None
        # The cookies its steps name, the values the app gave them, and the last flow that carried one
        # (the page that ran the learner's payload: marked when its theft solves a challenge).
        self.watched: set[str] = set()
        self.values: dict[str, collections.deque[str]] = {}
        self.carrier: http.HTTPFlow | None = None

    def load(self, loader) -> None:
        loader.add_option(
            "lab_exercises",
            str,
            DEFAULT_EXERCISES,
            "The lab's exercise index (exercises.toml): the challenges each flow is graded against. "
            "Empty: grade nothing.",
        )
        loader.add_option(
            "lab_ui_url",
            str,
            "",
            "Address of the mitmweb UI as the learner's browser reaches it, printed with the login at "
            "start and with a link to each flow that solves a challenge. Empty: print neither.",
        )
        loader.add_option(
            "lab_guide_url",
            str,
            "",
            "Address of the lab's guide as the learner's browser reaches it: each solved line names the "
            "guide's page of the challenge's sheet. Empty: name none.",
        )
        loader.add_option(
            "lab_exploit_log",
            str,
            DEFAULT_EXPLOIT_LOG,
            "The exploit server's request log (the second site's volume, read-only here), followed for the "
            "steps it meets. Empty: follow none.",
        )

    def configure(self, updates: set[str]) -> None:
        if "lab_exercises" not in updates:
            return
        path = ctx.options.lab_exercises
        self.challenges = []
        if not path:
            return
        if path == DEFAULT_EXERCISES and not os.path.exists(path):
            logger.warning(f"lab_exercises: {path} does not exist, so nothing is graded; set lab_exercises to a path")
            return
        self.challenges = load_challenges(path)
        self.watched = {
            name
            for challenge in self.challenges
            for step in challenge["step"]
            for name in step.get("stolen_cookies", []) + step.get("kept_cookies", [])
        }

    def running(self) -> None:
        self._follow_exploit_log()
        url = ctx.options.lab_ui_url
        if url:
            password = getattr(ctx.options, "web_password", "")
            if password and not password.startswith("$"):
                logger.info(f"Cookie Lab: open mitmweb at {url}  password: {password}  (or {url}?token={password})")
            else:
                logger.info(f"Cookie Lab: open mitmweb at {url}")
        # Progress lives in the capture file: a restarted proxy picks it up there.
        self.reached = {}
        if not self.challenges:
            return
        for record in self.history():
            steps = record.get("steps", [])
            for step in steps if isinstance(steps, list) else []:
                cid, _, number = str(step).rpartition("#")
                if number.isdigit():
                    self.reached[cid] = max(self.reached.get(cid, 0), int(number))
        solved = sum(1 for c in self.challenges if self.reached.get(c["id"], 0) >= len(c["step"]))
        if solved:
            logger.info(
                f"Cookie Lab: {solved} of {len(self.challenges)} challenges already solved (from the capture file)"
            )
            # The solved lines of an earlier start link to flows that this mitmweb never held.
            logger.info(
                "Cookie Lab: links to flows printed before this start open an empty list: mitmweb keeps flows"
                " in memory only. The capture file, `progress` and the board keep every solve."
            )

    def _follow_exploit_log(self) -> None:
        """Follow the exploit server's log from its present end, if a step waits for it."""
        path = ctx.options.lab_exploit_log
        if not path or not any(step.get("exploit_log") for c in self.challenges for step in c["step"]):
            return
        self.follower = exploit.Follower(Path(path))
        self.follower.skip_to_end()  # what was logged before this start was graded then, or while nothing graded
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return  # no event loop: a test calls read_exploit_log() itself
        if self._following is None:
            self._following = loop.create_task(self._follow())

    async def _follow(self) -> None:
        while True:
            await asyncio.sleep(EXPLOIT_LOG_PERIOD)
            self.read_exploit_log()

    def done(self) -> None:
        if self._following is not None:
            self._following.cancel()
            self._following = None

    def read_exploit_log(self) -> None:
        """Judge each request the exploit server logged since the last look."""
        if self.follower is None:
            return
        try:
            entries = self.follower.new()
        except OSError as exc:
            logger.error(f"lab_exploit_log: cannot read {self.follower.path}: {exc}")
            return
        for entry in entries:
            try:
                self.judge_entry(entry)
            except Exception as exc:  # noqa: BLE001 - odd traffic never stops the proxy
                logger.error(f"lab_grader: exploit server's log: {type(exc).__name__}: {exc}")

    def _watch(self, flow: http.HTTPFlow) -> None:
        """Keep the values the app gave the watched cookies, and the last flow that carried one."""
        # Most flows name none of them: a look at the raw headers rules those out before any parsing.
        raw = "\n".join(flow.request.headers.get_all("cookie"))
        if flow.response is not None:
            raw += "\n" + "\n".join(flow.response.headers.get_all("set-cookie"))
        if not any(name in raw for name in self.watched):
            return
        carried = False
        for name in self.watched:
            sent = flow.request.cookies.get_all(name)
            carried = carried or bool(sent)
            given = [value for value, _ in flow.response.cookies.get_all(name)] if flow.response else []
            for value in sent + given:
                kept = self.values.setdefault(name, collections.deque(maxlen=KEPT_VALUES))
                if len(value) >= SHORTEST_VALUE and value not in kept:
                    kept.append(value)
        if carried:
            self.carrier = flow

    def entry_met(self, step: dict[str, Any], entry: dict[str, Any], text: str) -> bool:
        """Whether a logged request meets a step; text is its logged_text."""

        def found(name: str) -> bool:
            return any(value in text for value in self.values.get(name, ()))

        return (
            entry["path"].startswith(step.get("path_prefix", ""))
            and all(found(name) for name in step.get("stolen_cookies", []))
            # Kept: the app gave the cookie a value, and none of its values left.
            and all(self.values.get(name) and not found(name) for name in step.get("kept_cookies", []))
        )

    def judge_entry(self, entry: dict[str, Any]) -> None:
        where = f"{entry['path']}?{entry['query']}" if entry["query"] else entry["path"]
        say(f"⇠ {display(entry['method'])} {display(where)}  reached the exploit server's log")
        agent = next((value for name, value in entry["headers"] if name.lower() == "user-agent"), "")
        if agent.startswith(CLIENT_AGENT):
            return
        text = logged_text(entry)
        steps_met, solved_now = self._advance(True, lambda step: self.entry_met(step, entry, text))
        if not steps_met:
            return
        flow = self.carrier
        if flow is not None and solved_now:
            flow.marked = MARKER
        if self.record_exploit_solve is not None:
            self.record_exploit_solve(flow, entry, [c["id"] for c in solved_now], steps_met)
        if flow is not None and solved_now:
            ctx.master.addons.trigger(hooks.UpdateHook([flow]))  # mitmweb shows the mark and the comment
        self._say_solved(solved_now, flow)

    def response(self, flow: http.HTTPFlow) -> None:
        flow.metadata[SOLVED] = []
        flow.metadata[STEPS] = []
        flow.metadata[EDITED] = edited_in_mitmweb(flow)
        if flow.metadata[EDITED] and flow.is_replay != "request":
            # The request's log line showed the Cookie header as it arrived; say what went on.
            # (A replay's request line shows what it sent already, marked as a replay.)
            for entry in header_entries("Cookie", flow.request.headers.get_all("cookie")):
                traffic.info(
                    f"✎ {display(flow.request.method)} {display(flow.request.path)}  edited in mitmweb, sent as {entry}"
                )
        if not self.challenges or flow.request.headers.get("user-agent", "").startswith(CLIENT_AGENT):
            return
        if self.watched:
            self._watch(flow)
        steps_met, solved_now = self._advance(False, lambda step: step_met(step, flow))
        flow.metadata[STEPS] = steps_met
        flow.metadata[SOLVED] = [c["id"] for c in solved_now]
        if solved_now:
            flow.marked = MARKER
            self._say_solved(solved_now, flow)

    def _advance(self, from_log: bool, met: Callable[[dict[str, Any]], bool]) -> tuple[list[str], list[dict[str, Any]]]:
        """Move on each challenge whose next step met says is met: a flow's steps, or (from_log) the steps
        the exploit server's log meets. Return the steps met ("<id>#<n>") and the challenges now solved."""
        steps_met, solved = [], []
        for challenge in self.challenges:
            cid, steps = challenge["id"], challenge["step"]
            reached = self.reached.get(cid, 0)
            if reached >= len(steps) or bool(steps[reached].get("exploit_log")) != from_log:
                continue  # solved once, or its next step is for the other source
            try:
                if not met(steps[reached]):
                    continue
            except Exception as exc:  # noqa: BLE001 - odd traffic never stops the proxy
                logger.error(f"lab_grader: {cid}: {type(exc).__name__}: {exc}")
                continue
            self.reached[cid] = reached + 1
            steps_met.append(f"{cid}#{reached + 1}")
            if reached + 1 == len(steps):
                solved.append(challenge)
        return steps_met, solved

    def _say_solved(self, solved: list[dict[str, Any]], flow: http.HTTPFlow | None) -> None:
        url = ctx.options.lab_ui_url
        where = f"  {url}#/flows/{flow.id}/request" if url and flow else ""
        guide = ctx.options.lab_guide_url
        for challenge in solved:
            sheet = f"  sheet: {guide}sheet/{challenge['sheet']}" if guide else ""
            logger.info(f"Cookie Lab: solved {challenge['id']}{where}{sheet}")


# Not loaded on its own: lab_proxy.py runs the Grader before the Recorder.
