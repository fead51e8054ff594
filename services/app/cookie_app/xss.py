"""Attack lab: stealing a cookie through XSS, and what HttpOnly stops.

/xss/ is the lab's page (under the lab's CSP): log in, flip the HttpOnly switch, see what the server got
beside what page script sees. /xss/search is DELIBERATELY VULNERABLE: it copies its query into its HTML
unescaped and sends no Content-Security-Policy. It is the one such route in the app (tests/app checks
that no other route reflects markup), and its page says so.
"""

from __future__ import annotations

from flask import Blueprint, Response, render_template, request

from . import state
from .pages import back_to, own_pages_only, page, server_view

bp = Blueprint("xss", __name__, url_prefix="/xss")

SESSION = "lab_session"
# A cookie page script may read whatever the switch says: what a payload still gets with HttpOnly on.
PREFS = "lab_prefs"
PREFS_VALUE = "theme-dark.lang-en"
# The defence switch, in the app's shared state.
HTTPONLY = "xss-httponly"
USER = "learner"


def current_user() -> str | None:
    return state.session_user(request.cookies.get(SESSION))


def back_to_lab(said: str) -> Response:
    return back_to("xss.lab", said)


@bp.get("/")
def lab() -> Response:
    """The lab's page: who is signed in, the switch, and the two views of this request's cookies."""
    resp = page(
        "xss.html",
        user=current_user(),
        httponly=state.switch_on(HTTPONLY),
        server=server_view(),
    )
    resp.set_cookie(PREFS, PREFS_VALUE, path="/xss", samesite="Lax")
    return resp


@bp.post("/login")
def login() -> Response:
    """A new server-side session; its cookie is HttpOnly when the switch is on."""
    resp = back_to_lab(f"signed in as {USER}: a new server-side session")
    resp.set_cookie(SESSION, state.new_session(USER), path="/xss", samesite="Lax", httponly=state.switch_on(HTTPONLY))
    return resp


@bp.post("/logout")
def logout() -> Response:
    state.end_session(request.cookies.get(SESSION))
    resp = back_to_lab("signed out: the server ended the session")
    resp.delete_cookie(SESSION, path="/xss", samesite="Lax")
    return resp


@bp.post("/defence")
@own_pages_only
def defence() -> Response:
    """Turn the HttpOnly switch on or off (httponly=on|off): it holds for the whole lab."""
    wanted = request.values.get("httponly", "")
    if wanted not in ("on", "off"):
        return Response("httponly must be on or off\n", 400, mimetype="text/plain")
    state.set_switch(HTTPONLY, wanted == "on")
    return back_to_lab(f"HttpOnly on the session cookie: {wanted}, from the next login")


@bp.get("/search")
def search() -> Response:
    """DELIBERATELY VULNERABLE: q goes into the page unescaped, and no CSP stops a script in it."""
    query = request.args.get("q", "")
    return Response(render_template("xss_search.html", query=query, user=current_user()), mimetype="text/html")
