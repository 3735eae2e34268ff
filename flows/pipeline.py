"""The Prefect flows: `sync` (one task per stream), `map`, `resolve`, and `loop`, which runs them and `writeback` in order.

Flows take plain values only — the loophub.yaml path and a database URL —
so a deployment can start them as well as `loophub loop` in-process. Each
flow keeps one row in `runs` with its counts and error; Prefect keeps the
states, retries and logs.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.states import State
from sqlalchemy import Engine

from flows.landing import LandingReport, StreamCounts, StreamFailure
from loophub.config import ConnectionConfig, LoophubConfig, load_config
from store.runs import finish_run, start_run

connector_logger = logging.getLogger("loophub.sync")
LOG_FORMAT = "%(asctime)s | %(levelname)-7s | %(name)s - %(message)s"
RETRIES = 2  # task-level, on top of the connectors' own HTTP retries: for outages longer than those
RETRY_DELAY_SECONDS = 60.0


def _without_airbyte_json_logs() -> None:
    """Plain log lines on stderr instead of the Airbyte JSON lines the CDK's import installs on the root logger.

    The CDK replaces the root handlers, Prefect's console handler included, so a worker would print every
    flow log as an Airbyte message; the connectors' own chatter is kept to warnings, as in `loophub sync`.
    """
    import airbyte_cdk.entrypoint  # noqa: F401 — imported now so that what it installs is undone once, here
    from airbyte_cdk.logger import AirbyteLogFormatter

    root, airbyte = logging.getLogger(), logging.getLogger("airbyte")
    for logger in (root, airbyte):
        for handler in list(logger.handlers):
            if isinstance(handler.formatter, AirbyteLogFormatter):
                logger.removeHandler(handler)
    airbyte.setLevel(logging.WARNING)
    if not root.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter(LOG_FORMAT, "%H:%M:%S"))
        root.addHandler(handler)


_without_airbyte_json_logs()


class Listener(Protocol):
    """Who watches a run in-process (the CLI's progress bars); deployments run without one."""

    def step(self, name: str) -> None: ...

    def progress(self, step: str, item: str, count: int) -> None: ...


_listener: Listener | None = None


@contextmanager
def listening(listener: Listener) -> Iterator[None]:
    """Report steps and counts to `listener` while the block runs flows in this process.

    A module global rather than a flow parameter: parameters must stay serialisable for deployments.
    """
    global _listener
    previous, _listener = _listener, listener
    try:
        yield
    finally:
        _listener = previous


class StreamSyncFailed(Exception):
    """A stream ended with errors; carries what it landed so the flow can still count it."""

    def __init__(self, connection: str, stream: str, report: LandingReport) -> None:
        self.stream, self.report = stream, report
        self.transient = report.only_transient_errors
        super().__init__(f"{connection}/{stream}: " + "; ".join(error.message for error in report.errors))


class SyncFailed(Exception):
    """A connection's sync did not complete; `summary` says what it did land and why it stopped."""

    def __init__(self, summary: dict[str, Any]) -> None:
        self.summary = summary
        super().__init__(f"sync {summary['connection']} {summary['status']}: {summary['error']}")


def announce(step: str) -> None:
    """Tell the in-process listener (if any) that a step begins."""
    if _listener is not None:
        _listener.step(step)


def open_store(config_path: str | None, database_url: str | None) -> tuple[LoophubConfig, Engine]:
    """The configuration and an engine on an up-to-date store; an explicit `database_url` wins over the file."""
    from store import create_store_engine, ensure_database, resolve_database_url

    config = load_config(Path(config_path) if config_path else None)
    url = database_url or resolve_database_url(config.database.url if config.database else None)
    engine = create_store_engine(url)
    ensure_database(engine)
    return config, engine


def _retry_transient(_task: Any, _task_run: Any, state: State[Any]) -> bool:
    """Retry only what passes with time (outage, spent allocation); a config error fails at once."""
    failure = state.result(raise_on_failure=False)
    return bool(getattr(failure, "transient", False))


def land_stream(engine: Engine, connection: ConnectionConfig, stream: str, *, full_refresh: bool = False) -> LandingReport:
    """One stream of a connection landed, without a run row of its own (the flow keeps one for all)."""
    from flows.sync import land_connection

    report, streams = land_connection(engine, connection, full_refresh=full_refresh, streams=[stream], on_progress=_stream_progress(connection.name))
    if not streams and not report.errors:
        report.errors.append(StreamFailure(stream, f"{connection.name} no longer offers a stream {stream!r}", "config_error"))
    return report


def _stream_progress(connection: str) -> Any:
    def report(stream: str, counts: StreamCounts) -> None:
        if _listener is not None:
            _listener.progress(f"sync {connection}", stream, counts.records)

    return report


@task(name="discover", task_run_name="discover {connection.name}", cache_policy=NO_CACHE, retry_condition_fn=_retry_transient)
def discover_streams(connection: ConnectionConfig) -> list[str]:
    """The connection's stream names; an unreachable source is a transient failure, retried."""
    from flows.sources import build_source
    from flows.sync import failure_of

    source, config = build_source(connection)
    try:
        return [stream.name for stream in source.discover(connector_logger, config).streams]
    except Exception as failure:  # classified by the connector: transient or not
        raise StreamSyncFailed(connection.name, "(discover)", LandingReport(errors=[failure_of(failure)])) from failure


@task(name="sync-stream", task_run_name="sync {connection.name}/{stream}", cache_policy=NO_CACHE, retry_condition_fn=_retry_transient)
def sync_stream(engine: Engine, connection: ConnectionConfig, stream: str, full_refresh: bool = False) -> LandingReport:
    """Land one stream; a retry resumes from the state its committed batches saved."""
    report = land_stream(engine, connection, stream, full_refresh=full_refresh)
    counts = report.streams.get(stream, StreamCounts())
    get_run_logger().info("%s/%s: %d read, %d new, %d changed", connection.name, stream, counts.records, counts.inserted, counts.updated)
    if report.errors:
        raise StreamSyncFailed(connection.name, stream, report)
    return report


@flow(name="sync", flow_run_name="sync-{connection_name}", log_prints=False)
def sync_flow(
    connection_name: str,
    config_path: str | None = None,
    database_url: str | None = None,
    full_refresh: bool = False,
    retries: int = RETRIES,
    retry_delay_seconds: float = RETRY_DELAY_SECONDS,
) -> dict[str, Any]:
    """Sync one connection, a task per stream, one after another: the streams share the account's API allocation."""
    from flows.sync import outcome, run_counts

    logger = get_run_logger()
    config, engine = open_store(config_path, database_url)
    connection = config.connection(connection_name)
    if connection is None:
        engine.dispose()
        raise ValueError(f"no connection {connection_name!r} in {config_path or 'loophub.yaml'}; configured: {[c.name for c in config.connections]}")
    announce(f"sync {connection_name}")
    run_id = start_run(engine, "sync", {"connection": connection_name})
    retrying = {"retries": retries, "retry_delay_seconds": retry_delay_seconds}
    total = LandingReport()
    try:
        found = discover_streams.with_options(**retrying)(connection, return_state=True)
        streams = _landed(found, total)
        for stream in streams or []:
            state = sync_stream.with_options(**retrying)(engine, connection, stream, full_refresh, return_state=True)
            _landed(state, total)
        status, error = outcome(total)
        finish_run(engine, run_id, status, run_counts(connection, total), error)
    except Exception as failure:
        finish_run(engine, run_id, "failed", run_counts(connection, total), f"{type(failure).__name__}: {failure}")
        raise
    finally:
        engine.dispose()
    summary = {
        "connection": connection_name, "run_id": run_id, "status": status, "error": error, "records": total.records,
        "inserted": sum(c.inserted for c in total.streams.values()), "updated": sum(c.updated for c in total.streams.values()),
        "echoes": sum(c.echoes for c in total.streams.values()),
        "streams": {name: counts.records for name, counts in total.streams.items()},
    }  # fmt: skip
    logger.info("sync %s: %d records (%d new, %d changed) in %d streams — run %d %s", connection_name,
                summary["records"], summary["inserted"], summary["updated"], len(summary["streams"]), run_id, status)  # fmt: skip
    if status != "succeeded":
        # Failed in Prefect (paused included: the work is not done), with the counts kept for the loop.
        raise SyncFailed(summary)
    return summary


def _landed(state: State[Any], total: LandingReport) -> Any:
    """A task's result, its counts and errors added to `total`; None when it failed."""
    result = state.result(raise_on_failure=False)
    report = result if isinstance(result, LandingReport) else getattr(result, "report", None)
    if isinstance(result, BaseException) and report is None:
        report = LandingReport(errors=[StreamFailure(None, f"{type(result).__name__}: {result}", "system_error")])
    if report is not None:
        total.streams.update(report.streams)
        total.errors.extend(report.errors)
    return None if isinstance(result, BaseException) else result


@flow(name="map", log_prints=False)
def map_flow(config_path: str | None = None, database_url: str | None = None, full: bool = False) -> dict[str, Any]:
    """Map what changed since the last map run (map_records keeps the run row)."""
    from flows.map import map_records
    from mapping import load_catalog

    config, engine = open_store(config_path, database_url)
    announce("map")

    def progress(system: str, object_name: str, counts: Any) -> None:
        if _listener is not None:
            _listener.progress("map", f"{system}/{object_name}", counts.read)

    try:
        report = map_records(engine, load_catalog(config.mapping, config.origin()), full=full, on_progress=progress)
    finally:
        engine.dispose()
    objects = report.objects.values()
    summary = {
        "run_id": report.run_id, "read": report.read, "inserted": sum(c.inserted for c in objects),
        "changed": sum(c.changed for c in objects), "unchanged": sum(c.unchanged for c in objects), "quarantined": report.quarantined,
    }  # fmt: skip
    get_run_logger().info("map run %d: %d read, %d new, %d changed, %d quarantined", report.run_id, report.read,
                          summary["inserted"], summary["changed"], report.quarantined)  # fmt: skip
    return summary


@flow(name="resolve", log_prints=False)
def resolve_flow(config_path: str | None = None, database_url: str | None = None, full: bool = False, retrain: bool = False) -> dict[str, Any]:
    """Golden records up to date with the canonical ones; one run row with per-entity counts."""
    from identity.resolve import resolve

    config, engine = open_store(config_path, database_url)
    announce("resolve")
    run_id = start_run(engine, "resolve", {"full": full})
    try:
        report = resolve(engine, config.identity, full=full, retrain=retrain)
        entities = {
            entity: {"records": c.records, "changed": c.changed, "golden": c.golden, "created": c.created,
                     "merged": c.merged, "split": c.split, "review_open": c.review_open, "oversized": len(c.oversized)}
            for entity, c in report.entities.items()
        }  # fmt: skip
        finish_run(engine, run_id, "succeeded", {"full": full, "entities": entities})
    except Exception as error:
        finish_run(engine, run_id, "failed", {"full": full}, f"{type(error).__name__}: {error}")
        raise
    finally:
        engine.dispose()
    for entity, counts in entities.items():
        get_run_logger().info("resolve %s: %d records, %d changed, %d golden", entity, counts["records"], counts["changed"], counts["golden"])
    return {"run_id": run_id, "entities": entities}


@flow(name="loop", log_prints=False)
def loop_flow(
    config_path: str | None = None,
    database_url: str | None = None,
    full_refresh: bool = False,
    retries: int = RETRIES,
    retry_delay_seconds: float = RETRY_DELAY_SECONDS,
) -> dict[str, Any]:
    """Every connection's sync, then map, resolve and write-back; a failed sync is counted and the rest go on."""
    from flows.writeback.flow import writeback_flow

    logger = get_run_logger()
    config, engine = open_store(config_path, database_url)
    run_id = start_run(engine, "loop", {"connections": [c.name for c in config.connections]})
    summary: dict[str, Any] = {"run_id": run_id, "syncs": {}}
    try:
        for connection in config.connections:
            state = sync_flow(
                connection.name, config_path, database_url,
                full_refresh=full_refresh, retries=retries, retry_delay_seconds=retry_delay_seconds, return_state=True,
            )  # fmt: skip
            summary["syncs"][connection.name] = _sync_summary(connection.name, state)
        summary["map"] = map_flow(config_path, database_url)
        summary["resolve"] = resolve_flow(config_path, database_url)
        summary["writeback"] = writeback_flow(config_path, database_url)
    except Exception as error:
        finish_run(engine, run_id, "failed", summary, f"{type(error).__name__}: {error}")
        engine.dispose()
        raise
    failed = {name: sync["error"] for name, sync in summary["syncs"].items() if sync["status"] != "succeeded"}
    if summary["writeback"].get("failed"):
        failed["write-back"] = f"{summary['writeback']['failed']} change(s) refused; `loophub writeback --dry-run` and the outbox say which"
    # "partial": the loop itself went through but some connection did not sync or some writes were refused.
    summary["status"] = "partial" if failed else "succeeded"
    error = "; ".join(f"{name}: {message}" for name, message in failed.items()) or None
    finish_run(engine, run_id, summary["status"], summary, error)
    engine.dispose()
    logger.info("loop run %d %s: synced %d of %d connections, mapped %d, %s", run_id, summary["status"],
                len(summary["syncs"]) - len(failed), len(summary["syncs"]), summary["map"]["read"], _golden_line(summary))  # fmt: skip
    return summary


def _sync_summary(connection: str, state: State[Any]) -> dict[str, Any]:
    """What a sync subflow did, whether it completed or failed (then from its exception)."""
    result = state.result(raise_on_failure=False)
    if isinstance(result, SyncFailed):
        return result.summary
    if isinstance(result, BaseException):
        return {"connection": connection, "run_id": None, "status": "failed", "error": f"{type(result).__name__}: {result}",
                "records": 0, "inserted": 0, "updated": 0, "streams": {}}  # fmt: skip
    return result


def _golden_line(summary: dict[str, Any]) -> str:
    entities = summary["resolve"]["entities"]
    return ", ".join(f"{counts['golden']} golden {entity}" for entity, counts in entities.items())
