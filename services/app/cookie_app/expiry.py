"""Scenario `expiry`: a cookie that lives two seconds, a session cookie, a persistent one."""

from __future__ import annotations

from flask import Blueprint, Response, make_response

from .echo import received

bp = Blueprint("expiry", __name__, url_prefix="/expiry")


@bp.get("/set")
def set_cookies() -> Response:
    """Set a short-lived, a session and a long-lived cookie."""
    resp = make_response("set: short (Max-Age=2), tab (session), long (Max-Age=3600)")
    resp.set_cookie("short", "1", max_age=2, path="/")
    # No Max-Age, no Expires: a session cookie, gone when the client's session ends.
    resp.set_cookie("tab", "1", path="/")
    resp.set_cookie("long", "1", max_age=3600, path="/")
    return resp


@bp.get("/")
def check() -> str:
    """Show which cookies are still sent."""
    return received()
