"""Airbyte streams over the HubSpot readers (chunked: a page of records, or the deletes, lands with its state)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

from connectors.common import DELETED_AT_FIELD
from connectors.common.streams import Chunk, ChunkedStream
from connectors.hubspot.client import HubSpotClient, Json
from connectors.hubspot.endpoints import OWNERS, CrmObject
from connectors.hubspot.reader import CrmReader, OwnersReader
from connectors.hubspot.spec import HubSpotConfig

NULLABLE_TEXT = {"type": ["null", "string"]}
NULLABLE_INSTANT = {"type": ["null", "string"], "format": "date-time"}
ID_LIST = {"type": "array", "items": {"type": "string"}}


class HubSpotStream(ChunkedStream):
    """A stream whose records come from a reader in chunks, each chunk paired with the state after it."""

    def __init__(self, name: str, read_chunks: Callable[[Mapping[str, Any] | None], Iterator[Chunk]], schema: Callable[[], Mapping[str, Any]]) -> None:
        super().__init__(name, primary_key="id", cursor_field="updatedAt")
        self._reader, self._schema_factory = read_chunks, schema

    def build_schema(self) -> Mapping[str, Any]:
        return self._schema_factory()

    def read_chunks(self, state: Mapping[str, Any] | None) -> Iterator[Chunk]:
        return self._reader(state or {})


def crm_stream(client: HubSpotClient, config: HubSpotConfig, crm: CrmObject, definitions: list[Json]) -> HubSpotStream:
    """A CRM object's stream; its property definitions are fetched once into `definitions`, for the schema and the read alike."""
    associations = [to_type for to_type in crm.associations if to_type != "contacts" or crm.name != "companies" or config.company_contact_associations]

    def properties() -> list[Json]:
        if not definitions:
            definitions.extend(client.properties(crm.name))
        return definitions

    def read_chunks(state: Mapping[str, Any]) -> Iterator[Chunk]:
        names = [definition["name"] for definition in properties()]
        return CrmReader(client, crm, names, associations, config.start_ms).read(state)

    return HubSpotStream(crm.name, read_chunks, lambda: crm_schema(properties(), associations))


def owners_stream(client: HubSpotClient) -> HubSpotStream:
    return HubSpotStream(OWNERS.name, OwnersReader(client).read, owners_schema)


def crm_schema(definitions: list[Json], associations: list[str]) -> dict[str, Any]:
    """A CRM record's JSON schema from HubSpot's property definitions, custom properties included.

    HubSpot returns every property value as a string (numbers and booleans
    too); the schema says so, and carries HubSpot's own type for mappers.
    """
    properties = {definition["name"]: _property_schema(definition) for definition in definitions}
    return {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "type": "object",
        "additionalProperties": True,
        "properties": {
            "id": {"type": "string"},
            "properties": {"type": "object", "additionalProperties": True, "properties": properties},
            "associations": {"type": "object", "properties": {to_type: ID_LIST for to_type in associations}},
            "createdAt": NULLABLE_INSTANT,
            "updatedAt": NULLABLE_INSTANT,
            "archived": {"type": ["null", "boolean"]},
            "archivedAt": NULLABLE_INSTANT,
            "merged_into": {**NULLABLE_TEXT, "description": "for a record merged away: the id of the record it was merged into"},
            DELETED_AT_FIELD: NULLABLE_INSTANT,
        },
    }


def owners_schema() -> dict[str, Any]:
    return {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "type": "object",
        "additionalProperties": True,
        "properties": {
            "id": {"type": "string"},
            "email": NULLABLE_TEXT,
            "firstName": NULLABLE_TEXT,
            "lastName": NULLABLE_TEXT,
            "userId": {"type": ["null", "integer"]},
            "type": NULLABLE_TEXT,
            "teams": {"type": ["null", "array"], "items": {"type": "object"}},
            "createdAt": NULLABLE_INSTANT,
            "updatedAt": NULLABLE_INSTANT,
            "archived": {"type": ["null", "boolean"]},
            DELETED_AT_FIELD: NULLABLE_INSTANT,
        },
    }


def _property_schema(definition: Json) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": ["null", "string"], "title": definition.get("label") or definition["name"]}
    kind = definition.get("type")
    if kind == "datetime":
        schema["format"] = "date-time"
    elif kind == "date":
        schema["format"] = "date"
    schema["x-hubspot-type"] = kind
    return schema
