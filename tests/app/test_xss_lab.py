"""Sheet 12's app side under Flask's test client: the lab page, the HttpOnly switch, server-side sessions,
and the one deliberately vulnerable route."""

import re

import pytest
from cookie_app import create_app
from cookie_app.xss import PREFS, SESSION

PROBE = "<i id=probe>xss-probe</i>"


def session_cookie(resp) -> str:
    return next(h for h in resp.headers.getlist("Set-Cookie") if h.startswith(f"{SESSION}="))


def test_the_lab_page_sets_the_prefs_cookie_and_shows_the_switch_off(client):
    resp = client.get("/xss/")
    assert resp.status_code == 200 and "Content-Security-Policy" in resp.headers
    assert f"{PREFS}=theme-dark.lang-en; Path=/xss; SameSite=Lax" in resp.headers.getlist("Set-Cookie")
    assert re.search(r'id="switch-httponly">HttpOnly on the session cookie: <strong>off</strong>', resp.text)
    assert "Not signed in." in resp.text
    assert '<a id="to-exploit-server" href="http://site.localhost:8082/exploit-server">' in resp.text


def test_login_makes_a_server_side_session_with_httponly_as_the_switch_says(client):
    plain = client.post("/xss/login")
    assert plain.status_code == 303 and plain.headers["Location"] == "/xss/"
    assert "HttpOnly" not in session_cookie(plain)
    assert "Signed in as <strong>learner</strong>" in client.get("/xss/").text
    assert client.post("/xss/defence", data={"httponly": "on"}).status_code == 303
    assert "<strong>on</strong>" in client.get("/xss/").text
    assert session_cookie(client.post("/xss/login")).endswith("; HttpOnly; Path=/xss; SameSite=Lax")
    # Still signed in: the session works with HttpOnly on.
    assert "Signed in as learner." in client.get("/xss/search?q=x").text


def test_the_switch_holds_for_every_worker_it_is_in_the_shared_database(app, tmp_path):
    app.test_client().post("/xss/defence", data={"httponly": "on"})
    other = create_app({"TESTING": True, "SECRET_KEY": "k", "LAB_DATA_DIR": str(tmp_path)})
    assert "<strong>on</strong>" in other.test_client().get("/xss/").text


def test_logout_ends_the_session_on_the_server(client):
    client.post("/xss/login")
    sid = client.get_cookie(SESSION, path="/xss").value
    client.post("/xss/logout")
    # A copy of the old cookie is refused: the server forgot the session.
    client.set_cookie(SESSION, sid, path="/xss")
    assert "Not signed in." in client.get("/xss/").text


def test_the_switch_refuses_other_sites_and_odd_values(client):
    cross = client.post("/xss/defence", data={"httponly": "on"}, headers={"Sec-Fetch-Site": "cross-site"})
    assert cross.status_code == 403 and cross.text == "The lab's switches change only from the lab's own pages.\n"
    assert client.post("/xss/defence", data={"httponly": "maybe"}).text == "httponly must be on or off\n"


def test_without_its_folder_the_lab_says_what_to_do(tmp_path):
    client = create_app({"TESTING": True, "SECRET_KEY": "k", "LAB_DATA_DIR": str(tmp_path / "none")}).test_client()
    resp = client.get("/xss/")
    assert resp.status_code == 503 and "nowhere to keep the attack labs' state (set LAB_DATA_DIR)" in resp.text


def test_the_vulnerable_page_reflects_markup_and_sends_no_csp(client):
    resp = client.get("/xss/search", query_string={"q": PROBE})
    assert PROBE in resp.text and "Content-Security-Policy" not in resp.headers
    assert "Deliberately vulnerable page" in resp.text


def probe_everywhere(app, client):
    """Every GET route of the app, with the probe in its query, its path and a cookie: which give it back
    where a browser would read it as markup? (Plain text with nosniff and JSON are shown as text.)"""
    reflecting = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint == "static":
            continue
        path = re.sub(r"<(?:path:)?[^>]+>", "probe", rule.rule)
        resp = client.get(
            path, query_string={"q": PROBE, "via": PROBE, "name": PROBE}, headers={"Cookie": f"x={PROBE}"}
        )
        as_text = resp.mimetype == "application/json" or (
            resp.mimetype == "text/plain" and resp.headers.get("X-Content-Type-Options") == "nosniff"
        )
        if PROBE in resp.get_data(as_text=True) and not as_text:
            reflecting.append((rule.rule, resp.mimetype, "Content-Security-Policy" in resp.headers))
    return reflecting


def test_the_vulnerable_route_is_the_only_one_that_reflects_markup(app, raw_client):
    assert probe_everywhere(app, raw_client) == [("/xss/search", "text/html", False)]


@pytest.mark.parametrize("template", ["xss_search.html"])
def test_only_the_vulnerable_template_turns_escaping_off(template):
    from local_lab import SERVICES

    unsafe = [
        p.name
        for p in (SERVICES / "app" / "cookie_app" / "templates").glob("*.html")
        if "|safe" in p.read_text(encoding="utf-8").replace(" ", "")
    ]
    assert unsafe == [template]
