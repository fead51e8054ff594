"""The app factory, the health check and the echo helper."""

import logging

from cookie_app import create_app


def test_healthz_answers_without_cookies(client):
    resp = client.get("/healthz")
    assert resp.status_code == 200
    assert resp.json == {"status": "ok"}
    assert "Set-Cookie" not in resp.headers


def test_secret_key_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("FLASK_SECRET_KEY", "from-env")
    assert create_app().config["SECRET_KEY"] == "from-env"


def test_missing_secret_key_is_generated_and_logged(monkeypatch, caplog):
    monkeypatch.delenv("FLASK_SECRET_KEY", raising=False)
    with caplog.at_level(logging.WARNING):
        first = create_app()
        second = create_app()
    key = first.config["SECRET_KEY"]
    assert isinstance(key, str) and len(key) == 64
    # Random per start: never a key baked into the image or the repo.
    assert key != second.config["SECRET_KEY"]
    assert "FLASK_SECRET_KEY is not set: generated a random secret key" in caplog.text


def test_empty_secret_key_counts_as_missing(monkeypatch):
    monkeypatch.setenv("FLASK_SECRET_KEY", "")
    assert len(create_app().config["SECRET_KEY"]) == 64


def test_debug_mode_is_off():
    app = create_app()
    assert app.debug is False


def test_echo_shows_every_cookie_as_received(raw_client):
    resp = raw_client.get("/echo", headers={"Cookie": "a=1; b=2; a=3"})
    assert resp.status_code == 200
    assert resp.json["cookie_headers"] == ["a=1; b=2; a=3"]
    assert resp.json["cookies"] == {"a": ["1", "3"], "b": ["2"]}
    assert resp.json["method"] == "GET"
