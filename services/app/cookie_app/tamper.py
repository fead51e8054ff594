"""Scenario `tamper`: the app trusts a plain cookie it never set."""

from __future__ import annotations

from flask import Blueprint, request

bp = Blueprint("tamper", __name__, url_prefix="/tamper")


@bp.get("/admin")
def admin() -> tuple[str, int] | str:
    """Open the admin panel to whoever the username cookie names admin."""
    # The flaw on purpose: a plain cookie is whatever the client says it is.
    if request.cookies.get("username") == "admin":
        return "welcome, admin: here is the admin panel"
    # Trusted blindly, but echoed as text/plain (the app's default), never as markup.
    return f"admins only (you are {request.cookies.get('username')})", 403
