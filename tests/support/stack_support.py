"""The stack and browser tiers' lab: the lab's own processes on 127.0.0.1 (bench/local_lab.py, which the
benchmark uses too), and driving mitmweb through its API as a learner's clicks would."""

from __future__ import annotations

import threading

import requests
from local_lab import wait_until


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
