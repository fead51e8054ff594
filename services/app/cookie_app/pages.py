"""Pages for the learner's browser: the lab's start page and a cookie inspector at any path."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, Response, current_app, render_template, request

bp = Blueprint("pages", __name__)

# What each exercise sheet has the learner open. A step is (method, path, what it
# does); a POST step carries the form fields it needs. A path written //host/path
# is on another host than this page, at this page's scheme and port (step_href).
# Titles match lab/exercises.toml (a structure test holds them together).
EXERCISES = [
    (
        "01",
        "The seed walkthrough: how a cookie is set and sent back",
        [
            ("GET", "/", "the seed: greets the username cookie, sets username=Alice"),
            ("GET", "/inspect", "compare what the server and page script see"),
        ],
    ),
    (
        "02",
        "Attributes: Path, Domain, Expires and Max-Age",
        [
            ("GET", "/attributes/set", "set site, cart (Path=/attributes/shop), remote, both"),
            ("GET", "/attributes/inspect", "outside the shop: is cart here?"),
            ("GET", "/attributes/shop/inspect", "inside the shop"),
        ],
    ),
    (
        "03",
        "Expiry: cookies that run out, session and persistent cookies",
        [
            ("GET", "/expiry/set", "set short (Max-Age=2), tab (session), long"),
            ("GET", "/expiry/inspect", "reload after 2 seconds: short is gone"),
        ],
    ),
    (
        "04",
        "Deleting a cookie, and why the Path must match",
        [
            ("GET", "/delete/login", "log in: user=alice, HttpOnly"),
            ("GET", "/delete/logout-wrong-path", "delete with Path=/delete: misses"),
            ("GET", "/delete/logout", "delete with Path=/: gone"),
            ("GET", "/delete/inspect", "compare: user is HttpOnly"),
        ],
    ),
    (
        "05",
        "Several cookies at once, their order, one name on two paths",
        [
            ("GET", "/multiple/set", "five Set-Cookie headers in one response"),
            ("GET", "/multiple/deep/inspect", "both dup cookies, the deeper path first"),
        ],
    ),
    (
        "06",
        "Flags: Secure, HttpOnly and SameSite",
        [
            ("GET", "/flags/set", "set plain, secret, nojs, lax, strict, cross"),
            ("GET", "/flags/inspect", "compare: nojs is sent but hidden from script"),
        ],
    ),
    (
        "07",
        "Signed sessions: readable by anyone, forgeable by no one",
        [
            ("POST", "/session/login", "log in: Flask signs the session cookie", [("user", "alice")]),
            ("GET", "/session/whoami", "who the signed session names"),
            ("GET", "/session/inspect", "compare: session is HttpOnly"),
        ],
    ),
    (
        "08",
        "Tampering: a plain cookie is whatever the client says",
        [
            ("GET", "/", "get username=Alice first"),
            ("GET", "/tamper/admin", "the admin panel trusts the username cookie"),
        ],
    ),
    (
        "09",
        "Cookie name prefixes: __Host- and __Secure-",
        [
            ("GET", "/prefixes/set", "set __Host-id, __Secure-token and the broken __Host-bad"),
            ("GET", "/prefixes/inspect", "which prefixed cookies did the browser keep?"),
        ],
    ),
    (
        "10",
        "Size limits: a 4 KB cookie and a header the server refuses",
        [
            ("GET", "/size/big", "set big: 4090 bytes of value"),
            ("GET", "/size/inspect", "did the browser keep it?"),
            ("GET", "/size/too-big", "set huge: name and value of 4097 bytes"),
            ("GET", "/size/inspect", "did the browser keep huge?"),
        ],
    ),
    (
        "11",
        "Domain and sibling hosts: a shared cookie, and cookie tossing",
        [
            (
                "GET",
                "//shop.cookielab.localhost/siblings/set",
                "on the shop: set hostonly, shared and the refused sibling",
            ),
            ("GET", "//shop.cookielab.localhost/siblings/", "which came back to the shop?"),
            ("GET", "//blog.cookielab.localhost/siblings/", "which arrived at the blog?"),
            ("GET", "//shop.cookielab.localhost/siblings/login", "sign in on the shop: session=alice, host-only"),
            (
                "GET",
                "//blog.cookielab.localhost/siblings/blog",
                "on the blog: toss a session cookie for the whole domain",
            ),
            ("GET", "//shop.cookielab.localhost/siblings/account/", "back on the shop: whose session does it read?"),
        ],
    ),
]

# Page script only from this app's files (static/), never inline: a cookie
# that smuggles markup into a page cannot run.
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)


def page(template: str, **context) -> Response:
    """Render a template as an HTML page under the lab's Content-Security-Policy."""
    resp = Response(render_template(template, **context), mimetype="text/html")
    resp.headers["Content-Security-Policy"] = CSP
    return resp


def host_and_port() -> tuple[str, int | None]:
    """Return the request's host name (lower-cased, no port) and the port of its Host header."""
    parts = urlsplit("//" + request.host)
    try:
        port = parts.port
    except ValueError:
        # A Host header whose port is no number: answer without a port rather than fail.
        port = None
    return parts.hostname or "", port


def url_on(host: str, path: str) -> str:
    """Return the URL of path on host, at the scheme and port of the app's http address (LAB_APP_URL)."""
    # Sheet 11 runs on plain http, through the proxy's http port, whatever address
    # this page was opened at: behind the proxy the app sees http even for an https
    # page, so neither its own scheme nor the Host's port would say where to go.
    app = urlsplit(current_app.config["LAB_APP_URL"])
    return f"{app.scheme}://{host}{'' if app.port is None else f':{app.port}'}{path}"


def step_href(path: str) -> str:
    """Return a step's link: //host/path becomes an absolute URL on that host, any other path stays."""
    if not path.startswith("//"):
        return path
    host, _, rest = path[2:].partition("/")
    return url_on(host, "/" + rest)


def server_view() -> dict:
    """What the server received: every raw Cookie header and Werkzeug's parsed pairs."""
    return {
        "path": request.path,
        "headers": request.headers.getlist("Cookie"),
        "cookies": [[name, value] for name, value in request.cookies.items(multi=True)],
    }


def addresses() -> list[tuple[str, str]]:
    """The lab's own addresses for this start page, each with what it teaches (sheets 06 and 09)."""
    http, https = current_app.config["LAB_APP_URL"], current_app.config["LAB_HTTPS_URL"]
    found = [(http + "lab/", "plain http on loopback: Chromium and Firefox count it as a secure context")]
    if urlsplit(http).hostname == "127.0.0.1":
        # The same loopback address as IPv4-mapped IPv6: no browser counts it as secure.
        found.append(
            (
                http.replace("//127.0.0.1:", "//[::ffff:127.0.0.1]:", 1) + "lab/",
                "plain http at an address that is not a secure context",
            )
        )
    if https != http:
        found.append((https + "lab/", "https, with the lab's own certificate authority"))
    return found


@bp.get("/lab/")
def start() -> Response:
    """Show every exercise's routes and forms, the lab's addresses, and the cookies this page sees."""
    exercises = [
        (id_, title, [(step[0], step_href(step[1]), *step[2:]) for step in steps]) for id_, title, steps in EXERCISES
    ]
    return page("start.html", exercises=exercises, addresses=addresses(), server=server_view())


@bp.get("/inspect")
@bp.get("/<path:where>/inspect")
def inspect(where: str = "") -> Response:
    """Show, at this path, the cookies the server received beside those page script sees."""
    return page("inspect.html", server=server_view())
