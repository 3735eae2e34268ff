"""`loophub demo`: the sandbox, seeded, loophub's whole loop run over it, a summary, then the API to explore it."""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table

from loophub.cli.context import console

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from flows.writeback.run import ApplyReport
    from loophub.config import LoophubConfig


def demo_command(
    people: Annotated[int, typer.Option(min=10, help="Synthetic people to seed the sandbox with.")] = 3000,
    seed: Annotated[int, typer.Option(help="Seed of the synthetic customer base.")] = 42,
    directory: Annotated[Path, typer.Option("--dir", help="Where the demo keeps its loophub.yaml and database (recreated).")] = Path("loophub-demo"),
    serve: Annotated[bool, typer.Option("--serve/--no-serve", help="Serve the API (and keep the sandbox up) after the summary, to explore.")] = True,
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port of the demo's API.")] = 8000,
) -> None:
    """Start the sandbox; sync, map, resolve and write back; print what loophub made of it; serve the API."""
    # Imported here: product code never imports the sandbox, only this command does.
    from loophub.cli.context import connector_logs_to_terminal
    from loophub.config import parse_config
    from sandbox.config import sandbox_config_yaml
    from sandbox.population import generate_world
    from sandbox.server import SandboxServer
    from store import create_store_engine, upgrade_database

    started = time.perf_counter()
    directory.mkdir(parents=True, exist_ok=True)
    database = directory / "loophub.db"
    for stale in (database, directory / "loophub.db-wal", directory / "loophub.db-shm"):
        stale.unlink(missing_ok=True)
    with console.status(f"seeding the sandbox with {people:,} people…"):
        server = SandboxServer(generate_world(people, seed), certificate_dir=directory.resolve() / ".sandbox")
        server.start()
    config_file = directory / "loophub.yaml"
    config_file.write_text(sandbox_config_yaml(server, f"sqlite:///{database.resolve()}"), encoding="utf-8")
    console.print(f"sandbox up: Salesforce {server.url('salesforce')}, HubSpot {server.url('hubspot')}, Zendesk {server.url('zendesk')}")
    connector_logs_to_terminal()
    config = parse_config(config_file.read_text(encoding="utf-8"), config_file, environ={})
    engine = create_store_engine(config.database.url if config.database else f"sqlite:///{database}")
    upgrade_database(engine)
    try:
        written = _run_loop(engine, config)
        _print_summary(engine, written, time.perf_counter() - started)
        if serve:
            _explore(engine, config, config_file, port)
    finally:
        server.stop()
        engine.dispose()


def _run_loop(engine: Engine, config: LoophubConfig) -> ApplyReport | None:
    """The loop's steps with a progress line each; the write-back's report."""
    from flows.map import map_records
    from flows.sync import sync_connection
    from flows.writeback.run import writeback
    from flows.writeback.targets import apply_targets
    from identity.resolve import resolve
    from mapping import load_catalog

    with _Steps() as steps:
        for connection in config.connections:
            task = steps.add(f"sync {connection.name}", "records")
            report = sync_connection(engine, connection, on_progress=lambda stream, counts, task=task: steps.add_to(task, stream, counts))
            steps.finish(task, report.landing.records)
            if report.error:
                console.print(f"[red]{connection.name}: {report.error}[/]")
        task = steps.add("map", "records")
        mapped = map_records(engine, load_catalog(config.mapping, config.origin()), on_progress=lambda *_: None)
        steps.finish(task, mapped.read)
        task = steps.add("resolve", "records")
        resolved = resolve(engine, config.identity)
        steps.finish(task, sum(counts.records for counts in resolved.entities.values()))
        task = steps.add("target fields", "created")
        steps.finish(task, apply_targets(config).count("created"))  # what an admin runs once: `loophub targets apply`
        task = steps.add("write-back", "written")
        plan, report = writeback(engine, config)
        steps.finish(task, report.count("applied") + report.handoffs.counts.get("created", 0) if report else 0)
    for policy, fields in plan.skipped.items():
        console.print(f"[yellow]{policy} skipped: {len(fields)} target field(s) not ready[/]")
    return report


class _Steps:
    """One progress line per step of the loop."""

    def __init__(self) -> None:
        self.progress = Progress(
            TextColumn("{task.description:<18}"), BarColumn(bar_width=30), TextColumn("{task.completed:>9,.0f} {task.fields[unit]}"),
            TimeElapsedColumn(), console=console,
        )  # fmt: skip
        self.streams: dict[TaskID, dict[str, int]] = {}

    def __enter__(self) -> _Steps:
        self.progress.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.progress.stop()

    def add(self, description: str, unit: str) -> TaskID:
        task = self.progress.add_task(description, total=None, unit=unit)
        self.streams[task] = {}
        return task

    def add_to(self, task: TaskID, stream: str, counts: Any) -> None:
        self.streams[task][stream] = getattr(counts, "records", 0)
        self.progress.update(task, completed=sum(self.streams[task].values()))

    def finish(self, task: TaskID, done: int) -> None:
        self.progress.update(task, total=max(done, 1), completed=max(done, 1) if done else 0)


def _print_summary(engine: Engine, written: ApplyReport | None, seconds: float) -> None:
    from sqlalchemy import func, select

    from store import RawRecord, session_scope
    from store.canonical import CANONICAL_TABLES, MapLedgerEntry
    from store.identity import GoldenMember, GoldenRecord, IdentityEdge, ReviewItem

    with session_scope(engine) as session:
        raw = Counter(dict(session.execute(select(RawRecord.system, func.count()).group_by(RawRecord.system)).all()))
        quarantined = session.scalar(select(func.count()).select_from(MapLedgerEntry).where(MapLedgerEntry.outcome == "quarantined")) or 0
        canonical = {entity: session.scalar(select(func.count()).select_from(table)) or 0 for entity, table in CANONICAL_TABLES.items()}
        golden = dict(session.execute(select(GoldenRecord.entity, func.count()).where(GoldenRecord.status == "active").group_by(GoldenRecord.entity)).all())
        sizes = Counter(
            entity for entity, _ in session.execute(
                select(GoldenMember.entity, GoldenMember.golden_id).group_by(GoldenMember.entity, GoldenMember.golden_id).having(func.count() > 1)
            )
        )  # fmt: skip
        rules = dict(session.execute(select(IdentityEdge.rule, func.count()).group_by(IdentityEdge.rule)).all())
        review = session.scalar(select(func.count()).select_from(ReviewItem).where(ReviewItem.status == "open")) or 0
    table = Table(title=f"loophub demo — the loop in {seconds:.0f} s", show_header=False)
    table.add_column(style="bold")
    table.add_column()
    table.add_row("records pulled", ", ".join(f"{system} {count:,}" for system, count in sorted(raw.items())))
    table.add_row("canonical records", ", ".join(f"{entity} {count:,}" for entity, count in canonical.items() if count) + f"; quarantined {quarantined:,}")
    for entity, label in (("person", "golden people"), ("company", "golden companies")):
        merged = f"{sizes.get(entity, 0):,} of them join several records"
        table.add_row(label, f"{golden.get(entity, 0):,} from {canonical[entity]:,} records; {merged}")
    table.add_row("evidence by rule", ", ".join(f"{rule} {count:,}" for rule, count in sorted(rules.items())))
    table.add_row("review queue", f"{review:,} uncertain pairs")
    if written is not None:
        _add_writeback_rows(table, written)
    console.print(table)


def _add_writeback_rows(table: Table, written: ApplyReport) -> None:
    """Writes per system and policy, hand-off deals, and companies put on sales hold."""
    applied: dict[str, Counter[str]] = {}
    for (system, policy), counts in written.outcomes.items():
        applied.setdefault(system, Counter())[policy] += counts["applied"]
    for system, policies in sorted(applied.items()):
        table.add_row(f"written to {system}", ", ".join(f"{policy} {count:,}" for policy, count in sorted(policies.items()) if count) or "nothing")
    handoffs = written.handoffs.counts
    table.add_row("hand-offs", f"{handoffs.get('created', 0):,} deals created from tickets with a sales signal")
    table.add_row("sales holds", f"{_sales_holds(written):,} CRM company records put on hold (open urgent/high ticket)")
    trouble = len(written.conflicts) + len(written.errors)
    if trouble:
        table.add_row("needs a look", f"{len(written.conflicts):,} conflicts, {len(written.errors):,} failed writes (`loophub writeback --dry-run`)")


def _sales_holds(written: ApplyReport) -> int:
    """CRM records the suppression policy flagged in this run (it writes `true` to hold, `false` to lift)."""
    return sum(1 for change in written.applied if change.policy == "suppression" and str(change.new_value).lower() == "true")


def _explore(engine: Engine, config: LoophubConfig, config_file: Path, port: int) -> None:
    """Serve the API in this process with a fresh read key, and say how to try it."""
    import threading

    import uvicorn
    from sqlalchemy import select

    from api.app import create_app
    from store import session_scope
    from store.apikeys import create_key
    from store.canonical import MatchKey

    with session_scope(engine) as session:
        email = session.scalars(select(MatchKey.value).where(MatchKey.entity == "person", MatchKey.kind == "email", MatchKey.is_weak.is_(False)).limit(1)).first()
        _, secret = create_key(session, "demo", "read")
    server = uvicorn.Server(uvicorn.Config(create_app(engine, config), host="127.0.0.1", port=port, log_level="warning"))
    threading.Thread(target=server.run, daemon=True).start()
    console.print(f"\nThe API is up on http://127.0.0.1:{port} (docs at /docs). Try, in another terminal:")
    console.print(f"  curl -s -H 'X-API-Key: {secret}' 'http://127.0.0.1:{port}/v1/profiles?email={email}'", soft_wrap=True)
    console.print(f"  loophub -c {config_file} profiles show --email {email}", soft_wrap=True)
    console.print(f"  loophub -c {config_file} writeback --dry-run")
    console.print("Ctrl-C stops the API and the sandbox.")
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        server.should_exit = True
        console.print("stopped")
