"""Scenario `prefixes`: __Host- and __Secure- cookies and the rules their names carry."""

from __future__ import annotations

from flask import Blueprint, Response, make_response

from .echo import received

bp = Blueprint("prefixes", __name__, url_prefix="/prefixes")


@bp.get("/set")
def set_cookies() -> Response:
    """Set prefixed cookies, one of them breaking its prefix's rules."""
    resp = make_response("set: __Host-id, __Secure-token, __Host-bad")
    # __Host-: Secure, Path=/ and no Domain, so it is locked to this one host.
    resp.set_cookie("__Host-id", "1", path="/", secure=True)
    # __Secure-: must be Secure.
    resp.set_cookie("__Secure-token", "1", path="/", secure=True)
    # Breaks the __Host- rules (no Secure, Path not /): Chromium and Firefox
    # refuse it; requests does not know the rules.
    resp.set_cookie("__Host-bad", "1", path="/prefixes", secure=False)
    return resp


@bp.get("/")
def check() -> str:
    """Show which prefixed cookies come back over plain http."""
    return received()
