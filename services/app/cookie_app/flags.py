"""Scenario `flags`: Secure, HttpOnly and SameSite, and what is sent when none is given."""

from __future__ import annotations

from flask import Blueprint, Response, make_response

from .echo import received

bp = Blueprint("flags", __name__, url_prefix="/flags")


@bp.get("/set")
def set_cookies() -> Response:
    """Set one cookie per flag, over plain http."""
    resp = make_response("set: plain, secret, nojs, lax, strict, cross")
    # No flags at all: Werkzeug sends no SameSite attribute when none is given.
    resp.set_cookie("plain", "1", path="/", secure=False, httponly=False, samesite=None)
    # Secure: only for secure channels. Over plain http requests keeps it but never
    # sends it; Chromium and Firefox count http://127.0.0.1 and localhost as secure
    # contexts, so at the lab's own address they keep it and send it back (lab/06-flags.md).
    resp.set_cookie("secret", "1", path="/", secure=True)
    # HttpOnly: hidden from page scripts (document.cookie); still sent on every request.
    resp.set_cookie("nojs", "1", path="/", httponly=True)
    resp.set_cookie("lax", "1", path="/", samesite="Lax")
    resp.set_cookie("strict", "1", path="/", samesite="Strict")
    # SameSite=None is only accepted together with Secure (Chromium refuses it without).
    resp.set_cookie("cross", "1", path="/", secure=True, samesite="None")
    return resp


@bp.route("/", methods=["GET", "POST"])
def check() -> str:
    """Show which cookies came with this request (the second site also POSTs here)."""
    return received()
