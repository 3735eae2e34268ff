"""Reading one sObject from its saved position, in chunks that each end with the state covering them.

A read asks first how many rows changed since the position (`SELECT COUNT()`
over queryAll: one cheap call, and zero means nothing else is asked). Up to
`bulk_threshold` rows come through REST queryAll pages, more through one Bulk
API 2.0 queryAll job. Both order by (SystemModstamp, Id) and continue after
the last (SystemModstamp, Id) read, so records that share a timestamp are
neither skipped nor read twice. REST rows and Bulk CSV rows are brought to
one shape (REST's), so the same record hashes the same either way.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import islice
from datetime import datetime
from typing import Any

from connectors.common import DELETED_AT_FIELD, Classification, ConnectorError, PageTokens, Verdict
from connectors.common.streams import Chunk
from connectors.salesforce.client import Json, SalesforceClient
from connectors.salesforce.endpoints import CHECKPOINT_EVERY, UNSELECTABLE_TYPES, SObjectEndpoint

_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?(Z|[+-]\d{2}:?\d{2})$")
_ID = re.compile(r"^[A-Za-z0-9]{15}(?:[A-Za-z0-9]{3})?$")
FLOAT_TYPES = frozenset({"double", "currency", "percent"})


@dataclass(frozen=True, slots=True)
class Position:
    """The last (cursor value, Id) read; the next read starts strictly after it."""

    cursor_value: str | None = None
    record_id: str | None = None

    @classmethod
    def from_state(cls, state: dict[str, Any] | None, cursor_field: str) -> Position:
        value, record_id = (state or {}).get(cursor_field), (state or {}).get("Id")
        if value is not None and not _DATETIME.match(str(value)) or record_id is not None and not _ID.match(str(record_id)):
            message = f"The saved state of this stream is not valid ({cursor_field}, Id): reset the stream to read it again."
            raise ConnectorError(Verdict(Classification.CONFIGURATION, message), internal=repr(state))
        return cls(None if value is None else str(value), None if record_id is None else str(record_id))

    def where(self, cursor_field: str, start: datetime | None) -> str:
        """The SOQL WHERE clause (with its leading space) selecting what comes after this position."""
        if self.cursor_value is None:
            return "" if start is None else f" WHERE {cursor_field} >= {start.strftime('%Y-%m-%dT%H:%M:%S.%f')[:-3]}Z"
        moment = soql_datetime(self.cursor_value)
        if self.record_id is None:
            return f" WHERE {cursor_field} > {moment}"
        return f" WHERE {cursor_field} > {moment} OR ({cursor_field} = {moment} AND Id > '{self.record_id}')"


def soql_datetime(value: str) -> str:
    """A REST datetime (`...000+0000`) as a SOQL literal (`...000Z`); SOQL wants `Z` or `+hh:mm`."""
    return value[:-5] + "Z" if value.endswith("+0000") else value


class RecordShape:
    """The columns read for an object (its describe, minus what cannot be selected) and one record form.

    REST rows are kept as parsed, minus `attributes`. Bulk CSV cells are
    converted to what REST would have said: empty cell = null, `true`/`false`
    booleans, numbers by describe type, datetimes with `+0000` instead of `Z`.
    """

    def __init__(self, describe: Json, cursor_field: str) -> None:
        fields = [field for field in describe["fields"] if field["type"] not in UNSELECTABLE_TYPES]
        self.types: dict[str, str] = {field["name"]: field["type"] for field in fields}
        self.names = list(self.types)
        self.cursor_field = cursor_field
        self._floats = [name for name, kind in self.types.items() if kind in FLOAT_TYPES]
        self._csv_converters = {name: converter for name, kind in self.types.items() if (converter := _csv_converter(kind))}

    def from_rest(self, rows: list[Json]) -> list[Json]:
        floats, cursor = self._floats, self.cursor_field
        for row in rows:
            del row["attributes"]
            for name in floats:  # JSON may write a whole double without a point; CSV's float() never does
                if row.get(name).__class__ is int:
                    row[name] = float(row[name])
            if row.get("IsDeleted"):
                row[DELETED_AT_FIELD] = row[cursor]
        return rows

    def from_csv(self, text: str) -> Iterator[Json]:
        """Records of one Bulk results page, parsed as they are consumed (a page holds up to 50,000 rows)."""
        rows = csv.reader(io.StringIO(text))
        header = next(rows, None)
        if header is None:
            return
        typed = [(name, self._csv_converters[name]) for name in header if name in self._csv_converters]
        cursor = self.cursor_field
        for row in rows:
            record = {name: value or None for name, value in zip(header, row)}  # Salesforce has no empty text
            for name, convert in typed:
                value = record[name]
                if value is not None:
                    record[name] = convert(value)
            if record.get("IsDeleted"):
                record[DELETED_AT_FIELD] = record[cursor]
            yield record


def _csv_converter(kind: str) -> Callable[[str], Any] | None:
    if kind == "boolean":
        return lambda value: value == "true"
    if kind in FLOAT_TYPES:
        return float
    if kind == "int":
        return lambda value: int(value) if value.lstrip("-").isdigit() else int(float(value))
    if kind == "datetime":
        return lambda value: value[:-1] + "+0000" if value.endswith("Z") else value
    return None


class ObjectReader:
    """Reads one sObject after a position, through REST or Bulk depending on how much changed."""

    def __init__(
        self, client: SalesforceClient, endpoint: SObjectEndpoint, shape: RecordShape, bulk_threshold: int,
        start: datetime | None,
    ) -> None:
        self.client, self.endpoint, self.shape = client, endpoint, shape
        self.bulk_threshold, self.start = bulk_threshold, start
        self.path = "none"  # how the last read went: none, rest or bulk (for logs and tests)

    def chunks(self, state: dict[str, Any] | None) -> Iterator[Chunk]:
        endpoint, cursor = self.endpoint, self.endpoint.cursor_field
        where = Position.from_state(state, cursor).where(cursor, self.start)
        deletes = endpoint.soft_deletes
        pending = self.client.count(f"SELECT COUNT() FROM {endpoint.name}{where}", include_deleted=deletes)
        if pending == 0:
            return
        soql = f"SELECT {', '.join(self.shape.names)} FROM {endpoint.name}{where} ORDER BY {cursor} ASC, Id ASC"
        self.path = "bulk" if pending > self.bulk_threshold else "rest"
        pages = self._bulk_pages(soql) if self.path == "bulk" else self._rest_pages(soql)
        for records in pages:
            while piece := list(islice(records, CHECKPOINT_EVERY)):
                last = piece[-1]
                yield Chunk(piece, {cursor: last[cursor], endpoint.primary_key: last[endpoint.primary_key]})

    def _rest_pages(self, soql: str) -> Iterator[Iterator[Json]]:
        page, tokens = self.client.query(soql, include_deleted=self.endpoint.soft_deletes), PageTokens()
        while True:
            yield iter(self.shape.from_rest(page["records"]))
            if page.get("done", True) or not tokens.follow(page.get("nextRecordsUrl")):
                return
            page = self.client.query_more(page["nextRecordsUrl"])

    def _bulk_pages(self, soql: str) -> Iterator[Iterator[Json]]:
        job_id = self.client.bulk_query(self.endpoint.name, soql, include_deleted=self.endpoint.soft_deletes)
        locator, tokens = "", PageTokens()
        while True:
            text, locator = self.client.bulk_results(self.endpoint.name, job_id, locator)
            yield self.shape.from_csv(text)
            if not tokens.follow(locator):
                return
