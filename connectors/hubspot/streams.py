"""Airbyte streams over the HubSpot readers: one slice per chunk, so each chunk lands with its state.

The CDK emits a stream's state after every slice. Each slice here reads the
next chunk (a page of records, or the deletes) from the stream's reader and
moves `state` only once the chunk's records are out, so every STATE message
covers exactly the records before it and landing commits them together.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, MutableMapping
from typing import Any

from airbyte_cdk.models import SyncMode
from airbyte_cdk.sources.streams import CheckpointMixin, Stream
from airbyte_cdk.sources.types import StreamSlice

from connectors.common import DELETED_AT_FIELD, ConnectorError
from connectors.hubspot.client import HubSpotClient, Json
from connectors.hubspot.endpoints import OWNERS, CrmObject
from connectors.hubspot.reader import Chunk, CrmReader, OwnersReader
from connectors.hubspot.spec import HubSpotConfig

NULLABLE_TEXT = {"type": ["null", "string"]}
NULLABLE_INSTANT = {"type": ["null", "string"], "format": "date-time"}
ID_LIST = {"type": "array", "items": {"type": "string"}}


class HubSpotStream(Stream, CheckpointMixin):
    """A stream whose records come from a reader in chunks, each chunk paired with the state after it."""

    primary_key = "id"

    def __init__(self, name: str, read_chunks: Callable[[Mapping[str, Any]], Iterator[Chunk]], schema: Callable[[], Mapping[str, Any]]) -> None:
        super().__init__()
        self._name, self._read_chunks, self._schema_factory = name, read_chunks, schema
        self._schema: Mapping[str, Any] | None = None
        self._state: MutableMapping[str, Any] = {}
        self._chunks: Iterator[Chunk] | None = None
        self._exhausted = False

    @property
    def name(self) -> str:
        return self._name

    @property
    def cursor_field(self) -> str:
        return "updatedAt"

    @property
    def source_defined_cursor(self) -> bool:
        return True

    @property
    def state(self) -> MutableMapping[str, Any]:
        return self._state

    @state.setter
    def state(self, value: MutableMapping[str, Any]) -> None:
        self._state = dict(value or {})

    def get_json_schema(self) -> Mapping[str, Any]:
        # The CDK asks for the schema once per record: build it once.
        if self._schema is None:
            self._schema = self._schema_factory()
        return self._schema

    def stream_slices(self, *, sync_mode: SyncMode, cursor_field: list[str] | None = None, stream_state: Mapping[str, Any] | None = None) -> Iterable[StreamSlice | None]:
        self._chunks, self._exhausted = None, False
        while not self._exhausted:
            yield StreamSlice(partition={}, cursor_slice={})

    def read_records(self, sync_mode: SyncMode, cursor_field: list[str] | None = None, stream_slice: Mapping[str, Any] | None = None, stream_state: Mapping[str, Any] | None = None) -> Iterable[Mapping[str, Any]]:
        if self._chunks is None:
            self._chunks = self._read_chunks({} if sync_mode == SyncMode.full_refresh else self._state)
        chunk = next(self._chunks, None)
        if chunk is None:
            self._exhausted = True
            return
        records, state = chunk
        yield from records
        self._state = state

    def get_error_display_message(self, exception: BaseException) -> str | None:
        return exception.user_message if isinstance(exception, ConnectorError) else None


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
