"""mitmweb in a real browser: the flow list shows each flow's cookie events in its Comment column."""

import pytest
from conftest import BrowserLab
from local_lab import PASSWORD, running_stack, wait_until
from mitmweb import mitmweb_flows

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def own(tmp_path_factory):
    """A stack of its own: mitmweb's list draws only the rows in view, so it must hold
    this file's few flows, not the whole tier's."""
    with running_stack(tmp_path_factory.mktemp("mitmweb-list")) as stack:
        yield BrowserLab(stack, site_port=0)


def test_the_flow_list_shows_every_flows_cookie_events(own, chromium, shots):
    lab = own
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


def test_the_flow_list_marks_the_https_flows_in_its_tls_column(own, chromium, shots):
    lab = own
    chromium.goto(lab.https + "/echo?over=https")
    chromium.goto(lab.app + "/echo?over=http")
    chromium.goto(f"{lab.web}/?token={PASSWORD}")
    page = chromium.page

    def tls_cells() -> dict[str, str] | None:
        rows = page.evaluate("""[...document.querySelectorAll("tbody tr")]
            .filter((row) => row.querySelector("td.col-path") && row.querySelector("td.col-tls"))
            .map((row) => [row.querySelector("td.col-path").innerText, row.querySelector("td.col-tls").className])""")
        found = {path.rsplit("over=", 1)[1].strip(): tls for path, tls in rows if "over=" in path}
        return found if len(found) == 2 else None

    cells = wait_until(tls_cells, 15, "the two flows in mitmweb's list")
    assert "col-tls-https" in cells["https"].split() and "col-tls-http" in cells["http"].split()
    page.screenshot(path=str(shots / "mitmweb-tls-column.png"))
