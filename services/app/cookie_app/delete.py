"""Scenario `delete`: log out by deleting a cookie, and a deletion that misses its Path."""

from __future__ import annotations

from flask import Blueprint, Response, make_response, request

bp = Blueprint("delete", __name__, url_prefix="/delete")


@bp.get("/login")
def login() -> Response:
    """Log alice in with a plain cookie on Path=/."""
    resp = make_response("logged in as alice")
    resp.set_cookie("user", "alice", path="/", httponly=True, samesite="Lax")
    return resp


@bp.get("/whoami")
def whoami() -> str:
    """Say who the user cookie names."""
    user = request.cookies.get("user")
    return f"logged in as {user}" if user else "not logged in"


@bp.get("/logout-wrong-path")
def logout_wrong_path() -> Response:
    """Try to log out with the wrong Path: the cookie the client holds is not this one."""
    resp = make_response("deleted user on Path=/delete")
    # A cookie is identified by name, domain and path: this deletes a cookie
    # that does not exist, and leaves user on Path=/ alive.
    resp.delete_cookie("user", path="/delete")
    return resp


@bp.get("/logout")
def logout() -> Response:
    """Log out: delete the user cookie on the Path it was set with."""
    resp = make_response("deleted user on Path=/")
    # Werkzeug sends an empty value, Max-Age=0 and an Expires in 1970.
    resp.delete_cookie("user", path="/", httponly=True, samesite="Lax")
    return resp
