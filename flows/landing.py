"""Lands an Airbyte source's messages in the store, one transaction per batch.

A batch's records and the STATE that covers them commit together, so a run
killed at any moment re-reads at most one batch on the next start, and the
upsert on (system, object, source_id) makes that re-read harmless.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from airbyte_cdk.models import AirbyteMessage, AirbyteStateMessage, AirbyteStateType, ConfiguredAirbyteCatalog, Type
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from connectors.common import DELETED_AT_FIELD
from store import session_scope
from store.echoes import changed_fields, echo_keys
from store.raw import RawRow, UpsertCounts, save_stream_state, stored_versions, upsert_raw_records

logger = logging.getLogger(__name__)


@dataclass
class StreamCounts:
    records: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    echoes: int = 0  # updated records whose only change is what loophub wrote into them
    batches: int = 0

    def add(self, counts: UpsertCounts, echoes: int = 0) -> None:
        self.inserted += counts.inserted
        self.updated += counts.updated
        self.unchanged += counts.unchanged
        self.echoes += echoes
        self.batches += 1


@dataclass(frozen=True)
class StreamFailure:
    """A source's TRACE error: its user-facing message and who must act (config, transient, system)."""

    stream: str | None
    message: str
    failure_type: str


@dataclass
class LandingReport:
    streams: dict[str, StreamCounts] = field(default_factory=dict)
    errors: list[StreamFailure] = field(default_factory=list)

    @property
    def only_transient_errors(self) -> bool:
        """Every failure will pass with time (a spent API allocation, an outage): the sync resumes later."""
        return bool(self.errors) and all(error.failure_type == "transient_error" for error in self.errors)

    @property
    def records(self) -> int:
        return sum(counts.records for counts in self.streams.values())


@dataclass(frozen=True)
class StreamShape:
    """What the lander needs to know of a stream: its primary key and cursor."""

    primary_key: str
    cursor_field: str | None


ProgressCallback = Callable[[str, StreamCounts], None]


class Lander:
    """Buffers RECORD messages per stream and commits them with the STATE that follows."""

    def __init__(
        self,
        engine: Engine,
        connection_name: str,
        system: str,
        catalog: ConfiguredAirbyteCatalog,
        batch_size: int = 2000,
        on_progress: ProgressCallback | None = None,
    ) -> None:
        self.engine, self.connection_name, self.system = engine, connection_name, system
        self.batch_size = batch_size
        self.on_progress = on_progress
        self.shapes = {configured.stream.name: _shape(configured) for configured in catalog.streams}
        self.buffers: dict[str, list[RawRow]] = {name: [] for name in self.shapes}
        self.report = LandingReport(streams={name: StreamCounts() for name in self.shapes})

    def land(self, messages: Iterable[AirbyteMessage]) -> LandingReport:
        for message in messages:
            if message.type == Type.RECORD and message.record is not None:
                self._buffer(message.record.stream, message.record.data)
            elif message.type == Type.STATE and message.state is not None:
                self._commit_state(message.state)
            elif message.type == Type.TRACE and message.trace is not None and message.trace.error is not None:
                self.report.errors.append(_failure(message.trace.error))
        for stream in self.buffers:
            self._flush(stream, state=None)
        return self.report

    def _buffer(self, stream: str, data: dict[str, Any]) -> None:
        shape = self.shapes[stream]
        self.buffers[stream].append(
            RawRow(
                system=self.system,
                object=stream,
                source_id=str(data[shape.primary_key]),
                payload=data,
                source_updated_at=_parse_time(data.get(shape.cursor_field)) if shape.cursor_field else None,
                is_deleted=bool(data.get(DELETED_AT_FIELD)),
            )
        )
        self.report.streams[stream].records += 1
        if len(self.buffers[stream]) >= self.batch_size:
            # Without a state to pair with, the batch still lands: a rerun re-reads it, the upsert absorbs it.
            self._flush(stream, state=None)

    def _commit_state(self, state: AirbyteStateMessage) -> None:
        if state.type != AirbyteStateType.STREAM or state.stream is None:
            logger.warning("ignoring a %s state message: only per-stream state is supported", state.type)
            return
        stream = state.stream.stream_descriptor.name
        blob = state.stream.stream_state
        self._flush(stream, state=_blob_to_dict(blob))

    def _flush(self, stream: str, state: dict[str, Any] | None) -> None:
        rows = self.buffers.get(stream, [])
        if not rows and state is None:
            return
        with session_scope(self.engine) as session:
            rows, echoes = self._keep_times_of_echoes(session, rows)
            counts = upsert_raw_records(session, rows)
            if state is not None:
                save_stream_state(session, self.connection_name, stream, state)
        self.buffers[stream] = []
        self.report.streams[stream].add(counts, echoes)
        if self.on_progress:
            self.on_progress(stream, self.report.streams[stream])

    def _keep_times_of_echoes(self, session: Session, rows: list[RawRow]) -> tuple[list[RawRow], int]:
        """Rows whose only change is loophub's own write keep their stored change time; and how many there are.

        The vendor stamps such a record as just changed. Survivorship prefers
        the most recent value, so that stamp would promote the record's other,
        older values over a newer record's — and the next plan would write
        those back: a ping-pong. Its data did not change; its time does not either.
        """
        stored = {(before.object, before.source_id): before for before in stored_versions(session, rows).values()}
        changes = [(row.object, row.source_id, changed_fields(stored[(row.object, row.source_id)].payload, row.payload))
                   for row in rows if (row.object, row.source_id) in stored]  # fmt: skip
        echoed = echo_keys(session, self.system, changes)
        kept = [replace(row, source_updated_at=stored[(row.object, row.source_id)].source_updated_at) if (row.object, row.source_id) in echoed else row
                for row in rows]  # fmt: skip
        return kept, len(echoed)


def _failure(error: Any) -> StreamFailure:
    descriptor = getattr(error, "stream_descriptor", None)
    failure_type = getattr(error.failure_type, "value", None) or str(error.failure_type or "system_error")
    return StreamFailure(descriptor.name if descriptor else None, error.message or "a stream failed", failure_type)


def _shape(configured: Any) -> StreamShape:
    stream = configured.stream
    key = configured.primary_key or stream.source_defined_primary_key or [["id"]]
    cursor = configured.cursor_field or stream.default_cursor_field or None
    return StreamShape(primary_key=key[0][0], cursor_field=cursor[0] if cursor else None)


def _blob_to_dict(blob: Any) -> dict[str, Any]:
    if blob is None:
        return {}
    if isinstance(blob, dict):
        return blob
    return dict(blob.__dict__)


def _parse_time(value: Any) -> datetime | None:
    """Cursor values come as ISO strings or epoch milliseconds/seconds, depending on the vendor."""
    if value is None or value == "":
        return None
    if isinstance(value, int | float):
        seconds = value / 1000 if value > 10**11 else value
        return datetime.fromtimestamp(seconds, UTC)
    text = str(value).replace("Z", "+00:00")
    if len(text) > 5 and text[-5] in "+-" and text[-3] != ":":  # Salesforce writes +0000
        text = text[:-2] + ":" + text[-2:]
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
