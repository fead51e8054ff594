"""Cookie Lab's second site: another site's pages, sending each kind of request to the lab's app."""

from __future__ import annotations

import os
from typing import Any

from flask import Blueprint, Flask, Response, current_app, render_template, request
from lab_contract import exploit as exploit_store

from . import exploit

bp = Blueprint("site", __name__)

# Every kind of cross-site request the page makes, in the order it lists them:
# (id, what it is). Each one asks the app's /flags/ with ?via=<id>, so mitmweb
# and the capture file tell them apart.
REQUESTS = [
    ("link", "a link: a top-level GET navigation"),
    ("get-form", "a form with method GET: a top-level GET navigation"),
    ("post-form", "a form with method POST: a top-level POST navigation"),
    ("img", "an <img>: a subresource request"),
    ("fetch", 'fetch() with credentials: "include"'),
    ("iframe", "an <iframe>: a page embedded in this one"),
]

# The ways the page can reach the app, as ?app=<name>, and the config key of
# each one's URL; without ?app= the page uses http.
TARGETS = {"http": "LAB_APP_URL", "https": "LAB_APP_HTTPS_URL"}


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Create the second site; gunicorn runs ``cookie_site:create_app()``."""
    app = Flask(__name__)
    app.config.from_mapping(
        # The app as the learner's browser reaches it: through the proxy.
        LAB_APP_URL=os.environ.get("LAB_APP_URL", "http://127.0.0.1:8080").rstrip("/"),
        # The same app over https, for a browser without the loopback exception.
        LAB_APP_HTTPS_URL=os.environ.get("LAB_APP_HTTPS_URL", "https://127.0.0.1:8443").rstrip("/"),
        # The exploit server's volume: the learner's page and the request log.
        LAB_EXPLOIT_DIR=os.environ.get("LAB_EXPLOIT_DIR", exploit_store.EXPLOIT_DIR),
        # A stored page, form-encoded, fits; anything larger is refused with a message before it is read.
        MAX_CONTENT_LENGTH=4 * exploit_store.PAGE_LIMIT,
    )
    if test_config is not None:
        app.config.from_mapping(test_config)
    app.register_blueprint(bp)
    app.register_blueprint(exploit.bp)
    app.register_error_handler(413, too_large)
    return app


def too_large(_exc: Exception) -> Response:
    limit = current_app.config["MAX_CONTENT_LENGTH"]
    return exploit.text(f"The request is larger than the second site takes ({limit} bytes).", 413, cors=True)


@bp.get("/healthz")
def healthz() -> dict[str, str]:
    """Answer that the site is up."""
    return {"status": "ok"}


@bp.get("/")
def index() -> Response:
    """Offer one button or link per kind of cross-site request, and show the cookies this site received."""
    chosen = request.args.get("app", "http")
    if chosen not in TARGETS:
        # Plain text naming the allowed values only, so nothing of the input comes back.
        resp = Response(f"app must be one of: {', '.join(TARGETS)}\n", status=400, mimetype="text/plain")
        resp.headers["X-Content-Type-Options"] = "nosniff"
        return resp
    targets = {name: current_app.config[key] for name, key in TARGETS.items()}
    target = targets[chosen]
    resp = Response(
        render_template(
            "index.html",
            target=target,
            targets=targets,
            chosen=chosen,
            requests=REQUESTS,
            received=request.headers.getlist("Cookie"),
        ),
        mimetype="text/html",
    )
    # Script only from this site's files; requests only to the chosen address of the lab's app.
    resp.headers["Content-Security-Policy"] = (
        f"default-src 'none'; script-src 'self'; style-src 'self'; img-src {target}; "
        f"connect-src {target}; frame-src {target}; form-action {target}; base-uri 'none'"
    )
    resp.headers["X-Content-Type-Options"] = "nosniff"
    return resp
