"""One Airbyte stream per sObject, built from the endpoint table; chunks of at most `CHECKPOINT_EVERY` records land with their state."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from connectors.common import DELETED_AT_FIELD
from connectors.common.streams import Chunk, ChunkedStream
from connectors.salesforce.client import Json, SalesforceClient
from connectors.salesforce.endpoints import UNSELECTABLE_TYPES, SObjectEndpoint
from connectors.salesforce.reader import FLOAT_TYPES, ObjectReader, RecordShape
from connectors.salesforce.spec import SalesforceConfig

_JSON_TYPES = {"boolean": "boolean", "int": "integer", **{kind: "number" for kind in FLOAT_TYPES}}
_FORMATS = {"date": "date", "datetime": "date-time", "time": "time"}


class SObjectStream(ChunkedStream):
    """An sObject read incrementally on its change cursor; deletes arrive as records with `_ab_cdc_deleted_at`."""

    def __init__(self, endpoint: SObjectEndpoint, client: SalesforceClient, config: SalesforceConfig) -> None:
        super().__init__(endpoint.name, endpoint.primary_key, endpoint.cursor_field)
        self.endpoint, self.client, self.config = endpoint, client, config
        self._reader: ObjectReader | None = None

    @property
    def reader(self) -> ObjectReader:
        """The object's reader, built from its describe on first use."""
        if self._reader is None:
            shape = RecordShape(self.client.describe(self.name), self.cursor_field)
            self._reader = ObjectReader(self.client, self.endpoint, shape, self.config.bulk_threshold, self.config.start)
        return self._reader

    def build_schema(self) -> Mapping[str, Any]:
        return json_schema(self.client.describe(self.name))

    def read_chunks(self, state: Mapping[str, Any] | None) -> Iterator[Chunk]:
        return self.reader.chunks(dict(state) if state is not None else None)

    def on_exhausted(self) -> None:
        self.logger.info(
            "%s: %d records read (%s); Salesforce API usage %s", self.name, self.records_read, self.reader.path, self.client.usage
        )


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
