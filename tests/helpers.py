"""Helpers shared by the test tiers: free ports, bounded waits, the repo's paths."""

from __future__ import annotations

import json
import re
import socket
import time
import tomllib
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SERVICES = ROOT / "services"
ADDON = SERVICES / "proxy" / "cookie_logger.py"
GRADER = SERVICES / "proxy" / "lab_grader.py"

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


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(check, timeout: float, what: str, interval: float = 0.1):
    """Call check() until it returns a true value, for at most timeout seconds."""
    deadline = time.monotonic() + timeout
    last: Exception | None = None
    while time.monotonic() < deadline:
        try:
            result = check()
            if result:
                return result
        except Exception as exc:  # noqa: BLE001 - reported below if time runs out
            last = exc
        time.sleep(interval)
    raise TimeoutError(f"{what} not ready after {timeout} s (last error: {last})")


def port_open(port: int, host: str = "127.0.0.1") -> bool:
    try:
        socket.create_connection((host, port), timeout=0.5).close()
        return True
    except OSError:
        return False


def read_capture(path: Path) -> list[dict]:
    """Every line of a capture file, each required to be one whole JSON object; no file yet, no lines."""
    text = path.read_text(encoding="ascii") if path.exists() else ""
    assert text == "" or text.endswith("\n"), f"{path} ends in a half line"
    return [json.loads(line) for line in text.splitlines()]


def raw_request(port: int, head: bytes, timeout: float = 10) -> bytes:
    """Send one raw HTTP/1.1 request to 127.0.0.1 and return the whole response."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(head)
        chunks = []
        while chunk := s.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


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


def mitmweb_flows(web_port: int, password: str | None = None) -> list[dict]:
    """GET mitmweb's /flows API on 127.0.0.1, with the password as a Bearer token when given."""
    request = urllib.request.Request(f"http://127.0.0.1:{web_port}/flows")
    if password is not None:
        request.add_header("Authorization", f"Bearer {password}")
    with urllib.request.urlopen(request, timeout=10) as resp:
        return json.load(resp)


LAB = ROOT / "lab"
SHEET_SECTIONS = ["Goal", "Background", "Setup", "Steps", "Expected result", "Questions", "Check"]
# In a sheet's Expected result: `command` ... : then a ```text block with its output.
EXPECTED_BLOCK = re.compile(r"^`([^`\n]+)`[^\n]*:\n\n```text\n(.*?)\n```", re.M | re.S)


def exercises() -> list[dict]:
    with open(LAB / "exercises.toml", "rb") as index:
        return tomllib.load(index)["exercise"]


def sheet_sections(text: str) -> list[str]:
    return re.findall(r"^## (.+)$", text, re.M)


def sheet_expectations(text: str) -> list[tuple[str, str]]:
    """The (command, expected output) pairs of a sheet's Expected result section."""
    section = text.split("\n## Expected result\n", 1)[1].split("\n## ", 1)[0]
    return EXPECTED_BLOCK.findall(section)


def sheet_commands(text: str) -> list[str]:
    """Every command of a sheet's sh blocks, in order, as a learner types them."""
    blocks = re.findall(r"^ *```sh\n(.*?)^ *```", text, re.M | re.S)
    return [line.strip() for block in blocks for line in block.splitlines() if line.strip()]


def matches_expected(expected: str, actual: str) -> bool:
    """Line by line, trailing blanks ignored; `<any>` in a line stands for text that differs between runs."""
    want = [line.rstrip() for line in expected.strip("\n").splitlines()]
    got = [line.rstrip() for line in actual.replace("\r\n", "\n").strip("\n").splitlines()]
    if len(want) != len(got):
        return False
    patterns = [".+?".join(re.escape(part) for part in line.split("<any>")) for line in want]
    return all(re.fullmatch(pattern, line) is not None for pattern, line in zip(patterns, got, strict=True))


def check_met(check: dict, records: list[dict]) -> bool:
    """Whether a capture file's records hold the flow an exercise's `check` names."""
    for record in records:
        if record["path"] != check["path"] or record["status"] != check["status"]:
            continue
        if "request_cookie" in check and not any(check["request_cookie"] in h for h in record["request_cookie_headers"]):
            continue
        if "set_cookie" in check and not any(check["set_cookie"] in h for h in record["set_cookie_headers"]):
            continue
        return True
    return False


# A sheet's claims table: what each client sends, one row per claim, with a
# column per client. The browser tier runs every row in the engine each column names.
CLAIMS_HEADER = ["after", "then", "requests", "Chromium", "Firefox"]


def sheet_claims(text: str) -> list[dict[str, str]]:
    """Every row of a sheet's claims tables (header `| after | then | requests | Chromium | Firefox |`)."""
    rows, in_table = [], False
    for line in text.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")] if line.startswith("|") else None
        if cells == CLAIMS_HEADER:
            in_table = True
        elif cells is None:
            in_table = False
        elif in_table and not set(cells[0]) <= set("-: "):
            rows.append(dict(zip(CLAIMS_HEADER, cells, strict=True)))
    return rows


# The addresses the sheets give, at the lab's default ports; a test puts its own ports in.
SHEET_ORIGINS = {
    "http://127.0.0.1:8080": "app",  # loopback: a secure context for Chromium and Firefox
    "https://127.0.0.1:8443": "https",  # the same app over https, with the lab's CA
    "http://[::ffff:127.0.0.1]:8080": "mapped",  # IPv4-mapped IPv6: not a secure context
    "http://shop.cookielab.localhost:8080": "shop",  # the sibling hosts of sheet 11
    "http://blog.cookielab.localhost:8080": "blog",
}
# A sheet's address in a claims cell: one of SHEET_ORIGINS and a path, or a path on the app's first address.
SHEET_URL = re.compile("(" + "|".join(re.escape(origin) for origin in SHEET_ORIGINS) + ")?(/[^`\\s]*)")


def sheet_url(text: str, origins: dict[str, str]) -> str:
    """A sheet's address as the test reaches it: origins maps each SHEET_ORIGINS name to the test's origin."""
    match = SHEET_URL.fullmatch(text)
    assert match, f"{text!r} is not an address of the lab"
    origin, path = match.groups()
    return origins[SHEET_ORIGINS[origin or "http://127.0.0.1:8080"]] + path


def cookie_names(cell: str) -> list[str] | None:
    """A claims cell as cookie names in the order sent; None for `—`, not tested in that client.

    An entry may be `name=value` when the value is what the claim is about."""
    cell = cell.strip()
    if cell == "—":
        return None
    if cell == "(none)":
        return []
    return [name.strip().strip("`") for name in cell.split(",")]
