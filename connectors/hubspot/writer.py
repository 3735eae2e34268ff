"""The HubSpot write side: planned updates and creates applied in batch calls, one result per change.

Updates are compare-before-set: the targets are re-read in one batch call
and a change whose `expected` values no longer hold is answered CONFLICT and
not written (HubSpot has no conditional update, so a write landing in the
instant between that read and the update is the one gap left). Creates are
idempotent: the idempotency key is stored in a custom property with unique
values, so an earlier create is found by key (`existed=True`) and a second
create of the same key is refused by HubSpot itself.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

from connectors.common import Change, Classification, ConnectorError, RecordCreate, RecordUpdate, Verdict, WriteOutcome, WriteResult
from connectors.hubspot.client import HubSpotClient, Json
from connectors.hubspot.cursor import to_ms
from connectors.hubspot.endpoints import BATCH_SIZE, CRM_BY_NAME, DEFAULT_ASSOCIATION_TYPES
from connectors.hubspot.spec import parse_config

MERGED_IDS = "hs_merged_object_ids"


class Writer:
    """Applies changes to one HubSpot portal; `config` is the same mapping the source takes."""

    def __init__(self, config: Mapping[str, Any]) -> None:
        self.settings = parse_config(config)
        self.client = HubSpotClient(self.settings)
        self.key_property = self.settings.idempotency_property
        self._key_ready: set[str] = set()  # object types whose idempotency property is known to exist
        self._key_not_unique: set[str] = set()  # ...and those where it exists without unique values (found by search)

    def apply(self, changes: Sequence[Change]) -> list[WriteResult]:
        """Write `changes` in ⌈n / 100⌉ calls per object type and kind; results in the order of `changes`."""
        results: dict[int, WriteResult] = {}
        groups: dict[tuple[str, str], list[tuple[int, Change]]] = defaultdict(list)
        for index, change in enumerate(changes):
            groups[(type(change).__name__, change.object)].append((index, change))
        for (kind, object_type), items in groups.items():
            for start in range(0, len(items), BATCH_SIZE):
                chunk = items[start : start + BATCH_SIZE]
                if kind == RecordUpdate.__name__:
                    results.update(self._update(object_type, chunk))  # type: ignore[arg-type]
                else:
                    results.update(self._create(object_type, chunk))  # type: ignore[arg-type]
        return [results[index] for index in range(len(changes))]

    # -- updates ---------------------------------------------------------------------------------------------

    def _update(self, object_type: str, chunk: list[tuple[int, RecordUpdate]]) -> dict[int, WriteResult]:
        results: dict[int, WriteResult] = {}
        ready = chunk
        if any(change.expected for _, change in chunk):
            try:
                current = self._current(object_type, chunk)
            except ConnectorError as error:
                return {index: _failed(change, error.user_message) for index, change in chunk}
            ready = []
            for index, change in chunk:
                verdict = _compare(change, current.get(change.record_id))
                if verdict is None:
                    ready.append((index, change))
                else:
                    results[index] = verdict
        if ready:
            results.update(self._send_updates(object_type, ready))
        return results

    def _current(self, object_type: str, chunk: list[tuple[int, RecordUpdate]]) -> dict[str, Json]:
        """The targets as they are now, keyed by the id asked for (a merged-away id maps to its survivor)."""
        names = sorted({name for _, change in chunk for name in change.expected if name != "updatedAt"} | {MERGED_IDS})
        answer = self.client.batch_read(object_type, [change.record_id for _, change in chunk], names)
        current: dict[str, Json] = {}
        for record in answer.get("results", []):
            current[record["id"]] = record
            for old_id in str(record["properties"].get(MERGED_IDS) or "").split(";"):
                if old_id:
                    current.setdefault(old_id, record)
        return current

    def _send_updates(self, object_type: str, ready: list[tuple[int, RecordUpdate]]) -> dict[int, WriteResult]:
        inputs = [{"id": change.record_id, "properties": _wire(change.fields)} for _, change in ready]
        try:
            answer = self.client.batch_update(object_type, inputs)
        except ConnectorError as error:
            if len(ready) > 1 and error.classification is Classification.FATAL:
                # HubSpot refuses a whole batch for one bad input: send them one by one to learn which.
                return {index: result for item in ready for index, result in self._send_updates(object_type, [item]).items()}
            return {index: _failed(change, error.user_message) for index, change in ready}
        refused = _refused_ids(answer)
        return {
            index: _failed(change, refused[change.record_id]) if change.record_id in refused else WriteResult(change, WriteOutcome.APPLIED, change.record_id)
            for index, change in ready
        }

    # -- creates ---------------------------------------------------------------------------------------------

    def _create(self, object_type: str, chunk: list[tuple[int, RecordCreate]]) -> dict[int, WriteResult]:
        try:
            self._ensure_key_property(object_type)
            existing = self._find_by_keys(object_type, [change.idempotency_key for _, change in chunk])
        except ConnectorError as error:
            return {index: _failed(change, error.user_message) for index, change in chunk}
        results: dict[int, WriteResult] = {}
        pending: dict[str, list[tuple[int, RecordCreate]]] = defaultdict(list)  # one create per key, even if asked twice
        for index, change in chunk:
            if change.idempotency_key in existing:
                results[index] = WriteResult(change, WriteOutcome.APPLIED, existing[change.idempotency_key], existed=True)
            else:
                pending[change.idempotency_key].append((index, change))
        if pending:
            firsts = [items[0] for items in pending.values()]
            results.update(self._send_creates(object_type, firsts))
            for items in pending.values():
                first = results[items[0][0]]
                for index, change in items[1:]:
                    results[index] = WriteResult(change, first.outcome, first.record_id, first.message, existed=first.outcome is WriteOutcome.APPLIED)
        return results

    def _send_creates(self, object_type: str, items: list[tuple[int, RecordCreate]], retry_lookup: bool = True) -> dict[int, WriteResult]:
        inputs, unfit = [], {}
        for index, change in items:
            try:
                inputs.append(self._create_input(object_type, change))
            except ConnectorError as error:
                unfit[index] = _failed(change, error.user_message)
        items = [(index, change) for index, change in items if index not in unfit]
        if not items:
            return unfit
        try:
            answer = self.client.batch_create(object_type, inputs)
        except ConnectorError as error:
            if error.classification is not Classification.FATAL:
                return unfit | {index: _failed(change, error.user_message) for index, change in items}
            if retry_lookup:
                # A refused batch may mean some keys exist after all (a retried call whose first answer was lost,
                # or another writer): take those, then try the rest.
                found = self._find_by_keys(object_type, [change.idempotency_key for _, change in items])
                results = {index: WriteResult(change, WriteOutcome.APPLIED, found[change.idempotency_key], existed=True) for index, change in items if change.idempotency_key in found}
                rest = [(index, change) for index, change in items if index not in results]
                return unfit | results | (self._send_creates(object_type, rest, retry_lookup=False) if rest else {})
            if len(items) > 1:
                return unfit | {index: result for item in items for index, result in self._send_creates(object_type, [item], False).items()}
            return unfit | {index: _failed(change, error.user_message) for index, change in items}
        created = {str(record["properties"].get(self.key_property)): record["id"] for record in answer.get("results", [])}
        return unfit | {
            index: WriteResult(change, WriteOutcome.APPLIED, created[change.idempotency_key]) if change.idempotency_key in created else _failed(change, "HubSpot did not confirm the create")
            for index, change in items
        }

    def _create_input(self, object_type: str, change: RecordCreate) -> Json:
        fields = dict(change.fields)
        links = fields.pop("associations", None) or {}
        body: Json = {"properties": {**_wire(fields), self.key_property: change.idempotency_key}}
        if links:
            body["associations"] = [_association(object_type, to_type, to_id) for to_type, ids in links.items() for to_id in ([ids] if isinstance(ids, str) else ids)]
        return body

    def _ensure_key_property(self, object_type: str) -> None:
        """Create the idempotency property (unique values) on first use, if the portal lacks it."""
        if object_type in self._key_ready:
            return
        existing = {definition["name"]: definition for definition in self.client.properties(object_type)}
        definition = existing.get(self.key_property)
        if definition is None and object_type in CRM_BY_NAME:
            self.client.create_property(object_type, {
                "name": self.key_property, "label": "loophub idempotency key", "type": "string", "fieldType": "text",
                "groupName": CRM_BY_NAME[object_type].property_group, "hasUniqueValue": True,
                "description": "Set by loophub on records it creates, so a retried create finds the first one.",
            })  # fmt: skip
        elif definition is not None and not definition.get("hasUniqueValue"):
            self._key_not_unique.add(object_type)
        self._key_ready.add(object_type)

    def _find_by_keys(self, object_type: str, keys: list[str]) -> dict[str, str]:
        """Records already holding these idempotency keys: key -> id."""
        if object_type in self._key_not_unique:
            body = {"filterGroups": [{"filters": [{"propertyName": self.key_property, "operator": "IN", "values": keys}]}], "properties": [self.key_property], "limit": 200}
            answer = self.client.search(object_type, body)
        else:
            answer = self.client.batch_read(object_type, keys, [self.key_property], id_property=self.key_property)
        return {str(record["properties"].get(self.key_property)): record["id"] for record in answer.get("results", [])}


def _compare(change: RecordUpdate, record: Json | None) -> WriteResult | None:
    """None when the target still holds every expected value; otherwise why it must not be written."""
    if record is None:
        return _failed(change, f"{change.object} {change.record_id} no longer exists in HubSpot (deleted or archived)")
    if record["id"] != change.record_id:
        return WriteResult(change, WriteOutcome.CONFLICT, record["id"], f"{change.object} {change.record_id} was merged into {record['id']}")
    current = {name: record.get("updatedAt") if name == "updatedAt" else record["properties"].get(name) for name in change.expected}
    # A field that already holds the new value is no conflict (a rerun after a write whose answer was lost).
    changed = [
        name for name, value in change.expected.items()
        if not _same(value, current[name]) and not (name in change.fields and _same(change.fields[name], current[name]))
    ]  # fmt: skip
    if changed:
        return WriteResult(change, WriteOutcome.CONFLICT, change.record_id, f"changed in HubSpot since planned: {', '.join(sorted(changed))}")
    return None


def _same(expected: Any, current: Any) -> bool:
    """Equal as HubSpot means it: values are strings, so compare numbers as numbers and instants as instants."""
    left, right = _text(expected), _text(current)
    if left == right:
        return True
    if not left or not right:
        return False
    try:
        return float(left) == float(right)
    except ValueError:
        pass
    left_ms, right_ms = to_ms(left), to_ms(right)
    return left_ms is not None and left_ms == right_ms


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return str(to_ms(value.isoformat()))
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list | tuple | set):  # multi-select values travel as `a;b`
        return ";".join(_text(item) for item in value)
    return str(value)


def _wire(fields: Mapping[str, Any]) -> dict[str, Any]:
    # HubSpot takes strings (an empty one clears a property); instants as epoch milliseconds.
    return {name: _text(value) for name, value in fields.items()}


def _association(object_type: str, to_type: str, to_id: Any) -> Json:
    type_id = DEFAULT_ASSOCIATION_TYPES.get((object_type, to_type))
    if type_id is None:
        raise ConnectorError(Verdict(Classification.FATAL, f"HubSpot has no default association from {object_type} to {to_type}"))
    return {"to": {"id": str(to_id)}, "types": [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": type_id}]}


def _refused_ids(answer: Json) -> dict[str, str]:
    """Ids a 207 batch answer lists under `errors`, with HubSpot's message."""
    refused: dict[str, str] = {}
    for error in answer.get("errors", []) or []:
        for object_id in (error.get("context") or {}).get("ids", []) or []:
            refused[str(object_id)] = str(error.get("message") or "refused by HubSpot")
    return refused


def _failed(change: Change, message: str) -> WriteResult:
    return WriteResult(change, WriteOutcome.FAILED, getattr(change, "record_id", None), message)
