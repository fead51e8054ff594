"""The second site's page, under Flask's test client: every kind of request, aimed at the app, and text only."""

import re

import pytest
from cookie_site import REQUESTS, create_app


@pytest.fixture
def client():
    return create_app(
        {"TESTING": True, "LAB_APP_URL": "http://127.0.0.1:9080", "LAB_APP_HTTPS_URL": "https://127.0.0.1:9443"}
    ).test_client(use_cookies=False)


def request_urls(page):
    """Every address the page's markup sends a request to, apart from the chooser's own links."""
    page = re.sub(r'<a id="target-[^>]*>', "", page)
    return re.findall(r'(?:href|action|src|data-target)="([^"]*)"', page)


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


def test_the_https_choice_points_every_request_and_the_csp_at_the_https_app(client):
    resp = client.get("/?app=https")
    page = resp.text
    assert 'data-target="https://127.0.0.1:9443"' in page
    assert 'href="https://127.0.0.1:9443/flags/?via=link"' in page
    assert '<form id="get-form" method="get" action="https://127.0.0.1:9443/flags/">' in page
    assert '<form id="post-form" method="post" action="https://127.0.0.1:9443/flags/?via=post-form">' in page
    assert 'href="https://127.0.0.1:9443/flags/set"' in page and 'href="https://127.0.0.1:9443/lab/"' in page
    csp = resp.headers["Content-Security-Policy"]
    for directive in ("img-src", "connect-src", "frame-src", "form-action"):
        assert re.search(rf"{directive} https://127\.0\.0\.1:9443(;|$)", csp), directive


@pytest.mark.parametrize(
    ("query", "chosen", "other"),
    [
        ("", "http://127.0.0.1:9080", "127.0.0.1:9443"),
        ("?app=http", "http://127.0.0.1:9080", "127.0.0.1:9443"),
        ("?app=https", "https://127.0.0.1:9443", "127.0.0.1:9080"),
    ],
)
def test_each_page_reaches_only_the_chosen_address(client, query, chosen, other):
    resp = client.get(f"/{query}")
    urls = request_urls(resp.text)
    assert f'data-target="{chosen}"' in resp.text
    assert all(url.startswith(("/", f"{chosen}/")) or url == chosen for url in urls), urls
    assert other not in resp.headers["Content-Security-Policy"]


@pytest.mark.parametrize(("query", "current"), [("", "http"), ("?app=http", "http"), ("?app=https", "https")])
def test_the_chooser_links_both_addresses_and_marks_the_current_one(client, query, current):
    page = client.get(f"/{query}").text
    assert "Send the requests to:" in page
    links = dict(re.findall(r'<a id="target-(\w+)" href="/\?app=\1"[^>]*><code>([^<]*)</code></a>', page))
    assert links == {"http": "http://127.0.0.1:9080", "https": "https://127.0.0.1:9443"}
    marked = re.findall(r'<a id="target-(\w+)"[^>]* aria-current="page"', page)
    assert marked == [current]


@pytest.mark.parametrize("value", ["", "HTTPS", "ftp", "<script>alert(1)</script>"])
def test_any_other_app_value_answers_400_in_plain_text_without_the_input(client, value):
    resp = client.get("/", query_string={"app": value})
    assert resp.status_code == 400
    assert resp.mimetype == "text/plain"
    assert resp.text == "app must be one of: http, https\n"


def test_health(client):
    assert client.get("/healthz").json == {"status": "ok"}


def test_over_https_the_page_says_to_get_past_the_certificate_warning_first(client):
    over_https = client.get("/?app=https").text
    assert 'id="https-first"' in over_https and "certificate warning" in over_https
    assert 'id="https-first"' not in client.get("/").text
