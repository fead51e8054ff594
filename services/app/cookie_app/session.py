"""Scenario `session`: Flask's signed session cookie, readable by anyone, forgeable by no one."""

from __future__ import annotations

from flask import Blueprint, request, session

bp = Blueprint("session", __name__, url_prefix="/session")


@bp.post("/login")
def login() -> str:
    """Store the posted user name in the signed session."""
    user = request.form.get("user", "")
    if not user:
        return "missing form field: user", 400
    # Flask writes the session cookie (HttpOnly, Path=/) signed with SECRET_KEY.
    session["user"] = user
    return f"logged in as {user} (signed session)"


@bp.get("/whoami")
def whoami() -> str:
    """Say who the session names; a session whose signature fails is simply empty."""
    return f"session user: {session.get('user')}"


@bp.get("/plain")
def plain() -> str:
    """Say who the plain username cookie names: no signature, so no check."""
    return f"plain cookie user: {request.cookies.get('username')}"
