"""The seed walkthrough: read the username cookie, greet, set username=Alice."""

from __future__ import annotations

from flask import Blueprint, Response, make_response, request
from markupsafe import escape

bp = Blueprint("seed", __name__)


@bp.get("/")
def index() -> Response:
    """Greet whoever the username cookie names, then set it to Alice."""
    username = request.cookies.get("username")
    # Unlike the seed, escape the echoed value: a cookie is attacker-controlled
    # input, and `username=<script>...` must come back as text, never markup.
    resp = make_response(f"Hello {escape(username)}")
    resp.mimetype = "text/html"  # as the seed answers: Flask's default for a string
    # The seed's call, with its defaults spelled out: a session cookie (no
    # Max-Age or Expires), Path=/, readable by scripts, no SameSite attribute.
    resp.set_cookie("username", "Alice", max_age=None, path="/", httponly=False, samesite=None)
    return resp
