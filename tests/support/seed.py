"""The seed walkthrough as it must come out of real traffic: its tables, and reading them from printed output."""

from __future__ import annotations

# The seed's Execution Table as it must come out of real traffic: Werkzeug's
# set_cookie adds Path=/ to the seed's username=Alice.
SEED_TABLE = [
    {
        "Step": "1",
        "Action": "Client sends first request",
        "Request Headers": "No Cookie header",
        "Response Headers": "Set-Cookie: username=Alice; Path=/",
        "Cookie Stored": "username=Alice",
        "Output": "Hello None",
    },
    {
        "Step": "2",
        "Action": "Client sends second request",
        "Request Headers": "Cookie: username=Alice",
        "Response Headers": "Set-Cookie: username=Alice; Path=/",
        "Cookie Stored": "username=Alice",
        "Output": "Hello Alice",
    },
    {
        "Step": "3",
        "Action": "Client sends third request",
        "Request Headers": "Cookie: username=Alice",
        "Response Headers": "Set-Cookie: username=Alice; Path=/",
        "Cookie Stored": "username=Alice",
        "Output": "Hello Alice",
    },
    {
        "Step": "4",
        "Action": "No more requests",
        "Request Headers": "N/A",
        "Response Headers": "N/A",
        "Cookie Stored": "username=Alice",
        "Output": "Session continues with cookie",
    },
]

SEED_TRACKER = {
    "columns": ["Variable", "Start", "After Step 1", "After Step 2", "After Step 3", "Final"],
    "rows": [
        {"variable": "username cookie", "values": ["None", "Alice", "Alice", "Alice", "Alice"]},
        {"variable": "request.cookies.get('username')", "values": ["None", "None", "Alice", "Alice", "Alice"]},
    ],
}


def printed_row(text: str, first_cell: str) -> list[str]:
    """Return the cells of the printed table row (body │ or heading ┃) that starts with first_cell."""
    for line in text.splitlines():
        line = line.strip().replace("┃", "│")
        cells = [cell.strip() for cell in line.strip("│").split("│")]
        if line.startswith("│") and cells[0] == first_cell:
            return cells
    raise AssertionError(f"no table row starts with {first_cell!r} in:\n{text}")


def assert_seed_printed(text: str) -> None:
    """The printed Execution Table and Variable Tracker show the seed, cell by cell."""
    for row in SEED_TABLE:
        assert printed_row(text, row["Step"]) == list(row.values())
    assert printed_row(text, "Variable") == SEED_TRACKER["columns"]
    for row in SEED_TRACKER["rows"]:
        assert printed_row(text, row["variable"]) == [row["variable"], *row["values"]]
