"""The guide: every sheet rendered beside its challenges, the learner's own addresses, hints one at a time,
solutions only when turned on, and everything from a sheet, the index or the capture file shown as text."""

import html
import json
import re
import shutil
import threading
import urllib.error
import urllib.request
from functools import partial
from http.server import ThreadingHTTPServer

import lab_contract
import pytest
from cookie_client import progress
from cookie_client.progress import board, guide
from helpers import exercises
from local_lab import LAB, free_port

INDEX = LAB / "exercises.toml"
SOLVED = '{"time": "2026-11-29T10:00:00.000+00:00", "flow_id": "a", "solved": ["08-forged-in-mitmweb"]}'


@pytest.fixture
def serve(tmp_path):
    """Start the guide on a free port with these settings (and this index); yield a function that GETs a path."""
    servers = []

    def start(settings: guide.Settings, index=INDEX, captured: str = SOLVED):
        (tmp_path / "cookies.jsonl").write_text(captured + "\n", encoding="utf-8")
        handler = partial(
            board.Handler, captures=str(tmp_path / "cookies.jsonl"), exercises=str(index), settings=settings
        )
        server = ThreadingHTTPServer(("127.0.0.1", free_port()), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        base = f"http://127.0.0.1:{server.server_address[1]}"

        def get(path: str) -> tuple[int, str, dict]:
            try:
                with urllib.request.urlopen(base + path, timeout=10) as resp:
                    return resp.status, resp.read().decode(), dict(resp.headers)
            except urllib.error.HTTPError as exc:
                with exc:
                    return exc.code, exc.read().decode(), dict(exc.headers)

        return get

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("exercise", exercises(), ids=lambda e: e["id"])
def test_every_sheet_is_a_page_beside_its_challenges(serve, exercise):
    status, page, headers = serve(guide.Settings())(f"/sheet/{exercise['id']}")
    assert status == 200
    title = (LAB / exercise["sheet"]).read_text(encoding="utf-8").splitlines()[0].removeprefix("# ")
    assert f"<h1>{title.replace('&', '&amp;')}</h1>" in page.replace("&#x27;", "'")
    for challenge in exercise.get("challenge", []):
        assert f'data-challenge="{challenge["id"]}"' in page
    # Only the guide's own script, from its own server: no inline script, and the CSP allows no other.
    assert re.findall(r"<script[^>]*>", page) == ['<script src="/guide.js" defer>']
    assert headers["Content-Security-Policy"] == (
        "default-src 'none'; style-src 'self'; script-src 'self'; connect-src 'self'"
    )


def test_a_solved_challenge_is_shown_solved_and_green(serve):
    page = serve(guide.Settings())("/sheet/08")[1]
    assert '<li class="challenge solved" id="08-forged-in-mitmweb"' in page
    assert "✔ Solved at 2026-11-29 10:00:00 UTC" in page
    assert '<li class="challenge open" id="08-admin-in-your-browser"' in page
    assert (
        page.count('<span class="sheet-count"') == 2
        and '<span class="sheet-count" id="sheet-count">1 of 2</span>' in page
    )


def test_links_and_commands_show_the_learners_own_addresses(serve):
    settings = guide.Settings.from_env(
        {
            "LAB_APP_URL": "http://127.0.0.1:9080/",
            "LAB_WEB_URL": "http://localhost:9081/",
            "LAB_SITE_URL": "http://site.localhost:9082/",
            "LAB_GUIDE_URL": "http://progress.localhost:9083/",
            "LAB_HTTPS_URL": "https://127.0.0.1:9443/",
        }
    )
    get = serve(settings)
    for number in ("06", "08", "09", "11"):
        page = get(f"/sheet/{number}")[1]
        assert not re.search(r":(8080|8081|8082|8083|8443)\b", page), number
    assert "http://[::ffff:127.0.0.1]:9080/flags/set" in get("/sheet/06")[1]
    assert "http://shop.cookielab.localhost:9080/siblings/set" in get("/sheet/11")[1]
    page = get("/sheet/08")[1]
    assert "curl -si -H 'Cookie: username=admin' http://127.0.0.1:9080/tamper/admin" in page
    assert '<a href="http://127.0.0.1:9080/inspect">' in page


def test_on_a_cluster_compose_commands_are_marked_laptop_only(serve):
    cluster = guide.Settings.from_env({"LAB_GUIDE_PLACE": "cluster", "LAB_APP_URL": "https://app-ada.lab.example.org/"})
    page = serve(cluster)("/sheet/08")[1]
    blocks = page.split('<pre tabindex="0">')
    compose_blocks = [i for i, block in enumerate(blocks[1:], 1) if "docker compose" in block.split("</pre>")[0]]
    assert compose_blocks
    assert all(
        blocks[i - 1].rstrip().endswith(f'<p class="laptop-only">{html.escape(guide.LAPTOP_ONLY)}</p>')
        for i in compose_blocks
    )
    assert "https://app-ada.lab.example.org/tamper/admin" in page
    assert "laptop-only" not in serve(guide.Settings())("/sheet/08")[1]


def test_hints_come_one_more_per_click_and_never_the_solution(serve):
    get = serve(guide.Settings())
    (challenge,) = [c for e in exercises() if e["id"] == "04" for c in e["challenge"]]
    hints = challenge["hints"]
    page = get("/sheet/04")[1]
    assert not any(hint in page for hint in hints)
    assert f'href="?h={challenge["id"]}:1#{challenge["id"]}">Show a hint (1 of {len(hints)})' in page
    for level in range(1, len(hints) + 1):
        page = get(f"/sheet/04?h={challenge['id']}:{level}")[1]
        shown = [hint for hint in hints if f"<li>{hint.replace(chr(39), '&#x27;')}</li>" in page]
        assert shown == hints[:level]
    assert "No more hints" in page
    solution = (LAB / "solutions" / "04-delete.md").read_text(encoding="utf-8").splitlines()
    assert not [line for line in solution if len(line) > 40 and line in page]


def test_solutions_are_served_only_when_the_instructor_turns_them_on(serve):
    status, text, _ = serve(guide.Settings())("/solutions/08")
    assert status == 403 and text.startswith("Solutions are off in this lab: try the hints beside each challenge")
    assert "(/sheet/08)" in text
    assert "/solutions/08" not in serve(guide.Settings())("/sheet/08")[1]
    on = serve(guide.Settings.from_env({"LAB_GUIDE_SOLUTIONS": "1"}))
    assert 'href="/solutions/08"' in on("/sheet/08")[1]
    status, page, _ = on("/solutions/08")
    assert status == 200 and "<h1>" in page


def test_links_between_sheets_stay_in_the_guide():
    assert guide.guide_href("06-flags.md") == "/sheet/06"
    assert guide.guide_href("solutions/06-flags.md#q3") == "/solutions/06#q3"
    assert guide.guide_href("https://www.rfc-editor.org/rfc/rfc6265") == "https://www.rfc-editor.org/rfc/rfc6265"


MARKUP = "<script>alert(1)</script><img src=x onerror=alert(2)>"


def test_hostile_sheets_challenges_and_capture_data_are_shown_as_text(serve, tmp_path):
    """Sheets are trusted, but the guide shows even a sheet's raw HTML as text; the index and the capture
    file are not trusted at all."""
    lab = tmp_path / "lab"
    shutil.copytree(LAB, lab)
    index = (lab / "exercises.toml").read_text(encoding="utf-8")
    index = index.replace(
        'task = "Make the app greet you as someone other than Alice, from your own client."',
        f"task = {json.dumps(MARKUP)}",
    )
    (lab / "exercises.toml").write_text(index, encoding="utf-8")
    with open(lab / "01-seed.md", "a", encoding="utf-8") as sheet:
        sheet.write(f"\n{MARKUP}\n\n<div>{MARKUP}</div>\n")
    captured = json.dumps({"time": MARKUP, "flow_id": MARKUP, "solved": ["01-someone-else"]})
    get = serve(guide.Settings(), index=lab / "exercises.toml", captured=captured)
    for path in ("/sheet/01", "/", "/sheet/01?h=%3Cscript%3E:2"):
        status, page, _ = get(path)
        assert status == 200
        assert "<script>alert" not in page and "<img src=x" not in page, path
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in get("/sheet/01")[1]


def test_a_missing_sheet_or_index_is_a_clear_message(serve, tmp_path):
    get = serve(guide.Settings())
    status, text, _ = get("/sheet/99")
    assert status == 404 and text == "no sheet 99: try /\n"
    lab = tmp_path / "lab"
    lab.mkdir()
    shutil.copy(INDEX, lab / "exercises.toml")
    status, text, _ = serve(guide.Settings(), index=lab / "exercises.toml")("/sheet/01")
    assert status == 500 and text.startswith(f"cookie-lab board: cannot read {lab / '01-seed.md'}")


def test_a_sheet_outside_the_index_folder_is_refused(tmp_path):
    lab = tmp_path / "lab"
    lab.mkdir()
    (tmp_path / "secret.md").write_text("not a sheet")
    with pytest.raises(guide.progress.ProgressError, match=r"names '../secret.md', outside its own folder"):
        guide.read_lab_file(lab / "exercises.toml", "../secret.md")


RETIRED_INDEX = """
[[exercise]]
id = "01"
title = "One"
sheet = "01-seed.md"
solution = "solutions/01-seed.md"
[[exercise.challenge]]
id = "01-new"
task = "Do the new thing."
hints = ["A hint."]
[[exercise.challenge.step]]
path = "/"
[[exercise.retired]]
id = "01-old"
task = "Did the old thing."
replaced_by = "01-new"
[[exercise.retired]]
id = "01-older"
task = "Never solved."
"""


def test_a_retired_challenge_keeps_its_solve_shown_as_retired_and_counts_nowhere(serve, tmp_path):
    """A challenge rewritten so that the Steps no longer give it away gets a new id; the old one is retired.
    A learner who solved it keeps the solve, shown as retired; one who did not never sees it."""
    lab = tmp_path / "lab"
    (lab / "solutions").mkdir(parents=True)
    shutil.copy(LAB / "01-seed.md", lab / "01-seed.md")
    (lab / "exercises.toml").write_text(RETIRED_INDEX, encoding="utf-8")
    old_solve = json.dumps({"time": "2026-11-20T09:00:00.000+00:00", "flow_id": "old", "solved": ["01-old"]})
    data = progress.report(_capture(tmp_path, old_solve), lab / "exercises.toml")
    assert [(r["challenge"], r["solved"], r.get("retired", False)) for r in data["challenges"]] == [
        ("01-new", False, False),
        ("01-old", True, True),
    ]
    assert (data["solved"], data["total"], data["next"]["challenge"]) == (0, 1, "01-new")
    get = serve(guide.Settings(), index=lab / "exercises.toml", captured=old_solve)
    sheet = get("/sheet/01")[1]
    assert '<h3 class="retired-title">Retired challenges you solved</h3>' in sheet
    assert "<code>01-old</code>: Did the old thing. (✔ Solved at 2026-11-20 09:00:00 UTC)" in sheet
    assert "01-older" not in sheet
    assert '<span class="sheet-count" id="sheet-count">0 of 1</span>' in sheet
    board_page = get("/")[1]
    assert "solved</span> (retired: no longer in the lab, your solve is kept)" in board_page
    assert '<span id="count">0 of 1</span>' in board_page


def _capture(tmp_path, line: str):
    path = tmp_path / "old.jsonl"
    path.write_text(line + "\n", encoding="utf-8")
    return path


def test_each_cards_hints_stay_open_while_another_cards_are_revealed(serve):
    """Sheet 01 has two challenges: revealing the second's hint keeps the first's open."""
    get = serve(guide.Settings())
    first, second = (c for e in exercises() if e["id"] == "01" for c in e["challenge"])
    page = get(f"/sheet/01?h={first['id']}:1")[1]
    link = re.search(rf'href="([^"]*)#{second["id"]}">Show a hint', page).group(1).replace("&amp;", "&")
    assert link == f"?h={first['id']}:1&h={second['id']}:1"
    page = get(f"/sheet/01{link}")[1]
    assert (
        f"<li>{html.escape(first['hints'][0])}</li>" in page and f"<li>{html.escape(second['hints'][0])}</li>" in page
    )


def test_the_guide_leads_back_to_the_rest_of_the_lab_and_hides_the_sheets_notes(serve):
    get = serve(
        guide.Settings.from_env({"LAB_APP_URL": "http://127.0.0.1:9080/", "LAB_WEB_URL": "http://localhost:9081/"})
    )
    for path in ("/", "/sheet/06"):
        page = get(path)[1]
        assert '<a href="http://127.0.0.1:9080/lab/">Start page</a>' in page
        assert '<a href="http://localhost:9081/">mitmweb</a>' in page
    page = get("/sheet/06")[1]
    # The claims tables' marker is a note for whoever edits the sheet; its tables scroll in a box of their own.
    assert "claims:" not in page and "&lt;!--" not in page
    assert page.count('<div class="table-box" tabindex="0"><table>') >= 3


def test_laptop_only_is_said_on_a_cluster_alone_and_in_words(serve):
    laptop = serve(guide.Settings())("/sheet/06")[1]
    assert "laptop-tag" not in laptop
    cluster = serve(guide.Settings.from_env({"LAB_GUIDE_PLACE": "cluster"}))("/sheet/06")[1]
    assert "(laptop only: it needs an address your class's cluster does not give; skip it here)" in cluster


@pytest.mark.parametrize(
    "query",
    [
        "?h=01-someone-else:%C2%B2",
        "?h=01-someone-else:%C2%B2&h=01-cookie-everywhere:%C2%B2",
        "?h=x:" + "9" * 5000,
        "?h=:::",
    ],
)
def test_an_odd_hint_query_shows_the_sheet_with_no_hint(serve, query):
    status, page, _ = serve(guide.Settings())(f"/sheet/01{query}")
    assert status == 200 and '<ol class="hints"></ol>' in page


def test_addresses_are_rewritten_once_whatever_the_learners_ports():
    """A learner whose app is at 8443 and https at 9443: the app's address is not then taken for https's."""
    settings = guide.Settings.from_env(
        {"LAB_APP_URL": "http://127.0.0.1:8443/", "LAB_HTTPS_URL": "https://127.0.0.1:9443/"}
    )
    assert settings.rewrite("http://127.0.0.1:8080/x https://127.0.0.1:8443/y") == (
        "http://127.0.0.1:8443/x https://127.0.0.1:9443/y"
    )


def test_an_exercise_without_a_sheet_is_a_clear_404(serve, tmp_path):
    lab = tmp_path / "lab"
    lab.mkdir()
    (lab / "exercises.toml").write_text(
        '[[exercise]]\nid = "01"\n[[exercise.challenge]]\nid = "01-a"\ntask = "t"\n[[exercise.challenge.step]]\npath = "/"\n',
        encoding="utf-8",
    )
    get = serve(guide.Settings.from_env({"LAB_GUIDE_SOLUTIONS": "1"}), index=lab / "exercises.toml")
    assert get("/sheet/01")[:2] == (404, "exercise 01 has no sheet in the index\n")
    assert get("/solutions/01")[:2] == (404, "exercise 01 has no solution in the index\n")


def test_the_boards_next_hint_links_to_its_sheet_with_two_hints_open(serve):
    get = serve(guide.Settings(), captured="{}")
    first = exercises()[0]["challenge"][0]
    link = f"/sheet/01?h={first['id']}:2#{first['id']}"
    assert f'(<a href="{link}">more hints, beside its sheet</a>)' in get("/")[1]
    page = get(link.split("#")[0])[1]
    assert all(f"<li>{html.escape(hint)}</li>" in page for hint in first["hints"][:2])


def test_on_a_cluster_next_and_the_counts_leave_laptop_only_challenges_out(serve):
    """A challenge that needs an address a cluster does not give is never offered next there, nor counted."""
    index = lab_contract.load_index(INDEX)
    live = [c for e in lab_contract.exercises(index) for c in e.get("challenge", [])]
    laptop = [c["id"] for c in live if c.get("laptop_only")]
    assert "06-secret-needs-https" in laptop
    # Every challenge before the first laptop-only one solved: on a laptop it comes next, on a cluster not.
    before = [c["id"] for c in live[: [c["id"] for c in live].index(laptop[0])]]
    captured = json.dumps({"time": "2026-12-07T10:00:00.000+00:00", "flow_id": "a", "solved": before})
    on_laptop = json.loads(serve(guide.Settings(), captured=captured)("/progress.json")[1])
    on_cluster = json.loads(
        serve(guide.Settings.from_env({"LAB_GUIDE_PLACE": "cluster"}), captured=captured)("/progress.json")[1]
    )
    assert on_laptop["next"]["challenge"] == laptop[0] and on_laptop["total"] == len(live)
    assert on_cluster["next"]["challenge"] not in laptop
    assert on_cluster["total"] == len(live) - len(laptop) and on_cluster["solved"] == len(before)
    # A laptop-only challenge solved all the same still counts.
    solved_too = json.dumps({"time": "2026-12-07T10:00:00.000+00:00", "flow_id": "b", "solved": [*before, laptop[0]]})
    cluster = serve(guide.Settings.from_env({"LAB_GUIDE_PLACE": "cluster"}), captured=solved_too)("/progress.json")[1]
    assert json.loads(cluster)["total"] == len(live) - len(laptop) + 1
