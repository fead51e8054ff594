"""What sheets 07 and 08 have the learner do in mitmweb, done through the same REST calls its UI makes."""

import secrets
import threading

import pytest
import requests
from helpers import wait_until
from stack_support import PASSWORD

pytestmark = pytest.mark.stack


class MitmwebUI:
    """A logged-in mitmweb UI session: the Bearer password, and the XSRF token pair its UI sends."""

    def __init__(self, web_port: int) -> None:
        self.base = f"http://127.0.0.1:{web_port}"
        self.http = requests.Session()
        self.http.headers["Authorization"] = f"Bearer {PASSWORD}"
        # Tornado's XSRF check is double-submit: the header must equal the cookie.
        token = secrets.token_hex(16)
        self.http.cookies.set("_mitmproxy_xsrf", token, domain="127.0.0.1", path="/")
        self.http.headers["X-XSRFToken"] = token

    def call(self, method: str, path: str, **kwargs) -> requests.Response:
        resp = self.http.request(method, self.base + path, timeout=10, **kwargs)
        resp.raise_for_status()
        return resp

    def flows(self) -> list[dict]:
        return self.call("GET", "/flows").json()

    def close(self) -> None:
        self.http.close()


@pytest.fixture
def ui(stack):
    ui = MitmwebUI(stack.web_port)
    yield ui
    ui.call("PUT", "/options", json={"intercept": ""})
    ui.close()


def intercept_edit_resume(stack, ui, path: str, cookie: str, edited_cookie: str) -> tuple[requests.Response, dict]:
    """Intercept a request to path, swap its Cookie header in mitmweb, resume it; return the answer and the flow."""
    ui.call("PUT", "/options", json={"intercept": f"~q & ~u {path}"})
    answer: dict = {}

    def learner_request() -> None:
        # Like the sheet's curl: waits while the flow is held.
        answer["resp"] = requests.get(f"{stack.target}{path}", headers={"Cookie": cookie}, timeout=30)

    thread = threading.Thread(target=learner_request)
    thread.start()
    try:
        held = wait_until(
            lambda: next((f for f in ui.flows() if f["request"]["path"] == path and f["intercepted"]), None),
            10,
            "the intercepted flow",
        )
        headers = [[k, edited_cookie if k.lower() == "cookie" else v] for k, v in held["request"]["headers"]]
        ui.call("PUT", f"/flows/{held['id']}", json={"request": {"headers": headers}})
        ui.call("POST", f"/flows/{held['id']}/resume")
    finally:
        thread.join(timeout=30)
    return answer["resp"], held


def test_sheet_08_intercept_edit_resume_and_replay_opens_the_admin_panel(stack, ui):
    resp, flow = intercept_edit_resume(stack, ui, "/tamper/admin", "username=Alice", "username=admin")
    assert resp.status_code == 200
    assert resp.text == "welcome, admin: here is the admin panel"
    ui.call("PUT", "/options", json={"intercept": ""})

    before = len(stack.records())
    ui.call("POST", f"/flows/{flow['id']}/replay")
    replayed = wait_until(lambda: stack.records()[before:], 10, "the replayed flow's capture line")
    assert replayed[0]["path"] == "/tamper/admin"
    assert replayed[0]["status"] == 200
    assert replayed[0]["request_cookie_headers"] == ["username=admin"]


def test_sheet_07_a_forged_session_edited_in_mitmweb_is_empty(stack, ui):
    login = requests.post(f"{stack.target}/session/login", data={"user": "alice"}, timeout=10)
    session = login.cookies["session"]
    forged = "eyJ1c2VyIjoiYWRtaW4ifQ." + session.split(".", 1)[1]
    resp, _ = intercept_edit_resume(stack, ui, "/session/whoami", f"session={session}", f"session={forged}")
    assert resp.status_code == 200
    assert resp.text == "session user: None"
