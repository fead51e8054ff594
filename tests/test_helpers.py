"""The sheet comparison used by the stack and compose tiers: strict, with `<any>` for what differs per run."""

import pytest
from helpers import check_met, matches_expected


@pytest.mark.parametrize(
    ("expected", "actual", "match"),
    [
        ("a\nb", "a  \nb\n", True),
        ("Date: <any>", "Date: Mon, 23 Nov 2026 22:59:25 GMT", True),
        ("Date: <any>", "Date: ", False),
        ("│ x <any> │ y │", "│ x 12:00 │ y │", True),
        ("│ x <any> │ y │", "│ x 12:00 │ z │", False),
        ("one line", "one line\nand more", False),
        ("a.b", "axb", False),
    ],
)
def test_matches_expected(expected, actual, match):
    assert matches_expected(expected, actual) is match


RECORD = {"path": "/x", "status": 200, "request_cookie_headers": ["a=1; b=2"], "set_cookie_headers": ["c=3; Path=/"]}


@pytest.mark.parametrize(
    ("check", "met"),
    [
        ({"path": "/x", "status": 200, "request_cookie": "b=2"}, True),
        ({"path": "/x", "status": 200, "set_cookie": "Path=/"}, True),
        ({"path": "/x", "status": 431, "request_cookie": "b=2"}, False),
        ({"path": "/y", "status": 200, "request_cookie": "b=2"}, False),
        ({"path": "/x", "status": 200, "request_cookie": "z=9"}, False),
    ],
)
def test_check_met(check, met):
    assert check_met(check, [RECORD]) is met
