"""The guide in both engines, as a learner uses it: a sheet beside its challenges at a laptop's width
and at half of it, a challenge turning green by itself when the learner's own request solves it, and
hints revealed one click at a time (screenshots in .pytest_cache/screenshots)."""

import os
import re
import sys

import pytest
import requests
from engines import WIDTH
from helpers import exercises
from local_lab import LAB, free_port, http_status, running_stack, start, stop, wait_until

pytestmark = pytest.mark.browser

CHALLENGE = {"chromium": "01-someone-else", "firefox": "05-both-dups"}


@pytest.fixture
def guide(tmp_path):
    """A stack of its own (nothing solved yet) and the guide reading its capture file, at progress.localhost."""
    with running_stack(tmp_path) as stack:
        port = free_port()
        proc = start(
            [sys.executable, "-m", "cookie_client", "board", "--host", "127.0.0.1", "--port", str(port)]
            + ["--captures", str(stack.capture), "--exercises", str(LAB / "exercises.toml")],
            tmp_path / "guide.log",
            cwd=LAB.parent / "services" / "client",
            env={**os.environ, "LAB_APP_URL": f"{stack.target}/", "LAB_WEB_URL": f"http://localhost:{stack.web_port}/"},
        )
        try:
            wait_until(lambda: http_status(f"http://127.0.0.1:{port}/healthz") == 200, 30, "the guide")
            stack.guide = f"http://progress.localhost:{port}"
            yield stack
        finally:
            stop(proc)


def test_a_challenge_turns_green_by_itself_and_hints_come_in_order(guide, tab, shots):
    challenge = CHALLENGE[tab.engine]
    sheet = challenge[:2]
    tab.goto(f"{guide.guide}/sheet/{sheet}")
    item = f"li[data-challenge='{challenge}']"
    assert tab.text(f"{item} .status") == "Not solved yet"
    # The sheet's own addresses are this stack's, not the default 8080.
    assert "127.0.0.1:8080" not in tab.text("article.sheet")
    tab.screenshot(shots / f"guide-{sheet}-{tab.engine}-{WIDTH}.png")
    tab.resize(800, 900)
    tab.screenshot(shots / f"guide-{sheet}-{tab.engine}-800.png")
    tab.resize(WIDTH, 900)

    # Hints: one more per click, in the index's order.
    hints = next(c["hints"] for e in exercises_of(sheet) for c in e["challenge"] if c["id"] == challenge)
    for level in range(1, len(hints) + 1):
        tab.click(f"{item} a.hint-link")
        shown = tab.text(f"{item} ol.hints").splitlines()
        assert [line.strip() for line in shown if line.strip()] == hints[:level]
    assert "No more hints" in tab.text(item)

    # The learner's own request (curl) solves it; the page, not reloaded, turns it green.
    # A mark in the page's DOM, which a reload would lose.
    assert tab.js("document.body.dataset.notReloaded = 'yes'") == "yes"
    solve(guide, challenge)
    tab.wait_text(f"{item} .status", "✔ Solved at", timeout=20)
    assert tab.js("document.body.dataset.notReloaded") == "yes"
    assert "solved" in tab.js(f'document.querySelector("{item}").className')
    assert tab.text("#sheet-count").startswith("1 of") and tab.text(".to-challenges").startswith(
        "This sheet's challenges (1 of"
    )
    tab.screenshot(shots / f"guide-{sheet}-{tab.engine}-solved.png")


def exercises_of(number: str) -> list[dict]:
    return [e for e in exercises() if e["id"] == number]


def solve(stack, challenge: str) -> None:
    """What each challenge's solution says, sent as curl."""
    curl = {"User-Agent": "curl/8.5.0"}
    if challenge == "01-someone-else":
        requests.get(f"{stack.target}/", headers={**curl, "Cookie": "username=Bob"}, timeout=10)
    else:
        requests.get(f"{stack.target}/multiple/deep/", headers={**curl, "Cookie": "dup=deep; dup=top"}, timeout=10)


def test_the_board_updates_itself_without_a_reload(guide, tab, shots):
    challenge = CHALLENGE[tab.engine]
    tab.goto(f"{guide.guide}/")
    row = f"tr[data-row='{challenge}']"
    assert tab.text(f"{row} td.mark") == "not yet"
    assert tab.text("#count").startswith("0 of")
    tab.js("document.body.dataset.notReloaded = 'yes'")
    solve(guide, challenge)
    tab.wait_text(f"{row} td.mark", "solved", timeout=20)
    assert tab.text("#count").startswith("1 of")
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", tab.text(f"{row} td.when"))
    assert tab.js("document.body.dataset.notReloaded") == "yes"
    # The next hint moved on when the first challenge was solved, and links to its sheet's hints.
    if challenge == "01-someone-else":
        tab.wait_text("#next", "Next: 01-cookie-everywhere", timeout=10)
        # Written by guide.js as the server writes it (board.next_hint): its sheet, two hints open.
        assert tab.js("document.querySelector('#next a').getAttribute('href')") == (
            "/sheet/01?h=01-cookie-everywhere:2#01-cookie-everywhere"
        )
    tab.screenshot(shots / f"board-{tab.engine}-updated.png")
