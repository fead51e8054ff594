"""Helpers shared by the test tiers: the addon's paths, raw requests, the exercises. The repository's paths,
free ports, bounded waits and the strict capture reader are bench/local_lab.py's."""

from __future__ import annotations

import socket

import lab_contract
from local_lab import LAB, SERVICES

# The lab's one addon script (the grader, then the recorder), and the grader's module.
ADDON = SERVICES / "proxy" / "lab_proxy.py"
GRADER = SERVICES / "proxy" / "lab_grader.py"


def raw_request(port: int, head: bytes, timeout: float = 10) -> bytes:
    """Send one raw HTTP/1.1 request to 127.0.0.1 and return the whole response."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(head)
        chunks = []
        while chunk := s.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def exercises() -> list[dict]:
    """The lab's exercises, read and checked by the lab's own loader."""
    return lab_contract.exercises(lab_contract.load_index(LAB / "exercises.toml"))
