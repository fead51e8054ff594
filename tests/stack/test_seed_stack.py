"""The seed walkthrough through the real processes: table, capture file, proxy log, mitmweb."""

import json

import pytest
import requests
from local_lab import PASSWORD, wait_until
from mitmweb import mitmweb_flows
from seed import SEED_TABLE, SEED_TRACKER, assert_seed_printed

pytestmark = pytest.mark.stack


@pytest.fixture(scope="module")
def seed_run(stack):
    """Run the seed scenario once; return the client's JSON and the capture lines it produced."""
    before = len(stack.records())
    proc = stack.client("seed", "--json")
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout), stack.records()[before:]


def test_seed_table_cell_by_cell(seed_run):
    data, _ = seed_run
    assert data["table"] == SEED_TABLE
    assert data["tracker"] == SEED_TRACKER


def test_capture_file_holds_the_three_flows(seed_run):
    _, records = seed_run
    assert [(r["method"], r["path"], r["status"]) for r in records] == [("GET", "/", 200)] * 3
    assert [r["request_cookie_headers"] for r in records] == [[], ["username=Alice"], ["username=Alice"]]
    assert [r["request_cookies"] for r in records][1:] == [[{"name": "username", "value": "Alice", "header": 0}]] * 2
    for r in records:
        assert r["set_cookie_headers"] == ["username=Alice; Path=/"]
        assert r["set_cookies"] == [{"name": "username", "value": "Alice", "attributes": {"Path": "/"}, "header": 0}]
        assert r["error"] is None and r["parse_errors"] == []
    assert len({r["flow_id"] for r in records}) == 3


def test_printed_table_shows_the_seed(stack):
    proc = stack.client("seed")
    assert proc.returncode == 0, proc.stderr
    assert "Execution Table: seed" in proc.stdout
    assert_seed_printed(proc.stdout)


def test_proxy_log_has_one_readable_line_per_header(stack, seed_run):
    def log_with_set_cookie():
        text = stack.proxy_log.read_text(encoding="utf-8")
        return text if "← 200  Set-Cookie: username=Alice; Path=/" in text else None

    log = wait_until(log_with_set_cookie, 10, "proxy log lines")
    assert "→ GET /  Cookie: (none)" in log
    assert "→ GET /  Cookie: username=Alice" in log
    assert (
        f"Cookie Lab: open mitmweb at http://localhost:{stack.web_port}/  password: {PASSWORD}"
        f"  (or http://localhost:{stack.web_port}/?token={PASSWORD})"
    ) in log


def test_mitmweb_lists_the_flows_with_their_cookie_comments(stack, seed_run):
    _, records = seed_run
    by_id = {f["id"]: f for f in mitmweb_flows(stack.web_port, PASSWORD)}
    comments = [by_id[r["flow_id"]]["comment"] for r in records]
    assert comments == [
        "Cookie: (none) | Set-Cookie: username=Alice; Path=/",
        "Cookie: username=Alice | Set-Cookie: username=Alice; Path=/",
        "Cookie: username=Alice | Set-Cookie: username=Alice; Path=/",
    ]


@pytest.mark.parametrize("password", [None, "wrong"])
def test_mitmweb_refuses_without_the_password(stack, password):
    with pytest.raises(requests.HTTPError) as refused:
        mitmweb_flows(stack.web_port, password)
    assert refused.value.response.status_code == 403
