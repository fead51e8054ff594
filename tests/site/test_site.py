"""The second site's page, under Flask's test client: every kind of request, aimed at the app, and text only."""

import re

import pytest
from cookie_site import REQUESTS, create_app


@pytest.fixture
def client():
    return create_app({"TESTING": True, "LAB_APP_URL": "http://127.0.0.1:9080"}).test_client(use_cookies=False)


def test_the_page_offers_every_kind_of_request_at_the_apps_flags(client):
    page = client.get("/").text
    assert [kind for kind, _ in REQUESTS] == ["link", "get-form", "post-form", "img", "fetch", "iframe"]
    assert 'href="http://127.0.0.1:9080/flags/?via=link"' in page
    assert '<form id="get-form" method="get" action="http://127.0.0.1:9080/flags/">' in page
    assert '<form id="post-form" method="post" action="http://127.0.0.1:9080/flags/?via=post-form">' in page
    for kind in ("img", "fetch", "iframe"):
        assert f'id="send-{kind}" data-kind="{kind}"' in page
    assert 'data-target="http://127.0.0.1:9080"' in page


def test_the_page_says_which_cookies_its_own_server_received_as_text(client):
    assert '<pre class="raw" id="site-received">(no Cookie header)</pre>' in client.get("/").text
    page = client.get("/", headers={"Cookie": 'x="<img src=x onerror=alert(1)>"'}).text
    assert "<img src=x" not in page and "&lt;img src=x onerror=alert(1)&gt;" in page


def test_script_comes_from_the_sites_files_and_requests_go_only_to_the_app(client):
    resp = client.get("/")
    csp = resp.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    for directive in ("img-src", "connect-src", "frame-src", "form-action"):
        assert re.search(rf"{directive} http://127\.0\.0\.1:9080(;|$)", csp), directive
    assert all('src="/static/' in tag for tag in re.findall(r"<script[^>]*>", resp.text))
    with client.get("/static/site.js") as script:
        assert script.status_code == 200


def test_health(client):
    assert client.get("/healthz").json == {"status": "ok"}
