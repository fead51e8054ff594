"""The scenario blueprints: the Set-Cookie headers each one sends, and bad input getting a clear answer."""

import logging

import pytest
from cookie_app import create_app
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st


@pytest.mark.parametrize(
    ("path", "set_cookies"),
    [
        (
            "/attributes/set",
            [
                "site=1; Path=/",
                "cart=apple; Path=/attributes/shop",
                "remote=1; Domain=example.test; Path=/",
                "both=1; Expires=Sat, 01 Jan 2000 00:00:00 GMT; Max-Age=60; Path=/",
            ],
        ),
        ("/delete/login", ["user=alice; HttpOnly; Path=/; SameSite=Lax"]),
        ("/delete/logout-wrong-path", ["user=; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Path=/delete"]),
        ("/delete/logout", ["user=; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; HttpOnly; Path=/; SameSite=Lax"]),
        (
            "/multiple/set",
            ["a=1; Path=/", "b=2; Path=/", "c=3; Path=/", "dup=root; Path=/", "dup=deep; Path=/multiple/deep"],
        ),
        (
            "/flags/set",
            [
                "plain=1; Path=/",
                "secret=1; Secure; Path=/",
                "nojs=1; HttpOnly; Path=/",
                "lax=1; Path=/; SameSite=Lax",
                "strict=1; Path=/; SameSite=Strict",
                "cross=1; Secure; Path=/; SameSite=None",
            ],
        ),
        (
            "/prefixes/set",
            ["__Host-id=1; Secure; Path=/", "__Secure-token=1; Secure; Path=/", "__Host-bad=1; Path=/prefixes"],
        ),
    ],
)
def test_each_set_cookie_is_its_own_header(raw_client, path, set_cookies):
    resp = raw_client.get(path)
    assert resp.status_code == 200
    assert resp.headers.getlist("Set-Cookie") == set_cookies


def test_expiry_sets_short_session_and_long_cookies(raw_client):
    headers = raw_client.get("/expiry/set").headers.getlist("Set-Cookie")
    assert [h.split(";")[0] for h in headers] == ["short=1", "tab=1", "long=1"]
    assert "Max-Age=2;" in headers[0] and "Max-Age=3600;" in headers[2]
    # A session cookie: neither Max-Age nor Expires.
    assert headers[1] == "tab=1; Path=/"


@pytest.mark.parametrize(
    ("path", "cookie", "answer"),
    [
        ("/attributes/", "site=1; both=1", "received: site=1; both=1"),
        ("/attributes/shop/", None, "received: (none)"),
        ("/multiple/deep/", "dup=deep; a=1; dup=root", "received: dup=deep; dup=root; a=1 | get('dup') = deep"),
        ("/delete/whoami", "user=alice", "logged in as alice"),
        ("/delete/whoami", None, "not logged in"),
        ("/delete/whoami", "unknown=1; other", "not logged in"),
        ("/session/plain", "username=admin", "plain cookie user: admin"),
        ("/session/whoami", "session=not-a-signed-value", "session user: None"),
        ("/session/whoami", "session=" + "A" * 5000, "session user: None"),
        ("/tamper/admin", "username=admin", "welcome, admin: here is the admin panel"),
        ("/size/", "big=" + "x" * 10, "Cookie header of 14 bytes; big is 10 bytes"),
    ],
)
def test_routes_answer_what_they_received(raw_client, path, cookie, answer):
    resp = raw_client.get(path, headers={"Cookie": cookie} if cookie else {})
    assert resp.status_code == 200
    assert resp.text == answer


@pytest.mark.parametrize("cookie", [None, "username=Alice", 'username="<b>admin</b>"', "username=" + "a" * 9000])
def test_tamper_admin_refuses_anyone_but_admin(raw_client, cookie):
    resp = raw_client.get("/tamper/admin", headers={"Cookie": cookie} if cookie else {})
    assert resp.status_code == 403
    assert resp.text.startswith("admins only (you are ")
    # Echoed as text: a browser shows <b> as two characters, never as markup.
    assert resp.mimetype == "text/plain" and resp.headers["X-Content-Type-Options"] == "nosniff"


def test_session_login_round_trip(client):
    assert client.post("/session/login", data={"user": "alice"}).text == "logged in as alice (signed session)"
    assert client.get("/session/whoami").text == "session user: alice"
    cookie = client.get_cookie("session")
    assert cookie.http_only and cookie.path == "/"


def test_session_login_without_user_is_a_clear_400(client):
    resp = client.post("/session/login", data={})
    assert resp.status_code == 400
    assert resp.text == "missing form field: user"
    assert "Set-Cookie" not in resp.headers


def test_big_cookie_logs_werkzeugs_size_warning(raw_client, caplog):
    with caplog.at_level(logging.WARNING):
        resp = raw_client.get("/size/big")
    (header,) = resp.headers.getlist("Set-Cookie")
    assert len(header) > 4093
    assert "The 'big' cookie is too large" in caplog.text


# Any Cookie header a client can put on the wire: bytes without CR, LF or NUL,
# which WSGI hands to the app as latin-1 text.
wire_header = st.binary(max_size=2000).map(lambda b: bytes(c for c in b if c not in b"\r\n\0").decode("latin-1"))
GET_ROUTES = sorted(
    rule.rule
    for rule in create_app({"SECRET_KEY": "k"}).url_map.iter_rules()
    if "GET" in rule.methods and "<" not in rule.rule
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cookie=wire_header)
def test_no_cookie_header_makes_any_route_fail(raw_client, cookie):
    for route in GET_ROUTES:
        resp = raw_client.get(route, headers={"Cookie": cookie})
        assert resp.status_code < 500, (route, cookie)
    assert raw_client.post("/session/login", data={"user": "x"}, headers={"Cookie": cookie}).status_code == 200
