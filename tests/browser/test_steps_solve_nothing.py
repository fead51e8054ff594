"""The browser Steps of the sheets, and the pages the start page lists, done as written in Chromium: they solve
no challenge. (The sh commands of every sheet, and the mitmweb Steps of sheets 07 and 08: tests/stack/test_sheets.py.)"""

import json
import time

import pytest
from engines import ChromiumTab
from helpers import exercises
from local_lab import running_stack_and_site, wait_until

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def fresh(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("steps")
    with running_stack_and_site(tmp) as stack:
        yield stack


def test_following_the_steps_and_the_start_pages_links_solves_none_of_these_challenges(fresh, chromium_browser):
    port = fresh.proxy_port
    app, mapped = fresh.target, f"http://[::ffff:127.0.0.1]:{port}"
    shop, blog = (f"http://{name}.cookielab.localhost:{port}" for name in ("shop", "blog"))
    tab = ChromiumTab(chromium_browser)
    try:
        # Every page the start page lists, in its order (it once gave 02's challenge away).
        for exercise in exercises():
            for page in exercise.get("page", []):
                # //host/path is a sibling host's page (sheet 11's Steps, below).
                if page.get("method", "GET") == "GET" and not page["path"].startswith("//"):
                    tab.goto(app + page["path"])
        # Sheet 03, Step 4: short's 2 seconds run out before the reload.
        tab.goto(app + "/expiry/set")
        tab.goto(app + "/expiry/inspect")
        time.sleep(2.5)  # the cookie's own lifetime is what the Step waits for
        tab.goto(app + "/expiry/inspect")
        # Sheet 06, Step 3; Steps 4 and 5: each kind of request from the second site, back to it each time.
        for url in (app + "/flags/set", app + "/flags/inspect"):
            tab.goto(url)
        for button in (
            "#send-link",
            "#get-form button",
            "#post-form button",
            "#send-img",
            "#send-fetch",
            "#send-iframe",
        ):
            tab.goto(fresh.site + "/")
            tab.click(button)
        tab.goto(fresh.site + "/")
        tab.click("#post-form button")
        # Sheet 06, Step 6; sheet 09, Step 3.
        for url in (
            mapped + "/flags/set",
            mapped + "/flags/inspect",
            app + "/prefixes/set",
            app + "/prefixes/inspect",
        ):
            tab.goto(url)
        # Sheet 11, Steps 2 to 4: the blog's form with its defaults.
        for url in (
            shop + "/siblings/set",
            shop + "/siblings/",
            blog + "/siblings/",
            shop + "/siblings/login",
            blog + "/siblings/blog",
        ):
            tab.goto(url)
        tab.click("#toss-form button")
        tab.goto(shop + "/siblings/account/")
        assert "session, as Flask reads it (the first): tossed" in tab.text("body")
        # Sheet 12, Steps 2 to 6 (the switch starts off on a fresh stack).
        title = "/xss/search?q=%3Cscript%3Edocument.title%3Ddocument.cookie%3C%2Fscript%3E"
        tab.goto(app + "/xss/")
        tab.click("#login")
        tab.goto(app + "/xss/search?q=%3Cb%3Ehello%3C%2Fb%3E")
        tab.goto(app + title)
        assert "lab_session=" in tab.js("document.title")
        tab.goto(fresh.site + "/exploit-server")
        tab.js("document.getElementById('page').value = '<p>Hello from the attacker</p>'")
        tab.click("#store button")
        tab.click("#store a")  # View exploit
        tab.goto(fresh.site + "/log/hello?from=me")
        tab.goto(fresh.site + "/exploit-server/log")
        assert "GET /log/hello?from=me" in tab.text("main")
        tab.goto(app + "/xss/")
        tab.click("#flip-httponly")
        tab.click("#login")
        tab.goto(app + title)
        # The other sheets' cookies of Path=/ are in it too; the session is not.
        assert "lab_prefs=" in tab.js("document.title") and "lab_session" not in tab.js("document.title")
        assert tab.text("#who") == "Signed in as learner."
        # Sheet 13, Steps 2 to 5.
        forged = (
            f'<form method="post" action="{app}/csrf/email"><input name="email" value="attacker@evil.example">'
            "</form><script>document.forms[0].submit()</script>"
        )
        for mode in ("none", "lax", "strict"):
            tab.goto(app + "/csrf/")
            tab.click(f"input[name=mode][value={mode}]")
            tab.click("#set-samesite")
            tab.click("#login")
            exploit = forged if mode != "strict" else f'<a id="back" href="{app}/csrf/">Your account</a>'
            tab.goto(fresh.site + "/exploit-server")
            tab.js(f"document.getElementById('page').value = {json.dumps(exploit)}")
            tab.click("#store button")
            tab.goto(fresh.site + "/exploit")
            if mode == "none":
                wait_until(lambda: tab.js("location.pathname") == "/csrf/", 10, "the account page")
                assert tab.text("#email") == "attacker@evil.example"
            elif mode == "lax":
                wait_until(lambda: "not signed in" in tab.text("body"), 10, "the refusal")
            else:
                tab.click("#back")
                assert tab.text("#who") == "Not signed in."
        tab.goto(app + "/csrf/?last=1")
        assert tab.text("#who").startswith("Signed in as learner")
    finally:
        tab.close()
    records = wait_until(
        # The last Step's own line; the browser may still ask for /favicon.ico after it.
        lambda: (r := fresh.records()) and any(x["path"].endswith("?last=1") for x in r) and r,
        15,
        "the last Step's capture line",
    )
    # The grader has read the exploit server's log since Step 5 (it looks every 0.5 s).
    time.sleep(1.5)
    # Not one challenge of any sheet, whether rewritten for it or not, nor a step the exploit server's log met.
    assert sorted({cid for r in records for cid in r["solved"]}) == [], [
        (r["path"], r["status"]) for r in records if r["solved"]
    ]
    assert fresh.exploit_solves() == []
