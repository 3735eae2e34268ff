"""`loophub sync`: pull connections into the store."""

from __future__ import annotations

import time
from typing import Annotated

import typer
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

from loophub.cli.context import connector_logs_to_terminal, console, state
from loophub.config import ConnectionConfig
from loophub.errors import ErrorKind, LoopError


def sync(
    ctx: typer.Context,
    connections: Annotated[list[str] | None, typer.Argument(help="Connection names (default: all).", show_default=False)] = None,
    full_refresh: Annotated[bool, typer.Option("--full-refresh", help="Ignore saved state and re-read everything.")] = False,
) -> None:
    """Read every stream of the connections into raw_records, incrementally, one committed batch at a time."""
    from flows.sync import sync_connection

    connector_logs_to_terminal()
    cli = state(ctx)
    selected = _select(cli.config().connections, connections or [])
    engine = cli.engine()
    failed = False
    for connection in selected:
        with _StreamProgress(connection.name) as progress:
            report = sync_connection(engine, connection, full_refresh=full_refresh, on_progress=progress.update)
        streams = report.landing.streams.values()
        echoes = sum(c.echoes for c in streams)
        console.print(
            f"{connection.name}: {report.landing.records:,} records read "
            f"({sum(c.inserted for c in streams):,} new, {sum(c.updated for c in streams):,} changed"
            f"{f', {echoes:,} of them only loophub’s own writes' if echoes else ''}) — run {report.run_id} {report.status}"
        )
        if report.status == "paused":
            console.print(f"[yellow]{connection.name}: paused, progress kept; the next sync resumes: {report.error}[/]", soft_wrap=True)
        elif report.error:
            failed = True
            console.print(f"[red]{connection.name}: {report.error}[/]", soft_wrap=True)
    if failed:
        raise typer.Exit(1)


def _select(configured: list[ConnectionConfig], names: list[str]) -> list[ConnectionConfig]:
    if not configured:
        raise LoopError("no connections are configured; add them under `connections:` in loophub.yaml", kind=ErrorKind.CONFIG)
    if not names:
        return configured
    known = {connection.name: connection for connection in configured}
    unknown = [name for name in names if name not in known]
    if unknown:
        raise LoopError(
            f"unknown connection {', '.join(unknown)}; configured: {', '.join(known)}", kind=ErrorKind.CONFIG
        )
    return [known[name] for name in names]


class _StreamProgress:
    """One progress line per stream: records landed and the rate."""

    def __init__(self, connection: str) -> None:
        self.connection = connection
        self.progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(bar_width=None),
            TextColumn("{task.completed:>9,.0f} records"),
            TextColumn("{task.fields[rate]:>8,.0f}/s"),
            TimeElapsedColumn(),
            console=console,
            transient=False,
        )
        self.tasks: dict[str, tuple[TaskID, float]] = {}
        # A stream's first report comes after its first batch; it started when the one before it last reported.
        self.last_report = time.perf_counter()

    def __enter__(self) -> _StreamProgress:
        self.progress.start()
        self.last_report = time.perf_counter()
        return self

    def __exit__(self, *_: object) -> None:
        self.progress.stop()

    def update(self, stream: str, counts: object) -> None:
        records = getattr(counts, "records", 0)
        now = time.perf_counter()
        if stream not in self.tasks:
            task = self.progress.add_task(f"{self.connection}/{stream}", total=None, rate=0.0)
            self.tasks[stream] = (task, self.last_report)
        task, started = self.tasks[stream]
        self.progress.update(task, completed=records, rate=records / max(now - started, 1e-6))
        self.last_report = now
