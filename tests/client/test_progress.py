"""The learner's progress, hints and board, from capture files and indexes written here."""

import io
import json
import threading
import urllib.error
import urllib.request
from functools import partial
from http.server import ThreadingHTTPServer
from pathlib import Path

import pytest
from cookie_client import cli, progress
from cookie_client.progress import board, terminal
from helpers import exercises
from local_lab import LAB, free_port

INDEX = LAB / "exercises.toml"
# Every challenge of every sheet, counted from the index as the test reads it.
TOTAL = sum(len(exercise["challenge"]) for exercise in exercises())
MARKUP = "<script>alert(1)</script><b>"


def capture(tmp_path, *lines: str):
    path = tmp_path / "cookies.jsonl"
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def test_progress_reads_solved_challenges_and_skips_broken_lines(tmp_path):
    path = capture(
        tmp_path,
        '{"time": "2026-11-29T10:00:00.000+00:00", "flow_id": "a", "solved": ["01-someone-else"]}',
        '{"time": "2026-11-29T10:05:00.000+00:00", "flow_id": "b", "solved": ["01-someone-else"]}',
        '{"solved": [',
        "[1, 2]",
        '{"solved": "not a list"}',
    )
    data = progress.report(path, INDEX)
    first = data["challenges"][0]
    assert (first["challenge"], first["solved"], first["when"], first["flow_id"]) == (
        "01-someone-else",
        True,
        "2026-11-29T10:00:00.000+00:00",
        "a",
    )
    assert data["solved"] == 1 and data["unreadable_lines"] == 2
    second = exercises()[0]["challenge"][1]["id"]  # the index's second challenge
    assert data["next"] == {"challenge": second, "hint": progress.hints(INDEX, second, 1)[0]}


def test_no_capture_file_yet_is_nothing_solved(tmp_path):
    data = progress.report(tmp_path / "none.jsonl", INDEX)
    assert data["solved"] == 0 and data["next"]["challenge"] == "01-someone-else"


def test_hints_go_up_to_the_level_asked_and_never_further(capsys):
    assert cli.main(["hint", "01-someone-else", "--level", "2", "--exercises", str(INDEX)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert [line.split(":", 1)[0] for line in out] == ["hint 1", "hint 2"]
    assert cli.main(["hint", "01-someone-else", "--level", "9", "--exercises", str(INDEX)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 4 and out[-1] == "(no more hints: 01-someone-else has 3; its solution is in lab/solutions/)"


def test_unknown_challenge_and_missing_index_get_clear_messages(tmp_path, capsys):
    assert cli.main(["hint", "99-nope", "--exercises", str(INDEX)]) == 2
    assert "no challenge '99-nope'; known challenges: 01-someone-else" in capsys.readouterr().err
    assert cli.main(["progress", "--exercises", str(tmp_path / "x.toml"), "--captures", str(tmp_path / "c")]) == 2
    assert "no exercise index at" in capsys.readouterr().err


def test_progress_prints_a_table_and_the_next_hint(tmp_path, capsys):
    path = capture(tmp_path, '{"time": "2026-11-29T10:00:00.000+00:00", "flow_id": "a", "solved": ["01-someone-else"]}')
    assert cli.main(["progress", "--captures", str(path), "--exercises", str(INDEX)]) == 0
    out = capsys.readouterr().out
    assert f"Your progress: 1 of {TOTAL} challenges solved" in out
    assert "2026-11-29 10:00:00" in out and f"Next: {exercises()[0]['challenge'][1]['id']}." in out


@pytest.fixture
def markup_index(tmp_path):
    index = tmp_path / "exercises.toml"
    index.write_text(
        f"""[[exercise]]
id = "01"
[[exercise.challenge]]
id = "01-{MARKUP}"
task = "{MARKUP}"
hints = ["{MARKUP}", "two"]
[[exercise.challenge.step]]
path = "/"
""",
        encoding="utf-8",
    )
    return index


def test_the_board_escapes_everything_it_shows(tmp_path, markup_index):
    path = capture(tmp_path, json.dumps({"time": MARKUP, "flow_id": MARKUP, "solved": [f"01-{MARKUP}"]}))
    html = board.page(progress.report(path, markup_index))
    assert "<script>" not in html and "&lt;script&gt;" in html


@pytest.fixture
def served(tmp_path):
    port = free_port()
    path = capture(tmp_path, '{"time": "2026-11-29T10:00:00.000+00:00", "flow_id": "a", "solved": ["01-someone-else"]}')
    handler = partial(board.Handler, captures=str(path), exercises=str(INDEX))
    server = ThreadingHTTPServer(("127.0.0.1", port), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}"
    server.shutdown()
    server.server_close()
    thread.join(timeout=10)


def test_the_board_serves_the_table_its_data_and_refreshes_itself(served):
    with urllib.request.urlopen(served + "/", timeout=10) as resp:
        page = resp.read().decode()
        # It updates itself by its one script, from this server, which reads /progress.json; a page that
        # reloads itself (meta refresh) is an accessibility fault (test_accessibility.py).
        csp = "default-src 'none'; style-src 'self'; script-src 'self'; connect-src 'self'"
        assert resp.headers["Content-Security-Policy"] == csp
    assert '<script src="/guide.js" defer></script>' in page and "http-equiv" not in page
    with urllib.request.urlopen(served + "/guide.js", timeout=10) as resp:
        assert resp.headers["Content-Type"] == "text/javascript; charset=utf-8" and b"/progress.json" in resp.read()
    assert f'<span id="count">1 of {TOTAL}</span>' in page and "2026-11-29 10:00:00</td>" in page
    with urllib.request.urlopen(served + "/progress.json", timeout=10) as resp:
        assert json.load(resp)["solved"] == 1
    with pytest.raises(urllib.error.HTTPError) as missing:
        urllib.request.urlopen(served + "/nope", timeout=10)
    missing.value.close()
    assert missing.value.code == 404


@pytest.mark.parametrize("width", [80, 100])
def test_at_80_columns_every_challenge_id_stays_whole_for_hint(tmp_path, width):
    """The id is what a learner types after `hint`: the table in a terminal that wide never breaks one."""
    from rich.console import Console

    path = capture(tmp_path, '{"time": "2026-11-29T10:00:00.000+00:00", "flow_id": "a", "solved": ["01-someone-else"]}')
    out = io.StringIO()
    terminal.render_progress(Console(width=width, file=out, force_terminal=False), progress.report(path, INDEX))
    lines = out.getvalue().splitlines()
    assert max(len(line) for line in lines) <= width
    for challenge in (c["id"] for e in exercises() for c in e["challenge"]):
        assert any(f"│ {challenge} " in line for line in lines), challenge


WRONG_TYPE = '{"solved": ["01-someone-else"], "time": 12345}'


def test_a_record_of_the_wrong_type_is_skipped_and_counted_by_progress(tmp_path, capsys):
    path = capture(tmp_path, WRONG_TYPE, '{"solved": ["01-cookie-everywhere"], "flow_id": ["a"]}')
    assert cli.main(["progress", "--captures", str(path), "--exercises", str(INDEX)]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert f"Your progress: 0 of {TOTAL} challenges solved" in out
    assert f"(2 line(s) of {path} could not be read and were skipped)" in out


def test_the_board_skips_and_counts_a_record_of_the_wrong_type(tmp_path):
    port = free_port()
    path = capture(tmp_path, WRONG_TYPE)
    handler = partial(board.Handler, captures=str(path), exercises=str(INDEX))
    server = ThreadingHTTPServer(("127.0.0.1", port), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=10) as resp:
            page = resp.read().decode()
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/progress.json", timeout=10) as resp:
            data = json.load(resp)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
    assert f'<span id="count">0 of {TOTAL}</span>' in page
    assert '<p id="skipped">1 line(s) of the capture file could not be read and were skipped.</p>' in page
    assert (data["solved"], data["unreadable_lines"]) == (0, 1)


def test_a_class_table_has_every_learners_challenges_and_skips_what_is_not_progress(tmp_path):
    """scripts/class table: learners whose indexes differ still line up, one column per challenge."""
    from cookie_client.progress import ProgressError, classroom

    def output(name: str, solved: dict[str, bool]) -> Path:
        path = tmp_path / f"{name}.json"
        path.write_text(json.dumps({"challenges": [{"challenge": c, "solved": s} for c, s in solved.items()]}))
        return path

    ada = classroom.read_learner(output("ada", {"01-a": True, "02-b": False}))
    bob = classroom.read_learner(output("bob", {"01-a": False, "03-new": True}))
    table = classroom.plain_table(classroom.class_rows([("ada", ada), ("bob", bob)]))
    assert table.splitlines() == [
        "learner  solved  01-a  02-b  03-new",
        "ada      1 of 3  x     .     .",
        "bob      1 of 3  .     .     x",
    ]
    (tmp_path / "eve.json").write_text('{"challenges": [{"solved": true}]}')
    with pytest.raises(ProgressError, match=r"eve.json: not a `progress --json` output \('challenge'\)"):
        classroom.read_learner(tmp_path / "eve.json")
