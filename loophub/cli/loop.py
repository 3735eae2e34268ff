"""`loophub loop`: sync every connection, map, resolve, write back — once, or again every interval until Ctrl-C.

Runs the Prefect `loop` flow in this process. Without a Prefect server
(PREFECT_API_URL unset) a temporary one is started for the command; its
output goes to a log file, not the terminal.
"""

from __future__ import annotations

import logging
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Annotated, Any, Self

import typer
from rich.markup import escape
from rich.progress import Progress, SpinnerColumn, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table

from loophub.cli.context import CliState, console, error_console, state

INTERVAL = re.compile(r"^\s*(\d+)\s*([smh])\s*$")
UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600}
RUN_LOGGERS = ("prefect.flow_runs", "prefect.task_runs")
# Interactive runs do not wait minutes on task retries: the connectors retry calls, the next run retries the rest.
CLI_RETRIES = 0
SERVER_LOG = Path(tempfile.gettempdir()) / "loophub-prefect-server.log"
# Set before Prefect is imported: its settings and logging are read then. The run logs still go to the
# API at INFO (a configured server keeps them); only the terminal is kept to warnings.
QUIET_PREFECT = {
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "PREFECT_SERVER_LOGGING_LEVEL": "ERROR",
    "PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL": "WARNING",
}


def loop_command(
    ctx: typer.Context,
    every: Annotated[
        str | None,
        typer.Option("--every", help="Start a run every interval (10s, 5m, 1h) until Ctrl-C; a run that takes longer is followed by the next at once.", show_default=False),
    ] = None,
) -> None:
    """Sync every connection, then map, resolve and write back: the whole loop, as the Prefect `loop` flow."""
    interval = parse_interval(every) if every is not None else None
    cli = state(ctx)
    cli.config()  # a broken loophub.yaml is reported before any server starts
    for name, value in QUIET_PREFECT.items():
        os.environ.setdefault(name, value)
    from flows import pipeline

    _one_line_warnings()
    _temporary_prefect_server()
    parameters = {"config_path": _config_path(cli), "database_url": cli.database_url(), "retries": CLI_RETRIES}
    stop = _StopRequest()
    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)  # as Ctrl-C, so the exit handlers stop the temporary server too
    runs = 0
    try:
        while True:
            runs += 1
            started = time.monotonic()
            failed = _run_once(pipeline, parameters, stop)
            if interval is None:
                if failed:
                    raise typer.Exit(1)
                return
            # Start to start, as a schedule means it: the wait for the next pull does not grow by the run's own length.
            wait = interval - (time.monotonic() - started)
            console.print(f"[dim]next run in {wait:.0f}s; Ctrl-C stops[/]" if wait > 0 else f"[dim]the run took longer than {every}; next run now; Ctrl-C stops[/]")
            time.sleep(max(wait, 0.0))
    except KeyboardInterrupt:
        # Whatever Prefect says about runs cut short is not for the terminal now.
        logging.disable(logging.CRITICAL)
        console.print(f"stopped after {runs} run{'s' if runs != 1 else ''}")
        raise typer.Exit(130 if interval is None else 0) from None


def parse_interval(text: str) -> float:
    """Seconds in `10s`, `5m` or `1h`."""
    match = INTERVAL.match(text)
    if not match or int(match.group(1)) == 0:
        raise typer.BadParameter(f"{text!r} is not an interval; write a positive number and s, m or h, like 10s, 5m or 1h", param_hint="--every")
    return int(match.group(1)) * UNIT_SECONDS[match.group(2)]


def _config_path(cli: CliState) -> str | None:
    """The file the CLI read, as an absolute path (flows may run elsewhere); None for the built-in defaults."""
    from loophub.config import config_path

    path, _ = config_path(cli.config_file)
    return str(path.resolve()) if path.exists() else None


class _StopRequest:
    """A Ctrl-C noted before it is raised: inside a DuckDB query (resolve) it surfaces as a RuntimeError instead."""

    def __init__(self) -> None:
        self.requested = False

    def __call__(self, _signum: int, _frame: object) -> None:
        self.requested = True
        raise KeyboardInterrupt


def _run_once(pipeline: ModuleType, parameters: dict[str, Any], stop: _StopRequest) -> bool:
    """One loop with progress, then its summary; True when a connection's sync failed (not merely paused)."""
    with _StepProgress() as progress, pipeline.listening(progress):
        try:
            summary = pipeline.loop_flow(**parameters)
        except Exception as error:  # noqa: BLE001 — map or resolve failed; the message, not Prefect's traceback
            if stop.requested:
                raise KeyboardInterrupt from None
            progress.stop()
            error_console.print(f"[bold red]loop failed:[/] {escape(f'{type(error).__name__}: {error}')}", soft_wrap=True)
            return True
    console.print(_summary_table(summary))
    failed = False
    for name, sync in summary["syncs"].items():
        if sync["status"] == "paused":
            console.print(f"[yellow]{name}: paused, progress kept; the next run resumes: {escape(sync['error'] or '')}[/]", soft_wrap=True)
        elif sync["status"] != "succeeded":
            failed = True
            console.print(f"[red]{name}: {escape(sync['error'] or 'failed')}[/]", soft_wrap=True)
    return failed


def _summary_table(summary: dict[str, Any]) -> Table:
    table = Table("step", "status", title=f"loop run {summary['run_id']} {summary['status']}")
    for column in ("read", "new", "changed"):
        table.add_column(column, justify="right")
    table.add_column("result")
    for name, sync in summary["syncs"].items():
        style = {"succeeded": "green", "paused": "yellow"}.get(sync["status"], "red")
        table.add_row(f"sync {name}", f"[{style}]{sync['status']}[/]", f"{sync['records']:,}", f"{sync['inserted']:,}", f"{sync['updated']:,}", f"run {sync['run_id']}")
    mapped = summary["map"]
    quarantined = f"[red]{mapped['quarantined']:,} quarantined[/]" if mapped["quarantined"] else "0 quarantined"
    table.add_row("map", "[green]succeeded[/]", f"{mapped['read']:,}", f"{mapped['inserted']:,}", f"{mapped['changed']:,}", quarantined)
    for entity, counts in summary["resolve"]["entities"].items():
        result = f"{counts['golden']:,} golden ({counts['created']:,} new, {counts['merged']:,} merged), {counts['review_open']:,} to review"
        table.add_row(f"resolve {entity}", "[green]succeeded[/]", f"{counts['records']:,}", "", f"{counts['changed']:,}", result)
    written = summary.get("writeback")
    if written is not None:
        table.add_row("write-back", *_writeback_cells(written))
    return table


def _writeback_cells(written: dict[str, Any]) -> tuple[str, str, str, str, str]:
    """Status, planned, applied and what needs a look, for the write-back row of the summary."""
    trouble = written.get("failed", 0) + written.get("conflicts", 0)
    status = "[yellow]partial[/]" if written.get("failed") else "[green]succeeded[/]"
    calls = sum(written.get("write_calls", {}).values())
    result = f"{written.get('conflicts', 0):,} conflicts, {written.get('failed', 0):,} failed; {calls:,} write calls" if trouble or calls else "nothing to write"
    return status, f"{written['planned']:,}", "", f"{written.get('applied', 0):,}", result


class _StepProgress:
    """A line per step (a connection's sync, map, resolve): what it is on and how many records so far."""

    def __init__(self) -> None:
        self.bars = Progress(
            SpinnerColumn(), TextColumn("{task.description:<20}"), TextColumn("{task.fields[detail]}"), TimeElapsedColumn(),
            console=console, transient=True,
        )  # fmt: skip
        self.rows: dict[str, TaskID] = {}
        self.counts: dict[str, dict[str, int]] = {}

    def __enter__(self) -> Self:
        self.bars.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()

    def stop(self) -> None:
        self.bars.stop()

    def step(self, name: str) -> None:
        """A new step begins; the one before it is done (steps run one after another)."""
        for row in self.rows.values():
            self.bars.update(row, completed=1, total=1)
        self.rows[name] = self.bars.add_task(name, total=None, detail="")

    def progress(self, step: str, item: str, count: int) -> None:
        if step not in self.rows:
            self.step(step)
        counts = self.counts.setdefault(step, {})
        counts[item] = count
        self.bars.update(self.rows[step], detail=f"{sum(counts.values()):>8,} records  ({item})")


def _one_line_warnings() -> None:
    """Warnings and errors from Prefect and the connectors as one line each; tracebacks stay in the run's logs."""

    class OneLine(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if record.name.startswith(RUN_LOGGERS) and record.levelno < logging.CRITICAL:
                return  # a failed task or flow: the summary names it, once
            first = record.getMessage().splitlines()[0] if record.getMessage() else ""
            error_console.print(f"[yellow]{escape(first)}[/]", soft_wrap=True, highlight=False)

    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)
    root.addHandler(OneLine(logging.WARNING))


def _temporary_prefect_server() -> None:
    """Start Prefect's temporary server now, detached from the terminal and writing to SERVER_LOG.

    Prefect would start it on the first flow run, in this terminal's process group and on its stderr:
    a Ctrl-C would kill it mid-run (Prefect then hangs reporting the crash) and it prints CancelledError
    tracebacks when it stops. The flows find this instance (one per process) and Prefect stops it at exit.
    """
    from prefect.server.api.server import SubprocessASGIServer
    from prefect.settings import PREFECT_API_URL, get_current_settings

    if PREFECT_API_URL.value():
        return  # a real server is configured; nothing to start

    class DetachedServer(SubprocessASGIServer):
        def _run_uvicorn_command(self) -> subprocess.Popen[Any]:
            # Prefect's own command (prefect/server/api/server.py), in a session of its own, output to the log.
            import prefect

            command = [
                sys.executable, "-m", "uvicorn", "--app-dir", str(prefect.__module_path__.parent), "--factory",
                "prefect.server.api.server:create_app", "--host", "127.0.0.1", "--port", str(self.port),
                "--log-level", "error", "--lifespan", "on",
            ]  # fmt: skip
            env = {**os.environ, "PREFECT_UI_ENABLED": "0", "PREFECT__SERVER_EPHEMERAL": "1", "PREFECT__SERVER_FINAL": "1"}
            env.update(get_current_settings().to_environment_variables(exclude_unset=True))
            with SERVER_LOG.open("ab") as log:
                return subprocess.Popen(
                    command, env=env, stdout=log, stderr=log, stdin=subprocess.DEVNULL, start_new_session=True,
                    preexec_fn=_parent_death_signal(),  # noqa: PLW1509 — started before any flow, no other threads yet
                )  # fmt: skip

    try:
        console.print("[dim]starting a temporary Prefect server…[/]")
        DetachedServer().start()
    except RuntimeError as error:
        error_console.print(f"[bold red]error:[/] the temporary Prefect server did not start (see {SERVER_LOG}): {escape(str(error))}", soft_wrap=True)
        raise typer.Exit(1) from None


def _parent_death_signal() -> Callable[[], None] | None:
    """For the server's process, before it starts (Linux): SIGTERM when loophub dies, even by SIGKILL, instead of lingering."""
    if not sys.platform.startswith("linux"):
        return None
    import ctypes

    libc = ctypes.CDLL(None)  # loaded here, not in the forked child
    return lambda: libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
