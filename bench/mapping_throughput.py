"""Map-step throughput: raw records from a full sandbox sync into the canonical tables.

Starts the seeded sandbox in-process, syncs all three connections into a
fresh SQLite store (or `--database-url`, which should point at an empty
database), then times the map step three ways: the first full map, a second
run with nothing changed (it must read 0), and a `full=True` re-map of every
record. Prints raw and mapped counts per system/object, the top quarantine
reasons, the ledger check that every raw record was mapped or quarantined,
and peak RSS (sandbox, world and store all live in this one process).
The world is seeded but dated from now, so counts move a little between runs.
`--profile` adds one more full re-map under cProfile and prints its top 15
functions by cumulative time; the timed runs are never profiled.

    .venv/bin/python -m bench.mapping_throughput [--people 10000] [--database-url URL] [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import io
import logging
import pstats
import resource
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from sqlalchemy import Engine, func, select

from flows.map import MapReport, map_records
from flows.sync import sync_connection
from loophub.config import parse_config
from mapping import SpecCatalog, load_catalog
from sandbox.config import sandbox_config_yaml
from sandbox.population import generate_world
from sandbox.server import SandboxServer
from store import RawRecord, create_store_engine, session_scope, upgrade_database
from store.mapped import ledger_counts


def quiet_connector_logs() -> None:
    """Connector logs as plain warnings on stderr, not the Airbyte JSON lines the CDK installs on import."""
    import airbyte_cdk.entrypoint  # noqa: F401  (its import installs the JSON handler removed here)
    from airbyte_cdk.logger import AirbyteLogFormatter

    for logger in (logging.getLogger(), logging.getLogger("airbyte")):
        for handler in list(logger.handlers):
            if isinstance(handler.formatter, AirbyteLogFormatter):
                logger.removeHandler(handler)
    airbyte = logging.getLogger("airbyte")
    airbyte.setLevel(logging.WARNING)
    airbyte.addHandler(logging.StreamHandler(sys.stderr))
    airbyte.propagate = False


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


def raw_counts(engine: Engine) -> dict[tuple[str, str], int]:
    with session_scope(engine) as session:
        query = select(RawRecord.system, RawRecord.object, func.count()).group_by(RawRecord.system, RawRecord.object)
        return {(system, object_name): count for system, object_name, count in session.execute(query)}


def timed_map(engine: Engine, catalog: SpecCatalog, *, full: bool) -> tuple[MapReport, float]:
    started = time.perf_counter()
    report = map_records(engine, catalog, full=full)
    return report, time.perf_counter() - started


def rate(records: int, seconds: float) -> str:
    return f"{records / seconds:,.0f}/s" if records and seconds > 0 else "-"


def print_run(label: str, report: MapReport, seconds: float) -> None:
    objects = report.objects.values()
    inserted = sum(counts.inserted for counts in objects)
    changed = sum(counts.changed for counts in objects)
    unchanged = sum(counts.unchanged for counts in objects)
    print(
        f"{label:<26} read {report.read:>7,}  {seconds:>7.2f} s  {rate(report.read, seconds):>9}"
        f"   (inserted {inserted:,}, changed {changed:,}, unchanged {unchanged:,}, quarantined {report.quarantined:,})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--database-url", help="an empty database to use instead of a fresh SQLite file")
    parser.add_argument("--profile", action="store_true", help="profile one extra full re-map; print the top 15 by cumulative time")
    args = parser.parse_args()
    quiet_connector_logs()

    started = time.perf_counter()
    world = generate_world(args.people, args.seed)
    seeded = {system: sum(counts.values()) for system, counts in world.record_counts().items()}
    print(f"{args.people:,} people (seed {args.seed}), world generated in {time.perf_counter() - started:.1f} s; records seeded: {seeded}")

    with tempfile.TemporaryDirectory(prefix="loophub-bench-map-") as workdir, SandboxServer(world, certificate_dir=Path(workdir) / "certs") as server:
        database_url = args.database_url or f"sqlite:///{Path(workdir) / 'loophub.db'}"
        engine = create_store_engine(database_url)
        upgrade_database(engine)
        print(f"store: {engine.url.render_as_string(hide_password=True)} ({engine.dialect.name})")
        if raw_counts(engine):
            print("  note: the store already holds raw records; the figures below include them")

        connections = parse_config(sandbox_config_yaml(server, database_url), Path("bench.yaml"), environ={}).connections
        print("\nsync (full, into the store):")
        for connection in connections:
            began = time.perf_counter()
            report = sync_connection(engine, connection)
            seconds = time.perf_counter() - began
            print(f"  {connection.name:<11} {report.status:<10} {report.landing.records:>8,} records  {seconds:>6.1f} s  {rate(report.landing.records, seconds):>9}")
            if report.status != "succeeded":
                raise SystemExit(f"sync of {connection.name} did not succeed: {report.error}")
        rss_before_map = peak_rss_mib()

        catalog = load_catalog()
        first, first_seconds = timed_map(engine, catalog, full=False)
        second, second_seconds = timed_map(engine, catalog, full=False)
        remap, remap_seconds = timed_map(engine, catalog, full=True)
        rss_after_map = peak_rss_mib()

        raw = raw_counts(engine)
        with session_scope(engine) as session:
            ledger = ledger_counts(session)

        print(f"\n{'system':<11} {'object':<21} {'raw':>8} {'mapped':>8} {'quarantined':>12} {'warnings':>9}")
        for system, object_name in sorted(raw):
            counts = first.objects.get((system, object_name))
            print(
                f"{system:<11} {object_name:<21} {raw[(system, object_name)]:>8,} {ledger.get((system, object_name, 'mapped'), 0):>8,}"
                f" {ledger.get((system, object_name, 'quarantined'), 0):>12,} {counts.warnings if counts else 0:>9,}"
            )
        total_raw = sum(raw.values())
        mapped = sum(count for (_, _, outcome), count in ledger.items() if outcome == "mapped")
        quarantined = sum(count for (_, _, outcome), count in ledger.items() if outcome == "quarantined")
        unmapped = sum(count for (_, _, outcome), count in ledger.items() if outcome == "unmapped")
        warnings = sum(counts.warnings for counts in first.objects.values())
        print(f"{'total':<33} {total_raw:>8,} {mapped:>8,} {quarantined:>12,} {warnings:>9,}")

        reasons: Counter[str] = Counter()
        for (system, object_name), counts in first.objects.items():
            for reason, count in counts.reasons.items():
                reasons[f"{system}/{object_name}: {reason}"] += count
        print("\ntop quarantine reasons:" + ("" if reasons else " none"))
        for reason, count in reasons.most_common(10):
            print(f"  {count:>7,}  {reason}")

        if unmapped or mapped + quarantined != total_raw:
            print(f"\nledger: {unmapped:,} of {total_raw:,} raw records have no outcome (mapped {mapped:,} + quarantined {quarantined:,})")
            raise SystemExit(1)
        print(f"\nledger: all {total_raw:,} raw records have an outcome: {mapped:,} mapped + {quarantined:,} quarantined, 0 unmapped")

        print(f"\nmap step ({total_raw:,} raw records):")
        print_run("(a) first full map", first, first_seconds)
        print_run("(b) second run, no change", second, second_seconds)
        print_run("(c) full=True re-map", remap, remap_seconds)
        print(f"\npeak RSS: {rss_before_map:,.0f} MiB after world + sandbox + sync, {rss_after_map:,.0f} MiB after the three map runs")

        if args.profile:
            profiler = cProfile.Profile()
            began = time.perf_counter()
            profiler.enable()
            profiled = map_records(engine, catalog, full=True)
            profiler.disable()
            seconds = time.perf_counter() - began
            print(f"\nprofile: one more full=True re-map under cProfile ({profiled.read:,} records, {seconds:.1f} s with profiling on)")
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).strip_dirs().sort_stats("cumulative").print_stats(15)
            print(out.getvalue().split("\n", 4)[-1].strip("\n"))
        engine.dispose()


if __name__ == "__main__":
    main()
