"""mitmweb in a real browser: the flow list shows each flow's cookie events in its Comment column."""

import pytest
import requests
from helpers import wait_until
from stack_support import PASSWORD

pytestmark = pytest.mark.browser


def api_flows(lab) -> list[dict]:
    with requests.get(f"http://127.0.0.1:{lab.stack.web_port}/flows",
                      headers={"Authorization": f"Bearer {PASSWORD}"}, timeout=10) as resp:
        return resp.json()


def test_the_flow_list_shows_every_flows_cookie_events(lab, chromium, shots):
    chromium.goto(lab.app + "/")
    chromium.goto(lab.app + "/")
    chromium.goto(f"{lab.web}/?token={PASSWORD}")
    page = chromium.page
    flows = api_flows(lab)
    want = [f["comment"] for f in flows]
    assert any(c.startswith("Cookie: username=Alice | Set-Cookie: username=Alice; Path=/") for c in want)

    def shown() -> list[str] | None:
        cells = page.locator("tbody tr td.col-comment").all_inner_texts()
        return cells if len(cells) >= len(want) else None

    # Every flow's comment, as the list shows it (its own order: compare as multisets).
    cells = wait_until(shown, 15, "mitmweb's flow list")
    assert sorted(cells) == sorted(want)
    page.screenshot(path=str(shots / "mitmweb-flow-list.png"))
