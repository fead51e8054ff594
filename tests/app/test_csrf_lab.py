"""Sheet 13's app side under Flask's test client: the account, the SameSite setting, the token and the
origin check, all in the shared database."""

import pytest
from cookie_app.csrf import SESSION


def session_cookie(resp) -> str:
    return next(h for h in resp.headers.getlist("Set-Cookie") if h.startswith(f"{SESSION}="))


@pytest.mark.parametrize(
    ("mode", "attributes"),
    [
        ("unset", "; Path=/csrf"),
        ("none", "; Secure; Path=/csrf; SameSite=None"),
        ("lax", "; Path=/csrf; SameSite=Lax"),
        ("strict", "; Path=/csrf; SameSite=Strict"),
    ],
)
def test_the_session_cookie_gets_the_samesite_the_setting_names(client, mode, attributes):
    assert client.post("/csrf/samesite", data={"mode": mode}).status_code == 303
    assert session_cookie(client.post("/csrf/login")).endswith(attributes)


def test_the_lab_starts_with_no_samesite_and_every_defence_off(client):
    page = client.get("/csrf/").text
    assert '<strong id="samesite-now">no SameSite</strong>' in page
    assert '<strong id="token-now">off</strong>' in page and '<strong id="origin-now">off</strong>' in page
    assert "Not signed in." in page and "Log in to see your account." in page
    assert 'name="token"' not in page.split('id="samesite"')[0]


def test_a_change_needs_the_session_and_nothing_else_with_the_defences_off(client):
    refused = client.post("/csrf/email", data={"email": "a@b.example"})
    assert refused.status_code == 401 and refused.text.startswith("not signed in")
    client.post("/csrf/login")
    cross = {"Sec-Fetch-Site": "cross-site"}
    assert client.post("/csrf/email", data={"email": "a@b.example"}, headers=cross).status_code == 303
    assert client.get("/csrf/email?email=c%40d.example", headers=cross).status_code == 303  # the planted GET
    assert client.post("/csrf/forward", data={"address": "e@f.example"}, headers=cross).status_code == 303
    page = client.get("/csrf/").text
    assert '<strong id="email">c@d.example</strong>' in page and '<strong id="forward">e@f.example</strong>' in page


def test_the_token_refuses_a_change_without_it_and_the_pages_forms_carry_it(client):
    client.post("/csrf/login")
    client.post("/csrf/defence", data={"token": "on"})
    refused = client.post("/csrf/email", data={"email": "a@b.example"})
    assert refused.status_code == 403
    assert refused.text == "refused: the CSRF token is missing or wrong\nthe account page: /csrf/\n"
    page = client.get("/csrf/").text
    token = page.split('name="token" value="', 1)[1].split('"', 1)[0]
    assert len(token) == 32
    assert client.post("/csrf/email", data={"email": "a@b.example", "token": token}).status_code == 303


def test_the_origin_check_refuses_another_sites_change(client):
    client.post("/csrf/login")
    client.post("/csrf/defence", data={"origin": "on"})
    cross = client.post("/csrf/email", data={"email": "a@b.example"}, headers={"Sec-Fetch-Site": "cross-site"})
    assert cross.status_code == 403
    assert cross.text.startswith("refused by the origin check: Sec-Fetch-Site is cross-site\n")
    same = client.post("/csrf/email", data={"email": "a@b.example"}, headers={"Sec-Fetch-Site": "same-origin"})
    assert same.status_code == 303


def test_a_value_is_shown_as_text_and_bounded(client):
    client.post("/csrf/login")
    assert client.post("/csrf/email", data={"email": "x" * 101}).status_code == 400
    client.post("/csrf/email", data={"email": "<img src=x onerror=alert(1)>"})
    assert "&lt;img src=x onerror=alert(1)&gt;" in client.get("/csrf/").text


def test_the_defences_change_only_from_the_labs_own_pages(client):
    cross = {"Sec-Fetch-Site": "cross-site"}
    assert client.post("/csrf/samesite", data={"mode": "none"}, headers=cross).status_code == 403
    assert client.post("/csrf/defence", data={"token": "off"}, headers=cross).status_code == 403
    odd = client.post("/csrf/samesite", data={"mode": "sometimes"}).text
    assert odd == "mode must be one of: unset, none, lax, strict\nthe account page: /csrf/\n"
