"""One Airbyte stream per sObject, built from the endpoint table; each chunk of records lands with its state.

The CDK emits a stream's state after every slice. A slice here is one chunk
from the object's reader (at most `CHECKPOINT_EVERY` records), and `state`
moves only once the chunk's records are out, so every STATE message covers
exactly the records before it and landing commits them together. A failure
(a spent API allocation included) therefore loses nothing already stated.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, MutableMapping
from typing import Any

from airbyte_cdk.models import SyncMode
from airbyte_cdk.sources.streams import CheckpointMixin, Stream
from airbyte_cdk.sources.types import StreamSlice

from connectors.common import DELETED_AT_FIELD, ConnectorError
from connectors.salesforce.client import Json, SalesforceClient
from connectors.salesforce.endpoints import UNSELECTABLE_TYPES, SObjectEndpoint
from connectors.salesforce.reader import FLOAT_TYPES, Chunk, ObjectReader, RecordShape
from connectors.salesforce.spec import SalesforceConfig

_JSON_TYPES = {"boolean": "boolean", "int": "integer", **{kind: "number" for kind in FLOAT_TYPES}}
_FORMATS = {"date": "date", "datetime": "date-time", "time": "time"}


class SObjectStream(Stream, CheckpointMixin):
    """An sObject read incrementally on its change cursor; deletes arrive as records with `_ab_cdc_deleted_at`."""

    def __init__(self, endpoint: SObjectEndpoint, client: SalesforceClient, config: SalesforceConfig) -> None:
        super().__init__()
        self.endpoint, self.client, self.config = endpoint, client, config
        self._schema: Mapping[str, Any] | None = None
        self._state: dict[str, Any] = {}
        self._reader: ObjectReader | None = None
        self._chunks: Iterator[Chunk] | None = None
        self._exhausted = False
        self._records_read = 0

    @property
    def name(self) -> str:
        return self.endpoint.name

    @property
    def primary_key(self) -> str:
        return self.endpoint.primary_key

    @property
    def cursor_field(self) -> str:
        return self.endpoint.cursor_field

    @property
    def source_defined_cursor(self) -> bool:
        return True

    @property
    def state(self) -> MutableMapping[str, Any]:
        return self._state

    @state.setter
    def state(self, value: MutableMapping[str, Any]) -> None:
        self._state = dict(value or {})

    @property
    def reader(self) -> ObjectReader:
        """The object's reader, built from its describe on first use."""
        if self._reader is None:
            shape = RecordShape(self.client.describe(self.name), self.cursor_field)
            self._reader = ObjectReader(self.client, self.endpoint, shape, self.config.bulk_threshold, self.config.start)
        return self._reader

    def get_json_schema(self) -> Mapping[str, Any]:
        # The CDK asks for the schema once per record: build it once.
        if self._schema is None:
            self._schema = json_schema(self.client.describe(self.name))
        return self._schema

    def stream_slices(
        self, *, sync_mode: SyncMode, cursor_field: list[str] | None = None, stream_state: Mapping[str, Any] | None = None
    ) -> Iterable[StreamSlice | None]:
        self._chunks, self._exhausted, self._records_read = None, False, 0
        while not self._exhausted:
            yield StreamSlice(partition={}, cursor_slice={})

    def read_records(
        self,
        sync_mode: SyncMode,
        cursor_field: list[str] | None = None,
        stream_slice: Mapping[str, Any] | None = None,
        stream_state: Mapping[str, Any] | None = None,
    ) -> Iterable[Mapping[str, Any]]:
        if self._exhausted:  # the CDK looks one slice ahead, so it may ask once more after the end
            return
        if self._chunks is None:
            # A full refresh starts from start_date but still keeps state, so the next incremental read resumes.
            self._chunks = self.reader.chunks(self._state if sync_mode == SyncMode.incremental else None)
        chunk = next(self._chunks, None)
        if chunk is None:
            self._exhausted = True
            self.logger.info(
                "%s: %d records read (%s); Salesforce API usage %s",
                self.name, self._records_read, self.reader.path, self.client.usage,
            )
            return
        yield from chunk.records
        self._records_read += len(chunk.records)
        self._state = chunk.state

    def get_error_display_message(self, exception: BaseException) -> str | None:
        return exception.user_message if isinstance(exception, ConnectorError) else None


def json_schema(describe: Json) -> dict[str, Any]:
    """A record's JSON schema from the object's describe, custom (`__c`) fields included."""
    properties = {
        field["name"]: _field_schema(field) for field in describe["fields"] if field["type"] not in UNSELECTABLE_TYPES
    }
    properties[DELETED_AT_FIELD] = {"type": ["null", "string"], "format": "date-time"}
    return {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "type": "object",
        "additionalProperties": True,
        "properties": properties,
    }


def _field_schema(field: Json) -> dict[str, Any]:
    kind = field["type"]
    schema: dict[str, Any] = {"type": ["null", _JSON_TYPES.get(kind, "string")]}
    schema["title"] = field.get("label") or field["name"]
    if kind in _FORMATS:
        schema["format"] = _FORMATS[kind]
    schema["x-salesforce-type"] = kind
    return schema
