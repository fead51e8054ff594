"""The proxy's capture file: one JSON object per line, written whole by the proxy's recorder
(services/proxy/README.md lists the fields). One reader for every service and test."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# Fields whose value, when present, must be text (or null): a reader shows them to the learner.
TEXT_FIELDS = ("time", "flow_id")


@dataclass
class Capture:
    records: list[dict[str, Any]] = field(default_factory=list)
    # Lines that were not a record of the right shape: a half line from a crash, a hand edit.
    skipped: int = 0


def fits(record: Any) -> bool:
    """Whether a parsed line is a record as the proxy writes it: an object whose time and flow_id are text."""
    return isinstance(record, dict) and all(isinstance(record.get(k), (str, type(None))) for k in TEXT_FIELDS)


def read_capture(path: str | Path, strict: bool = False) -> Capture:
    """Every record of the capture file, oldest first; no file yet is no records.

    A line that is not a record of the right shape is skipped and counted; with strict (the tests),
    it raises ValueError instead, as does a last line without its newline. OSError is the caller's.
    """
    out = Capture()
    try:
        with open(path, encoding="ascii", errors="replace", newline="\n") as capture:
            for number, line in enumerate(capture, 1):  # streamed: a long lab's file is never held whole
                if strict and not line.endswith("\n"):
                    raise ValueError(f"{path} ends in a half line")
                try:
                    record = json.loads(line)
                except ValueError:
                    record = None
                if fits(record):
                    out.records.append(record)
                elif strict:
                    raise ValueError(f"{path}, line {number}: not a capture record: {line[:200]!r}")
                else:
                    out.skipped += 1
    except FileNotFoundError:
        return Capture()  # no traffic yet
    return out
