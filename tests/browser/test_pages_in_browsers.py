"""The lab's pages in real browsers: the start page's two columns, the inspector, and cookies shown as text."""

from urllib.parse import quote

import pytest
from helpers import exercises
from local_lab import wait_until

pytestmark = pytest.mark.browser

# Markup that runs if a page renders it: each sets window.__pwned to its number and
# alerts it. No ";" (it ends a cookie), no '"' (it ends a quoted one), no space in an
# attribute's value. The breaker ends the JSON block the inspector pages embed.
PAYLOADS = {
    "img": "<img src=x onerror=window.__pwned=1,alert(1)>",
    "svg": "<svg onload=window.__pwned=2,alert(2)>",
    "breaker": "</script><script>window.__pwned=3,alert(3)</script>",
    "href": "<a href=javascript:window.__pwned=4,alert(4)>4</a>",
}
XSS = "".join(PAYLOADS.values())
# Firefox runs Marionette's scripts behind an Xray, which hides what page script set on window.
PWNED = "(window.wrappedJSObject || window).__pwned"
# What the payloads would add to a page, beside the lab's own script files and JSON block.
INJECTED = 'img, svg, b, a[href^="javascript:"], script:not([src]):not(#server-cookies)'


def test_start_page_shows_the_server_and_script_columns(lab, tab, shots):
    tab.goto(lab.app + "/")  # the seed sets username=Alice
    tab.goto(lab.app + "/delete/login")  # user=alice, HttpOnly
    tab.goto(lab.app + "/lab/")
    assert tab.text("#server pre.raw") == "username=Alice; user=alice"
    assert tab.wait_text("#document-cookie", "username=Alice") == "username=Alice"
    rows = tab.text("#script-cookies")
    assert "username" in rows and "user\t" not in rows and "alice" not in rows
    assert tab.text("#hidden-note") == "Sent to the server but hidden from page script (HttpOnly): user"
    for exercise in exercises():
        assert f"{exercise['id']} · {exercise['title']}" in tab.text(f"#exercise-{exercise['id']}")
    tab.screenshot(shots / f"start-page-{tab.engine}.png")


def test_the_session_login_form_posts_and_the_inspector_shows_the_signed_cookie(lab, tab):
    tab.goto(lab.app + "/lab/")
    tab.click("#exercise-07 form button")
    assert tab.text("body") == "logged in as alice (signed session)"
    tab.goto(lab.app + "/session/inspect")
    assert tab.text("#server pre.raw").startswith("session=")
    assert (
        tab.wait_text("#hidden-note", "HttpOnly")
        == "Sent to the server but hidden from page script (HttpOnly): session"
    )


def test_inspector_follows_the_path_and_expiry(lab, tab):
    tab.goto(lab.app + "/attributes/set")
    tab.goto(lab.app + "/attributes/shop/inspect")
    assert tab.text("#server pre.raw") == "cart=apple; site=1; both=1"
    assert tab.wait_text("#document-cookie", "cart") == "cart=apple; site=1; both=1"
    tab.goto(lab.app + "/attributes/inspect")
    assert tab.text("#server pre.raw") == "site=1; both=1"
    assert tab.wait_text("#document-cookie", "site") == "site=1; both=1"


def pages() -> list[str]:
    """Pages that echo cookies, plus the inspector deep down; the seed's / last, as it sets username=Alice."""
    return [
        "/lab/",
        "/inspect",
        "/tamper/admin",
        "/session/plain",
        "/flags/",
        "/deep/path/inspect",
        "/attributes/",
        "/multiple/deep/",
        "/size/",
        "/",
    ]


def test_a_cookie_holding_markup_is_text_on_every_page(lab, tab, shots):
    """The cookie goes in as the server would get it from a forged request; no page runs it."""
    tab.goto(lab.app + "/inspect")
    # Set by page script at the lab's own origin, as a forged Set-Cookie would store them.
    # Quoted, Werkzeug parses the value (spaces and all) and the routes echo it;
    # bare, it is dropped by Werkzeug but still in the raw header and document.cookie.
    tab.js(f"""document.cookie = 'username="{XSS}"; path=/'""")
    tab.js(f"document.cookie = 'raw={XSS}; path=/'")
    tab.js("document.cookie = 'note=</script><b>bold</b>; path=/'")
    for path in pages():
        tab.goto(lab.app + path)
        body = tab.text("body")
        assert XSS in body or path == "/size/", (path, body)
        # No markup from the cookie made it into the document.
        assert tab.js("document.querySelectorAll('img, b').length") == 0, path
        assert tab.js(f"document.querySelectorAll('{INJECTED}').length") == 0, path
        assert tab.js(f"typeof {PWNED}") == "undefined", path
        assert tab.dialogs == [], path
        if path == "/lab/":
            assert tab.wait_text("#document-cookie", XSS)
            tab.screenshot(shots / f"start-page-markup-cookie-{tab.engine}.png")
    assert tab.dialogs == []


@pytest.mark.parametrize("name", PAYLOADS)
def test_each_payload_fires_where_it_is_markup(tab, name):
    """The control for the test above: rendered as markup in a page without a CSP, the
    payload sets window.__pwned and alerts, and this engine's tab sees both."""
    number = list(PAYLOADS).index(name) + 1
    tab.goto("data:text/html," + quote(f"<!doctype html><title>control</title><body>{PAYLOADS[name]}</body>"))
    if name == "href":
        tab.click('a[href^="javascript:"]')
    assert wait_until(lambda: tab.js(PWNED), 10, f"window.__pwned from the {name} payload") == number
    assert wait_until(lambda: tab.dialogs, 10, f"the alert from the {name} payload") == [str(number)]
    assert tab.js(f"document.querySelectorAll('{INJECTED}').length") >= 1
