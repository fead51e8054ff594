"""Sibling hosts: which host answers, the cookies each sibling sets, the blog's toss and the shop reading the first session."""

import re
from urllib.parse import urlsplit

import pytest
from cookie_app import siblings

SHOP = {"Host": "shop.cookielab.localhost:8080"}
BLOG = {"Host": "blog.cookielab.localhost:8080"}
ELSEWHERE = {"Host": "127.0.0.1:8080"}
XSS = "<img src=x onerror=alert(1)>"


def test_the_hosts_are_two_siblings_under_one_parent():
    assert (siblings.PARENT, siblings.SHOP, siblings.BLOG) == (
        "cookielab.localhost",
        "shop.cookielab.localhost",
        "blog.cookielab.localhost",
    )


@pytest.mark.parametrize(
    ("host", "first_line"),
    [
        ("shop.cookielab.localhost:8080", "host: shop.cookielab.localhost (the shop)"),
        ("blog.cookielab.localhost:8080", "host: blog.cookielab.localhost (the blog)"),
        # Host names are compared without regard to case.
        ("Blog.CookieLab.localhost:8080", "host: blog.cookielab.localhost (the blog)"),
        ("127.0.0.1:8080", "host: 127.0.0.1 (not a sibling: open http://shop.cookielab.localhost:8080/siblings/)"),
        # Whatever port the page came on, the siblings are on the app's http address (LAB_APP_URL).
        ("127.0.0.1:9000", "host: 127.0.0.1 (not a sibling: open http://shop.cookielab.localhost:8080/siblings/)"),
        ("localhost", "host: localhost (not a sibling: open http://shop.cookielab.localhost:8080/siblings/)"),
        (
            "cookielab.localhost:8080",
            "host: cookielab.localhost (not a sibling: open http://shop.cookielab.localhost:8080/siblings/)",
        ),
        ("[::1]:8080", "host: ::1 (not a sibling: open http://shop.cookielab.localhost:8080/siblings/)"),
    ],
)
def test_the_index_names_the_host_and_what_it_received(raw_client, host, first_line):
    resp = raw_client.get("/siblings/", headers={"Host": host, "Cookie": "shared=1; hostonly=1"})
    assert resp.status_code == 200 and resp.mimetype == "text/plain"
    assert resp.text == f"{first_line}\nreceived: shared=1; hostonly=1"


def test_the_index_says_when_nothing_arrived(raw_client):
    assert (
        raw_client.get("/siblings/", headers=BLOG).text == "host: blog.cookielab.localhost (the blog)\nreceived: (none)"
    )


@pytest.mark.parametrize(
    ("path", "headers", "body", "set_cookies"),
    [
        (
            "/siblings/set",
            SHOP,
            "set: hostonly, shared, sibling",
            [
                "hostonly=1; Path=/",
                "shared=1; Domain=cookielab.localhost; Path=/",
                "sibling=1; Domain=blog.cookielab.localhost; Path=/",
            ],
        ),
        (
            "/siblings/login",
            SHOP,
            "signed in: session=alice (host-only)",
            ["session=alice; HttpOnly; Path=/; SameSite=Lax"],
        ),
        (
            "/siblings/login-host",
            SHOP,
            "signed in: __Host-session=alice",
            ["__Host-session=alice; Secure; HttpOnly; Path=/; SameSite=Lax"],
        ),
        (
            "/siblings/toss",
            BLOG,
            "tossed: session=tossed; Domain=cookielab.localhost; Path=/siblings/account",
            ["session=tossed; Domain=cookielab.localhost; Path=/siblings/account"],
        ),
    ],
)
def test_each_route_sets_exactly_its_cookies(raw_client, path, headers, body, set_cookies):
    resp = raw_client.get(path, headers=headers)
    assert resp.status_code == 200 and resp.mimetype == "text/plain"
    assert resp.text == body
    assert resp.headers.getlist("Set-Cookie") == set_cookies


@pytest.mark.parametrize(
    ("path", "headers", "message"),
    [
        (
            "/siblings/set",
            BLOG,
            "only on the shop (this is blog.cookielab.localhost): open http://shop.cookielab.localhost:8080/siblings/set",
        ),
        (
            "/siblings/set",
            ELSEWHERE,
            "only on the shop (this is 127.0.0.1): open http://shop.cookielab.localhost:8080/siblings/set",
        ),
        (
            "/siblings/login",
            {"Host": "localhost"},
            "only on the shop (this is localhost): open http://shop.cookielab.localhost:8080/siblings/login",
        ),
        (
            "/siblings/login-host",
            BLOG,
            "only on the shop (this is blog.cookielab.localhost): open http://shop.cookielab.localhost:8080/siblings/login-host",
        ),
        (
            "/siblings/account/",
            BLOG,
            "only on the shop (this is blog.cookielab.localhost): open http://shop.cookielab.localhost:8080/siblings/account/",
        ),
        (
            "/siblings/account/x",
            ELSEWHERE,
            "only on the shop (this is 127.0.0.1): open http://shop.cookielab.localhost:8080/siblings/account/x",
        ),
        (
            "/siblings/cart/",
            BLOG,
            "only on the shop (this is blog.cookielab.localhost): open http://shop.cookielab.localhost:8080/siblings/cart/",
        ),
        # The toss names the blog's form, not the toss itself.
        (
            "/siblings/toss",
            SHOP,
            "only on the blog (this is shop.cookielab.localhost): open http://blog.cookielab.localhost:8080/siblings/blog",
        ),
        (
            "/siblings/toss?name=x",
            ELSEWHERE,
            "only on the blog (this is 127.0.0.1): open http://blog.cookielab.localhost:8080/siblings/blog",
        ),
    ],
)
def test_a_route_on_the_wrong_host_names_the_right_url_and_sets_nothing(raw_client, path, headers, message):
    resp = raw_client.get(path, headers=headers)
    assert resp.status_code == 400 and resp.mimetype == "text/plain"
    assert resp.text == message
    assert resp.headers.getlist("Set-Cookie") == []


def test_the_right_url_is_on_the_apps_http_address_even_from_https(raw_client):
    resp = raw_client.get("/siblings/set", base_url="https://blog.cookielab.localhost:8443")
    assert (
        resp.text
        == "only on the shop (this is blog.cookielab.localhost): open http://shop.cookielab.localhost:8080/siblings/set"
    )


@pytest.mark.parametrize(
    ("query", "set_cookie"),
    [
        ({}, "session=tossed; Domain=cookielab.localhost; Path=/siblings/account"),
        ({"path": "/siblings/account/x"}, "session=tossed; Domain=cookielab.localhost; Path=/siblings/account/x"),
        ({"value": ""}, "session=; Domain=cookielab.localhost; Path=/siblings/account"),
        ({"name": "cart", "value": "full", "path": "/"}, "cart=full; Domain=cookielab.localhost; Path=/"),
        # Prefixed names are sent Secure, so a browser's refusal comes from the Domain alone.
        ({"name": "__Host-session", "path": "/"}, "__Host-session=tossed; Domain=cookielab.localhost; Secure; Path=/"),
        ({"name": "__Secure-id"}, "__Secure-id=tossed; Domain=cookielab.localhost; Secure; Path=/siblings/account"),
        ({"name": "__host-session", "path": "/"}, "__host-session=tossed; Domain=cookielab.localhost; Secure; Path=/"),
        # The edges of each field: every token character, every cookie-octet, the longest of each.
        (
            {"name": "!#$%&'*+-.^_`|~Az09"},
            "!#$%&'*+-.^_`|~Az09=tossed; Domain=cookielab.localhost; Path=/siblings/account",
        ),
        (
            {"value": "!#$%&'()*+-./:<=>?@[]^_`{|}~"},
            "session=!#$%&'()*+-./:<=>?@[]^_`{|}~; Domain=cookielab.localhost; Path=/siblings/account",
        ),
        ({"path": "/a-b._~!$&'()*+:=@%41"}, "session=tossed; Domain=cookielab.localhost; Path=/a-b._~!$&'()*+:=@%41"),
        (
            {"name": "n" * 64, "value": "v" * 256, "path": "/" + "p" * 255},
            f"{'n' * 64}={'v' * 256}; Domain=cookielab.localhost; Path=/{'p' * 255}",
        ),
    ],
)
def test_the_blog_tosses_a_cookie_to_the_whole_parent_domain(raw_client, query, set_cookie):
    resp = raw_client.get("/siblings/toss", headers=BLOG, query_string=query)
    assert resp.status_code == 200 and resp.mimetype == "text/plain"
    assert resp.headers.getlist("Set-Cookie") == [set_cookie]
    # The body names the cookie as sent, without the Secure that a prefix brings.
    assert resp.text == "tossed: " + set_cookie.replace("; Secure", "")


NAME_RULE = "bad name: 1 to 64 characters of letters, digits and !#$%&'*+-.^_`|~ (an RFC 6265 token)"
VALUE_RULE = 'bad value: 0 to 256 characters of printable ASCII except space, " , ; and \\ (RFC 6265 cookie-octets)'
PATH_RULE = "bad path: starts with / and has at most 256 characters: letters, digits and -._~!$&'()*+/:=@%"


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"name": ""}, NAME_RULE),
        ({"name": "n" * 65}, NAME_RULE),
        ({"name": "a b"}, NAME_RULE),
        ({"name": "a=b"}, NAME_RULE),
        ({"name": "a;b"}, NAME_RULE),
        ({"name": "a/b"}, NAME_RULE),
        ({"name": "caf\u00e9"}, NAME_RULE),
        ({"name": XSS}, NAME_RULE),
        ({"name": "a\r\nSet-Cookie: x=1"}, NAME_RULE),
        ({"value": "a b"}, VALUE_RULE),
        ({"value": 'a"b'}, VALUE_RULE),
        ({"value": "a,b"}, VALUE_RULE),
        ({"value": "a;b"}, VALUE_RULE),
        ({"value": "a\\b"}, VALUE_RULE),
        ({"value": "v" * 257}, VALUE_RULE),
        ({"value": "caf\u00e9"}, VALUE_RULE),
        ({"value": XSS}, VALUE_RULE),
        ({"value": "a\tb"}, VALUE_RULE),
        ({"path": ""}, PATH_RULE),
        ({"path": "siblings/account"}, PATH_RULE),
        ({"path": "/a b"}, PATH_RULE),
        ({"path": "/a;b"}, PATH_RULE),
        ({"path": "/a,b"}, PATH_RULE),
        ({"path": "/" + "p" * 256}, PATH_RULE),
        ({"path": "/<b>"}, PATH_RULE),
        ({"path": '/"x"'}, PATH_RULE),
        ({"path": "/caf\u00e9"}, PATH_RULE),
        # The first bad field is the one named.
        ({"name": "a b", "value": "a b", "path": "x"}, NAME_RULE),
        ({"value": "a b", "path": "x"}, VALUE_RULE),
    ],
)
def test_a_bad_toss_says_which_field_and_what_is_allowed(raw_client, query, message):
    resp = raw_client.get("/siblings/toss", headers=BLOG, query_string=query)
    assert resp.status_code == 400 and resp.mimetype == "text/plain"
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    assert resp.text == message
    assert resp.headers.getlist("Set-Cookie") == []


def test_the_rules_in_the_messages_are_the_modules_own():
    for field, (_, allowed) in siblings.TOSS_RULES.items():
        assert f"bad {field}: {allowed}" in (NAME_RULE, VALUE_RULE, PATH_RULE)


@pytest.mark.parametrize(
    "path", ["/siblings/account/", "/siblings/cart/", "/siblings/account/x", "/siblings/account/x/y"]
)
def test_the_shop_reads_the_first_of_two_session_cookies(raw_client, path):
    # A browser sends the blog's Path=/siblings/account cookie before the shop's Path=/ one.
    resp = raw_client.get(
        path, headers={**SHOP, "Cookie": "session=tossed; hostonly=1; __Host-session=alice; session=alice"}
    )
    assert resp.status_code == 200 and resp.mimetype == "text/plain"
    assert resp.text.splitlines() == [
        f"shop, {path}",
        "session, as Flask reads it (the first): tossed",
        "__Host-session: alice",
        # As sent, not regrouped by name: the order is what the sheet is about.
        "Cookie: session=tossed; hostonly=1; __Host-session=alice; session=alice",
    ]


def test_the_account_page_says_none_when_nothing_came(raw_client):
    resp = raw_client.get("/siblings/account/", headers=SHOP)
    assert resp.text == (
        "shop, /siblings/account/\n"
        "session, as Flask reads it (the first): (none)\n"
        "__Host-session: (none)\n"
        "Cookie: (none)"
    )


def test_the_blog_page_is_a_form_that_tosses(raw_client):
    resp = raw_client.get("/siblings/blog", headers=BLOG)
    assert resp.status_code == 200 and resp.mimetype == "text/html"
    assert "script-src 'self'" in resp.headers["Content-Security-Policy"]
    page = resp.text
    assert '<form id="toss-form" method="get" action="/siblings/toss">' in page
    for field, default in siblings.TOSS_DEFAULTS.items():
        assert f'<label for="toss-{field}">{field}</label>' in page
        assert f'<input id="toss-{field}" name="{field}" value="{default}">' in page
    assert "RFC 6265 section 5.4" in page and "Domain=cookielab.localhost" in page
    # On the blog, no note that this is the wrong host.
    assert 'id="not-the-blog"' not in page
    for tag in re.findall(r"<script[^>]*>", page):
        assert 'src="/static/' in tag or 'type="application/json"' in tag, tag


def test_the_blog_page_elsewhere_links_the_blog(raw_client):
    page = raw_client.get("/siblings/blog", headers=SHOP).text
    assert 'id="not-the-blog"' in page
    assert '<a href="http://blog.cookielab.localhost:8080/siblings/blog">' in page


def test_markup_in_a_cookie_or_the_query_is_never_markup_on_the_blog_page(raw_client):
    resp = raw_client.get(
        "/siblings/blog",
        headers={**BLOG, "Cookie": f'session="{XSS}"; note=</script><b>'},
        query_string={"name": XSS, "value": XSS, "path": XSS},
    )
    assert resp.status_code == 200
    assert "<img src=x" not in resp.text and "</script><b>" not in resp.text
    # The cookie is shown, as text.
    assert "&lt;img src=x onerror=alert(1)&gt;" in resp.text


def exercise_11_links(page):
    section = page.split('<li id="exercise-11">', 1)[1].split("</ul>", 1)[0]
    return re.findall(r'<a href="([^"]+)">', section)


def test_the_start_page_links_the_siblings_on_the_requests_port(raw_client):
    page = raw_client.get("/lab/", headers={"Host": "127.0.0.1:8080"}).text
    assert "11 · Domain and sibling hosts: a shared cookie, and cookie tossing" in page
    assert exercise_11_links(page) == [
        "http://shop.cookielab.localhost:8080/siblings/set",
        "http://shop.cookielab.localhost:8080/siblings/",
        "http://blog.cookielab.localhost:8080/siblings/",
        "http://shop.cookielab.localhost:8080/siblings/login",
        "http://blog.cookielab.localhost:8080/siblings/blog",
        "http://shop.cookielab.localhost:8080/siblings/account/",
    ]


@pytest.mark.parametrize(
    ("base_url", "prefix"),
    [
        # Over https the app sees http from the proxy: the links go to the http address, as sheet 11 does.
        ("https://127.0.0.1:8443", "http://shop.cookielab.localhost:8080/"),
        ("http://localhost", "http://shop.cookielab.localhost:8080/"),
    ],
)
def test_the_sibling_links_are_on_the_apps_http_address(raw_client, base_url, prefix):
    links = exercise_11_links(raw_client.get("/lab/", base_url=base_url).text)
    assert links[0] == prefix + "siblings/set"


def test_every_sibling_link_answers_on_its_host(raw_client):
    for link in exercise_11_links(raw_client.get("/lab/", headers={"Host": "127.0.0.1:8080"}).text):
        url = urlsplit(link)
        assert raw_client.get(url.path, headers={"Host": url.netloc}).status_code == 200, link


@pytest.mark.parametrize("host", ["[::1", "a b:80", "shop.cookielab.localhost:99999999"])
def test_a_broken_host_header_is_no_sibling_and_no_error(raw_client, host):
    resp = raw_client.get("/siblings/", headers={"Host": host})
    assert resp.status_code == 200
    assert "(not a sibling: open http://shop.cookielab.localhost:8080/siblings/)" in resp.text
