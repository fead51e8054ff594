"""Scenario `multiple`: several Set-Cookie headers at once, their order, one name on two paths."""

from __future__ import annotations

from flask import Blueprint, Response, make_response, request

from .echo import received

bp = Blueprint("multiple", __name__, url_prefix="/multiple")


@bp.get("/set")
def set_cookies() -> Response:
    """Set five cookies in one response, two of them with one name."""
    resp = make_response("set: a, b, c, dup on / and dup on /multiple/deep")
    # Each set_cookie call adds its own Set-Cookie header; they are never joined.
    resp.set_cookie("a", "1", path="/")
    resp.set_cookie("b", "2", path="/")
    resp.set_cookie("c", "3", path="/")
    resp.set_cookie("dup", "root", path="/")
    resp.set_cookie("dup", "deep", path="/multiple/deep")
    return resp


@bp.get("/")
def top() -> str:
    """Show the cookies that reach /multiple/."""
    return received()


@bp.get("/deep/")
def deep() -> str:
    """Show both dup cookies, and the one the app's request.cookies.get picks."""
    return f"{received()} | get('dup') = {request.cookies.get('dup')}"
