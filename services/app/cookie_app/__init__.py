"""Cookie Lab's Flask application: the server side of every cookie exercise."""

from __future__ import annotations

import secrets
from typing import Any

from flask import Flask


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Create and configure the app; gunicorn runs ``cookie_app:create_app()``."""
    app = Flask(__name__)
    app.config.from_mapping(SECRET_KEY=None)
    # FLASK_SECRET_KEY and any other FLASK_* variable come from the environment.
    app.config.from_prefixed_env()
    if test_config is not None:
        app.config.from_mapping(test_config)

    if not app.config["SECRET_KEY"]:
        # Never a key baked into the image: a fresh one per start is safe, and
        # the learner is told why signed sessions reset when the app restarts.
        app.config["SECRET_KEY"] = secrets.token_hex(32)
        app.logger.warning(
            "FLASK_SECRET_KEY is not set: generated a random secret key for this run;"
            " signed session cookies will not survive a restart"
        )

    from . import (
        attributes,
        delete,
        echo,
        expiry,
        flags,
        health,
        multiple,
        prefixes,
        seed,
        session,
        size,
        tamper,
    )

    for module in (health, echo, seed, attributes, expiry, delete, multiple, flags, session, tamper, prefixes, size):
        app.register_blueprint(module.bp)
    return app
