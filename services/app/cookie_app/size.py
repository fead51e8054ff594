"""Scenario `size`: a cookie near the 4 KB limit, and a Cookie header over gunicorn's 8190 bytes."""

from __future__ import annotations

import warnings

from flask import Blueprint, Response, current_app, make_response, request

bp = Blueprint("size", __name__, url_prefix="/size")

# Value size that, with its name and attributes, passes Werkzeug's 4093-byte limit.
BIG = 4090
# Name and value one byte over 4096: Chromium and Firefox drop such a cookie.
HUGE = 4093


def set_logging_warnings(resp: Response, name: str, value: str) -> None:
    """Set a cookie on Path=/, and log Werkzeug's size warning in the app's log."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        resp.set_cookie(name, value, path="/")
    for warning in caught:
        current_app.logger.warning(str(warning.message))


@bp.get("/big")
def big() -> Response:
    """Set a cookie just over the size browsers promise to keep, and log Werkzeug's warning."""
    resp = make_response(f"set: big ({BIG} bytes of value)")
    set_logging_warnings(resp, "big", "x" * BIG)
    return resp


@bp.get("/too-big")
def too_big() -> Response:
    """Set a cookie whose name and value pass the 4096 bytes browsers keep."""
    resp = make_response(f"set: huge ({HUGE} bytes of value, {HUGE + len('huge')} with its name)")
    set_logging_warnings(resp, "huge", "x" * HUGE)
    return resp


@bp.get("/")
def check() -> str:
    """Say how large the Cookie header that arrived was."""
    header = request.headers.get("Cookie", "")
    return f"Cookie header of {len(header)} bytes; big is {len(request.cookies.get('big', ''))} bytes"
