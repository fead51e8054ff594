"""The seed's / route, through Flask's test client."""

import pytest


def test_first_visit_greets_none_and_sets_alice(client):
    resp = client.get("/")
    assert resp.status_code == 200
    assert resp.text == "Hello None"
    assert resp.headers.getlist("Set-Cookie") == ["username=Alice; Path=/"]


@pytest.mark.parametrize(
    ("cookie", "greeting"),
    [
        ("username=Alice", "Hello Alice"),
        ("username=Bob", "Hello Bob"),
        ("other=1", "Hello None"),
        ("username=", "Hello "),
        # Werkzeug keeps the first of two values with one name.
        ("username=Carol; username=Dave", "Hello Carol"),
        ('username="quoted value"', "Hello quoted value"),
        ("no-equals-sign", "Hello None"),
        # An unbalanced quote at the start: Werkzeug gives up on that pair.
        ('username="open', "Hello None"),
    ],
)
def test_greets_whatever_the_cookie_says(raw_client, cookie, greeting):
    resp = raw_client.get("/", headers={"Cookie": cookie})
    assert resp.status_code == 200
    assert resp.text == greeting
    # Whatever came in, the seed sets username=Alice on every response.
    assert resp.headers.getlist("Set-Cookie") == ["username=Alice; Path=/"]


def test_second_request_sends_the_cookie_back(client):
    assert client.get("/").text == "Hello None"
    assert client.get("/").text == "Hello Alice"
    assert client.get_cookie("username").value == "Alice"


@pytest.mark.parametrize(
    ("value", "escaped"),
    [
        ("<script>alert(1)</script>", "Hello &lt;script&gt;alert(1)&lt;/script&gt;"),
        ("<b>bold</b>", "Hello &lt;b&gt;bold&lt;/b&gt;"),
        ("a&b", "Hello a&amp;b"),
        # A quoted value may carry both quote characters; both come back escaped.
        ('"a\\"b\'c"', "Hello a&#34;b&#39;c"),
    ],
)
def test_cookie_value_comes_back_as_text_never_markup(raw_client, value, escaped):
    resp = raw_client.get("/", headers={"Cookie": f"username={value}"})
    assert resp.text == escaped
    assert "<script>" not in resp.text


def test_oversized_cookie_is_still_answered(raw_client):
    resp = raw_client.get("/", headers={"Cookie": "username=" + "x" * 9000})
    assert resp.status_code == 200
    assert resp.text == "Hello " + "x" * 9000
