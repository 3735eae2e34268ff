"""`/query` and `/queryAll`: SOQL over REST, paged by stored cursors.

A query that does not fit one page stores its result rows under a locator
(`01g...`) and answers `nextRecordsUrl: /services/data/vXX.X/query/<locator>-<offset>`,
also for queryAll, as Salesforce does. Page size is 2,000 unless the
`Sforce-Query-Options: batchSize=N` header asks for 200..2,000.
"""

from __future__ import annotations

import itertools
import re
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from sandbox.ids import salesforce_id
from sandbox.salesforce.errors import SalesforceError
from sandbox.salesforce.query import json_renderer, plan_soql
from sandbox.salesforce.rest import DATA, store_of
from sandbox.salesforce.values import Record

DEFAULT_BATCH = 2000
_BATCH_OPTION = re.compile(r"batchSize\s*=\s*(\d+)", re.IGNORECASE)


@dataclass
class Cursor:
    rows: list[Record]
    render: Callable[[Record], dict[str, Any]]
    batch_size: int


class QueryCursors:
    """Open query locators; the oldest are dropped past `capacity` (Salesforce expires idle ones too)."""

    def __init__(self, capacity: int = 500) -> None:
        self.capacity = capacity
        self._cursors: OrderedDict[str, Cursor] = OrderedDict()
        self._numbers = itertools.count(1)
        self._lock = threading.Lock()

    def open(self, cursor: Cursor) -> str:
        locator = salesforce_id("01g", next(self._numbers))
        with self._lock:
            self._cursors[locator] = cursor
            while len(self._cursors) > self.capacity:
                self._cursors.popitem(last=False)
        return locator

    def get(self, locator: str) -> Cursor | None:
        with self._lock:
            cursor = self._cursors.get(locator)
            if cursor is not None:
                self._cursors.move_to_end(locator)
            return cursor


def batch_size(request: Request) -> int:
    match = _BATCH_OPTION.search(request.headers.get("Sforce-Query-Options", ""))
    if match is None:
        return DEFAULT_BATCH
    return min(max(int(match.group(1)), 200), 2000)


def page(cursor: Cursor, locator: str | None, start: int, version: str) -> dict[str, Any]:
    end = start + cursor.batch_size
    body: dict[str, Any] = {"totalSize": len(cursor.rows), "done": end >= len(cursor.rows)}
    if not body["done"]:
        body["nextRecordsUrl"] = f"/services/data/{version}/query/{locator}-{end}"
    render = cursor.render
    body["records"] = [render(row) for row in cursor.rows[start:end]]
    return body


def query_routes(cursors: QueryCursors) -> list[Route]:
    def run(include_deleted: bool) -> Callable[[Request], Any]:
        async def endpoint(request: Request) -> Response:
            text = request.query_params.get("q")
            if not text:
                raise SalesforceError.of(400, "MALFORMED_QUERY", "A query string has to be specified")
            store = store_of(request)
            plan = plan_soql(store, text)
            rows = plan.run(store, include_deleted)
            if plan.count_only:
                return JSONResponse({"totalSize": len(rows), "done": True, "records": []})
            version = request.path_params["version"]
            cursor = Cursor(rows, json_renderer(plan.sobject, plan.columns, version), batch_size(request))
            locator = cursors.open(cursor) if len(rows) > cursor.batch_size else None
            return JSONResponse(page(cursor, locator, 0, version))

        return endpoint

    async def more(request: Request) -> Response:
        locator, _, offset = request.path_params["locator"].rpartition("-")
        cursor = cursors.get(locator) if offset.isdigit() else None
        if cursor is None:
            raise SalesforceError.of(400, "INVALID_QUERY_LOCATOR", "invalid query locator")
        return JSONResponse(page(cursor, locator, int(offset), request.path_params["version"]))

    return [
        Route(f"{DATA}/query", run(include_deleted=False), methods=["GET"]),
        Route(f"{DATA}/queryAll", run(include_deleted=True), methods=["GET"]),
        Route(f"{DATA}/query/{{locator}}", more, methods=["GET"]),
        Route(f"{DATA}/queryAll/{{locator}}", more, methods=["GET"]),
    ]
