"""Scenario `size`: a cookie near the 4 KB limit, and a Cookie header over gunicorn's 8190 bytes."""

from __future__ import annotations

import warnings

from flask import Blueprint, Response, current_app, make_response, request

bp = Blueprint("size", __name__, url_prefix="/size")

# Value size that, with its name and attributes, passes Werkzeug's 4093-byte limit.
BIG = 4090


@bp.get("/big")
def big() -> Response:
    """Set a cookie just over the size browsers promise to keep, and log Werkzeug's warning."""
    resp = make_response(f"set: big ({BIG} bytes of value)")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        resp.set_cookie("big", "x" * BIG, path="/")
    for warning in caught:
        current_app.logger.warning(str(warning.message))
    return resp


@bp.get("/")
def check() -> str:
    """Say how large the Cookie header that arrived was."""
    header = request.headers.get("Cookie", "")
    return f"Cookie header of {len(header)} bytes; big is {len(request.cookies.get('big', ''))} bytes"
