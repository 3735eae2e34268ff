"""Applies planned changes to Salesforce in sObject Collections calls, one result per change.

Updates: per batch of 200, one SOQL query re-reads the fields the planner
expected; a target whose values moved on is answered CONFLICT and left
alone, the rest go out in one `PATCH /composite/sobjects` (allOrNone false).
Creates: the idempotency key is stored in an External ID field
(`idempotency_field`); per batch, existing keys are looked up first and only
the missing records are sent in one `POST /composite/sobjects`. A create is
never blindly re-sent: after a failed call the keys are looked up again.
"""

from __future__ import annotations

import re
import time
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

from connectors.common import (
    Change,
    Classification,
    ConnectorError,
    RecordCreate,
    RecordUpdate,
    WriteOutcome,
    WriteResult,
)
from connectors.salesforce.client import Json, SalesforceClient
from connectors.salesforce.endpoints import WRITE_BATCH_SIZE
from connectors.salesforce.errors import TRANSIENT_CODES, first_error
from connectors.salesforce.spec import parse_config

_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
_ID = re.compile(r"^[A-Za-z0-9]{15}(?:[A-Za-z0-9]{3})?$")
_MAX_IN_CHARS = 8000  # an `IN (...)` list this long keeps the query's GET URL far from Salesforce's 16 KB
Indexed = tuple[int, Any]


class Writer:
    """Writes planned updates and creates to one Salesforce org."""

    def __init__(self, config: Mapping[str, Any], *, sleep: Callable[[float], None] = time.sleep) -> None:
        self.config = parse_config(config)
        self.client = SalesforceClient(self.config)
        self._sleep = sleep

    def apply(self, changes: Sequence[Change]) -> list[WriteResult]:
        """Apply `changes` in batches; the answer lists one result per change, in the same order."""
        self._results: list[WriteResult | None] = [None] * len(changes)
        creates: dict[str, list[Indexed]] = defaultdict(list)
        updates: dict[str, list[Indexed]] = defaultdict(list)
        for index, change in enumerate(changes):
            problem = _invalid(change)
            if problem:
                self._settle([(index, change)], WriteOutcome.FAILED, message=problem)
            else:
                (creates if isinstance(change, RecordCreate) else updates)[change.object].append((index, change))
        for sobject, items in creates.items():
            for batch in _batches(items):
                self._create(sobject, batch)
        for sobject, items in updates.items():
            for batch in _batches(items):
                self._update(sobject, batch)
        assert all(result is not None for result in self._results)
        return list(self._results)  # type: ignore[arg-type]

    # -- updates ---------------------------------------------------------------------------------

    def _update(self, sobject: str, batch: list[Indexed]) -> None:
        fields = sorted({name for _, change in batch for name in change.expected}, key=str.lower)
        try:
            current = self._current(sobject, [change.record_id for _, change in batch], fields) if fields else None
        except ConnectorError as error:
            self._settle(batch, WriteOutcome.FAILED, message=error.user_message)
            return
        ready: list[Indexed] = []
        for index, change in batch:
            record = current.get(change.record_id[:15]) if current is not None else {}
            if record is None:
                missing = f"{sobject} {change.record_id} was not found (deleted?)."
                self._settle([(index, change)], WriteOutcome.FAILED, message=missing)
                continue
            now = {name: record.get(name.lower()) for name in change.expected}
            # A field that already holds the new value is no conflict (a rerun after a write whose answer was lost).
            moved = {name: value for name, value in now.items() if not _same(value, change.expected[name]) and not _wanted(change, name, value)}
            if moved:
                detail = ", ".join(f"{name} is now {value!r}, not {change.expected[name]!r}" for name, value in moved.items())
                conflict = f"changed since it was read: {detail}"
                self._settle([(index, change)], WriteOutcome.CONFLICT, change.record_id, conflict)
            else:
                ready.append((index, change))
        self._send("PATCH", ready, lambda change: {"attributes": {"type": sobject}, "id": change.record_id, **change.fields})

    def _current(self, sobject: str, record_ids: list[str], fields: list[str]) -> dict[str, Json]:
        """Live records by 15-char id, with the expected fields under lower-case names."""
        found: dict[str, Json] = {}
        for group in _in_lists(record_ids):
            columns = ", ".join(["Id", *(name for name in fields if name.lower() != "id")])
            for record in self._query(f"SELECT {columns} FROM {sobject} WHERE Id IN ({group})"):
                found[record["Id"][:15]] = {name.lower(): value for name, value in record.items()}
        return found

    def _send(self, method: str, items: list[Indexed], payload: Callable[[Any], Json]) -> None:
        """Write `items`, retrying records refused for transient reasons (a locked row) a few times."""
        pending, attempt = items, 0
        while pending:
            try:
                answers = self.client.write_collection(method, [payload(change) for _, change in pending], retry=True)
            except ConnectorError as error:
                self._settle(pending, WriteOutcome.FAILED, message=error.user_message)
                return
            again = []
            for (index, change), answer in zip(pending, answers, strict=True):
                code, message = first_error(answer.get("errors"))
                if answer.get("success"):
                    self._settle([(index, change)], WriteOutcome.APPLIED, answer.get("id") or change.record_id)
                elif code in TRANSIENT_CODES and attempt < self.config.max_retries:
                    again.append((index, change))
                else:
                    self._settle([(index, change)], WriteOutcome.FAILED, message=f"{code}: {message}" if code else message)
            pending, attempt = again, attempt + 1
            if pending:
                self._backoff(attempt)

    # -- creates ---------------------------------------------------------------------------------

    def _create(self, sobject: str, batch: list[Indexed]) -> None:
        field = self.config.idempotency_field
        pending: dict[str, list[Indexed]] = defaultdict(list)
        for index, change in batch:
            pending[change.idempotency_key].append((index, change))  # one key twice in a call: created once
        attempt = 0
        while pending:
            try:
                quoted = [_quote(key) for key in pending]
                for group in _in_lists(quoted, quoted=True):
                    for record in self._query(f"SELECT Id, {field} FROM {sobject} WHERE {field} IN ({group})"):
                        key = next(value for name, value in record.items() if name.lower() == field.lower())
                        members = pending.pop(key, None)
                        if members:
                            self._settle(members, WriteOutcome.APPLIED, record["Id"], existed=True)
                if not pending:
                    return
                keys = list(pending)
                records = [{"attributes": {"type": sobject}, **pending[key][0][1].fields, field: key} for key in keys]
                # Not retried as is: a create that failed in flight may have happened; the loop looks again first.
                answers = self.client.write_collection("POST", records, retry=False)
            except ConnectorError as error:
                if error.classification is not Classification.RETRIABLE or attempt >= self.config.max_retries:
                    left = [item for members in pending.values() for item in members]
                    self._settle(left, WriteOutcome.FAILED, message=error.user_message)
                    return
                attempt += 1
                self._backoff(attempt)
                continue
            for key, answer in zip(keys, answers, strict=True):
                code, message = first_error(answer.get("errors"))
                if answer.get("success"):
                    self._settle(pending.pop(key), WriteOutcome.APPLIED, answer.get("id"))
                elif code not in TRANSIENT_CODES or attempt >= self.config.max_retries:
                    self._settle(pending.pop(key), WriteOutcome.FAILED, message=f"{code}: {message}" if code else message)
            if pending:
                attempt += 1
                self._backoff(attempt)

    # -- helpers ---------------------------------------------------------------------------------

    def _query(self, soql: str) -> Iterator[Json]:
        page = self.client.query(soql, include_deleted=False)
        while True:
            yield from page["records"]
            if page.get("done", True):
                return
            page = self.client.query_more(page["nextRecordsUrl"])

    def _settle(
        self, members: Sequence[Indexed], outcome: WriteOutcome, record_id: str | None = None, message: str | None = None,
        *, existed: bool = False,
    ) -> None:
        """Record the result of a change; further changes with the same idempotency key find the first one."""
        for position, (index, change) in enumerate(members):
            later = position > 0 and outcome is WriteOutcome.APPLIED
            self._results[index] = WriteResult(change, outcome, record_id, message, existed=existed or later)

    def _backoff(self, attempt: int) -> None:
        self._sleep(min(self.config.retry_base_delay * 2 ** (attempt - 1), self.config.retry_max_delay))


def _invalid(change: Change) -> str | None:
    """Why a change cannot be sent at all (names that are not Salesforce API names would break the SOQL)."""
    names = [change.object, *change.fields]
    if isinstance(change, RecordUpdate):
        names += list(change.expected)
        if not _ID.match(change.record_id):
            return f"{change.record_id!r} is not a Salesforce record id."
    elif not change.idempotency_key:
        return "A create needs an idempotency key."
    bad = [name for name in names if not _NAME.match(str(name))]
    return f"Not Salesforce API names: {', '.join(map(repr, bad))}." if bad else None


def _wanted(change: RecordUpdate, name: str, current: Any) -> bool:
    return name in change.fields and _same(current, change.fields[name])


def _same(current: Any, expected: Any) -> bool:
    """Whether a field still holds what the planner saw (null and empty text alike; 15- and 18-char ids alike)."""
    if current in (None, "") and expected in (None, ""):
        return True
    if _is_number(current) and _is_number(expected):
        return float(current) == float(expected)
    if isinstance(current, str) and isinstance(expected, str) and {len(current), len(expected)} == {15, 18}:
        return bool(_ID.match(current) and _ID.match(expected)) and current[:15] == expected[:15]
    return bool(current == expected)


def _batches(items: list[Indexed], size: int = WRITE_BATCH_SIZE) -> Iterator[list[Indexed]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _quote(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _in_lists(values: Sequence[str], *, quoted: bool = False) -> Iterator[str]:
    """Comma-joined groups of `values` (quoted ids unless already quoted), each short enough for one GET."""
    items = list(values) if quoted else [f"'{value}'" for value in values]
    group: list[str] = []
    length = 0
    for item in items:
        if group and length + len(item) > _MAX_IN_CHARS:
            yield ", ".join(group)
            group, length = [], 0
        group.append(item)
        length += len(item) + 2
    if group:
        yield ", ".join(group)
