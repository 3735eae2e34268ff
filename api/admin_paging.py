"""Keyset pages of the admin listings: the last id seen travels in an opaque cursor, like the read API's."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from api.cursor import decode_cursor, encode_cursor
from api.errors import BadRequest

Item = TypeVar("Item")
MAX_ID = (
    2**31 - 1
)  # ids are 32-bit integers in PostgreSQL: a larger one is no row, and must not reach the query


def last_id(cursor: str | None, listing: str) -> int | None:
    """The id the previous page ended on; 400 for a cursor of another listing."""
    if cursor is None:
        return None
    position: int = decode_cursor(cursor, listing, (int,))[0]
    return checked_id(position, cursor)


def checked_id(position: int, cursor: str) -> int:
    """An id from a cursor, refused (400) outside the range ids can take."""
    if not 0 <= position <= MAX_ID:
        raise BadRequest(
            f"cursor {cursor[:40]!r} is not a cursor of this listing; pass the next_cursor of a previous page unchanged"
        )
    return position


def cut(
    rows: Sequence[Item],
    limit: int,
    listing: str,
    position: Callable[[Item], list[Any]],
) -> tuple[Sequence[Item], str | None]:
    """The page (queries fetch one row more than `limit`) and the cursor of the next one, None on the last."""
    page = rows[:limit]
    next_cursor = (
        encode_cursor(listing, position(page[-1])) if len(rows) > limit else None
    )
    return page, next_cursor
