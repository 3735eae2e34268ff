"""The echo ledger: the last value loophub wrote into each target field, and what it tells a pull and a map.

`writeback_echoes` holds one row per (system, object, record, field)
loophub has written. Two readers use it:

- **landing** (`echo_keys`): a pulled change that is only loophub's own
  writes coming back is no outside change, so the record keeps its stored
  change time and survivorship's "most recent" is not fooled by it;
- **mapping** (`written_values`, `as_left_by_owners`): a field that still
  holds what loophub wrote is read as blank. A value loophub copied from the
  golden record into a blank CRM field is that record's own value again, not
  new evidence: counted as evidence, it would link the copy to whatever else
  carries the value, merge golden records on loophub's word alone, and make
  the next loop write again. A field a person changed since is read as usual.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import String, UniqueConstraint, select, tuple_
from sqlalchemy.orm import Mapped, Session, mapped_column

from store.base import Base, JSONType, utc_now

TargetKey = tuple[str, str, str, str]  # (system, object, record id, field)

# Fields the vendors stamp on every write: never a sign of a human change, never an echo either.
_SYSTEM_STAMPS = frozenset({
    "LastModifiedDate", "SystemModstamp", "LastModifiedById", "updatedAt", "hs_lastmodifieddate", "lastmodifieddate", "updated_at", "generated_timestamp",
})


class EchoEntry(Base):
    """The last value loophub wrote into one field of one target record."""

    __tablename__ = "writeback_echoes"
    __table_args__ = (UniqueConstraint("system", "object", "record_id", "field"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    system: Mapped[str] = mapped_column(String(32))
    object: Mapped[str] = mapped_column(String(64))
    record_id: Mapped[str] = mapped_column(String(64))
    field: Mapped[str] = mapped_column(String(100))
    value: Mapped[Any] = mapped_column(JSONType, nullable=True)
    written_at: Mapped[datetime] = mapped_column(default=utc_now)


def is_echo(session: Session, system: str, object: str, record_id: str, payload: Mapping[str, Any]) -> bool:
    """Whether a change seen on a pull is only loophub's own write coming back.

    `payload` holds the fields that changed on the record, in the vendor's
    shape (flat for Salesforce and Zendesk, under `properties` for HubSpot).
    It is an echo when every changed field — the vendors' modification stamps
    aside — is one loophub last wrote there, still holding the value written.
    """
    return bool(_flat(payload)) and bool(echo_keys(session, system, [(object, record_id, payload)]))


def echo_keys(session: Session, system: str, changes: Sequence[tuple[str, str, Mapping[str, Any]]]) -> set[tuple[str, str]]:
    """Which of `changes` — (object, record id, changed fields) — are no outside change: only loophub's own writes
    coming back, or nothing but the vendor's stamps (a record read once through Search, then through the export)."""
    flat = {(object_, record_id): _flat(fields) for object_, record_id, fields in changes}
    written: dict[tuple[str, str], dict[str, Any]] = {}
    for object_ in {object_ for object_, _ in flat}:
        found = written_values(session, system, object_, [record_id for kind, record_id in flat if kind == object_])
        written.update({(object_, record_id): fields for record_id, fields in found.items()})
    return {
        key for key, fields in flat.items()
        if set(fields) <= set(written.get(key, {})) and all(_same_json(written[key][name], value) for name, value in fields.items())
    }  # fmt: skip


def changed_fields(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, Any]:
    """The fields whose value differs between two pulls of one record, named as loophub writes them.

    HubSpot's `properties` are compared one level down under their own names;
    other groups of fields (Zendesk's `organization_fields`, `user_fields`)
    one level down as `group.key`, the names the write-back uses.
    """
    changed: dict[str, Any] = {}
    for name, value in after.items():
        old = before.get(name)
        if old == value:
            continue
        if isinstance(value, Mapping) and isinstance(old, Mapping | None):
            inner = {key: item for key, item in value.items() if (old or {}).get(key) != item}
            if name == "properties":
                changed["properties"] = inner
            else:
                changed.update({f"{name}.{key}": item for key, item in inner.items()})
        else:
            changed[name] = value
    return changed


def _flat(payload: Mapping[str, Any]) -> dict[str, Any]:
    """Changed fields as one flat mapping, without the vendors' stamps and ids."""
    fields = dict(payload.get("properties") or {}) if isinstance(payload.get("properties"), Mapping) else {}
    fields.update({name: value for name, value in payload.items() if name != "properties"})
    return {name: value for name, value in fields.items() if name not in _SYSTEM_STAMPS and name not in ("id", "Id", "attributes")}


def record_echoes(session: Session, values: Mapping[TargetKey, Any], now: datetime) -> None:
    """Remember `values` — (system, object, record id, field) → value — as what loophub last wrote there."""
    keys = list(values)
    existing: dict[TargetKey, EchoEntry] = {}
    for start in range(0, len(keys), 200):
        chunk = keys[start : start + 200]
        query = select(EchoEntry).where(tuple_(EchoEntry.system, EchoEntry.object, EchoEntry.record_id, EchoEntry.field).in_(chunk))
        existing.update({(e.system, e.object, e.record_id, e.field): e for e in session.scalars(query)})
    for key, value in values.items():
        entry = existing.get(key)
        if entry is None:
            session.add(EchoEntry(system=key[0], object=key[1], record_id=key[2], field=key[3], value=value, written_at=now))
        else:
            entry.value, entry.written_at = value, now


def written_values(session: Session, system: str, object_name: str, record_ids: Iterable[str]) -> dict[str, dict[str, Any]]:
    """What loophub last wrote into each of these records: record id → {field: value}, fields named as the write-back names them."""
    ids, written = list(record_ids), {}
    for start in range(0, len(ids), 500):
        query = select(EchoEntry.record_id, EchoEntry.field, EchoEntry.value).where(
            EchoEntry.system == system, EchoEntry.object == object_name, EchoEntry.record_id.in_(ids[start : start + 500])
        )
        for record_id, name, value in session.execute(query):
            written.setdefault(record_id, {})[name] = value
    return written


def as_left_by_owners(payload: Mapping[str, Any], written: Mapping[str, Any]) -> dict[str, Any]:
    """`payload` with every field that still holds loophub's write read as blank (None); the rest as pulled.

    Field names are the write-back's: a HubSpot property by its own name
    (under `properties`), a Zendesk custom field as `group.key`, else flat.
    """
    left = dict(payload)
    for name, value in written.items():
        group, key = _place(left, name)
        holder = left if not group else left[group]
        if group is None or key not in holder or not _same_json(value, holder[key]):
            continue
        if group and holder is payload.get(group):
            holder = left[group] = dict(holder)  # copied before its first change: the caller's payload stays as pulled
        holder[key] = None
    return left


def _place(payload: Mapping[str, Any], name: str) -> tuple[str | None, str]:
    """Where a written field sits in a pulled payload: (group, key), group "" for a top-level field, None if absent."""
    properties = payload.get("properties")
    if isinstance(properties, Mapping) and name in properties:
        return "properties", name
    group, _, key = name.partition(".")
    if key and isinstance(payload.get(group), Mapping):
        return group, key
    return ("", name) if name in payload else (None, name)


def _same_json(written: Any, seen: Any) -> bool:
    """Equal as the vendors echo values: strings for numbers (HubSpot), floats for ints (Salesforce)."""
    if written in (None, "") and seen in (None, ""):
        return True
    try:
        return float(written) == float(seen)
    except (TypeError, ValueError):
        return str(written) == str(seen)
