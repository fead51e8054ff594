"""Liveness for container health checks."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz() -> dict[str, str]:
    """Answer that the app is up, without touching any cookie."""
    return {"status": "ok"}
