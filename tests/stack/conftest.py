"""Real gunicorn, real mitmweb with the addon, and the real client, as processes on 127.0.0.1."""

import pytest
from local_lab import running_stack


@pytest.fixture(scope="session")
def stack(tmp_path_factory):
    with running_stack(tmp_path_factory.mktemp("stack")) as stack:
        yield stack
