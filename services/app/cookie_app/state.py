"""The app's state for the attack labs: the defence switches and the server-side sessions, in SQLite on a
volume, so that every gunicorn worker sees the same (never one worker's memory)."""

from __future__ import annotations

import contextlib
import os
import secrets
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

from flask import Response, current_app

# Where compose and the cluster mount the app's volume.
DATA_DIR = "/data"
DATABASE = "lab.db"

SCHEMA = """
CREATE TABLE IF NOT EXISTS switch (name TEXT PRIMARY KEY, is_on INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS session (id TEXT PRIMARY KEY, user TEXT NOT NULL, created REAL NOT NULL);
CREATE TABLE IF NOT EXISTS setting (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS account (user TEXT NOT NULL, field TEXT NOT NULL, value TEXT NOT NULL,
                                    PRIMARY KEY (user, field));
"""
# Sessions kept at most: a learner who logs in many times never fills the volume.
MAX_SESSIONS = 200


class NoState(Exception):
    """The app has nowhere to keep the labs' state; the message says what to do."""


def unavailable(exc: NoState) -> Response:
    """What a lab page answers when the app has nowhere to keep its state (registered in create_app)."""
    return Response(f"{exc}\n", status=503, mimetype="text/plain")


def folder() -> Path:
    return Path(current_app.config["LAB_DATA_DIR"])


def problem() -> str | None:
    where = folder()
    if not where.is_dir():
        return f"{where} does not exist: the app has nowhere to keep the attack labs' state (set LAB_DATA_DIR)"
    if not os.access(where, os.W_OK):
        return f"{where} is not writable: the app cannot keep the attack labs' state"
    return None


@contextlib.contextmanager
def database() -> Iterator[sqlite3.Connection]:
    """One connection per use: workers share the file, and SQLite's own locking orders their writes."""
    found = problem()
    if found:
        raise NoState(found)
    db = sqlite3.connect(folder() / DATABASE, timeout=10, isolation_level=None)
    try:
        db.executescript(SCHEMA)
        yield db
    finally:
        db.close()


def switch_on(name: str) -> bool:
    """Whether a defence switch is on (all start off)."""
    with database() as db:
        row = db.execute("SELECT is_on FROM switch WHERE name = ?", (name,)).fetchone()
    return bool(row and row[0])


def set_switch(name: str, on: bool) -> None:
    with database() as db:
        db.execute(
            "INSERT INTO switch (name, is_on) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET is_on = excluded.is_on",
            (name, int(on)),
        )


def new_session(user: str) -> str:
    """A new server-side session for user; its id is the cookie's value."""
    sid = secrets.token_urlsafe(24)
    with database() as db:
        db.execute("INSERT INTO session (id, user, created) VALUES (?, ?, ?)", (sid, user, time.time()))
        db.execute(
            "DELETE FROM session WHERE id NOT IN (SELECT id FROM session ORDER BY created DESC LIMIT ?)",
            (MAX_SESSIONS,),
        )
    return sid


def session_user(sid: str | None) -> str | None:
    """Who the session id belongs to, or None for no session, an unknown one or one that ended."""
    if not sid:
        return None
    with database() as db:
        row = db.execute("SELECT user FROM session WHERE id = ?", (sid,)).fetchone()
    return row[0] if row else None


def end_session(sid: str | None) -> None:
    if not sid:
        return
    with database() as db:
        db.execute("DELETE FROM session WHERE id = ?", (sid,))


def setting(name: str, default: str) -> str:
    """A defence setting of several values (all start at their default)."""
    with database() as db:
        row = db.execute("SELECT value FROM setting WHERE name = ?", (name,)).fetchone()
    return row[0] if row else default


def set_setting(name: str, value: str) -> None:
    with database() as db:
        db.execute(
            "INSERT INTO setting (name, value) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET value = excluded.value",
            (name, value),
        )


def account(user: str, defaults: dict[str, str]) -> dict[str, str]:
    """The account's fields, each at its default until it is changed."""
    with database() as db:
        rows = db.execute("SELECT field, value FROM account WHERE user = ?", (user,)).fetchall()
    return {**defaults, **{field: value for field, value in rows if field in defaults}}


def set_account(user: str, field: str, value: str) -> None:
    with database() as db:
        db.execute(
            "INSERT INTO account (user, field, value) VALUES (?, ?, ?)"
            " ON CONFLICT(user, field) DO UPDATE SET value = excluded.value",
            (user, field, value),
        )
