"""The sheet comparison used by the stack and compose tiers: strict, with `<any>` for what differs per run."""

import pytest
from sheets import matches_expected


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
