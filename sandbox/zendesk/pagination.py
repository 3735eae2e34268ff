"""The two ways Zendesk pages a list endpoint.

Offset pagination (`page`, `per_page` ≤ 100) answers `next_page`,
`previous_page` and `count`; cursor pagination (`page[size]`, `page[after]`,
`page[before]`) answers `meta.has_more` and `links.next`. Lists are in id
order, and a cursor is the id it stopped at, so records created meanwhile do
not shift later pages.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable
from typing import Any

from starlette.requests import Request

from sandbox.zendesk.collection import Record
from sandbox.zendesk.wire import decode_token, encode_token, int_param, invalid_value, link

MAX_PAGE_SIZE = 100
CURSOR_PARAMS = ("page[size]", "page[after]", "page[before]")


def wants_cursor(request: Request) -> bool:
    return any(name in request.query_params for name in CURSOR_PARAMS)


def _cursor_id(token: str | None) -> int | None:
    if not token:
        return None
    text = decode_token(token)
    if not text.startswith("id:") or not text[3:].isdigit():
        raise invalid_value("Invalid cursor")
    return int(text[3:])


def _carried_params(request: Request, drop: tuple[str, ...]) -> dict[str, str]:
    return {key: value for key, value in request.query_params.items() if key not in drop}


def cursor_page(
    request: Request,
    rows: list[Record],
    key: str,
    render: Callable[[Record], Record],
    max_size: int = MAX_PAGE_SIZE,
) -> dict[str, Any]:
    """One cursor page of `rows` (sorted by id)."""
    size = min(max(int_param(request, "page[size]", max_size) or max_size, 1), max_size)
    ids = [row["id"] for row in rows]
    before = _cursor_id(request.query_params.get("page[before]"))
    if before is not None:
        end = bisect.bisect_left(ids, before)
        start = max(end - size, 0)
        has_more = start > 0
    else:
        after = _cursor_id(request.query_params.get("page[after]"))
        start = bisect.bisect_right(ids, after) if after is not None else 0
        end = min(start + size, len(rows))
        has_more = end < len(rows)
    chunk = rows[start:end]
    after_cursor = encode_token(f"id:{chunk[-1]['id']}") if chunk else None
    before_cursor = encode_token(f"id:{chunk[0]['id']}") if chunk else None
    carried = _carried_params(request, CURSOR_PARAMS)
    return {
        key: [render(row) for row in chunk],
        "meta": {"has_more": has_more, "after_cursor": after_cursor, "before_cursor": before_cursor},
        "links": {
            "next": link(request, request.url.path, carried | {"page[size]": size, "page[after]": after_cursor})
            if after_cursor
            else None,
            "prev": link(request, request.url.path, carried | {"page[size]": size, "page[before]": before_cursor})
            if before_cursor
            else None,
        },
    }


def offset_page(request: Request, rows: list[Record], key: str, render: Callable[[Record], Record]) -> dict[str, Any]:
    """One offset page of `rows` with absolute next/previous links."""
    page = int_param(request, "page", 1) or 1
    per_page = min(max(int_param(request, "per_page", MAX_PAGE_SIZE) or MAX_PAGE_SIZE, 1), MAX_PAGE_SIZE)
    if page < 1:
        raise invalid_value("page must be a positive integer")
    start = (page - 1) * per_page
    chunk = rows[start : start + per_page]
    carried = _carried_params(request, ("page", "per_page"))
    next_page = link(request, request.url.path, carried | {"page": page + 1, "per_page": per_page})
    previous_page = link(request, request.url.path, carried | {"page": page - 1, "per_page": per_page})
    return {
        key: [render(row) for row in chunk],
        "next_page": next_page if start + per_page < len(rows) else None,
        "previous_page": previous_page if page > 1 else None,
        "count": len(rows),
    }


def list_page(request: Request, rows: list[Record], key: str, render: Callable[[Record], Record]) -> dict[str, Any]:
    """Cursor page when the client asks for one (any `page[...]` parameter), else an offset page."""
    if wants_cursor(request):
        return cursor_page(request, rows, key, render)
    return offset_page(request, rows, key, render)
