"""The proxy's capture file: one JSON object per line, written whole by the proxy's recorder
(services/proxy/README.md lists the fields). One reader for every service and test."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# Fields whose value, when present, must be text (or null): a reader shows them to the learner.
TEXT_FIELDS = ("time", "flow_id")


def fits(record: Any) -> bool:
    """Whether a parsed line is a record as the proxy writes it: an object whose time and flow_id are text."""
    return isinstance(record, dict) and all(isinstance(record.get(k), (str, type(None))) for k in TEXT_FIELDS)


class CaptureReader:
    """The records of a capture file, oldest first, read one line at a time as they are iterated: a long
    lab's file is never held in memory. No file yet is no records.

    A line that is not a record of the right shape (a half line from a crash, a hand edit) is skipped
    and counted in `skipped`. With strict (the tests) it raises ValueError instead, as does a byte that
    is not ASCII (the recorder writes ASCII only) or a last line without its newline. OSError is the
    caller's.
    """

    def __init__(self, path: str | Path, strict: bool = False) -> None:
        self.path, self.strict = path, strict
        self.skipped = 0

    def __iter__(self) -> Iterator[dict[str, Any]]:
        self.skipped = 0
        errors = "strict" if self.strict else "replace"
        try:
            capture = open(self.path, encoding="ascii", errors=errors, newline="\n")  # noqa: SIM115 - closed below
        except FileNotFoundError:
            return  # no traffic yet
        with capture:
            for number, line in enumerate(capture, 1):
                if self.strict and not line.endswith("\n"):
                    raise ValueError(f"{self.path} ends in a half line")
                try:
                    record = json.loads(line)
                except ValueError:
                    record = None
                if fits(record):
                    yield record
                elif self.strict:
                    raise ValueError(f"{self.path}, line {number}: not a capture record: {line[:200]!r}")
                else:
                    self.skipped += 1


@dataclass
class Capture:
    records: list[dict[str, Any]] = field(default_factory=list)
    skipped: int = 0


def read_capture(path: str | Path, strict: bool = False) -> Capture:
    """Every record of the capture file at once, and how many lines were skipped (see CaptureReader,
    which reads without holding the file: use it where the file may be long)."""
    reader = CaptureReader(path, strict)
    records = list(reader)
    return Capture(records, reader.skipped)
