"""Paginators: how each kind of Zendesk endpoint is followed, and what state a page leaves behind.

A paginator asks for the next request (`request()`), takes a page's body
(`take(body)` -> the new records), and says whether more follow (`done`)
and what state covers every record taken so far (`state`). It never talks
to the network, so each rule here is testable with a hand-written body.

Zendesk stamps are second-resolution `YYYY-MM-DDTHH:MM:SSZ` strings in UTC,
so comparing them as strings orders them in time.
"""

from __future__ import annotations

import calendar
import time
from collections.abc import Iterable, Mapping
from typing import Any, Protocol

from connectors.common import PageTokens
from connectors.zendesk.endpoints import Endpoint, Json, Paging


def zendesk_stamp(epoch_seconds: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch_seconds))


def epoch_of(stamp: str) -> int:
    return calendar.timegm(time.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ"))


class Paginator(Protocol):
    done: bool

    def request(self) -> tuple[str | None, dict[str, Any] | None]:
        """(absolute URL to follow, or None for the endpoint's path; query parameters)."""
        ...

    def take(self, body: Json) -> list[Json]: ...

    @property
    def state(self) -> Json: ...


def _records(endpoint: Endpoint, body: Json) -> list[Json]:
    items = body.get(endpoint.records_key) or []
    return list(endpoint.explode(items)) if endpoint.explode else items


class CursorExportPages:
    """`/incremental/{users|tickets}/cursor.json`: `start_time` once, then `cursor=after_cursor` until `end_of_stream`.

    State `{"cursor": after_cursor}`: a rerun resumes right after the last
    item read, so with no change it reads nothing.
    """

    def __init__(self, endpoint: Endpoint, state: Mapping[str, Any], start_time: int) -> None:
        self.endpoint, self.start_time = endpoint, start_time
        self.cursor: str | None = state.get("cursor")
        self.done = False
        self._tokens = PageTokens()

    def request(self) -> tuple[str | None, dict[str, Any]]:
        position = {"cursor": self.cursor} if self.cursor else {"start_time": self.start_time}
        return None, {**position, "per_page": self.endpoint.page_size, **self.endpoint.params}

    def take(self, body: Json) -> list[Json]:
        records = _records(self.endpoint, body)
        after = body.get("after_cursor")
        self.done = bool(body.get("end_of_stream")) or not after
        if after:
            if not self.done:
                self._tokens.follow(after)  # a cursor handed out twice would read the same page for ever
            self.cursor = after
        return records

    @property
    def state(self) -> Json:
        return {"cursor": self.cursor} if self.cursor else {}


class TimeExportPages:
    """Time-based exports: each page starts at the `end_time` of the one before, so its last second comes again.

    Items of that second were taken already; their ids are kept (in the state
    too) and skipped when they come back at the same stamp. The export hides
    the last minute, so a second at or before `end_time` never gains items
    later: skipping by id is exact. State `{"start_time", "boundary_ids"}`.
    """

    def __init__(self, endpoint: Endpoint, state: Mapping[str, Any], start_time: int) -> None:
        self.endpoint = endpoint
        self.start_time = int(state.get("start_time", start_time))
        self.boundary_ids: set[Any] = set(state.get("boundary_ids") or ())
        self.done = False
        self._tokens = PageTokens()

    def request(self) -> tuple[str | None, dict[str, Any]]:
        return None, {"start_time": self.start_time, "per_page": self.endpoint.page_size, **self.endpoint.params}

    def take(self, body: Json) -> list[Json]:
        key, cursor = self.endpoint.primary_key, self.endpoint.cursor_field
        start_stamp = zendesk_stamp(self.start_time)
        records = [
            record
            for record in _records(self.endpoint, body)
            if not (record.get(cursor) == start_stamp and record.get(key) in self.boundary_ids)
        ]
        end_time = int(body.get("end_time") or self.start_time)
        end_stamp = zendesk_stamp(end_time)
        at_end = {record.get(key) for record in records if record.get(cursor) == end_stamp}
        self.boundary_ids = (self.boundary_ids | at_end) if end_time == self.start_time else at_end
        self.start_time = end_time
        self.done = bool(body.get("end_of_stream")) or not body.get(self.endpoint.records_key)
        if not self.done:
            # The same start with no new boundary item would return the same page again.
            self._tokens.follow(f"{end_time}:{len(self.boundary_ids)}")
        return records

    @property
    def state(self) -> Json:
        return {"start_time": self.start_time, "boundary_ids": sorted(self.boundary_ids, key=str)}


class CursorListPages:
    """Cursor-paged lists (`page[size]`, `links.next`, `meta.has_more`), ordered by id, not by change.

    The whole list is walked; records whose `updated_at` is not past the saved
    cursor are dropped (at the cursor's own stamp, those already read are
    kept in `boundary_ids`). Since ids, not changes, order the pages, the
    cursor moves only once the walk is complete.
    """

    def __init__(self, endpoint: Endpoint, state: Mapping[str, Any], start_time: int) -> None:
        self.endpoint = endpoint
        self.since: str | None = state.get(endpoint.cursor_field)
        self.boundary_ids: set[Any] = set(state.get("boundary_ids") or ())
        if self.since is None and start_time > 0:
            self.since = zendesk_stamp(start_time - 1)  # `start_date` is inclusive
        self.newest, self.newest_ids = self.since, set(self.boundary_ids)
        self.next_url: str | None = None
        self.done = False
        self._tokens = PageTokens()

    def request(self) -> tuple[str | None, dict[str, Any] | None]:
        if self.next_url:
            return self.next_url, None
        params: dict[str, Any] = {"page[size]": self.endpoint.page_size, **self.endpoint.params}
        if self.endpoint.start_param and self.since:
            params[self.endpoint.start_param] = epoch_of(self.since)
        return None, params

    def take(self, body: Json) -> list[Json]:
        records = [record for record in _records(self.endpoint, body) if self._is_new(record)]
        self._note_newest(records)
        meta, links = body.get("meta") or {}, body.get("links") or {}
        self.next_url = links.get("next") if meta.get("has_more") else None
        self.done = not self.next_url or not self._tokens.follow(meta.get("after_cursor") or self.next_url)
        return records

    def _is_new(self, record: Json) -> bool:
        if self.since is None:
            return True
        stamp = record.get(self.endpoint.cursor_field)
        if stamp is None:
            return False
        return stamp > self.since or (stamp == self.since and record.get(self.endpoint.primary_key) not in self.boundary_ids)

    def _note_newest(self, records: Iterable[Json]) -> None:
        cursor, key = self.endpoint.cursor_field, self.endpoint.primary_key
        for record in records:
            stamp = record.get(cursor)
            if stamp is None:
                continue
            if self.newest is None or stamp > self.newest:
                self.newest, self.newest_ids = stamp, {record.get(key)}
            elif stamp == self.newest:
                self.newest_ids.add(record.get(key))

    @property
    def state(self) -> Json:
        if not self.done:
            return {self.endpoint.cursor_field: self.since, "boundary_ids": sorted(self.boundary_ids, key=str)} if self.since else {}
        return {self.endpoint.cursor_field: self.newest, "boundary_ids": sorted(self.newest_ids, key=str)} if self.newest else {}


PAGINATORS = {Paging.CURSOR_EXPORT: CursorExportPages, Paging.TIME_EXPORT: TimeExportPages, Paging.CURSOR_LIST: CursorListPages}


def paginator(endpoint: Endpoint, state: Mapping[str, Any], start_time: int) -> Paginator:
    """The paginator of `endpoint`, resuming from `state` (empty: from `start_time`)."""
    return PAGINATORS[endpoint.paging](endpoint, state, start_time)  # type: ignore[no-any-return]
