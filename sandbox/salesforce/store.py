"""The org's records in memory: seeded from the World, written through validation.

Records are plain dicts keyed by canonical field names, indexed by 18-char
id per sObject. A write never mutates a stored dict: it stores a new one, so
a query cursor or Bulk job that holds references keeps the snapshot it
started with. Deletes are soft (`IsDeleted`), visible to queryAll only.
Writes made inside `transaction()` can be undone, which is how allOrNone
rolls back.
"""

from __future__ import annotations

import contextvars
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sandbox.clock import SandboxClock
from sandbox.ids import salesforce_id, salesforce_id_18
from sandbox.salesforce.auth import SessionRegistry
from sandbox.salesforce.catalogue import OPPORTUNITY_STAGES, standard_objects
from sandbox.salesforce.errors import RecordError, WriteFailed
from sandbox.salesforce.faults import ApiUsage
from sandbox.salesforce.schema import ID_TYPES, FieldDef, ObjectDef, Schema
from sandbox.salesforce.validation import validate_write
from sandbox.salesforce.values import Record, seed_value
from sandbox.world import World

_INTEGRATION_USER_ID = salesforce_id("005", 999_999)


@dataclass
class Transaction:
    """The previous versions of every record written inside `SalesforceStore.transaction()`."""

    undo: list[tuple[str, str, Record | None]] = field(default_factory=list)


_TRANSACTION: contextvars.ContextVar[Transaction | None] = contextvars.ContextVar("sf_transaction", default=None)


def normalise_id(record_id: str) -> str:
    """An 18-char id for a 15- or 18-char one (other strings unchanged)."""
    if len(record_id) == 15 and record_id.isalnum():
        return salesforce_id_18(record_id)
    return record_id


class SalesforceStore:
    """One Salesforce org: schema, records, sessions and API usage."""

    def __init__(self, world: World, clock: SandboxClock, schema: Schema | None = None) -> None:
        self.world = world
        self.clock = clock
        self.schema = schema or Schema(standard_objects())
        self.tables: dict[str, dict[str, Record]] = {name: {} for name in self.schema.objects}
        self._lock = threading.RLock()
        self._case_number = 1000  # CaseNumber starts at 00001001, continuing from the highest seeded one
        self._seed(world)
        users = self.tables["User"]
        self.default_user_id = next(iter(users), _INTEGRATION_USER_ID)
        self.sessions = SessionRegistry(default_user_id=self.default_user_id)
        self.usage = ApiUsage(clock)

    # -- reading ---------------------------------------------------------------------------------

    def object(self, name: str) -> ObjectDef | None:
        return self.schema.get(name)

    def get(self, sobject: str, record_id: str) -> Record | None:
        """The stored record (deleted ones included), or None."""
        return self.tables[sobject].get(normalise_id(record_id))

    def records(self, sobject: str) -> Iterator[Record]:
        return iter(list(self.tables[sobject].values()))

    def issue_token(self, user_id: str | None = None) -> str:
        """An access token as the token endpoint would issue it (for tests)."""
        return self.sessions.issue(user_id)

    def user_ids_by_username(self) -> dict[str, str]:
        return {str(u.get("Username", "")).lower(): u["Id"] for u in self.tables["User"].values() if u.get("Username")}

    # -- writing ---------------------------------------------------------------------------------

    def create(self, sobject: str, values: dict[str, Any]) -> Record:
        """Insert a record through the API's validation; raises WriteFailed."""
        definition = self._object(sobject)
        with self._lock:
            changes = validate_write(definition, values, creating=True, exists=self._exists)
            record: Record = {name: None for name in definition.fields if definition.fields[name].type != "address"}
            record.update(changes)
            now = self.clock.now()
            record_id = self.world.ids.salesforce(definition.name)
            record.update(Id=record_id, CreatedDate=now, LastModifiedDate=now, SystemModstamp=now)
            if definition.has_is_deleted:
                record["IsDeleted"] = False
            self._apply_defaults(definition, record)
            self._derive(definition, record, now)
            self._require(definition, record)
            self._put(definition.name, record)
            return record

    def update(self, sobject: str, record_id: str, values: dict[str, Any], *, system_only: bool = False) -> Record:
        """Change a live record; bumps LastModifiedDate and SystemModstamp (only the latter if `system_only`)."""
        definition = self._object(sobject)
        with self._lock:
            current = self._live(definition, record_id)
            changes = validate_write(definition, values, creating=False, exists=self._exists)
            record = {**current, **changes}
            now = self.clock.now()
            record["SystemModstamp"] = now
            if not system_only:
                record["LastModifiedDate"] = now
            self._derive(definition, record, now)
            self._require(definition, record)
            self._put(definition.name, record)
            return record

    def delete(self, sobject: str, record_id: str) -> Record:
        """Soft-delete: the record leaves `query` and stays visible to `queryAll`."""
        definition = self._object(sobject)
        with self._lock:
            current = self._live(definition, record_id)
            if not definition.has_is_deleted:
                raise WriteFailed([RecordError("ENTITY_IS_LOCKED", f"{definition.name} records cannot be deleted.")])
            now = self.clock.now()
            record = {**current, "IsDeleted": True, "LastModifiedDate": now, "SystemModstamp": now}
            self._put(definition.name, record)
            return record

    @contextmanager
    def transaction(self) -> Iterator[Transaction]:
        """Collect undo entries for writes in this context (same task only); call `rollback` to undo."""
        transaction = Transaction()
        token = _TRANSACTION.set(transaction)
        try:
            yield transaction
        finally:
            _TRANSACTION.reset(token)

    def rollback(self, transaction: Transaction) -> None:
        with self._lock:
            for sobject, record_id, previous in reversed(transaction.undo):
                if previous is None:
                    self.tables[sobject].pop(record_id, None)
                else:
                    self.tables[sobject][record_id] = previous
            transaction.undo.clear()

    # -- internals -------------------------------------------------------------------------------

    def _object(self, sobject: str) -> ObjectDef:
        definition = self.schema.get(sobject)
        if definition is None:
            raise WriteFailed([RecordError("INVALID_TYPE", f"sObject type '{sobject}' is not supported.")])
        return definition

    def _live(self, definition: ObjectDef, record_id: str) -> Record:
        current = self.tables[definition.name].get(normalise_id(record_id))
        if current is None:
            raise WriteFailed([RecordError("NOT_FOUND", "The requested resource does not exist")])
        if current.get("IsDeleted"):
            raise WriteFailed([RecordError("ENTITY_IS_DELETED", "entity is deleted")])
        return current

    def _exists(self, sobject: str, record_id: str) -> bool:
        table = self.tables.get(sobject)
        record = table.get(normalise_id(record_id)) if table is not None else None
        return record is not None and not record.get("IsDeleted")

    def _put(self, sobject: str, record: Record) -> None:
        table = self.tables[sobject]
        transaction = _TRANSACTION.get()
        if transaction is not None:
            transaction.undo.append((sobject, record["Id"], table.get(record["Id"])))
        table[record["Id"]] = record

    def _apply_defaults(self, definition: ObjectDef, record: Record) -> None:
        defaults: dict[str, Any] = {
            "OwnerId": self.default_user_id,
            "IsActive": True,
            "UserType": "Standard",
            "IsConverted": False,
            "Status": {"Lead": "Open - Not Contacted", "Case": "New"}.get(definition.name),
            "Priority": "Medium",
        }
        for name, value in defaults.items():
            if name in definition.fields and record.get(name) is None:
                record[name] = value
        if definition.name == "Opportunity" and record.get("Probability") is None:
            record["Probability"] = float(OPPORTUNITY_STAGES.get(record.get("StageName") or "", 0))
        if definition.name == "Case":
            self._case_number += 1
            record["CaseNumber"] = f"{self._case_number:08d}"

    def _derive(self, definition: ObjectDef, record: Record, now: datetime) -> None:
        """Fields Salesforce computes on every write."""
        if definition.derived_name:
            record["Name"] = " ".join(part for part in (record.get("FirstName"), record.get("LastName")) if part)
        if definition.name == "Opportunity":
            stage = record.get("StageName")
            record["IsClosed"] = stage in ("Closed Won", "Closed Lost")
            record["IsWon"] = stage == "Closed Won"
        if definition.name == "Case":
            closed = record.get("Status") == "Closed"
            if closed and not record.get("IsClosed"):
                record["ClosedDate"] = now
            elif not closed:
                record["ClosedDate"] = None
            record["IsClosed"] = closed

    def _require(self, definition: ObjectDef, record: Record) -> None:
        missing = [f.name for f in definition.fields.values() if f.required_on_create and record.get(f.name) is None]
        if missing:
            raise WriteFailed(
                [
                    RecordError(
                        "REQUIRED_FIELD_MISSING", f"Required fields are missing: [{', '.join(missing)}]", tuple(missing)
                    )
                ]
            )

    def _seed(self, world: World) -> None:
        for sobject, rows in world.salesforce.items():
            definition = self.schema.get(sobject)
            if definition is None:
                continue  # an object this stand-in does not serve
            table = self.tables[definition.name]
            for row in rows:
                record = self._seed_record(definition, row)
                table[record["Id"]] = record
            if definition.name == "Case":
                numbers = [int(r["CaseNumber"]) for r in table.values() if str(r.get("CaseNumber") or "").isdigit()]
                self._case_number = max(numbers, default=self._case_number)

    def _seed_record(self, definition: ObjectDef, row: dict[str, Any]) -> Record:
        record: Record = {}
        for name, value in row.items():
            field_def: FieldDef | None = definition.field(name)
            if field_def is None:
                record[name] = value  # kept, though describe does not list it
                continue
            record[field_def.name] = seed_value(field_def, value)
        record["Id"] = normalise_id(str(record["Id"]))
        for field_def in definition.fields.values():
            if field_def.type in ID_TYPES and isinstance(record.get(field_def.name), str):
                record[field_def.name] = normalise_id(record[field_def.name])
        if definition.has_is_deleted and record.get("IsDeleted") is None:
            record["IsDeleted"] = False
        stamp = record.get("SystemModstamp") or record.get("LastModifiedDate") or record.get("CreatedDate")
        stamp = stamp or self.clock.now()
        for name in ("CreatedDate", "LastModifiedDate", "SystemModstamp"):
            record[name] = record.get(name) or stamp
        if definition.derived_name and not record.get("Name"):
            record["Name"] = " ".join(part for part in (record.get("FirstName"), record.get("LastName")) if part)
        return record
