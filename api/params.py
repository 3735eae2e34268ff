"""Query and path parameters every listing shares, declared once so they read the same in every route and in OpenAPI."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query

from api.cursor import MAX_CURSOR_LENGTH, decode_cursor

Limit = Annotated[int, Query(ge=1, le=500, description="items per page, 1–500", examples=[50])]
Cursor = Annotated[
    str | None,
    Query(max_length=MAX_CURSOR_LENGTH, description="`next_cursor` of the previous page; omit for the first page", examples=["eyJsIjoicHJvZmlsZXMiLCJwIjpbInBlcl8zZjljIl19"]),
]
ProfileId = Annotated[str, Path(max_length=64, description="a golden person id, `per_…`; a merged-away id answers with its survivor", examples=["per_3f9c2a71d04be5a86c11"])]
CompanyId = Annotated[str, Path(max_length=64, description="a golden company id, `com_…`", examples=["com_0b7e4d22a9c3f1e85d60"])]


def after_id(cursor: str | None, listing: str) -> str | None:
    """The last golden id of the previous page, from its cursor."""
    if cursor is None:
        return None
    last: str = decode_cursor(cursor, listing, (str,))[0]
    return last
