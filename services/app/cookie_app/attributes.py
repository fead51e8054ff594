"""Scenario `attributes`: Path scoping, host-only versus Domain, Expires versus Max-Age."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, Response, make_response

from .echo import received

bp = Blueprint("attributes", __name__, url_prefix="/attributes")

# An Expires date long gone: if Expires won, this cookie would die at once.
PAST = datetime(2000, 1, 1, tzinfo=UTC)


@bp.get("/set")
def set_cookies() -> Response:
    """Set one cookie per attribute lesson."""
    resp = make_response("set: site, cart, remote, both")
    # Host-only: no Domain, so only this exact host gets it back.
    resp.set_cookie("site", "1", path="/")
    # Path-scoped: sent to /attributes/shop and below, never to /attributes/.
    resp.set_cookie("cart", "apple", path="/attributes/shop")
    # A Domain the request's host is not in: the client must refuse it.
    resp.set_cookie("remote", "1", path="/", domain="example.test")
    # Both Expires (in the past) and Max-Age (60 s): RFC 6265 5.3 says Max-Age wins.
    resp.set_cookie("both", "1", path="/", expires=PAST, max_age=60)
    return resp


@bp.get("/")
def outside_the_shop() -> str:
    """Show which cookies reach a path outside /attributes/shop."""
    return received()


@bp.get("/shop/")
def inside_the_shop() -> str:
    """Show which cookies reach a path inside /attributes/shop."""
    return received()
