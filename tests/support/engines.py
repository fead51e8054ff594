"""The two browser engines behind one small interface: Chromium through Playwright, Firefox through Marionette.

Both are Debian's packages (/usr/bin/chromium, /usr/bin/firefox-esr), run
headless on this machine; neither is downloaded. Either can trust the lab's CA
as the README tells learners to, in a throwaway store of its own only (NSS's
certutil, from Debian's libnss3-tools): never in this machine's stores.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from local_lab import ROOT, free_port, port_open, wait_until

# Screenshots of what a learner sees, kept for a human to look at.
SHOTS = ROOT / ".pytest_cache" / "screenshots"

CHROMIUM = "/usr/bin/chromium"
FIREFOX = "/usr/bin/firefox-esr"
# The window a learner has on a laptop: the 1400x900.
WIDTH, HEIGHT = 1400, 900

# Firefox, quiet: no update checks, telemetry, safe-browsing lists, captive-portal
# probes or remote settings. The browser tier talks to 127.0.0.1 only.
FIREFOX_PREFS = {
    "app.update.disabledForTesting": True,
    "app.normandy.enabled": False,
    "browser.safebrowsing.malware.enabled": False,
    "browser.safebrowsing.phishing.enabled": False,
    "browser.safebrowsing.downloads.enabled": False,
    "browser.safebrowsing.blockedURIs.enabled": False,
    "browser.safebrowsing.provider.mozilla.updateURL": "",
    "browser.shell.checkDefaultBrowser": False,
    "browser.startup.page": 0,
    "browser.startup.homepage_override.mstone": "ignore",
    "browser.newtabpage.enabled": False,
    "browser.region.network.url": "",
    "browser.search.geoip.url": "",
    "datareporting.policy.dataSubmissionEnabled": False,
    "datareporting.healthreport.uploadEnabled": False,
    "toolkit.telemetry.enabled": False,
    "toolkit.telemetry.unified": False,
    "toolkit.telemetry.server": "",
    "network.captive-portal-service.enabled": False,
    "network.connectivity-service.enabled": False,
    "network.dns.disablePrefetch": True,
    "network.prefetch-next": False,
    "network.http.speculative-parallel-limit": 0,
    "dom.push.connection.enabled": False,
    "dom.push.serverURL": "",
    "extensions.update.enabled": False,
    "extensions.getAddons.cache.enabled": False,
    "extensions.blocklist.enabled": False,
    "services.settings.server": "http://127.0.0.1:1/",
    "media.gmp-manager.url": "",
    "geo.provider.network.url": "",
    "identity.fxaccounts.enabled": False,
    "remote.prefs.recommended": True,
}


class Tab:
    """One page in a fresh cookie jar."""

    engine: str

    def goto(self, url: str) -> None: ...
    def click(self, css: str) -> None: ...
    def text(self, css: str) -> str: ...
    def js(self, expression: str): ...
    def screenshot(self, path: Path) -> None: ...
    def resize(self, width: int, height: int) -> None: ...
    def close(self) -> None: ...

    def post(self, url: str) -> None:
        """POST a form with no fields to url from the page open now, as a lab page's button does, and wait
        for the page it leads to. The page open now is marked first, so that its own readyState is never
        taken for the next page's."""
        self.js(
            "(() => { document.documentElement.dataset.leaving = '1';"
            " const form = document.createElement('form'); form.method = 'post';"
            f" form.action = {json.dumps(url)}; document.body.append(form); form.submit(); }})()"
        )

        def arrived() -> bool:
            try:
                return self.js("document.readyState === 'complete' && !document.documentElement.dataset.leaving")
            except Exception:  # noqa: BLE001 - either engine's error while the old page goes
                return False

        wait_until(arrived, 10, f"the page after POST {url}")

    def wait_text(self, css: str, want: str, timeout: float = 10) -> str:
        """Wait until the element's text contains want; return its text."""

        def has_it() -> str | None:
            text = self.text(css)
            return text if want in text else None

        return wait_until(has_it, timeout, f"{want!r} in {css}")


class ChromiumTab(Tab):
    engine = "chromium"

    def __init__(self, browser) -> None:
        self.context = browser.new_context(viewport={"width": WIDTH, "height": HEIGHT})
        self.page = self.context.new_page()
        self.dialogs: list[str] = []
        self.page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))

    def goto(self, url: str) -> None:
        self.page.goto(url, wait_until="load")

    def click(self, css: str) -> None:
        self.page.click(css)
        self.page.wait_for_load_state("load")

    def text(self, css: str) -> str:
        return self.page.inner_text(css)

    def js(self, expression: str):
        return self.page.evaluate(expression)

    def screenshot(self, path: Path) -> None:
        self.page.screenshot(path=str(path), full_page=True)

    def resize(self, width: int, height: int) -> None:
        self.page.set_viewport_size({"width": width, "height": height})

    def add_cookie(self, name: str, value: str, url: str) -> None:
        self.context.add_cookies([{"name": name, "value": value, "url": url}])

    def close(self) -> None:
        self.context.close()


class FirefoxTab(Tab):
    engine = "firefox"

    def __init__(self, client) -> None:
        self.client = client
        # A fresh jar: every cookie of every partition goes (chrome context: hence
        # -remote-allow-system-access at start).
        with client.using_context(client.CONTEXT_CHROME):
            client.execute_script("Services.cookies.removeAll();")
        self._dialogs: list[str] = []

    @property
    def dialogs(self) -> list[str]:
        """The messages of the alerts, confirms and prompts the tab's pages opened, each dismissed, as Chromium's tab keeps them."""
        while self._dismiss_dialog():
            pass
        return self._dialogs

    def _dismiss_dialog(self) -> bool:
        """Dismiss the open dialog and keep its message; False when none is open."""
        from marionette_driver.errors import NoAlertPresentException
        from marionette_driver.marionette import Alert

        alert = Alert(self.client)
        try:
            message = alert.text
        except NoAlertPresentException:
            return False
        self._dialogs.append(message)
        alert.dismiss()
        return True

    def _command(self, command):
        """Run a Marionette command after dismissing (and keeping) any dialog the page opened."""
        from marionette_driver.errors import UnexpectedAlertOpen

        self._dismiss_dialog()
        try:
            return command()
        except UnexpectedAlertOpen as exc:
            # A dialog opened after the check: Marionette ("dismiss and notify") refused the
            # command and dismissed the dialog, whose message is lost. Keep that it opened.
            self._dialogs.append(f"(message lost: {exc})")
            return command()

    def goto(self, url: str) -> None:
        self._command(lambda: self.client.navigate(url))

    def click(self, css: str) -> None:
        # Marionette's click waits for a navigation it starts (page load strategy "normal").
        self._command(lambda: self.client.find_element("css selector", css).click())
        wait_until(lambda: self.js("document.readyState") == "complete", 10, "page load")

    def text(self, css: str) -> str:
        return self._command(lambda: self.client.find_element("css selector", css).text)

    def js(self, expression: str):
        return self._command(lambda: self.client.execute_script(f"return ({expression});"))

    def screenshot(self, path: Path) -> None:
        path.write_bytes(self._command(lambda: self.client.screenshot(format="binary", full=True)))

    def resize(self, width: int, height: int) -> None:
        # The window, not the page: headless Firefox has no toolbars, so the page gets nearly all of it.
        self._command(lambda: self.client.set_window_rect(width=width, height=height))

    def close(self) -> None:
        pass


class Firefox:
    """Headless firefox-esr with Marionette on a free port and a fresh profile (trusting the CA at ca, if given)."""

    def __init__(self, ca: Path | None = None) -> None:
        from marionette_driver.marionette import Marionette

        self.profile = Path(tempfile.mkdtemp(prefix="cookielab-firefox-"))
        if ca is not None:
            try:
                # The profile's own cert9.db, made before Firefox opens it: trusted in this profile alone.
                trust_ca(self.profile, ca)
            except Exception:
                shutil.rmtree(self.profile, ignore_errors=True)
                raise
        port = free_port()
        prefs = {**FIREFOX_PREFS, "marionette.port": port}
        lines = [f"user_pref({_js(k)}, {_js(v)});" for k, v in prefs.items()]
        (self.profile / "user.js").write_text("\n".join(lines) + "\n", encoding="utf-8")
        self.proc = subprocess.Popen(
            [
                FIREFOX,
                "--headless",
                "--marionette",
                "-remote-allow-system-access",
                "--no-remote",
                "--profile",
                str(self.profile),
                "--width",
                str(WIDTH),
                "--height",
                str(HEIGHT),
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            wait_until(lambda: self.proc.poll() is None and port_open(port), 30, "Firefox's Marionette port")
            self.client = Marionette(host="127.0.0.1", port=port)
            self.client.start_session()
            self.client.set_window_rect(width=WIDTH, height=HEIGHT)
        except Exception:
            self.quit()
            raise

    def quit(self) -> None:
        client = getattr(self, "client", None)
        if client is not None:
            # Whatever goes wrong here, the process is ended below either way.
            with contextlib.suppress(Exception):
                client.delete_session()
        self.proc.terminate()
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=15)
        shutil.rmtree(self.profile, ignore_errors=True)


def _js(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


# The nickname the CA gets in a browser's NSS store (its subject stays lab_launch.CA_NAME).
CA_NICKNAME = "Cookie Lab CA"


def trust_ca(nssdb: Path, ca: Path) -> None:
    """Make an NSS database in the folder nssdb (empty password) that trusts the CA certificate at ca for websites."""
    certutil = shutil.which("certutil")
    if certutil is None:
        raise FileNotFoundError("certutil is missing (apt-get install libnss3-tools)")
    nssdb.mkdir(parents=True, exist_ok=True)
    for args in (["-N", "--empty-password"], ["-A", "-n", CA_NICKNAME, "-t", "C,,", "-i", str(ca)]):
        subprocess.run([certutil, "-d", f"sql:{nssdb}", *args], check=True, capture_output=True, timeout=30)


def require(problem: str) -> None:
    """A browser cannot run: fail under LAB_REQUIRE_BROWSER=1 or CI, skip elsewhere (tiers.must_run)."""
    from tiers import must_run

    must_run("LAB_REQUIRE_BROWSER", problem)


def chromium_session(ca: Path | None = None):
    """Start Playwright and Debian's Chromium (trusting the CA at ca, if given), or fail or skip as require() says; yield the browser."""
    if not Path(CHROMIUM).exists():
        require(f"{CHROMIUM} is missing (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright

        playwright = sync_playwright().start()
        browser = launch_chromium(playwright.chromium, ca)
    except Exception as exc:  # noqa: BLE001 - reported as the tier's failure or skip
        require(f"Chromium did not start: {exc}")
    try:
        yield browser
    finally:
        browser.close()
        playwright.stop()


def launch_chromium(chromium, ca: Path | None = None):
    """Debian's Chromium, headless, as root (--no-sandbox is required there), with a throwaway HOME.

    chromium is Playwright's BrowserType: playwright.chromium, or a running
    browser's browser_type to launch a second one beside it (Playwright's sync
    API runs one instance per thread).

    Chromium on Linux reads (and on its first https visit makes) the NSS
    database in $HOME/.pki/nssdb whatever its profile: a HOME of its own keeps
    this machine's store out of every test, and with a CA certificate its
    database trusts ca. That HOME goes when the browser closes.
    """
    home = Path(tempfile.mkdtemp(prefix="cookielab-chromium-home-"))
    try:
        if ca is not None:
            trust_ca(home / ".pki" / "nssdb", ca)
        browser = chromium.launch(
            executable_path=CHROMIUM, headless=True, args=["--no-sandbox"], env={**os.environ, "HOME": str(home)}
        )
    except Exception:
        shutil.rmtree(home, ignore_errors=True)
        raise
    browser.on("disconnected", lambda _: shutil.rmtree(home, ignore_errors=True))
    # And at the latest when the run ends, for a browser that was never closed.
    atexit.register(shutil.rmtree, home, ignore_errors=True)
    return browser
