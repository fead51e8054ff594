import logging

import pytest
from addon_support import load_addon
from mitmproxy.test import taddons


@pytest.fixture
def tctx():
    with taddons.context() as ctx:
        yield ctx


@pytest.fixture
def capture(tmp_path):
    return tmp_path / "cookies.jsonl"


@pytest.fixture
def logger_addon(tctx, capture):
    """The real addon file, loaded the way mitmproxy loads a script, writing to a temp capture."""
    addon = load_addon(tctx)
    # Its grader grades nothing unless a test says so (the grader fixture).
    tctx.configure(addon, cookie_log=str(capture), lab_exercises="")
    yield addon
    addon.done()


@pytest.fixture(autouse=True)
def traffic_lines(caplog):
    """The addon's readable lines bypass the root logger (they go to stdout); let caplog see them too."""
    traffic = logging.getLogger("cookie_lab.traffic")
    traffic.addHandler(caplog.handler)
    yield
    traffic.removeHandler(caplog.handler)
