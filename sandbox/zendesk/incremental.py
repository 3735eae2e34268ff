"""Incremental exports: cursor-based (tickets, users) and time-based (organizations, tickets, users, ticket events).

Rules kept from Zendesk: `start_time` is epoch seconds at least a minute old
(400 otherwise), items changed in the last minute are left out, pages hold up
to 1,000 items, and a time-based page's `next_page` starts at its `end_time`,
so items sharing that second come again. A cursor is the (second, sequence)
of the last item, so each page is a bisect into the change order.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from sandbox.zendesk.collection import ChangeKey, Record
from sandbox.zendesk.context import ZendeskContext
from sandbox.zendesk.records import KINDS, identity_of, render
from sandbox.zendesk.routing import api_route
from sandbox.zendesk.wire import base_url, decode_token, encode_token, epoch, int_param, invalid_value, link

T = TypeVar("T")
MAX_EXPORT_PAGE = 1000
VIA_LABELS = {"web": "Web form", "email": "Mail", "api": "API", "chat": "Chat", "voice": "Voice", "phone": "Voice"}


@dataclass(frozen=True)
class ExportWindow:
    """What one export request may see: from where, up to which second, how many."""

    cutoff: int
    per_page: int
    exclude_deleted: bool


def _window(context: ZendeskContext, request: Request) -> ExportWindow:
    now = epoch(context.control.clock.peek())
    cutoff = now - 60 if context.knobs.hide_last_minute else now
    per_page = min(max(int_param(request, "per_page", MAX_EXPORT_PAGE) or MAX_EXPORT_PAGE, 1), MAX_EXPORT_PAGE)
    exclude_deleted = request.query_params.get("exclude_deleted", "").lower() == "true"
    return ExportWindow(cutoff, per_page, exclude_deleted)


def _start_time(context: ZendeskContext, request: Request) -> int:
    raw = request.query_params.get("start_time")
    if raw is None or raw == "":
        raise invalid_value("start_time is required")
    try:
        start = int(raw)
    except ValueError as error:
        raise invalid_value("start_time must be an epoch time in seconds") from error
    now = epoch(context.control.clock.peek())
    if context.knobs.reject_recent_start_time and start > now - 60:
        raise invalid_value("Too recent start_time. Use a start_time older than 1 minute")
    return start


def _included(kind_name: str, record: Record, window: ExportWindow) -> bool:
    return not (window.exclude_deleted and kind_name == "tickets" and record["status"] == "deleted")


def _exported(context: ZendeskContext, kind_name: str, record: Record, second: int, base: str) -> Record:
    kind = KINDS[kind_name]
    field_keys = context.store.field_keys(kind) if kind.custom_key else None
    rendered = render(kind, record, base, field_keys)
    if kind_name == "tickets":
        rendered["generated_timestamp"] = second
    if kind_name == "organizations":
        rendered["deleted_at"] = record.get("deleted_at")
    return rendered


def _encode_cursor(key: ChangeKey, direction: str) -> str:
    return encode_token(f"{key[0]}.{key[1]}||{direction}|")


def _decode_cursor(token: str) -> tuple[ChangeKey, str]:
    try:
        position, _, rest = decode_token(token).partition("||")
        second, sequence = position.split(".")
        return (int(second), int(sequence)), rest.strip("|") or "a"
    except ValueError as error:
        raise invalid_value("Invalid cursor") from error


def _take(
    rows: Iterator[tuple[ChangeKey, Record]], count: int
) -> tuple[list[tuple[ChangeKey, Record]], tuple[ChangeKey, Record] | None]:
    """Up to `count` rows, and the first row after them if there is one."""
    taken: list[tuple[ChangeKey, Record]] = []
    for row in rows:
        if len(taken) == count:
            return taken, row
        taken.append(row)
    return taken, None


def _whole_seconds(rows: Iterator[T], per_page: int, start: int, second_of: Callable[[T], int]) -> tuple[list[T], bool]:
    """A time-based page: `per_page` rows, then on to the end of the last row's second.

    The next page starts at this page's last second (inclusive), so a page must
    never stop inside a second, and must move past `start` or it would come back
    unchanged. Returns the rows and whether more follow.
    """
    page: list[T] = []
    for row in rows:
        if len(page) >= per_page:
            last = second_of(page[-1])
            if second_of(row) != last and last > start:
                return page, True
        page.append(row)
    return page, False


def _sideloads(context: ZendeskContext, request: Request, kind_name: str, records: list[Record]) -> dict[str, Any]:
    includes = set(request.query_params.get("include", "").split(","))
    if kind_name == "users" and "identities" in includes:
        base = base_url(request)
        return {"identities": [identity for user in records if (identity := identity_of(user, base))]}
    return {}


def cursor_export(context: ZendeskContext, kind_name: str, request: Request) -> dict[str, Any]:
    """One page of `/incremental/{tickets|users}/cursor.json`."""
    window = _window(context, request)
    collection = context.store[kind_name]
    cursor = request.query_params.get("cursor")
    if cursor:
        key, direction = _decode_cursor(cursor)
        start_time = None
    else:
        key, direction, start_time = None, "a", _start_time(context, request)
    if direction == "b" and key is not None:
        earlier = ((k, r) for k, r in collection.changes_before(key) if _included(kind_name, r, window))
        rows, _ = _take(earlier, window.per_page)
        rows.reverse()
        end_of_stream = not rows
    else:
        later = ((k, r) for k, r in collection.changes_from(key, start_time, window.cutoff) if _included(kind_name, r, window))
        rows, following = _take(later, window.per_page)
        end_of_stream = following is None
    base = base_url(request)
    path = request.url.path
    if rows:
        after_key: ChangeKey = rows[-1][0]
    else:
        after_key = key if key is not None else ((start_time or 0), 0)
    after_cursor = _encode_cursor(after_key, "a")
    before_cursor = _encode_cursor(rows[0][0], "b") if rows else None
    carried = {name: request.query_params.get(name) for name in ("per_page", "exclude_deleted", "include")}
    return {
        kind_name: [_exported(context, kind_name, record, k[0], base) for k, record in rows],
        "after_url": link(request, path, carried | {"cursor": after_cursor}),
        "after_cursor": after_cursor,
        "before_url": link(request, path, carried | {"cursor": before_cursor}) if before_cursor else None,
        "before_cursor": before_cursor,
        "end_of_stream": end_of_stream,
    } | _sideloads(context, request, kind_name, [record for _, record in rows])


def time_export(context: ZendeskContext, kind_name: str, request: Request) -> dict[str, Any]:
    """One page of a time-based export; a full page is extended to the end of its last second."""
    window = _window(context, request)
    start = _start_time(context, request)
    later = (
        (k, r) for k, r in context.store[kind_name].changes_from(None, start, window.cutoff) if _included(kind_name, r, window)
    )
    rows, more = _whole_seconds(later, window.per_page, start, lambda row: row[0][0])
    end_time = rows[-1][0][0] if rows else start
    base = base_url(request)
    carried = {name: request.query_params.get(name) for name in ("per_page", "exclude_deleted", "include")}
    return {
        kind_name: [_exported(context, kind_name, record, key[0], base) for key, record in rows],
        "next_page": link(request, request.url.path, carried | {"start_time": end_time}),
        "count": len(rows),
        "end_time": end_time,
        "end_of_stream": not more,
    } | _sideloads(context, request, kind_name, [record for _, record in rows])


def _event_json(second: int, audit: Record, include_comments: bool) -> Record:
    channel = (audit.get("via") or {}).get("channel") or "api"
    via = VIA_LABELS.get(channel, str(channel).title())
    children: list[Record] = []
    for event in audit["events"]:
        common = {"via": via, "via_reference_id": None, "event_type": event["type"]}
        if event["type"] == "Comment":
            if include_comments:
                children.append({**event, **common, "created_at": audit["created_at"]})
            continue
        child = {"id": event["id"], event["field_name"]: event["value"], **common}
        if "previous_value" in event:
            child["previous_value"] = event["previous_value"]
        children.append(child)
    return {
        "id": audit["id"],
        "ticket_id": audit["ticket_id"],
        "timestamp": second,
        "created_at": audit["created_at"],
        "updater_id": audit["author_id"],
        "via": via,
        "system": {},
        "metadata": audit.get("metadata") or {},
        "event_type": "Audit",
        "child_events": children,
        "merged_ticket_ids": [],
    }


def ticket_events_export(context: ZendeskContext, request: Request) -> dict[str, Any]:
    """`/incremental/ticket_events.json`; comments only with `include=comment_events`."""
    window = _window(context, request)
    start = _start_time(context, request)
    include_comments = "comment_events" in request.query_params.get("include", "").split(",")
    audits = context.store.audits.since(start, window.cutoff)
    rows, more = _whole_seconds(audits, window.per_page, start, lambda row: row[0])
    end_time = rows[-1][0] if rows else start
    carried = {name: request.query_params.get(name) for name in ("per_page", "include")}
    return {
        "ticket_events": [_event_json(second, audit, include_comments) for second, audit in rows],
        "next_page": link(request, request.url.path, carried | {"start_time": end_time}),
        "count": len(rows),
        "end_time": end_time,
        "end_of_stream": not more,
    }


def incremental_routes(context: ZendeskContext) -> list[Route]:
    """The export endpoints; each answer carries the exports' own rate-limit header."""

    def handler(build: Any, *args: str) -> Any:
        async def export(request: Request) -> Response:
            headers = context.faults.incremental_headers()  # counted first: refused requests use the budget too
            return JSONResponse(build(context, *args, request), headers=headers)

        export.__name__ = f"export_{'_'.join(args) or 'events'}"
        return export

    return [
        api_route(context, "GET", "/incremental/tickets/cursor.json", handler(cursor_export, "tickets")),
        api_route(context, "GET", "/incremental/users/cursor.json", handler(cursor_export, "users")),
        api_route(context, "GET", "/incremental/tickets.json", handler(time_export, "tickets")),
        api_route(context, "GET", "/incremental/users.json", handler(time_export, "users")),
        api_route(context, "GET", "/incremental/organizations.json", handler(time_export, "organizations")),
        api_route(context, "GET", "/incremental/ticket_events.json", handler(ticket_events_export)),
    ]
