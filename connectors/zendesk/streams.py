"""One Airbyte stream class for every row of the endpoint table: a chunk per page, state after each page."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

from connectors.common import DELETED_AT_FIELD, ConnectorError
from connectors.common.streams import Chunk, ChunkedStream
from connectors.zendesk.client import ZendeskClient
from connectors.zendesk.endpoints import Endpoint, Json
from connectors.zendesk.pages import paginator
from connectors.zendesk.recent import recent_records


class ZendeskStream(ChunkedStream):
    """Records of one endpoint, read page by page through its paginator."""

    def __init__(
        self, endpoint: Endpoint, client: ZendeskClient, start_time: int, schema: Callable[[], Mapping[str, Any]], recent_minutes: int = 0
    ) -> None:
        super().__init__(endpoint.name, endpoint.primary_key, endpoint.cursor_field)
        self.endpoint, self.client, self.start_time, self.recent_minutes = endpoint, client, start_time, recent_minutes
        self._schema_factory = schema

    def build_schema(self) -> Mapping[str, Any]:
        return self._schema_factory()

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

    def read_chunks(self, state: Mapping[str, Any] | None) -> Iterator[Chunk]:
        """A page a chunk; the paginator's state after a page covers exactly the records before it."""
        pages = paginator(self.endpoint, dict(state or {}), self.start_time)
        deleted_at = self.endpoint.deleted_at
        exported: dict[Any, Any] = {}  # id -> updated_at of what the export gave, so the newest changes are not landed twice
        while not pages.done:
            url, params = pages.request()
            records = pages.take(self.client.get_url(url or self.client.url(self.endpoint.path), params))
            if deleted_at is not None:
                records = [_tombstone(record, stamp) if (stamp := deleted_at(record)) else record for record in records]
            if self.endpoint.search_type is not None:
                exported.update((record.get("id"), record.get("updated_at")) for record in records)
            yield Chunk(records, dict(pages.state))
        recent = [r for r in recent_records(self.client, self.endpoint, self.recent_minutes) if exported.get(r.get("id")) != r.get("updated_at")]
        if recent:
            yield Chunk(recent, dict(pages.state))  # the state stays the export's: it returns these again later

    def get_error_display_message(self, exception: BaseException) -> str | None:
        if isinstance(exception, ConnectorError):
            return f"Reading Zendesk {self.name} failed: {exception.user_message}"
        return None


def _tombstone(record: Json, stamp: str) -> Json:
    """A deleted record, as Airbyte's CDC convention marks it."""
    return {**record, DELETED_AT_FIELD: stamp}
