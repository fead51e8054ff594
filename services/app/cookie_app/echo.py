"""What the server received, so a learner can compare it with what was sent."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, request

bp = Blueprint("echo", __name__)


def get_dict() -> dict[str, Any]:
    """Return the request as the app saw it (after gunicorn and Werkzeug)."""
    return {
        "method": request.method,
        "url": request.url,
        "scheme": request.scheme,
        "host": request.host,
        "remote_addr": request.remote_addr,
        # Every Cookie header as received, not only Werkzeug's parsed view.
        "cookie_headers": request.headers.getlist("Cookie"),
        # Werkzeug's view: every value of a repeated name, grouped by name; the
        # order across names is in cookie_headers.
        "cookies": request.cookies.to_dict(flat=False),
    }


def received() -> str:
    """One line naming every cookie the app parsed from the request, as Werkzeug sees them."""
    pairs = [f"{name}={value}" for name, value in request.cookies.items(multi=True)]
    return "received: " + ("; ".join(pairs) or "(none)")


@bp.route("/echo", methods=["GET", "POST"])
def echo() -> dict[str, Any]:
    """Show the request, cookies included, exactly as the app received it."""
    return get_dict()
