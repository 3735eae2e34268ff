"""One Airbyte stream class for every row of the endpoint table: a slice per page, state after each page.

The CDK emits a stream's state after every slice. Each slice here fetches
the next page, yields its records, and only then moves `state` to what the
paginator says covers them, so every STATE message covers exactly the
records before it and landing commits them together.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, MutableMapping
from typing import Any

from airbyte_cdk.models import SyncMode
from airbyte_cdk.sources.streams import CheckpointMixin, Stream
from airbyte_cdk.sources.types import StreamSlice

from connectors.common import DELETED_AT_FIELD, ConnectorError
from connectors.zendesk.client import ZendeskClient
from connectors.zendesk.endpoints import Endpoint, Json
from connectors.zendesk.pages import Paginator, paginator


class ZendeskStream(Stream, CheckpointMixin):
    """Records of one endpoint, read page by page through its paginator."""

    def __init__(self, endpoint: Endpoint, client: ZendeskClient, start_time: int, schema: Callable[[], Mapping[str, Any]]) -> None:
        super().__init__()
        self.endpoint, self.client, self.start_time = endpoint, client, start_time
        self._schema_factory = schema
        self._schema: Mapping[str, Any] | None = None
        self._state: MutableMapping[str, Any] = {}
        self._pages: Paginator | None = None

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

    def get_json_schema(self) -> Mapping[str, Any]:
        # The CDK asks once per record; the schema (custom fields included) is built once.
        if self._schema is None:
            self._schema = self._schema_factory()
        return self._schema

    @property
    def configured_json_schema(self) -> dict[str, Any] | None:
        return self._configured_json_schema

    @configured_json_schema.setter
    def configured_json_schema(self, json_schema: dict[str, Any]) -> None:
        # The CDK would filter the catalog's schema against `get_json_schema()`, which costs the
        # custom-field calls discover already made; records are not transformed, so keep it as given.
        self._configured_json_schema = json_schema
        if self._schema is None and json_schema:
            self._schema = json_schema

    def stream_slices(
        self, *, sync_mode: SyncMode, cursor_field: list[str] | None = None, stream_state: Mapping[str, Any] | None = None
    ) -> Iterable[StreamSlice | None]:
        state = {} if sync_mode == SyncMode.full_refresh else dict(self._state)
        self._pages = paginator(self.endpoint, state, self.start_time)
        while not self._pages.done:
            yield StreamSlice(partition={}, cursor_slice={})

    def read_records(
        self,
        sync_mode: SyncMode,
        cursor_field: list[str] | None = None,
        stream_slice: Mapping[str, Any] | None = None,
        stream_state: Mapping[str, Any] | None = None,
    ) -> Iterable[Mapping[str, Any]]:
        pages = self._pages
        if pages is None or pages.done:
            return
        url, params = pages.request()
        body = self.client.get_url(url or self.client.url(self.endpoint.path), params)
        records = pages.take(body)
        deleted_at = self.endpoint.deleted_at
        if deleted_at is not None:
            records = [_tombstone(record, stamp) if (stamp := deleted_at(record)) else record for record in records]
        yield from records
        self._state = pages.state

    def get_error_display_message(self, exception: BaseException) -> str | None:
        if isinstance(exception, ConnectorError):
            return f"Reading Zendesk {self.name} failed: {exception.user_message}"
        return None


def _tombstone(record: Json, stamp: str) -> Json:
    """A deleted record, as Airbyte's CDC convention marks it."""
    return {**record, DELETED_AT_FIELD: stamp}
