"""The challenges, graded live by the real proxy: the scripted client solves none, and each one
is solved by doing what its solution says (the browser-only ones are in the browser tier)."""

import json
import subprocess
import sys
import time

import pytest
import requests
from cookie_client import flask_session
from helpers import LAB, SERVICES, exercises, mitmweb_flows, wait_until
from stack_support import PASSWORD, MitmwebUI, intercept_edit_resume, running_stack

pytestmark = pytest.mark.stack

# A learner's own client, as curl names itself.
LEARNER = {"User-Agent": "curl/8.5.0"}
BROWSER_ONLY = {"06-lax-goes-cross-site", "06-lax-stays-home", "08-admin-in-your-browser", "09-host-prefix-kept",
                "06-secret-needs-https", "09-prefix-needs-https", "11-host-prefix-holds"}


@pytest.fixture(scope="module")
def fresh(tmp_path_factory):
    """A stack of its own: a new capture file, so the grader starts from nothing solved."""
    with running_stack(tmp_path_factory.mktemp("challenges")) as stack:
        yield stack


def progress(stack, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "cookie_client", "progress", "--captures", str(stack.capture),
         "--exercises", str(LAB / "exercises.toml"), *args],
        cwd=SERVICES / "client", capture_output=True, text=True, timeout=60,
    )


def learner() -> requests.Session:
    session = requests.Session()
    session.headers.update(LEARNER)
    return session


def solve_01_someone_else(stack):
    learner().get(f"{stack.target}/", headers={"Cookie": "username=Bob"}, timeout=10)


def solve_01_keeps_sending(stack):
    s = learner()
    for path in ("/", "/inspect", "/inspect"):
        s.get(stack.target + path, timeout=10)


def solve_02_path_scope(stack):
    s = learner()
    for path in ("/attributes/set", "/attributes/shop/inspect", "/attributes/inspect"):
        s.get(stack.target + path, timeout=10)


def solve_03_watch_it_expire(stack):
    s = learner()
    s.get(stack.target + "/expiry/set", timeout=10)
    s.get(stack.target + "/expiry/inspect", timeout=10)
    time.sleep(2.5)  # short's own Max-Age=2 running out is the lesson
    s.get(stack.target + "/expiry/inspect", timeout=10)


def solve_04_wrong_path_then_right(stack):
    s = learner()
    for path in ("/delete/login", "/delete/logout-wrong-path", "/delete/whoami", "/delete/logout", "/delete/whoami"):
        s.get(stack.target + path, timeout=10)


def solve_05_both_dups(stack):
    s = learner()
    s.get(stack.target + "/multiple/set", timeout=10)
    s.get(stack.target + "/multiple/deep/", timeout=10)


def solve_07_forgery_refused(stack):
    s = learner()
    s.post(stack.target + "/session/login", data={"user": "alice"}, timeout=10)
    forged = flask_session.forge(s.cookies["session"], {"user": "admin"})
    s.get(stack.target + "/session/whoami", headers={"Cookie": f"session={forged}"}, timeout=10)


def solve_08_forged_in_mitmweb(stack):
    ui = MitmwebUI(stack.web_port)
    try:
        resp, _ = intercept_edit_resume(stack, ui, "/tamper/admin", "username=Alice", "username=admin")
        assert resp.status_code == 200
    finally:
        ui.call("PUT", "/options", json={"intercept": ""})
        ui.close()


def solve_10_largest_header(stack):
    s = learner()
    # "Cookie: " and the line end count against gunicorn's 8190 bytes.
    for size, status in ((8181, 431), (8180, 200)):
        resp = s.get(stack.target + "/size/", headers={"Cookie": "pad=" + "x" * (size - 4)}, timeout=10)
        assert resp.status_code == status


def solve_11_tossed_session(stack):
    # curl resolves *.localhost by itself; requests needs the Host header, which its jar then goes by.
    s = learner()
    shop, blog = {"Host": "shop.cookielab.localhost"}, {"Host": "blog.cookielab.localhost"}
    s.get(stack.target + "/siblings/login", headers=shop, timeout=10)
    s.get(stack.target + "/siblings/toss?value=mallory&path=/siblings/cart", headers=blog, timeout=10)
    resp = s.get(stack.target + "/siblings/cart/", headers=shop, timeout=10)
    assert "session, as Flask reads it (the first): mallory" in resp.text


SOLVERS = {name.removeprefix("solve_").replace("_", "-"): fn for name, fn in dict(globals()).items()
           if name.startswith("solve_")}
CHALLENGES = [c for e in exercises() for c in e["challenge"]]


def test_every_challenge_has_a_solver_here_or_in_the_browser_tier():
    assert {c["id"] for c in CHALLENGES} == set(SOLVERS) | BROWSER_ONLY


def scenario_names() -> list[str]:
    listed = subprocess.run([sys.executable, "-m", "cookie_client", "--list"], cwd=SERVICES / "client",
                            capture_output=True, text=True, timeout=60, check=True).stdout
    return [line.split()[0] for line in listed.splitlines() if line.strip()]


def test_running_every_scenario_solves_nothing(fresh):
    for name in scenario_names():
        fresh.client(name)
    records = fresh.records()
    assert len(records) > 30
    assert all(r["solved"] == [] and r["steps"] == [] for r in records)
    data = json.loads(progress(fresh, "--json").stdout)
    assert data["solved"] == 0 and data["total"] == len(CHALLENGES)


@pytest.mark.parametrize("challenge", [c["id"] for c in CHALLENGES if c["id"] not in BROWSER_ONLY])
def test_a_challenge_is_solved_by_doing_what_its_solution_says(fresh, challenge):
    solver = SOLVERS[challenge]
    before = len(fresh.records())
    solver(fresh)
    solving = wait_until(lambda: next((r for r in fresh.records()[before:] if challenge in r["solved"]), None),
                         15, f"a capture record that solves {challenge}")
    # Marked in mitmweb, its comment first naming the challenge, and one log line with a link.
    flows = {f["id"]: f for f in mitmweb_flows(fresh.web_port, PASSWORD)}
    flow = flows[solving["flow_id"]]
    assert flow["marked"] == "✔"
    assert flow["comment"].startswith(f"✔ solved {challenge} | Cookie: ")
    log = fresh.proxy_log.read_text(encoding="utf-8")
    link = f"http://localhost:{fresh.web_port}/#/flows/{solving['flow_id']}/request"
    assert log.count(f"Cookie Lab: solved {challenge}  {link}") == 1
    # progress names it as solved, at the solving flow's time.
    row = next(r for r in json.loads(progress(fresh, "--json").stdout)["challenges"] if r["challenge"] == challenge)
    assert row["solved"] and row["when"] == solving["time"] and row["flow_id"] == solving["flow_id"]
    # Solved once: doing it again says nothing new.
    before = len(fresh.records())
    solver(fresh)
    wait_until(lambda: len(fresh.records()) > before, 15, "the repeat's capture lines")
    assert all(challenge not in r["solved"] for r in fresh.records()[before:])
