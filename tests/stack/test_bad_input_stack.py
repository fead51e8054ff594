"""Malformed, duplicated, non-UTF-8 and oversized cookies through the real proxy and gunicorn."""

import json

import pytest
from helpers import raw_request
from local_lab import start_app, stop

pytestmark = pytest.mark.stack

BAD_COOKIES = {
    "duplicate names": [b"username=Alice; username=Mallory"],
    "two Cookie headers": [b"username=Alice", b"username=Bob"],
    "no equals sign": [b"justaname"],
    "quotes": [b'username="Al;ice"; other="unterminated'],
    "non-utf8 bytes": [b"username=caf\xe9\xff"],
    "9 KB value": [b"big=" + b"x" * 9 * 1024],
}


def get(port: int, cookie_headers: list[bytes], path: bytes = b"/") -> bytes:
    head = b"GET " + path + b" HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
    head += b"".join(b"Cookie: " + c + b"\r\n" for c in cookie_headers)
    return raw_request(port, head + b"\r\n")


def status_of(response: bytes) -> int:
    return int(response.split(b" ", 2)[1])


@pytest.mark.parametrize("cookies", BAD_COOKIES.values(), ids=BAD_COOKIES.keys())
def test_bad_cookie_is_answered_and_recorded_as_it_came(stack, cookies):
    before = len(stack.records())
    response = get(stack.proxy_port, cookies)
    # gunicorn refuses a header line over 8190 bytes with 431; all else is served.
    expected = 431 if any(len(c) > 8190 for c in cookies) else 200
    assert status_of(response) == expected
    (record,) = stack.records()[before:]
    assert [h.encode("utf-8", "surrogateescape") for h in record["request_cookie_headers"]] == cookies
    assert record["status"] == expected
    # The proxy is still there for the next learner request.
    assert status_of(get(stack.proxy_port, [b"username=Alice"])) == 200


def test_script_in_a_cookie_comes_back_as_text(stack):
    response = get(stack.proxy_port, [b"username=<script>alert(1)</script>"])
    assert response.endswith(b"\r\n\r\nHello &lt;script&gt;alert(1)&lt;/script&gt;")


def forwarded_scheme(port: int) -> str:
    head = b"GET /echo HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nX-Forwarded-Proto: https\r\n\r\n"
    return json.loads(raw_request(port, head).split(b"\r\n\r\n", 1)[1])["scheme"]


def test_gunicorn_trusts_x_forwarded_from_the_proxy_address(stack):
    # Default: the proxy on loopback is trusted.
    assert forwarded_scheme(stack.app_port) == "https"


def test_gunicorn_ignores_x_forwarded_from_anyone_else(tmp_path):
    # The same app, told that the proxy lives elsewhere: a loopback client is then "anyone".
    app, port = start_app(tmp_path, FORWARDED_ALLOW_IPS="192.0.2.10")
    try:
        assert forwarded_scheme(port) == "http"
    finally:
        stop(app)
