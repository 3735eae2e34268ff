"""A stream read in chunks, each chunk landing with the state after it.

The CDK emits a stream's state after every slice. Here a slice is one chunk
(a page, or up to a checkpoint's worth of records) from the stream's reader,
and `state` moves only once the chunk's records are out, so every STATE
message covers exactly the records before it and landing commits them
together: a failure (a spent API allocation included) loses nothing stated.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Mapping, MutableMapping
from typing import Any, NamedTuple

from airbyte_cdk.models import SyncMode
from airbyte_cdk.sources.streams import CheckpointMixin, Stream
from airbyte_cdk.sources.types import StreamSlice

from connectors.common.errors import ConnectorError


class Chunk(NamedTuple):
    records: list[Mapping[str, Any]]
    state: dict[str, Any]  # the stream's state once these records are landed


class ChunkedStream(Stream, CheckpointMixin, ABC):
    """Subclasses say how to build the schema and how to read chunks from a state."""

    def __init__(self, name: str, primary_key: str, cursor_field: str) -> None:
        super().__init__()
        self._name, self._primary_key, self._cursor_field = name, primary_key, cursor_field
        self._schema: Mapping[str, Any] | None = None
        self._state: dict[str, Any] = {}
        self._chunks: Iterator[Chunk] | None = None
        self._exhausted = False
        self.records_read = 0

    @abstractmethod
    def build_schema(self) -> Mapping[str, Any]:
        """The record's JSON schema (called once)."""

    @abstractmethod
    def read_chunks(self, state: Mapping[str, Any] | None) -> Iterator[Chunk]:
        """Chunks from `state` (None: from the configured start, as a full refresh does)."""

    def on_exhausted(self) -> None:
        """Called once the last chunk is out (e.g. to log what the stream cost)."""

    @property
    def name(self) -> str:
        return self._name

    @property
    def primary_key(self) -> str:
        return self._primary_key

    @property
    def cursor_field(self) -> str:
        return self._cursor_field

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
            self._schema = self.build_schema()
        return self._schema

    def stream_slices(
        self, *, sync_mode: SyncMode, cursor_field: list[str] | None = None, stream_state: Mapping[str, Any] | None = None
    ) -> Iterable[StreamSlice | None]:
        self._chunks, self._exhausted, self.records_read = None, False, 0
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
            # A full refresh reads from the start but still keeps state, so the next incremental read resumes.
            self._chunks = self.read_chunks(self._state if sync_mode == SyncMode.incremental else None)
        chunk = next(self._chunks, None)
        if chunk is None:
            self._exhausted = True
            self.on_exhausted()
            return
        records, state = chunk
        yield from records
        self.records_read += len(records)
        self._state = dict(state)

    def get_error_display_message(self, exception: BaseException) -> str | None:
        return exception.user_message if isinstance(exception, ConnectorError) else None
