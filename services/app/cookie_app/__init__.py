"""Cookie Lab's Flask application: the server side of every cookie exercise."""

from __future__ import annotations

import os
import secrets
from typing import Any

import lab_contract
from flask import Flask, Response

from . import state


class TextResponse(Response):
    """A response whose body is plain text unless a view says otherwise.

    The scenario routes echo cookie values; as text/plain (with nosniff) a
    browser shows them as text, never markup. The seed's / and the lab's pages
    say text/html themselves.
    """

    default_mimetype = "text/plain"


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Create and configure the app; gunicorn runs ``cookie_app:create_app()``."""
    app = Flask(__name__)
    app.response_class = TextResponse
    app.config.from_mapping(
        SECRET_KEY=None,
        # Where the learner's browser reaches mitmweb and the second site; the pages link them.
        LAB_WEB_URL=os.environ.get("LAB_WEB_URL", "http://localhost:8081/"),
        LAB_SITE_URL=os.environ.get("LAB_SITE_URL", "http://site.localhost:8082/"),
        # The app itself as the learner's browser reaches it, over http and over https.
        LAB_APP_URL=os.environ.get("LAB_APP_URL", "http://127.0.0.1:8080/"),
        LAB_HTTPS_URL=os.environ.get("LAB_HTTPS_URL", "https://127.0.0.1:8443/"),
        # The lab's guide: every sheet beside its challenges; the start page links each sheet's page.
        LAB_GUIDE_URL=os.environ.get("LAB_GUIDE_URL", "http://progress.localhost:8083/"),
        # The exercise index: the start page lists the pages each sheet has the learner open.
        LAB_EXERCISES=os.environ.get("LAB_EXERCISES", lab_contract.EXERCISES),
        # The attack labs' state (defence switches, server-side sessions): SQLite on the app's volume.
        LAB_DATA_DIR=os.environ.get("LAB_DATA_DIR", state.DATA_DIR),
    )
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
        csrf,
        delete,
        echo,
        expiry,
        flags,
        health,
        multiple,
        pages,
        prefixes,
        seed,
        session,
        siblings,
        size,
        tamper,
        xss,
    )

    for module in (
        health,
        echo,
        seed,
        attributes,
        expiry,
        delete,
        multiple,
        flags,
        session,
        tamper,
        prefixes,
        size,
        siblings,
        xss,
        csrf,
        pages,
    ):
        app.register_blueprint(module.bp)

    # The attack labs' pages, when the app has nowhere to keep their state.
    app.register_error_handler(state.NoState, state.unavailable)

    @app.after_request
    def no_sniffing(resp: Response) -> Response:
        # A browser must not guess markup in a text/plain body full of cookie values.
        if resp.mimetype == "text/plain":
            resp.headers["X-Content-Type-Options"] = "nosniff"
        return resp

    return app
