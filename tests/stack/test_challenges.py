"""The challenges, graded live by the real proxy: the scripted client solves none, and each one
is solved by doing what its solution says (the browser-only ones are in the browser tier)."""

import ast
import json
import subprocess
import sys
import types
from pathlib import Path

import pytest
import requests
from cookie_client.runner import USER_AGENT
from helpers import exercises
from local_lab import LAB, PASSWORD, SERVICES, running_stack, wait_until
from mitmproxy import flowfilter
from mitmweb import MitmwebUI, mitmweb_flows
from stack_support import intercept_edit_resume

pytestmark = pytest.mark.stack

# A learner's own client, as curl names itself.
LEARNER = {"User-Agent": "curl/8.5.0"}
BROWSER_ONLY = {
    "06-lax-over-https",
    "06-strict-costs",
    "08-admin-in-your-browser",
    "09-host-prefix-yours",
    "06-secret-needs-https",
    "09-prefix-needs-https",
    "11-host-prefix-holds",
    # The XSS lab: only a browser runs the payload that sends the session to the exploit server.
    "12-session-to-the-log",
    "12-delivered-cross-site",
    "12-httponly-keeps-it",
    # The CSRF lab: a page on another site, in a browser that adds the cookie and Sec-Fetch-Site itself.
    "13-forward-forged",
    "13-lax-bypass",
    "13-token-refuses",
}
# Where they are solved; read as text, since importing them would load Playwright.
BROWSER_TESTS = [
    Path(__file__).resolve().parent.parent / "browser" / name
    for name in ("test_challenges_in_browsers.py", "test_xss_lab_in_browsers.py", "test_csrf_lab_in_browsers.py")
]


@pytest.fixture(scope="module")
def fresh(tmp_path_factory):
    """A stack of its own: a new capture file, so the grader starts from nothing solved."""
    with running_stack(tmp_path_factory.mktemp("challenges")) as stack:
        yield stack


def progress(stack, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "cookie_client",
            "progress",
            "--captures",
            str(stack.capture),
            "--exercises",
            str(LAB / "exercises.toml"),
            *args,
        ],
        check=False,
        cwd=SERVICES / "client",
        capture_output=True,
        text=True,
        timeout=60,
    )


def learner(stack) -> requests.Session:
    """A session named as the learner's curl, unless the stack says to name it otherwise (its agent)."""
    session = requests.Session()
    session.headers.update(LEARNER)
    if agent := getattr(stack, "agent", None):
        session.headers["User-Agent"] = agent
    return session


def solve_01_someone_else(stack):
    learner(stack).get(f"{stack.target}/", headers={"Cookie": "username=Bob"}, timeout=10)


def solve_01_cookie_everywhere(stack):
    s = learner(stack)
    s.get(stack.target + "/", timeout=10)
    assert s.get(stack.target + "/no-such-page", timeout=10).status_code == 404


def solve_02_not_a_prefix(stack):
    s = learner(stack)
    for path in ("/attributes/set", "/attributes/shop/inspect", "/attributes/shopping/inspect"):
        s.get(stack.target + path, timeout=10)


def solve_03_expire_it_yourself(stack):
    s = learner(stack)
    s.get(stack.target + "/expiry/set", timeout=10)
    s.get(stack.target + "/expiry/inspect", timeout=10)
    # The learner's own client drops long, whose hour is far from up (curl: the line out of the jar).
    s.cookies.clear(domain="127.0.0.1", path="/", name="long")
    sent = s.get(stack.target + "/expiry/inspect", timeout=10).request.headers.get("Cookie", "")
    assert "tab=1" in sent and "long=" not in sent


def solve_04_wrong_path_then_right(stack):
    s = learner(stack)
    for path in ("/delete/login", "/delete/logout-wrong-path", "/delete/whoami", "/delete/logout", "/delete/whoami"):
        s.get(stack.target + path, timeout=10)


def solve_05_both_dups(stack):
    s = learner(stack)
    s.get(stack.target + "/multiple/set", timeout=10)
    s.get(stack.target + "/multiple/deep/", timeout=10)


def solve_07_signature_refused(stack):
    s = learner(stack)
    s.post(stack.target + "/session/login", data={"user": "alice"}, timeout=10)
    value = s.cookies["session"]
    # The signature's first character changed (its last may carry only padding bits); payload and timestamp kept.
    head, _, signature = value.rpartition(".")
    forged = f"{head}.{'A' if signature[0] != 'A' else 'B'}{signature[1:]}"
    resp = s.get(stack.target + "/session/whoami", headers={"Cookie": f"session={forged}"}, timeout=10)
    assert resp.text == "session user: None"


def solve_08_forged_in_mitmweb(stack):
    ui = MitmwebUI(stack.web_port, PASSWORD)
    try:
        resp, _ = intercept_edit_resume(stack, ui, "/tamper/admin", "username=Alice", "username=admin")
        assert resp.status_code == 200
    finally:
        ui.call("PUT", "/options", json={"intercept": ""})
        ui.close()


def solve_10_largest_header(stack):
    s = learner(stack)
    # "Cookie: " and the line end count against gunicorn's 8190 bytes.
    for size, status in ((8181, 431), (8180, 200)):
        resp = s.get(stack.target + "/size/", headers={"Cookie": "pad=" + "x" * (size - 4)}, timeout=10)
        assert resp.status_code == status


def solve_11_tossed_session(stack):
    # curl resolves *.localhost by itself; requests needs the Host header, which its jar then goes by.
    s = learner(stack)
    shop, blog = {"Host": "shop.cookielab.localhost"}, {"Host": "blog.cookielab.localhost"}
    s.get(stack.target + "/siblings/login", headers=shop, timeout=10)
    s.get(stack.target + "/siblings/toss?value=mallory&path=/siblings/cart", headers=blog, timeout=10)
    resp = s.get(stack.target + "/siblings/cart/", headers=shop, timeout=10)
    assert "session, as Flask reads it (the first): mallory" in resp.text


SOLVERS = {
    name.removeprefix("solve_").replace("_", "-"): fn
    for name, fn in dict(globals()).items()
    if name.startswith("solve_")
}
CHALLENGES = [c for e in exercises() for c in e["challenge"]]


def test_every_challenge_has_a_solver_here_or_in_the_browser_tier():
    assert {c["id"] for c in CHALLENGES} == set(SOLVERS) | BROWSER_ONLY
    assert not set(SOLVERS) & BROWSER_ONLY


def test_browser_only_is_what_the_browser_tier_solves():
    """Each browser test declares in its file's SOLVES table what it solves, and names exactly those challenges."""
    ids = {c["id"] for c in CHALLENGES}
    solved = set()
    for path in BROWSER_TESTS:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        (table,) = [
            ast.literal_eval(node.value)
            for node in tree.body
            if isinstance(node, ast.Assign) and [getattr(t, "id", None) for t in node.targets] == ["SOLVES"]
        ]
        tests = {
            node.name: node for node in tree.body if isinstance(node, ast.FunctionDef) and node.name.startswith("test_")
        }
        assert set(table) == set(tests), path.name
        for name, node in tests.items():
            named = {n.value for n in ast.walk(node) if isinstance(n, ast.Constant) and n.value in ids}
            assert named == set(table[name]), name
        solved |= set().union(*map(set, table.values()))
    assert BROWSER_ONLY == solved


def scenario_names() -> list[str]:
    listed = subprocess.run(
        [sys.executable, "-m", "cookie_client", "--list"],
        cwd=SERVICES / "client",
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout
    return [line.split()[0] for line in listed.splitlines() if line.strip()]


def test_running_every_scenario_solves_nothing(tmp_path):
    # A stack of its own: the learner's request at the end solves a challenge that `fresh` still has to solve.
    with running_stack(tmp_path) as stack:
        for name in scenario_names():
            run = stack.client(name)
            assert run.returncode == 0, f"{name}: {run.stderr}"
        records = stack.records()
        assert len(records) > 30
        assert all(r["solved"] == [] and r["steps"] == [] for r in records)
        data = json.loads(progress(stack, "--json").stdout)
        assert data["solved"] == 0 and data["total"] == len(CHALLENGES)
        # The grader is on in this stack: the learner's own request solves at once.
        solve_01_someone_else(stack)
        (record,) = stack.records()[len(records) :]
        assert record["solved"] == ["01-someone-else"]


@pytest.mark.parametrize("challenge", [c["id"] for c in CHALLENGES if c["id"] not in BROWSER_ONLY])
def test_a_challenge_is_solved_by_doing_what_its_solution_says(fresh, challenge):
    solver = SOLVERS[challenge]
    before = len(fresh.records())
    solver(fresh)
    solving = wait_until(
        lambda: next((r for r in fresh.records()[before:] if challenge in r["solved"]), None),
        15,
        f"a capture record that solves {challenge}",
    )
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


def test_marked_finds_exactly_the_flows_that_solved_something(fresh):
    """After the solves above: `~marked` (the README's search for solved flows) and `~comment solved`,
    in mitmproxy's own filter language, which mitmweb's Search box speaks, find every solving flow and no other."""
    solving = {r["flow_id"] for r in fresh.records() if r["solved"]}
    assert len(solving) > 5
    ui = MitmwebUI(fresh.web_port, PASSWORD)
    try:
        flows = ui.dump()
    finally:
        ui.close()
    for expression in ("~marked", "~comment solved"):
        match = flowfilter.parse(expression)
        assert {f.id for f in flows if match(f)} == solving, expression


def user_agent(flow: dict) -> str:
    return next((v for k, v in flow["request"]["headers"] if k.lower() == "user-agent"), "")


@pytest.mark.parametrize("challenge", [c["id"] for c in CHALLENGES if c["id"] not in BROWSER_ONLY])
def test_the_solution_sent_as_the_scripted_client_solves_nothing(tmp_path, monkeypatch, challenge):
    """The same requests under the client's User-Agent count for nothing; as the learner's, on the same stack, they solve."""
    with running_stack(tmp_path) as stack:
        with monkeypatch.context() as patch:
            # Requests made outside learner() (the mitmweb intercept's) name themselves by requests' default.
            patch.setattr(requests.utils, "default_user_agent", lambda *_: USER_AGENT)
            SOLVERS[challenge](types.SimpleNamespace(**vars(stack), target=stack.target, agent=USER_AGENT))
        records = stack.records()
        agents = {f["id"]: user_agent(f) for f in mitmweb_flows(stack.web_port, PASSWORD)}
        assert records and all(agents[r["flow_id"]] == USER_AGENT for r in records)
        assert all(r["solved"] == [] and r["steps"] == [] for r in records)
        # The grader is on, and the solution is the one: sent as the learner's own, it solves.
        SOLVERS[challenge](stack)
        wait_until(
            lambda: any(challenge in r["solved"] for r in stack.records()[len(records) :]),
            15,
            f"a capture record that solves {challenge} as curl",
        )


@pytest.fixture(scope="module")
def fresh_https(tmp_path_factory):
    """Another stack from nothing solved, whose learner speaks https to it, trusting the lab's CA."""
    with running_stack(tmp_path_factory.mktemp("challenges-https")) as stack:
        yield stack


@pytest.mark.parametrize("challenge", [c["id"] for c in CHALLENGES if c["id"] not in BROWSER_ONLY])
def test_a_challenge_is_solved_over_https_too(fresh_https, monkeypatch, challenge):
    """The grader ignores the scheme unless a challenge is about it."""
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(fresh_https.ca))
    over_https = types.SimpleNamespace(**vars(fresh_https), target=fresh_https.https)
    before = len(fresh_https.records())
    SOLVERS[challenge](over_https)
    solving = wait_until(
        lambda: next((r for r in fresh_https.records()[before:] if challenge in r["solved"]), None),
        15,
        f"a capture record that solves {challenge} over https",
    )
    assert solving["scheme"] == "https"
