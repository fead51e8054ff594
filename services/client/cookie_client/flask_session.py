"""Read and forge Flask's session cookie: payload.timestamp.signature, the payload only base64."""

from __future__ import annotations

import base64
import json
import zlib
from typing import Any


def _b64decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def decode(cookie_value: str) -> Any:
    """Return the session's payload: signed is not encrypted, anyone can read it."""
    compressed = cookie_value.startswith(".")
    payload = _b64decode(cookie_value.lstrip(".").split(".", 1)[0])
    return json.loads(zlib.decompress(payload) if compressed else payload)


def forge(cookie_value: str, payload: Any) -> str:
    """Swap the payload and keep the old timestamp and signature, which no longer match."""
    _, timestamp, signature = cookie_value.lstrip(".").rsplit(".", 2)
    body = base64.urlsafe_b64encode(json.dumps(payload, separators=(",", ":")).encode()).rstrip(b"=").decode()
    return f"{body}.{timestamp}.{signature}"
