"""Scenario `siblings`: Domain and sibling hosts, a cookie shared under a parent domain, and cookie tossing."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable

from flask import Blueprint, Response, make_response, request

from .echo import received
from .pages import host_and_port, page, server_view, url_on

bp = Blueprint("siblings", __name__, url_prefix="/siblings")

# Two hosts under one parent, all resolving to 127.0.0.1 and reached through the same proxy port.
PARENT = "cookielab.localhost"
SHOP = "shop." + PARENT
BLOG = "blog." + PARENT
NAMES = {SHOP: "the shop", BLOG: "the blog"}

# What the blog's form starts with: a session cookie for the shop's account pages.
# A Path longer than the shop's own (Path=/) puts the tossed cookie first (RFC 6265 5.4).
TOSS_DEFAULTS = {"name": "session", "value": "tossed", "path": "/siblings/account"}
# Each field: the pattern it must match whole, and what to tell the learner when it does not.
TOSS_RULES = {
    # RFC 6265 4.1.1: cookie-name is an RFC 2616 token (no separators, no controls).
    "name": (
        re.compile(r"[A-Za-z0-9!#$%&'*+\-.^_`|~]{1,64}"),
        "1 to 64 characters of letters, digits and !#$%&'*+-.^_`|~ (an RFC 6265 token)",
    ),
    # RFC 6265 4.1.1: cookie-octet, printable ASCII without space, DQUOTE, comma, semicolon, backslash.
    "value": (
        re.compile(r"[\x21\x23-\x2b\x2d-\x3a\x3c-\x5b\x5d-\x7e]{0,256}"),
        '0 to 256 characters of printable ASCII except space, " , ; and \\ (RFC 6265 cookie-octets)',
    ),
    # Printable ASCII without ; , or space, narrowed to what Werkzeug writes unchanged
    # (it percent-encodes the rest), so the Path sent is the path typed.
    "path": (
        re.compile(r"/[A-Za-z0-9\-._~!$&'()*+/:=@%]{0,255}"),
        "starts with / and has at most 256 characters: letters, digits and -._~!$&'()*+/:=@%",
    ),
}


def only_on(host: str, target: str | None = None) -> Callable:
    """Answer 400 naming the right URL when a view is asked for on another host than its own."""

    def decorate(view: Callable) -> Callable:
        @functools.wraps(view)
        def checked(*args, **kwargs):
            here, _ = host_and_port()
            if here != host:
                where = url_on(host, target or request.path)
                return f"only on {NAMES[host]} (this is {here}): open {where}", 400
            return view(*args, **kwargs)

        return checked

    return decorate


@bp.get("/")
def which_host() -> str:
    """Say which sibling this host is and which cookies arrived here."""
    here, _ = host_and_port()
    name = NAMES.get(here) or f"not a sibling: open {url_on(SHOP, '/siblings/')}"
    return f"host: {here} ({name})\n{received()}"


@bp.get("/set")
@only_on(SHOP)
def set_cookies() -> Response:
    """Set a host-only cookie, one shared with every sibling, and one for a domain the shop is not in."""
    resp = make_response("set: hostonly, shared, sibling")
    # No Domain: host-only, sent back to shop.cookielab.localhost alone.
    resp.set_cookie("hostonly", "1", path="/", domain=None)
    # Domain=the parent: sent to the shop, the blog and every other host under it.
    resp.set_cookie("shared", "1", path="/", domain=PARENT)
    # The shop is not in blog.cookielab.localhost: browsers refuse to store this one.
    resp.set_cookie("sibling", "1", path="/", domain=BLOG)
    return resp


@bp.get("/login")
@only_on(SHOP)
def login() -> Response:
    """Sign in with a plain host-only session cookie, which a sibling can still shadow."""
    resp = make_response("signed in: session=alice (host-only)")
    # Host-only keeps it from the blog, but not the blog's Domain cookie of the same name from the shop.
    resp.set_cookie("session", "alice", path="/", domain=None, httponly=True, samesite="Lax")
    return resp


@bp.get("/login-host")
@only_on(SHOP)
def login_host() -> Response:
    """Sign in with a __Host- session cookie, whose name no sibling can set."""
    resp = make_response("signed in: __Host-session=alice")
    # __Host-: Secure, Path=/ and no Domain, so a browser takes it only from this host
    # and refuses a Domain cookie of that name tossed by a sibling.
    resp.set_cookie("__Host-session", "alice", path="/", domain=None, secure=True, httponly=True, samesite="Lax")
    return resp


@bp.get("/toss")
@only_on(BLOG, "/siblings/blog")
def toss() -> Response | tuple[str, int]:
    """Set the asked-for cookie for the whole parent domain, from the blog."""
    fields = {field: request.args.get(field, default) for field, default in TOSS_DEFAULTS.items()}
    for field, (pattern, allowed) in TOSS_RULES.items():
        if not pattern.fullmatch(fields[field]):
            # Say what is allowed, never what was sent.
            return f"bad {field}: {allowed}", 400
    name, value, path = fields["name"], fields["value"], fields["path"]
    resp = make_response(f"tossed: {name}={value}; Domain={PARENT}; Path={path}")
    # Secure for a prefixed name, so that a browser refusing a tossed __Host- cookie does so
    # for its Domain, not for a missing Secure; browsers match the prefixes in any case (RFC 6265bis).
    secure = name.lower().startswith(("__secure-", "__host-"))
    resp.set_cookie(name, value, path=path, domain=PARENT, secure=secure)
    return resp


@bp.get("/blog")
def blog() -> Response:
    """Show the blog's form that tosses a cookie to every sibling."""
    here, _ = host_and_port()
    return page(
        "blog.html",
        on_blog=here == BLOG,
        blog_form=url_on(BLOG, "/siblings/blog"),
        defaults=TOSS_DEFAULTS,
        server=server_view(),
    )


@bp.get("/account/")
@bp.get("/account/<path:rest>")
@bp.get("/cart/")
@only_on(SHOP)
def account(rest: str = "") -> str:
    """Show which session the shop reads here: Flask takes the first of a repeated name."""
    lines = [
        f"shop, {request.path}",
        f"session, as Flask reads it (the first): {request.cookies.get('session') or '(none)'}",
        f"__Host-session: {request.cookies.get('__Host-session') or '(none)'}",
        # The raw header, in the order the client sent the cookies: the order is the lesson here.
        *(f"Cookie: {header}" for header in request.headers.getlist("Cookie") or ["(none)"]),
    ]
    return "\n".join(lines)
