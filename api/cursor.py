"""Opaque pagination cursors: where a listing stopped, sealed so a client cannot mistake one listing's cursor for another's.

A cursor is URL-safe base64 of a small JSON object naming its listing and
the last position seen. It is not signed: it grants nothing, it only says
where to go on, and a forged one reads a page the key could read anyway.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from api.errors import BadRequest

MAX_CURSOR_LENGTH = 512


def encode_cursor(listing: str, position: list[Any]) -> str:
    raw = json.dumps({"l": listing, "p": position}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, listing: str, shape: tuple[type, ...]) -> list[Any]:
    """The position in `cursor`, checked against the listing and the types of its parts; 400 when it is not one."""
    problem = BadRequest(f"cursor {cursor[:40]!r} is not a cursor of this listing; pass the next_cursor of a previous page unchanged")
    if len(cursor) > MAX_CURSOR_LENGTH:
        raise problem
    try:
        data = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (binascii.Error, ValueError):
        raise problem from None
    if not isinstance(data, dict) or data.get("l") != listing or not isinstance(data.get("p"), list):
        raise problem
    position: list[Any] = data["p"]
    if len(position) != len(shape) or not all(isinstance(part, kind) and not isinstance(part, bool) for part, kind in zip(position, shape, strict=True)):
        raise problem
    if any(isinstance(part, str) and not part.isprintable() for part in position):
        raise problem  # a control character (NUL above all) is never in an id, and PostgreSQL refuses NUL outright
    return position
