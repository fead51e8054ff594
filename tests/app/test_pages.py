"""The browser pages: the start page, the inspector at any path, and cookies shown as text on every page."""

import html
import re

import pytest
from cookie_app import create_app
from helpers import exercises
from local_lab import LAB

XSS = "<img src=x onerror=alert(1)>"


def test_start_page_lists_every_exercise_with_its_sheet_title(raw_client):
    resp = raw_client.get("/lab/")
    assert resp.status_code == 200 and resp.mimetype == "text/html"
    for exercise in exercises():
        assert f"{exercise['id']} · {exercise['title']}" in resp.text


def test_start_page_links_each_sheets_page_in_the_guide(monkeypatch):
    monkeypatch.setenv("LAB_GUIDE_URL", "http://progress.localhost:9083/")
    page = create_app({"LAB_EXERCISES": str(LAB / "exercises.toml")}).test_client().get("/lab/").text
    for exercise in exercises():
        assert f'href="http://progress.localhost:9083/sheet/{exercise["id"]}"' in page


def test_start_page_offers_a_form_for_every_post_route(app, raw_client):
    page = raw_client.get("/lab/").text
    forms = set(re.findall(r'<form method="post" action="([^"]+)"', page))
    assert "/session/login" in forms
    for action in forms:
        # Raises MethodNotAllowed when the route takes no POST.
        app.url_map.bind("localhost").match(action, method="POST")


def test_every_get_link_on_the_start_page_answers(raw_client):
    page = raw_client.get("/lab/").text
    links = re.findall(r'<a href="(/[^"]*)"', page)
    assert len(links) > 20
    for link in links:
        # The admin panel refuses a learner who has not tampered yet.
        assert raw_client.get(link).status_code == (403 if link == "/tamper/admin" else 200), link


@pytest.mark.parametrize("path", ["/inspect", "/attributes/shop/inspect", "/any/depth/you/like/inspect"])
def test_inspector_shows_raw_header_and_parsed_cookies_at_its_path(raw_client, path):
    resp = raw_client.get(path, headers={"Cookie": "a=1; b=two"})
    assert resp.status_code == 200
    assert f"<code>{path}</code>" in resp.text
    assert '<pre class="raw">a=1; b=two</pre>' in resp.text
    assert "<tr><td>a</td><td>1</td></tr>" in resp.text and "<tr><td>b</td><td>two</td></tr>" in resp.text


def test_pages_allow_no_inline_script(raw_client):
    for path in ("/lab/", "/inspect"):
        resp = raw_client.get(path)
        csp = resp.headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp
        # The only <script> elements load a file or hold JSON data.
        for tag in re.findall(r"<script[^>]*>", resp.text):
            assert 'src="/static/' in tag or 'type="application/json"' in tag, tag


def get_routes(app):
    """Every GET route of the app, with path parameters filled in."""
    for rule in app.url_map.iter_rules():
        if "GET" in rule.methods and rule.endpoint != "static":
            yield re.sub(r"<[^>]+>", "x", rule.rule)


@pytest.mark.parametrize(
    "cookie", [f"username={XSS}", f'username="{XSS}"', f"session={XSS}", f"a={XSS}; b=</script><b>"]
)
def test_a_cookie_is_text_on_every_page_never_markup(app, raw_client, cookie):
    for path in get_routes(app):
        resp = raw_client.get(path, headers={"Cookie": cookie})
        if resp.mimetype == "text/html":
            assert "<img src=x" not in resp.text and "</script><b>" not in resp.text, path
        else:
            assert resp.mimetype in ("text/plain", "application/json"), path
        if resp.mimetype == "text/plain":
            assert resp.headers["X-Content-Type-Options"] == "nosniff", path


def test_start_page_links_the_labs_three_addresses(raw_client):
    page = raw_client.get("/lab/").text
    addresses = re.findall(r'<li><a href="([^"]+)"><code>[^<]+</code></a>: ([^<]+)</li>', page)
    assert addresses == [
        ("http://127.0.0.1:8080/lab/", "plain http on loopback: Chromium and Firefox count it as a secure context"),
        ("http://[::ffff:127.0.0.1]:8080/lab/", "plain http at an address that is not a secure context"),
        ("https://127.0.0.1:8443/lab/", "https, with the lab&#39;s own certificate authority"),
    ]


def test_on_a_cluster_the_start_page_has_no_non_secure_address():
    from cookie_app import create_app

    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "k",
            "LAB_APP_URL": "https://app-ada.lab.example.org/",
            "LAB_HTTPS_URL": "https://app-ada.lab.example.org/",
        }
    )
    page = app.test_client().get("/lab/").text
    assert re.findall(r'<li><a href="([^"]+)"><code>', page) == ["https://app-ada.lab.example.org/lab/"]


def test_every_page_has_the_secure_context_line_for_page_script(raw_client):
    for path in ("/lab/", "/inspect", "/flags/inspect"):
        assert (
            '· secure context: <strong id="secure-context">(page script did not run)</strong>'
            in raw_client.get(path).text
        )


def test_the_sibling_links_follow_the_apps_http_address():
    from cookie_app import create_app

    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "k",
            "LAB_APP_URL": "http://127.0.0.1:9080/",
            "LAB_EXERCISES": str(LAB / "exercises.toml"),
        }
    )
    page = app.test_client().get("/lab/", base_url="https://127.0.0.1:9443").text
    assert 'href="http://shop.cookielab.localhost:9080/siblings/set"' in page


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (None, "cannot read"),
        ("# nothing yet\n", "lists no exercise"),
        ("[[exercise]\n", "cannot read"),
        ('[[exercise]]\nid = "01"\n[[exercise.page]]\npath = "/x"\n', "exercise 01, page 1: needs a text `does`"),
        (
            '[[exercise]]\nid = "01"\n[[exercise.page]]\npath = "/x"\ndoes = "<b>x</b>"\nmethod = "PUT"\n',
            "exercise 01, page 1: method must be GET or POST",
        ),
    ],
)
def test_a_missing_or_broken_index_leaves_the_start_page_up_and_says_why(tmp_path, text, problem):
    index = tmp_path / "exercises.toml"
    if text is not None:
        index.write_text(text, encoding="utf-8")
    app = create_app({"TESTING": True, "SECRET_KEY": "k", "LAB_EXERCISES": str(index)})
    resp = app.test_client().get("/lab/")
    assert resp.status_code == 200
    (shown,) = re.findall(r'<p class="error" id="index-problem">(.*?)</p>', resp.text, re.DOTALL)
    assert shown.startswith("The exercise index cannot be read, so no exercise is listed: ")
    assert html.escape(problem, quote=True) in shown and "<b>" not in shown
    assert '<li id="exercise-' not in resp.text


def test_the_start_page_lists_what_the_index_says(tmp_path):
    index = tmp_path / "exercises.toml"
    index.write_text(
        '[[exercise]]\nid = "42"\ntitle = "A <i>new</i> sheet"\n'
        '[[exercise.page]]\npath = "/new"\ndoes = "open <b>it</b>"\n'
        '[[exercise.page]]\nmethod = "POST"\npath = "/new/login"\ndoes = "log in"\nform = { user = "bob" }\n',
        encoding="utf-8",
    )
    app = create_app({"TESTING": True, "SECRET_KEY": "k", "LAB_EXERCISES": str(index)})
    page = app.test_client().get("/lab/").text
    assert "<h3>42 · A &lt;i&gt;new&lt;/i&gt; sheet</h3>" in page
    assert '<a href="/new"><code>GET /new</code></a> open &lt;b&gt;it&lt;/b&gt;' in page
    assert '<form method="post" action="/new/login">' in page and 'name="user" value="bob"' in page
    assert 'id="index-problem"' not in page
