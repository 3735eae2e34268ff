"""`loophub map` and `loophub mapping check|preview`: raw records into the canonical model, and the specs that say how."""

from __future__ import annotations

import json
import logging
from collections import Counter
from collections.abc import Mapping
from typing import TYPE_CHECKING, Annotated, Any, Self

import typer
from rich.console import Group, RenderableType
from rich.markup import escape
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from loophub.cli.context import CliState, console, state
from loophub.config import ConnectionConfig, LoophubConfig
from loophub.errors import ErrorKind, LoopError

if TYPE_CHECKING:
    from flows.map import MapReport, ObjectCounts
    from mapping import CanonicalRecord, Key, SpecCatalog
    from store import RawRecord

app = typer.Typer(help="Check the mapping specs and preview what they make of a record.", no_args_is_help=True)

TOP_REASONS = 10
LONG_TEXT = 120  # characters of a raw text value shown in a preview
# Discovery is interactive here: a connection that does not answer should fail in seconds, not back off for minutes.
CHECK_RETRIES = 1


def map_command(
    ctx: typer.Context,
    full: Annotated[bool, typer.Option("--full", help="Map every raw record again, not only the changed ones.")] = False,
) -> None:
    """Map raw records that changed since they were last mapped; records that cannot be mapped are quarantined with the reason."""
    from flows.map import map_records
    from store import session_scope
    from store.mapped import ledger_counts

    cli = state(ctx)
    catalog = _catalog(cli.config())
    engine = cli.engine()
    with _ObjectProgress() as progress:
        report = map_records(engine, catalog, full=full, on_progress=progress.update)
    if report.read:
        console.print(_counts_table(report))
        _print_reasons(report)
    else:
        console.print(f"map run {report.run_id}: nothing to map, every raw record has an outcome under the current specs")
    with session_scope(engine) as session:
        ledger = ledger_counts(session)
    _print_ledger(ledger)


@app.command("check")
def check(
    ctx: typer.Context,
    offline: Annotated[bool, typer.Option("--offline", help="Validate the specs only; do not ask the connections for their schemas.")] = False,
) -> None:
    """Validate the specs, then check every source path and type against the schemas the connections discover."""
    from mapping.check import check_against_schemas, unchecked_specs

    config = state(ctx).config()
    catalog = _catalog(config)  # a spec problem is a MappingSpecError: printed with file:line, exit 2
    if offline:
        console.print(f"mapping OK: {len(catalog.specs)} specs valid (offline: not checked against the connections' schemas)")
        return
    schemas, unreachable = _discover_schemas(config.connections)
    problems = check_against_schemas(catalog, schemas)
    unchecked = unchecked_specs(catalog, schemas)
    for name, message in unreachable:
        console.print(f"[red]✗[/] {escape(name)}: cannot discover its streams: {escape(message)}", soft_wrap=True, highlight=False)
    if unchecked:
        console.print(f"[yellow]not checked[/] (no schema for their objects): {', '.join(unchecked)}", soft_wrap=True)
    if problems:
        console.print(f"[bold red]the mapping has {len(problems)} problem{'s' if len(problems) != 1 else ''}:[/]")
        for problem in problems:
            console.print("  " + problem.render(), soft_wrap=True, highlight=False, markup=False)
        raise typer.Exit(2)
    if unreachable:
        raise typer.Exit(1)
    console.print(f"mapping OK: {len(catalog.specs) - len(unchecked)} specs checked against {len(schemas)} streams")


@app.command("preview")
def preview(
    ctx: typer.Context,
    system: Annotated[str, typer.Argument(help="salesforce, hubspot or zendesk.")],
    object_name: Annotated[str, typer.Argument(metavar="OBJECT", help="The stream: Contact, contacts, users, …")],
    source_id: Annotated[str, typer.Argument(metavar="ID", help="The record's id in the source system.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print raw, canonical, keys and reason as JSON.")] = False,
) -> None:
    """Show a raw record from the store beside what the current specs make of it, with its match keys."""
    from mapping import MappingFailure, SourceRef, map_record, match_keys, select_spec

    cli = state(ctx)
    catalog = _catalog(cli.config())
    raw = _raw_record(cli, system, object_name, source_id)
    record: CanonicalRecord | None = None
    keys: list[Key] = []
    reason: str | None = None
    try:
        record = map_record(
            catalog, SourceRef(system=system, object=object_name, id=source_id), raw.payload,
            source_updated_at=raw.source_updated_at, is_deleted=raw.is_deleted,
        )
        keys = match_keys(record)
    except MappingFailure as failure:
        reason = str(failure)
    if as_json:
        body = {
            "raw": raw.payload,
            "canonical": record.model_dump(mode="json") if record else None,
            "keys": [{"kind": key.kind, "value": key.value, "weak": key.is_weak} for key in keys],
            "reason": reason,
        }
        typer.echo(json.dumps(body, indent=2, ensure_ascii=False, default=str))
        return
    spec = select_spec(catalog, system, object_name, raw.payload).name if record else None
    table = Table(escape(f"raw: {system} {object_name} {source_id}"), f"canonical {record.entity} (spec {spec})" if record else "quarantined", expand=True)
    table.add_row(_raw_view(raw.payload), _canonical_view(record, keys) if record else Text(reason or "", style="red"))
    console.print(table)


def _catalog(config: LoophubConfig) -> SpecCatalog:
    from mapping import load_catalog

    return load_catalog(config.mapping, config.origin())


def _raw_record(cli: CliState, system: str, object_name: str, source_id: str) -> RawRecord:
    """The raw record by its source ref, detached from the session; a LoopError naming what was looked for."""
    from sqlalchemy import func, select

    from store import RawRecord, session_scope

    with session_scope(cli.engine()) as session:
        raw = session.scalars(
            select(RawRecord).where(RawRecord.system == system, RawRecord.object == object_name, RawRecord.source_id == source_id)
        ).one_or_none()
        if raw is not None:
            session.expunge(raw)
            return raw
        landed = session.scalar(select(func.count()).where(RawRecord.system == system, RawRecord.object == object_name))
    hint = f"{system} {object_name} has {landed:,} records, none with that id" if landed else f"nothing of {system} {object_name} has been synced"
    raise LoopError(f"no raw record {system} {object_name} {source_id!r} in the store ({hint})", kind=ErrorKind.CONFIG)


def _discover_schemas(connections: list[ConnectionConfig]) -> tuple[dict[tuple[str, str], Mapping[str, Any]], list[tuple[str, str]]]:
    """Each connection's stream schemas by (system, stream), and (connection, message) for those that failed."""
    from flows.sources import build_source
    from loophub.cli.context import connector_logs_to_terminal

    connector_logs_to_terminal()
    schemas: dict[tuple[str, str], Mapping[str, Any]] = {}
    failures: list[tuple[str, str]] = []
    for connection in connections:
        source, config = build_source(connection)
        config["max_retries"] = min(int(config.get("max_retries", CHECK_RETRIES)), CHECK_RETRIES)
        try:
            catalog = source.discover(logging.getLogger("loophub.mapping"), config)
        except Exception as error:  # noqa: BLE001 — any failure is this connection's, reported by name
            failures.append((connection.name, _redacted(_user_message(error), connection)))
            continue
        schemas.update({(connection.system, stream.name): stream.json_schema for stream in catalog.streams})
    return schemas, failures


def _user_message(error: Exception) -> str:
    return getattr(error, "user_message", None) or getattr(error, "message", None) or f"{type(error).__name__}: {error}"


def _redacted(message: str, connection: ConnectionConfig) -> str:
    """The message with every credential of the connection masked, should an unexpected error quote one."""
    for secret in connection.credentials.values():
        value = secret.get_secret_value()
        if len(value) >= 4:
            message = message.replace(value, "****")
    return message


def _counts_table(report: MapReport) -> Table:
    """A row per system/object the run read (objects it had nothing to do for are left out), then the total."""
    table = Table("system/object", title=f"map run {report.run_id}")
    for column in ("read", "new", "changed", "unchanged", "quarantined", "warnings"):
        table.add_column(column, justify="right")
    for (system, object_name), counts in sorted(report.objects.items()):
        if counts.read:
            table.add_row(f"{system}/{object_name}", *_count_cells(counts))
    total = Counter[str]()
    for counts in report.objects.values():
        total.update({name: getattr(counts, name) for name in ("read", "inserted", "changed", "unchanged", "quarantined", "warnings")})
    table.add_section()
    table.add_row("total", *(f"{total[name]:,}" for name in ("read", "inserted", "changed", "unchanged", "quarantined", "warnings")), style="bold")
    return table


def _count_cells(counts: ObjectCounts) -> list[str]:
    quarantined = f"[red]{counts.quarantined:,}[/]" if counts.quarantined else "0"
    return [f"{counts.read:,}", f"{counts.inserted:,}", f"{counts.changed:,}", f"{counts.unchanged:,}", quarantined, f"{counts.warnings:,}"]


def _print_reasons(report: MapReport) -> None:
    reasons = Counter[tuple[str, str]]()
    for (system, object_name), counts in report.objects.items():
        reasons.update({(f"{system}/{object_name}", reason): count for reason, count in counts.reasons.items()})
    if not reasons:
        return
    console.print("Top quarantine reasons:")
    for (name, reason), count in reasons.most_common(TOP_REASONS):
        console.print(f"  {count:>6,} × {name}: {reason}", soft_wrap=True, highlight=False, markup=False)


def _print_ledger(ledger: Mapping[tuple[str, str, str], int]) -> None:
    """Store totals: every raw record is mapped, quarantined, or (only if a run stopped early) not yet mapped."""
    outcomes = Counter[str]()
    for (_, _, outcome), count in ledger.items():
        outcomes[outcome] += count
    raw, mapped, quarantined, unmapped = sum(outcomes.values()), outcomes["mapped"], outcomes["quarantined"], outcomes["unmapped"]
    line = f"store: {raw:,} raw records = {mapped:,} mapped + {quarantined:,} quarantined"
    if unmapped:
        console.print(f"[yellow]{line} + {unmapped:,} not mapped yet[/]")
    else:
        console.print(f"{line}: every raw record accounted for")


def _raw_view(payload: Mapping[str, Any]) -> RenderableType:
    from rich.json import JSON

    return JSON.from_data(_shortened(payload), default=str)


def _shortened(value: Any) -> Any:
    """Long text cut to LONG_TEXT characters, so one ticket body does not push the record off the screen."""
    if isinstance(value, str) and len(value) > LONG_TEXT:
        return f"{value[:LONG_TEXT]}… ({len(value):,} characters)"
    if isinstance(value, Mapping):
        return {key: _shortened(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_shortened(item) for item in value]
    return value


def _canonical_view(record: CanonicalRecord, keys: list[Key]) -> RenderableType:
    fields = Table("field", "value", box=None, show_header=False)
    values = record.model_dump(mode="json", exclude={"source", "attributes", "warnings"})
    for name, value in values.items():
        if value not in (None, [], {}, ""):
            fields.add_row(name, _shown(value))
    for name, value in sorted(record.attributes.items()):
        fields.add_row(f"attributes.{name}", _shown(value))
    for warning in record.warnings:
        fields.add_row(Text("warning", style="yellow"), Text(warning, style="yellow"))
    key_table = Table("kind", "match key", "weak", title="match keys", box=None)
    for key in keys:
        key_table.add_row(key.kind, Text(key.value), "weak" if key.is_weak else "")
    return Group(fields, Text(""), key_table)


def _shown(value: Any) -> Text:
    return Text(value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str))


class _ObjectProgress:
    """One progress line per system/object: records read and how many were quarantined."""

    def __init__(self) -> None:
        self.progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(bar_width=None),
            TextColumn("{task.completed:>9,.0f} read"),
            TextColumn("{task.fields[quarantined]:>7,} quarantined"),
            TimeElapsedColumn(),
            console=console,
            transient=False,
        )
        self.tasks: dict[tuple[str, str], TaskID] = {}

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_: object) -> None:
        # Started on the first report only: a run with nothing to map leaves no empty progress line.
        if self.tasks:
            self.progress.stop()

    def update(self, system: str, object_name: str, counts: ObjectCounts) -> None:
        if not self.tasks:
            self.progress.start()
        if (system, object_name) not in self.tasks:
            self.tasks[(system, object_name)] = self.progress.add_task(f"{system}/{object_name}", total=None, quarantined=0)
        self.progress.update(self.tasks[(system, object_name)], completed=counts.read, quarantined=counts.quarantined)
