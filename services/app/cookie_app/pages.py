"""Pages for the learner's browser: the lab's start page and a cookie inspector at any path."""

from __future__ import annotations

import functools
from collections.abc import Callable
from urllib.parse import urlsplit

import lab_contract
from flask import Blueprint, Response, current_app, redirect, render_template, request, url_for

bp = Blueprint("pages", __name__)

# Page script only from this app's files (static/), never inline: a cookie
# that smuggles markup into a page cannot run.
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)


def back_to(endpoint: str, said: str) -> Response:
    """After a change on an attack lab's page: back to that page (303), saying what changed to a client
    that does not follow redirects."""
    resp = redirect(url_for(endpoint), code=303)
    resp.set_data(f"{said}; back to {url_for(endpoint)}\n")
    resp.mimetype = "text/plain"
    return resp


def cross_site() -> bool:
    """Whether another site's page sent this request (browsers say so in Sec-Fetch-Site); a client that
    sends no Sec-Fetch-Site (curl) is the learner's own."""
    return request.headers.get("Sec-Fetch-Site", "same-origin") not in ("same-origin", "none")


def own_pages_only(view: Callable[..., Response]) -> Callable[..., Response]:
    """A change to a lab's own switches: refused when another site's page sends it."""

    @functools.wraps(view)
    def guarded(*args, **kwargs) -> Response:
        if cross_site():
            return Response("The lab's switches change only from the lab's own pages.\n", 403, mimetype="text/plain")
        return view(*args, **kwargs)

    return guarded


def page(template: str, **context) -> Response:
    """Render a template as an HTML page under the lab's Content-Security-Policy."""
    resp = Response(render_template(template, **context), mimetype="text/html")
    resp.headers["Content-Security-Policy"] = CSP
    return resp


def host_and_port() -> tuple[str, int | None]:
    """Return the request's host name (lower-cased, no port) and the port of its Host header."""
    parts = urlsplit("//" + request.host)
    try:
        port = parts.port
    except ValueError:
        # A Host header whose port is no number: answer without a port rather than fail.
        port = None
    return parts.hostname or "", port


def url_on(host: str, path: str) -> str:
    """Return the URL of path on host, at the scheme and port of the app's http address (LAB_APP_URL)."""
    # Sheet 11 runs on plain http, through the proxy's http port, whatever address
    # this page was opened at: behind the proxy the app sees http even for an https
    # page, so neither its own scheme nor the Host's port would say where to go.
    app = urlsplit(current_app.config["LAB_APP_URL"])
    return f"{app.scheme}://{host}{'' if app.port is None else f':{app.port}'}{path}"


def step_href(path: str) -> str:
    """Return a step's link: //host/path becomes an absolute URL on that host, any other path stays."""
    if not path.startswith("//"):
        return path
    host, _, rest = path[2:].partition("/")
    return url_on(host, "/" + rest)


def server_view() -> dict:
    """What the server received: every raw Cookie header and Werkzeug's parsed pairs."""
    return {
        "path": request.path,
        "headers": request.headers.getlist("Cookie"),
        "cookies": [[name, value] for name, value in request.cookies.items(multi=True)],
    }


def addresses() -> list[tuple[str, str]]:
    """The lab's own addresses for this start page, each with what it teaches (sheets 06 and 09)."""
    http, https = current_app.config["LAB_APP_URL"], current_app.config["LAB_HTTPS_URL"]
    found = [(http + "lab/", "plain http on loopback: Chromium and Firefox count it as a secure context")]
    if urlsplit(http).hostname == "127.0.0.1":
        # The same loopback address as IPv4-mapped IPv6: no browser counts it as secure.
        found.append(
            (
                http.replace("//127.0.0.1:", "//[::ffff:127.0.0.1]:", 1) + "lab/",
                "plain http at an address that is not a secure context",
            )
        )
    if https != http:
        found.append((https + "lab/", "https, with the lab's own certificate authority"))
    return found


def exercise_pages() -> tuple[list[tuple], str | None]:
    """Each exercise's id, title and the pages its sheet has the learner open, from the exercise index at
    LAB_EXERCISES (read for each start page; in the lab, the copy built into the app's image); or the
    reason it cannot be read.

    A page is (method, link, what it does, form fields); a path written //host/path is on another host
    than this page, at this page's scheme and port (step_href)."""
    try:
        index = lab_contract.load_index(current_app.config["LAB_EXERCISES"])
    except lab_contract.BadIndex as exc:
        return [], str(exc)
    if not lab_contract.exercises(index):
        return [], f"{current_app.config['LAB_EXERCISES']} lists no exercise"
    return [
        (
            exercise["id"],
            exercise.get("title", ""),
            [
                (p.get("method", "GET"), step_href(p["path"]), p["does"], list(p.get("form", {}).items()))
                for p in exercise.get("page", [])
            ],
        )
        for exercise in lab_contract.exercises(index)
    ], None


@bp.get("/lab/")
def start() -> Response:
    """Show every exercise's routes and forms, the lab's addresses, and the cookies this page sees."""
    exercises, problem = exercise_pages()
    return page("start.html", exercises=exercises, index_problem=problem, addresses=addresses(), server=server_view())


@bp.get("/inspect")
@bp.get("/<path:where>/inspect")
def inspect(where: str = "") -> Response:
    """Show, at this path, the cookies the server received beside those page script sees."""
    return page("inspect.html", server=server_view())
