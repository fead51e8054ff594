"""mitmweb in a real browser: the flow list shows each flow's cookie events in its Comment column."""

import pytest
from helpers import mitmweb_flows, wait_until
from stack_support import PASSWORD

pytestmark = pytest.mark.browser


def test_the_flow_list_shows_every_flows_cookie_events(lab, chromium, shots):
    chromium.goto(lab.app + "/")
    chromium.goto(lab.app + "/")
    chromium.goto(f"{lab.web}/?token={PASSWORD}")
    page = chromium.page
    flows = mitmweb_flows(lab.stack.web_port, PASSWORD)
    want = [f["comment"] for f in flows]
    assert any(c.startswith("Cookie: username=Alice | Set-Cookie: username=Alice; Path=/") for c in want)

    def shown() -> list[str] | None:
        cells = page.locator("tbody tr td.col-comment").all_inner_texts()
        return cells if len(cells) >= len(want) else None

    # Every flow's comment, as the list shows it (its own order: compare as multisets).
    cells = wait_until(shown, 15, "mitmweb's flow list")
    assert sorted(cells) == sorted(want)
    page.screenshot(path=str(shots / "mitmweb-flow-list.png"))
