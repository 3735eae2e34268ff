"""The sync step: run a connection's source and land what it reads.

Incremental by default: each stream resumes from the state saved with its
last landed batch. `full_refresh` ignores saved state and re-reads everything
(records already landed are upserted, not duplicated).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from airbyte_cdk.models import (
    AirbyteStateBlob,
    AirbyteStateMessage,
    AirbyteStateType,
    AirbyteStreamState,
    ConfiguredAirbyteCatalog,
    ConfiguredAirbyteStream,
    DestinationSyncMode,
    StreamDescriptor,
    SyncMode,
)
from sqlalchemy import Engine

from flows.landing import Lander, LandingReport, ProgressCallback, StreamFailure
from flows.sources import build_source
from loophub.config import ConnectionConfig
from store import session_scope
from store.raw import load_stream_states
from store.runs import finish_run, start_run

logger = logging.getLogger("loophub.sync")


@dataclass
class SyncReport:
    connection: str
    run_id: int
    landing: LandingReport
    status: str
    error: str | None = None
    stream_names: list[str] = field(default_factory=list)


def sync_connection(
    engine: Engine,
    connection: ConnectionConfig,
    *,
    full_refresh: bool = False,
    streams: Sequence[str] | None = None,
    batch_size: int = 2000,
    on_progress: ProgressCallback | None = None,
) -> SyncReport:
    """Read `connection` into raw_records; returns counts per stream and how it ended (one run row)."""
    run_id = start_run(engine, "sync", {"connection": connection.name})
    report, stream_names = land_connection(
        engine, connection, full_refresh=full_refresh, streams=streams, batch_size=batch_size, on_progress=on_progress
    )
    status, error = outcome(report)
    finish_run(engine, run_id, status, run_counts(connection, report), error)
    return SyncReport(connection.name, run_id, report, status, error, stream_names)


def land_connection(
    engine: Engine,
    connection: ConnectionConfig,
    *,
    full_refresh: bool = False,
    streams: Sequence[str] | None = None,
    batch_size: int = 2000,
    on_progress: ProgressCallback | None = None,
) -> tuple[LandingReport, list[str]]:
    """Discover, configure (`streams` only, if given), read from the saved state and land; no run row.

    A caller that runs streams one by one (the Prefect sync flow) keeps one run row for all of them.
    """
    source, config = build_source(connection)
    report, stream_names = LandingReport(), []
    try:
        catalog = configured_catalog(source.discover(logger, config), full_refresh=full_refresh, only=streams)
        stream_names = [configured.stream.name for configured in catalog.streams]
        state = [] if full_refresh else saved_state(engine, connection.name)
        lander = Lander(engine, connection.name, connection.system, catalog, batch_size=batch_size, on_progress=on_progress)
        report = lander.report
        lander.land(source.read(logger, config, catalog, state))
    except Exception as failure:  # noqa: BLE001 — the CDK re-raises stream failures at the end; they are in the report
        logger.debug("source %s ended with %r", connection.name, failure)
        if not report.errors:
            report.errors.append(failure_of(failure))
    return report, stream_names


def outcome(report: LandingReport) -> tuple[str, str | None]:
    """succeeded; paused (only transient failures: what was read is kept, the next run resumes); or failed."""
    if not report.errors:
        return "succeeded", None
    messages = "; ".join(f"{error.stream}: {error.message}" if error.stream else error.message for error in report.errors)
    return ("paused" if report.only_transient_errors else "failed"), messages


def configured_catalog(catalog: Any, *, full_refresh: bool, only: Sequence[str] | None = None) -> ConfiguredAirbyteCatalog:
    """Every discovered stream (or those in `only`), incremental where the stream supports it."""
    configured = []
    for stream in catalog.streams:
        if only and stream.name not in only:
            continue
        incremental = not full_refresh and SyncMode.incremental in (stream.supported_sync_modes or [])
        configured.append(
            ConfiguredAirbyteStream(
                stream=stream,
                sync_mode=SyncMode.incremental if incremental else SyncMode.full_refresh,
                destination_sync_mode=DestinationSyncMode.append_dedup,
                cursor_field=stream.default_cursor_field if incremental else None,
                primary_key=stream.source_defined_primary_key,
            )
        )
    return ConfiguredAirbyteCatalog(streams=configured)


def saved_state(engine: Engine, connection_name: str) -> list[AirbyteStateMessage]:
    with session_scope(engine) as session:
        states = load_stream_states(session, connection_name)
    return [
        AirbyteStateMessage(
            type=AirbyteStateType.STREAM,
            stream=AirbyteStreamState(stream_descriptor=StreamDescriptor(name=name), stream_state=AirbyteStateBlob(**state)),
        )
        for name, state in states.items()
    ]


def run_counts(connection: ConnectionConfig, report: LandingReport) -> dict[str, Any]:
    return {
        "connection": connection.name,
        "records": report.records,
        "streams": {name: vars(counts) for name, counts in report.streams.items()},
        "failures": [vars(error) for error in report.errors],
    }


def failure_of(failure: Exception) -> StreamFailure:
    """A failure outside any stream (discover, auth): its user message and failure type when it carries them."""
    message = getattr(failure, "user_message", None) or getattr(failure, "message", None) or f"{type(failure).__name__}: {failure}"
    failure_type = getattr(getattr(failure, "failure_type", None), "value", "system_error")
    return StreamFailure(None, message, failure_type)
