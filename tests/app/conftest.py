import pytest
from cookie_app import create_app
from local_lab import LAB


@pytest.fixture
def app(tmp_path):
    return create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-key",
            "LAB_EXERCISES": str(LAB / "exercises.toml"),
            # The attack labs' state, in a folder of the test's own.
            "LAB_DATA_DIR": str(tmp_path),
        }
    )


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def raw_client(app):
    """A test client without a cookie jar, so a Cookie header is sent exactly as written."""
    return app.test_client(use_cookies=False)
