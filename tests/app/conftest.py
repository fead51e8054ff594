import pytest
from cookie_app import create_app
from local_lab import LAB


@pytest.fixture
def app():
    return create_app({"TESTING": True, "SECRET_KEY": "test-key", "LAB_EXERCISES": str(LAB / "exercises.toml")})


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def raw_client(app):
    """A test client without a cookie jar, so a Cookie header is sent exactly as written."""
    return app.test_client(use_cookies=False)
