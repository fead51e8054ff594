"""Pages for the learner's browser: the lab's start page and a cookie inspector at any path."""

from __future__ import annotations

from flask import Blueprint, Response, render_template, request

bp = Blueprint("pages", __name__)

# What each exercise sheet has the learner open. A step is (method, path, what it
# does); a POST step carries the form fields it needs. Titles match lab/exercises.toml
# (a structure test holds them together).
EXERCISES = [
    ("01", "The seed walkthrough: how a cookie is set and sent back", [
        ("GET", "/", "the seed: greets the username cookie, sets username=Alice"),
        ("GET", "/inspect", "compare what the server and page script see"),
    ]),
    ("02", "Attributes: Path, Domain, Expires and Max-Age", [
        ("GET", "/attributes/set", "set site, cart (Path=/attributes/shop), remote, both"),
        ("GET", "/attributes/inspect", "outside the shop: is cart here?"),
        ("GET", "/attributes/shop/inspect", "inside the shop"),
    ]),
    ("03", "Expiry: cookies that run out, session and persistent cookies", [
        ("GET", "/expiry/set", "set short (Max-Age=2), tab (session), long"),
        ("GET", "/expiry/inspect", "reload after 2 seconds: short is gone"),
    ]),
    ("04", "Deleting a cookie, and why the Path must match", [
        ("GET", "/delete/login", "log in: user=alice, HttpOnly"),
        ("GET", "/delete/logout-wrong-path", "delete with Path=/delete: misses"),
        ("GET", "/delete/logout", "delete with Path=/: gone"),
        ("GET", "/delete/inspect", "compare: user is HttpOnly"),
    ]),
    ("05", "Several cookies at once, their order, one name on two paths", [
        ("GET", "/multiple/set", "five Set-Cookie headers in one response"),
        ("GET", "/multiple/deep/inspect", "both dup cookies, the deeper path first"),
    ]),
    ("06", "Flags: Secure, HttpOnly and SameSite", [
        ("GET", "/flags/set", "set plain, secret, nojs, lax, strict, cross"),
        ("GET", "/flags/inspect", "compare: nojs is sent but hidden from script"),
    ]),
    ("07", "Signed sessions: readable by anyone, forgeable by no one", [
        ("POST", "/session/login", "log in: Flask signs the session cookie", [("user", "alice")]),
        ("GET", "/session/whoami", "who the signed session names"),
        ("GET", "/session/inspect", "compare: session is HttpOnly"),
    ]),
    ("08", "Tampering: a plain cookie is whatever the client says", [
        ("GET", "/", "get username=Alice first"),
        ("GET", "/tamper/admin", "the admin panel trusts the username cookie"),
    ]),
    ("09", "Cookie name prefixes: __Host- and __Secure-", [
        ("GET", "/prefixes/set", "set __Host-id, __Secure-token and the broken __Host-bad"),
        ("GET", "/prefixes/inspect", "which prefixed cookies did the browser keep?"),
    ]),
    ("10", "Size limits: a 4 KB cookie and a header the server refuses", [
        ("GET", "/size/big", "set big: 4090 bytes of value"),
        ("GET", "/size/inspect", "did the browser keep it?"),
        ("GET", "/size/too-big", "set huge: name and value of 4097 bytes"),
        ("GET", "/size/inspect", "did the browser keep huge?"),
    ]),
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


def server_view() -> dict:
    """What the server received: every raw Cookie header and Werkzeug's parsed pairs."""
    return {
        "path": request.path,
        "headers": request.headers.getlist("Cookie"),
        "cookies": [[name, value] for name, value in request.cookies.items(multi=True)],
    }


@bp.get("/lab/")
def start() -> Response:
    """Show every exercise's routes and forms, and the cookies this page sees."""
    return page("start.html", exercises=EXERCISES, server=server_view())


@bp.get("/inspect")
@bp.get("/<path:where>/inspect")
def inspect(where: str = "") -> Response:
    """Show, at this path, the cookies the server received beside those page script sees."""
    return page("inspect.html", server=server_view())
