"""Real gunicorn, real mitmweb with the addon, and the real client, as processes on 127.0.0.1."""

import pytest
from stack_support import start_app, start_proxy, stop


@pytest.fixture(scope="session")
def stack(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("stack")
    app, app_port = start_app(tmp)
    proxy, stack = start_proxy(tmp, app_port)
    try:
        yield stack
    finally:
        stop(proxy)
        stop(app)
