"""When a tier cannot run here: fail where it is required, skip elsewhere.

A tier is required under CI, or when its variable is 1: LAB_REQUIRE_COMPOSE
for the compose tier, LAB_REQUIRE_BROWSER for the browsers. A skip there would
hide a tier that never ran behind a green result.
"""

from __future__ import annotations

import os
from typing import NoReturn

import pytest

# Each variable that requires a tier, and the tier's name in the messages.
TIERS = {
    "LAB_REQUIRE_COMPOSE": "compose tier",
    "LAB_REQUIRE_BROWSER": "browser tests",
}


def required(required_by: str) -> bool:
    """Whether the tier that the variable required_by names must run here."""
    if required_by not in TIERS:
        raise ValueError(f"{required_by} names no tier; one of {', '.join(TIERS)}")
    return os.environ.get(required_by) == "1" or bool(os.environ.get("CI"))


def must_run(required_by: str, problem: str) -> NoReturn:
    """The tier required_by names cannot run because of problem: fail where it is required, skip elsewhere."""
    tier = TIERS.get(required_by, required_by)
    if required(required_by):
        pytest.fail(f"the {tier} must run here, but {problem}", pytrace=False)
    pytest.skip(f"{tier}: {problem}")
