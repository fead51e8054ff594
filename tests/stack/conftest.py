"""Real gunicorn, real mitmweb with the addon, and the real client, as processes on 127.0.0.1."""

import pytest
from helpers import ADDON, free_port, port_open, wait_until
from stack_support import BIN, PASSWORD, Stack, start, start_app, stop


@pytest.fixture(scope="session")
def stack(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("stack")
    app, app_port = start_app(tmp)
    proxy_port, web_port = free_port(), free_port()
    stack = Stack(app_port, proxy_port, web_port, tmp / "cookies.jsonl", tmp / "mitmweb.log")
    proxy = start(
        [
            str(BIN / "mitmweb"),
            "--mode", f"reverse:http://127.0.0.1:{app_port}",
            "--listen-host", "127.0.0.1", "--listen-port", str(proxy_port),
            "--web-host", "127.0.0.1", "--web-port", str(web_port),
            "--no-web-open-browser",
            "--set", "keep_host_header=true",
            "--set", f"confdir={tmp / 'mitmproxy'}",
            "--set", f"web_password={PASSWORD}",
            "--set", f"lab_ui_url=http://localhost:{web_port}/",
            "-s", str(ADDON),
            "--set", f"cookie_log={stack.capture}",
        ],
        stack.proxy_log,
    )
    try:
        wait_until(lambda: port_open(proxy_port) and port_open(web_port), 30, "mitmweb")
        yield stack
    finally:
        stop(proxy)
        stop(app)
