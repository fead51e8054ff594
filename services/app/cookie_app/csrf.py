"""Attack lab: cross-site request forgery, and what SameSite, a token and an origin check stop.

/csrf/ is the account page (under the lab's CSP): log in, see the account's e-mail and forwarding address,
and set the defences, which hold for the whole lab (the app's shared state). A change is authenticated by
the session cookie alone unless a defence says otherwise. /csrf/email also obeys a GET: the sloppy
handler a Lax bypass needs (the sheet's challenge finds it).
"""

from __future__ import annotations

import hashlib
import hmac

from flask import Blueprint, Response, current_app, request, url_for

from . import state
from .pages import back_to, cross_site, own_pages_only, page, server_view

bp = Blueprint("csrf", __name__, url_prefix="/csrf")

SESSION = "csrf_session"
USER = "learner"
ACCOUNT = {"email": "learner@cookielab.example", "forward": "(none)"}
# The defences: SameSite on the session cookie (from the next login), a CSRF token, an origin check.
SAMESITE = "csrf-samesite"
# mode: the Set-Cookie attributes it gives. The lab starts with none at all, as many apps do.
SAMESITE_MODES = {
    "unset": "no SameSite",
    "none": "SameSite=None; Secure",
    "lax": "SameSite=Lax",
    "strict": "SameSite=Strict",
}
DEFAULT_MODE = "unset"
TOKEN = "csrf-token"
ORIGIN = "csrf-origin-check"
LONGEST = 100


def text(message: str, status: int) -> Response:
    """A refusal as plain text, with the way back to the account page."""
    return Response(f"{message}\nthe account page: {url_for('csrf.account')}\n", status=status, mimetype="text/plain")


def session_id() -> str | None:
    sid = request.cookies.get(SESSION)
    return sid if state.session_user(sid) else None


def token_for(sid: str) -> str:
    """The session's CSRF token: derived from its id with the app's key, so nothing more is stored."""
    return hmac.new(current_app.secret_key.encode(), sid.encode(), hashlib.sha256).hexdigest()[:32]


def settings() -> dict[str, object]:
    return {
        "samesite": state.setting(SAMESITE, DEFAULT_MODE),
        "token": state.switch_on(TOKEN),
        "origin": state.switch_on(ORIGIN),
    }


@bp.get("/")
def account() -> Response:
    sid = session_id()
    return page(
        "csrf.html",
        user=USER if sid else None,
        account=state.account(USER, ACCOUNT),
        token=token_for(sid) if sid and state.switch_on(TOKEN) else None,
        settings=settings(),
        modes=SAMESITE_MODES,
        server=server_view(),
    )


def back(said: str) -> Response:
    return back_to("csrf.account", said)


@bp.post("/login")
def login() -> Response:
    mode = state.setting(SAMESITE, DEFAULT_MODE)
    resp = back(f"signed in as {USER}, session cookie with {SAMESITE_MODES[mode]}")
    sid = state.new_session(USER)
    if mode == "none":
        resp.set_cookie(SESSION, sid, path="/csrf", samesite="None", secure=True)
    elif mode == "unset":
        resp.set_cookie(SESSION, sid, path="/csrf")
    else:
        resp.set_cookie(SESSION, sid, path="/csrf", samesite=mode.capitalize())
    return resp


@bp.post("/logout")
def logout() -> Response:
    state.end_session(request.cookies.get(SESSION))
    resp = back("signed out")
    resp.delete_cookie(SESSION, path="/csrf")
    return resp


def refused() -> Response | None:
    """Why a change is refused: no session, or a defence that is on and not met."""
    sid = session_id()
    if sid is None:
        return text("not signed in: the request carried no session of this lab (csrf_session)", 401)
    if state.switch_on(ORIGIN) and cross_site():
        return text(f"refused by the origin check: Sec-Fetch-Site is {request.headers['Sec-Fetch-Site']}", 403)
    if state.switch_on(TOKEN) and not hmac.compare_digest(request.values.get("token", ""), token_for(sid)):
        return text("refused: the CSRF token is missing or wrong", 403)
    return None


def change(field: str, form_field: str, said: str) -> Response:
    """Change one field of the account, if no defence refuses it; said names the new value."""
    problem = refused()
    if problem:
        return problem
    value = request.values.get(form_field, "").strip()
    if not value or len(value) > LONGEST or not value.isprintable():
        return text(f"{form_field} must be 1 to {LONGEST} printable characters", 400)
    state.set_account(USER, field, value)
    return back(f"{said} {value}")


# The mistake this lab plants: a change that also obeys GET (request.values reads the query too).
@bp.route("/email", methods=["GET", "POST"])
def email() -> Response:
    return change("email", "email", "e-mail changed to")


@bp.post("/forward")
def forward() -> Response:
    return change("forward", "address", "mail now forwarded to")


@bp.post("/samesite")
@own_pages_only
def samesite() -> Response:
    mode = request.values.get("mode", "")
    if mode not in SAMESITE_MODES:
        return text(f"mode must be one of: {', '.join(SAMESITE_MODES)}", 400)
    state.set_setting(SAMESITE, mode)
    return back(f"the session cookie gets {SAMESITE_MODES[mode]}, from the next login")


@bp.post("/defence")
@own_pages_only
def defence() -> Response:
    """token=on|off, origin=on|off."""
    said = []
    for name, switch in (("token", TOKEN), ("origin", ORIGIN)):
        wanted = request.values.get(name)
        if wanted is None:
            continue
        if wanted not in ("on", "off"):
            return text(f"{name} must be on or off", 400)
        state.set_switch(switch, wanted == "on")
        said.append(f"{name} {wanted}")
    return back(", ".join(said) or "nothing changed")
