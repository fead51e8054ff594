"""The recorder's cookie parsing imported as a module: what a capture record says about a flow built by mitmproxy's helpers.

test_cookie_logger.py loads the file as mitmproxy loads a script; these tests
import it by name, so mutation testing reaches the same code (docs/TESTING.md).
"""

import cookie_logger
import lab_grader
import pytest
from addon_support import make_flow


@pytest.mark.parametrize(
    ("header", "cookies"),
    [
        ("username=Alice", [("username", "Alice")]),
        # Duplicates kept, in the order sent.
        ("a=1; b=2; a=3", [("a", "1"), ("b", "2"), ("a", "3")]),
        ('b="x;y"; c=', [("b", "x;y"), ("c", "")]),
        ("justaname", [("justaname", "")]),
        ("", []),
    ],
)
def test_a_cookie_header_gives_its_pairs_in_order(header, cookies):
    assert cookie_logger.parse_request_cookies(header) == [{"name": n, "value": v} for n, v in cookies]


@pytest.mark.parametrize(
    ("header", "cookies"),
    [
        ("username=Alice; Path=/", [{"name": "username", "value": "Alice", "attributes": {"Path": "/"}}]),
        # Flags become true; attribute names take RFC 6265bis's spelling whatever the case sent.
        (
            "id=1; secure; HTTPONLY; partitioned; sAmEsItE=Lax; max-age=60; domain=example.test",
            [
                {
                    "name": "id",
                    "value": "1",
                    "attributes": {
                        "Secure": True,
                        "HttpOnly": True,
                        "Partitioned": True,
                        "SameSite": "Lax",
                        "Max-Age": "60",
                        "Domain": "example.test",
                    },
                }
            ],
        ),
        # A repeated attribute keeps its last value (RFC 6265 section 5.3).
        ("id=1; Path=/a; path=/b", [{"name": "id", "value": "1", "attributes": {"Path": "/b"}}]),
        # An attribute the RFC does not name keeps its own name; an empty value stays a value.
        (
            "id=1; Priority=High; Secure=",
            [{"name": "id", "value": "1", "attributes": {"Priority": "High", "Secure": ""}}],
        ),
        (
            "a=1; Expires=Wed, 21 Oct 2037 07:28:00 GMT",
            [{"name": "a", "value": "1", "attributes": {"Expires": "Wed, 21 Oct 2037 07:28:00 GMT"}}],
        ),
        ("justaname", [{"name": "justaname", "value": None, "attributes": {}}]),
        ("", []),
    ],
)
def test_a_set_cookie_header_gives_its_cookies_and_attributes(header, cookies):
    assert cookie_logger.parse_set_cookie(header) == cookies


def test_each_header_is_parsed_on_its_own_and_tagged_with_its_index():
    errors = []
    parsed = cookie_logger.parse_each("Cookie", cookie_logger.parse_request_cookies, ["a=1; b=2", "", "a=3"], errors)
    assert parsed == [
        {"name": "a", "value": "1", "header": 0},
        {"name": "b", "value": "2", "header": 0},
        {"name": "a", "value": "3", "header": 2},
    ]
    assert errors == []


def test_a_header_the_parser_cannot_read_is_noted_and_the_rest_still_parsed():
    def parse(header):
        if header == "bad":
            raise ValueError("cannot split")
        return cookie_logger.parse_set_cookie(header)

    errors = ["an earlier note"]
    parsed = cookie_logger.parse_each("Set-Cookie", parse, ["bad", "a=1"], errors)
    assert parsed == [{"name": "a", "value": "1", "attributes": {}, "header": 1}]
    assert errors == ["an earlier note", "Set-Cookie header 0: ValueError: cannot split"]


def test_a_flows_record_holds_its_raw_headers_and_what_they_parse_to():
    f = make_flow(
        [b"a=1; b=2", b"a=3"],
        [b"a=1; Path=/", b"b=2; Secure"],
        path=b"/shop?x=1",
        host=b"shop.cookielab.localhost:8080",
        status=201,
    )
    f.request.method = "POST"
    assert cookie_logger.flow_record(f) == {
        "time": "1999-12-31T23:00:00.000+00:00",
        "flow_id": f.id,
        "method": "POST",
        "scheme": "http",
        "host": "shop.cookielab.localhost:8080",
        "path": "/shop?x=1",
        "status": 201,
        "request_cookie_headers": ["a=1; b=2", "a=3"],
        "request_cookies": [
            {"name": "a", "value": "1", "header": 0},
            {"name": "b", "value": "2", "header": 0},
            {"name": "a", "value": "3", "header": 1},
        ],
        "set_cookie_headers": ["a=1; Path=/", "b=2; Secure"],
        "set_cookies": [
            {"name": "a", "value": "1", "attributes": {"Path": "/"}, "header": 0},
            {"name": "b", "value": "2", "attributes": {"Secure": True}, "header": 1},
        ],
        "parse_errors": [],
        "error": None,
        "replay": None,
        "edited": False,
        "solved": [],
        "steps": [],
    }


def test_a_failed_flow_records_its_error_and_no_response():
    f = make_flow([b"username=Alice"], resp=False, err=True)
    record = cookie_logger.flow_record(f)
    assert (record["status"], record["set_cookie_headers"], record["set_cookies"]) == (None, [], [])
    assert record["error"] == f.error.msg == "error"
    assert record["request_cookies"] == [{"name": "username", "value": "Alice", "header": 0}]


def test_a_flow_without_a_start_time_has_none():
    f = make_flow()
    f.request.timestamp_start = None
    assert cookie_logger.flow_record(f)["time"] is None


def test_the_graders_verdict_and_a_replay_are_in_the_record():
    f = make_flow([b"username=admin"], path=b"/tamper/admin")
    f.is_replay = "request"
    f.metadata.update(
        {
            lab_grader.SOLVED: ["08-forged-in-mitmweb"],
            lab_grader.STEPS: ["08-forged-in-mitmweb#1"],
            lab_grader.EDITED: True,
        }
    )
    record = cookie_logger.flow_record(f)
    assert (record["replay"], record["edited"], record["solved"], record["steps"]) == (
        "request",
        True,
        ["08-forged-in-mitmweb"],
        ["08-forged-in-mitmweb#1"],
    )
    # Copies: the record never shares the flow's lists.
    assert record["solved"] is not f.metadata[lab_grader.SOLVED]


@pytest.mark.parametrize(
    ("trust", "tls", "header", "scheme"),
    [
        (False, True, None, "https"),
        (False, False, None, "http"),
        # A learner's own X-Forwarded-Proto counts for nothing unless the proxy is told to trust it.
        (False, False, b"https", "http"),
        (True, False, b"https", "https"),
        (True, False, b" HTTPS , http", "https"),
        (True, False, b"http", "http"),
        (True, False, b"gopher", "http"),
        (True, False, None, "http"),
        # TLS to the proxy is https whatever the header says.
        (True, True, b"http", "https"),
    ],
)
def test_the_scheme_is_the_clients_or_a_trusted_ingresss(trust, tls, header, scheme):
    f = make_flow(tls=tls, headers=[(b"x-forwarded-proto", header)] if header else [])
    assert cookie_logger.flow_scheme(f, trust) == scheme
    assert cookie_logger.flow_record(f, trust)["scheme"] == scheme


def test_the_scheme_is_plain_http_unless_trust_is_given():
    f = make_flow(headers=[(b"x-forwarded-proto", b"https")])
    assert cookie_logger.flow_scheme(f) == "http" and cookie_logger.flow_record(f)["scheme"] == "http"


def test_a_header_the_parser_cannot_read_is_named_in_the_record_and_kept_raw(monkeypatch):
    def unreadable(parse):
        def parse_or_fail(header):
            if "odd" in header:
                raise ValueError(f"cannot read {header!r}")
            return parse(header)

        return parse_or_fail

    monkeypatch.setattr(cookie_logger, "parse_request_cookies", unreadable(cookie_logger.parse_request_cookies))
    monkeypatch.setattr(cookie_logger, "parse_set_cookie", unreadable(cookie_logger.parse_set_cookie))
    record = cookie_logger.flow_record(make_flow([b"a=1", b"odd=1"], [b"odd=2", b"b=2"]))
    assert record["parse_errors"] == [
        "Cookie header 1: ValueError: cannot read 'odd=1'",
        "Set-Cookie header 0: ValueError: cannot read 'odd=2'",
    ]
    assert record["request_cookie_headers"] == ["a=1", "odd=1"] and record["set_cookie_headers"] == ["odd=2", "b=2"]
    assert record["request_cookies"] == [{"name": "a", "value": "1", "header": 0}]
    assert record["set_cookies"] == [{"name": "b", "value": "2", "attributes": {}, "header": 1}]
