"""Records and batch envelopes in HubSpot's JSON shapes."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sandbox.hubspot.object_types import OBJECT_TYPES, association_name
from sandbox.hubspot.store import HubSpotStore
from sandbox.hubspot.tables import Record
from sandbox.hubspot.values import iso_ms

ALWAYS_RETURNED = ("hs_object_id", "createdate")


def record_json(store: HubSpotStore, object_type: str, record: Record, requested: Sequence[str] | None) -> dict[str, Any]:
    """A record as HubSpot returns it: the requested properties (or the type's defaults) plus the system ones."""
    table = store.table(object_type)
    info = table.object_type
    if requested:
        known = [name for name in requested if name in table.registry or name in record.properties]
        names = {*known, *ALWAYS_RETURNED, info.modified_property}
    else:
        names = set(info.default_properties)
    body: dict[str, Any] = {
        "id": record.id,
        "properties": {name: record.properties.get(name) for name in sorted(names)},
        "createdAt": iso_ms(record.created_at),
        "updatedAt": iso_ms(record.updated_at),
        "archived": record.archived,
    }
    if record.archived and record.archived_at is not None:
        body["archivedAt"] = iso_ms(record.archived_at)
    return body


def inline_associations(store: HubSpotStore, object_type: str, record: Record, to_types: Sequence[str]) -> dict[str, Any]:
    """v3 inline associations: `{"companies": {"results": [{"id", "type"}]}}`, empty kinds left out like HubSpot does."""
    found: dict[str, Any] = {}
    for to_type in to_types:
        results = [
            {"id": to_id, "type": association_name(type_id, object_type, to_type)}
            for to_id, type_ids in store.live_targets(object_type, record.id, to_type)
            for type_id in type_ids
        ]
        if results:
            found[to_type] = {"results": results}
    return found


def association_types_json(type_ids: Sequence[int]) -> list[dict[str, Any]]:
    """v4 association types; every type the stand-in knows is HubSpot-defined and unlabelled."""
    return [{"category": "HUBSPOT_DEFINED", "typeId": type_id, "label": None} for type_id in type_ids]


def batch_json(results: list[Any], errors: list[dict[str, Any]], started: datetime, completed: datetime) -> dict[str, Any]:
    """A batch answer; with errors it is the 207 shape (`errors`, `numErrors`)."""
    body: dict[str, Any] = {"status": "COMPLETE", "results": results}
    if errors:
        body["numErrors"] = len(errors)
        body["errors"] = errors
    body["startedAt"] = iso_ms(started)
    body["completedAt"] = iso_ms(completed)
    return body


def type_id_of(object_type: str) -> str:
    return OBJECT_TYPES[object_type].type_id
