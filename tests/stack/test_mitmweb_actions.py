"""What sheets 07 and 08 have the learner do in mitmweb, done through the same REST calls its UI makes."""

import pytest
import requests
from local_lab import PASSWORD, wait_until
from mitmweb import MitmwebUI
from stack_support import intercept_edit_resume

pytestmark = pytest.mark.stack


@pytest.fixture
def ui(stack):
    ui = MitmwebUI(stack.web_port, PASSWORD)
    yield ui
    ui.call("PUT", "/options", json={"intercept": ""})
    ui.close()


def test_sheet_08_steps_3_and_4_forge_a_request_in_mitmweb_and_replay_it(stack, ui):
    """Sheet 08's Steps show the mechanism on /inspect; the challenge asks for it at the admin panel."""
    resp, flow = intercept_edit_resume(stack, ui, "/inspect", "username=Alice", "username=Mallory")
    assert resp.status_code == 200
    assert '<pre class="raw">username=Mallory</pre>' in resp.text
    ui.call("PUT", "/options", json={"intercept": ""})

    comment = next(f for f in ui.flows() if f["id"] == flow["id"])["comment"]
    assert "Cookie: username=Mallory" in comment
    before = len(stack.records())
    ui.call("POST", f"/flows/{flow['id']}/replay")
    replayed = wait_until(lambda: stack.records()[before:], 10, "the replayed flow's capture line")
    assert replayed[0]["path"] == "/inspect"
    assert replayed[0]["status"] == 200
    assert replayed[0]["request_cookie_headers"] == ["username=Mallory"]
    # The flow keeps its comment (a ✔ solved mark included), and the log calls it a replay.
    assert next(f for f in ui.flows() if f["id"] == flow["id"])["comment"].startswith(comment)
    log = stack.proxy_log.read_text(encoding="utf-8")
    assert "↻ GET /inspect  Cookie: username=Mallory  (replayed in mitmweb)" in log


def test_sheet_07_a_forged_session_edited_in_mitmweb_is_empty(stack, ui):
    login = requests.post(f"{stack.target}/session/login", data={"user": "alice"}, timeout=10)
    session = login.cookies["session"]
    forged = "eyJ1c2VyIjoiYWRtaW4ifQ." + session.split(".", 1)[1]
    resp, _ = intercept_edit_resume(stack, ui, "/session/whoami", f"session={session}", f"session={forged}")
    assert resp.status_code == 200
    assert resp.text == "session user: None"
