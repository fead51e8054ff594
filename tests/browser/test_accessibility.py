"""An automated accessibility check (axe-core, run offline from its PyPI package) of the pages a learner
reads: the start page, the guide (sheets and the progress board), the second site with its exploit server,
and the attack labs' pages, in Chromium.
No serious or critical violation is allowed."""

import os
import sys

import pytest
from axe_playwright_python.sync_playwright import Axe
from engines import ChromiumTab
from local_lab import LAB, SERVICES, free_port, http_status, start, stop, wait_until

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def guide(lab, tmp_path_factory):
    """The guide, reading the browser tier's capture file, at progress.localhost."""
    port = free_port()
    proc = start(
        [sys.executable, "-m", "cookie_client", "board", "--host", "127.0.0.1", "--port", str(port)]
        + ["--captures", str(lab.stack.capture), "--exercises", str(LAB / "exercises.toml")],
        tmp_path_factory.mktemp("guide") / "guide.log",
        cwd=SERVICES / "client",
        env={**os.environ, "LAB_APP_URL": f"{lab.app}/"},
    )
    try:
        wait_until(lambda: http_status(f"http://127.0.0.1:{port}/healthz") == 200, 30, "the guide")
        yield f"http://progress.localhost:{port}"
    finally:
        stop(proc)


@pytest.mark.parametrize(
    "where",
    [
        "start page",
        "guide sheet 06",
        "guide sheet 11 with a hint",
        "guide sheet 12",
        "progress board",
        "second site",
        "exploit server",
        "exploit server's log",
        "XSS lab",
        "CSRF lab",
        "guide sheet 13",
    ],
)
def test_no_serious_or_critical_accessibility_violation(lab, guide, chromium_browser, where):
    url = {
        "start page": f"{lab.app}/lab/",
        "guide sheet 06": f"{guide}/sheet/06",
        "guide sheet 11 with a hint": f"{guide}/sheet/11?h=11-host-prefix-holds:1",
        "guide sheet 12": f"{guide}/sheet/12",
        "progress board": f"{guide}/",
        "second site": f"{lab.site}/",
        "exploit server": f"{lab.site}/exploit-server",
        "exploit server's log": f"{lab.site}/exploit-server/log",
        "XSS lab": f"{lab.app}/xss/",
        "CSRF lab": f"{lab.app}/csrf/",
        "guide sheet 13": f"{guide}/sheet/13",
    }[where]
    tab = ChromiumTab(chromium_browser)
    try:
        tab.goto(url)
        violations = Axe().run(tab.page).response["violations"]
    finally:
        tab.close()
    serious = [
        f"{v['id']} ({v['impact']}): {v['help']}; e.g. {v['nodes'][0]['html'][:200]}"
        for v in violations
        if v["impact"] in ("serious", "critical")
    ]
    assert serious == [], "\n".join(serious)
