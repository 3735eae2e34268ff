"""Profile lookup by email through the REST API, on PostgreSQL with a million golden people.

Creates a fresh database (dropped at the end unless `--keep`), migrates it,
COPYs `--profiles` golden people into it (bench/api_latency_world.py), serves
the API from a separate process with uvicorn, creates a read key, and drives
`GET /v1/profiles?email=…` from a third process at a fixed `--rate`, open
loop (bench/api_latency_load.py), 3 % of the addresses unknown. It prints
p50/p90/p99/max latency measured from each request's due time, the achieved
throughput, failed or wrong answers, and the CPU the server, PostgreSQL's
backends and the generator used. Goal: p99 ≤ 10 ms at 500 requests/s.

    .venv/bin/python -m bench.api_latency [--profiles 1000000] [--rate 500] [--seconds 30]
        [--database-url postgresql://...] [--keep] [--server-workers 1] [--server loophub]

`--database-url` names a database to use as it is (created tables are kept);
without it, `--keep` reuses `loophub_bench_api_latency` between runs.
The server is the app `loophub serve` builds (api/serving.py) under uvicorn
with the access log off; `--server loophub` runs `loophub serve` itself.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import replace
from multiprocessing import get_context
from pathlib import Path

import httpx
import psycopg
from psycopg import sql

from bench.api_latency_load import LoadPlan, LoadResult, run_load
from bench.api_latency_world import load_people, loaded_people
from store import create_store_engine, session_scope, upgrade_database
from store.apikeys import create_key

SERVER_URL = "postgresql://loophub:loophub@127.0.0.1:5432/"
KEPT_DATABASE = "loophub_bench_api_latency"
WARM_UP_SECONDS = 3.0
# A burst wider than the pool opens and closes a PostgreSQL connection per request (several ms each);
# 20 covers the bursts of an open-loop load at 500/s.
SERVER_POOL_SIZE = 20
TICKS = os.sysconf("SC_CLK_TCK")


@contextmanager
def bench_database(url: str | None, keep: bool) -> Iterator[str]:
    """`url` as given, or a database created on the local server (dropped afterwards unless kept)."""
    if url is not None:
        yield url
        return
    name = KEPT_DATABASE if keep else f"loophub_bench_api_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(SERVER_URL + "postgres", autocommit=True) as admin:
        if (
            admin.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", [name]
            ).fetchone()
            is None
        ):
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield SERVER_URL + name
    finally:
        if not keep:
            with psycopg.connect(SERVER_URL + "postgres", autocommit=True) as admin:
                admin.execute(
                    sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                        sql.Identifier(name)
                    )
                )


def prepare(url: str, people: int) -> None:
    upgrade_database(create_store_engine(url))
    present = loaded_people(url)
    if present == people:
        print(f"database already holds {people:,} golden people; not loading again")
        return
    if present:
        raise SystemExit(
            f"the database holds {present:,} golden people, not {people:,}: pass --profiles {present} or drop it"
        )
    started = time.perf_counter()
    load_people(url, people)
    print(
        f"loaded {people:,} golden people (5 rows each, plus {people // 50:,} companies) with COPY + ANALYZE in {time.perf_counter() - started:.1f} s"
    )


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def api_server(
    config_file: Path, server: str, workers: int
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    port = _free_port()
    if server == "loophub":
        command = [str(Path(sys.executable).with_name("loophub")), "--config", str(config_file), "serve", "--port", str(port),
                   "--workers", str(workers), "--pool-size", str(SERVER_POOL_SIZE)]  # fmt: skip
    else:
        command = [sys.executable, "-m", "uvicorn", "--factory", "api.serving:app_from_environment", "--port", str(port),
                   "--workers", str(workers), "--no-access-log", "--log-level", "warning"]  # fmt: skip
    environment = os.environ | {"LOOPHUB_CONFIG": str(config_file), "LOOPHUB_SERVE_POOL_SIZE": str(SERVER_POOL_SIZE)}
    process = subprocess.Popen(command, env=environment, stdout=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(url, process)
        yield url, process
    finally:
        process.terminate()
        process.wait(timeout=30)


def _wait_until_up(url: str, process: subprocess.Popen[bytes]) -> None:
    for _ in range(600):
        if process.poll() is not None:
            raise SystemExit(
                f"the API server exited with {process.returncode} before it served"
            )
        try:
            httpx.get(url + "/openapi.json", timeout=1, trust_env=False)
            return
        except httpx.TransportError:
            time.sleep(0.1)
    raise SystemExit("the API server did not answer within 60 s")


def _tree_ticks(root: int) -> int:
    """CPU ticks of `root` and its direct children (uvicorn's worker processes)."""
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(entry.name) == root or int(fields[1]) == root:
            total += int(fields[11]) + int(fields[12])
    return total


def _backend_ticks(url: str) -> dict[int, int]:
    """CPU ticks of each PostgreSQL backend serving the benchmark database (the server runs on this machine)."""
    with psycopg.connect(url) as connection:
        pids = [
            row[0]
            for row in connection.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        ]
    return {pid: _tree_ticks(pid) for pid in pids}


def _backend_ticks_spent(before: dict[int, int], after: dict[int, int]) -> int:
    """Ticks the backends spent between two readings.

    A backend that ended in between took its last figures with it, so its share is missing (the sum
    is a lower bound) instead of being subtracted, which made the figure negative.
    """
    return sum(ticks - before.get(pid, 0) for pid, ticks in after.items())


def _machine_ticks() -> tuple[int, int, int]:
    """(busy, stolen, total) ticks of the whole machine, other work included.

    Stolen ticks are those a virtual machine's host gave to other guests while this one wanted to run.
    """
    values = [
        int(value)
        for value in Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    ]
    idle = values[3] + values[4]
    return sum(values) - idle, values[7] if len(values) > 7 else 0, sum(values)


def _disk_waits() -> tuple[int, int]:
    """(reads completed by the machine's whole disks, major page faults of all its processes).

    A lookup whose pages are not in memory waits for the disk; so does a process whose memory was paged out.
    """
    reads = 0
    for line in Path("/proc/diskstats").read_text().splitlines():
        fields = line.split()
        if Path(f"/sys/block/{fields[2]}/device").exists():
            reads += int(fields[3])
    faults = next(int(line.split()[1]) for line in Path("/proc/vmstat").read_text().splitlines() if line.startswith("pgmajfault "))
    return reads, faults


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000


def report(result: LoadResult, plan: LoadPlan, cpu: dict[str, float]) -> None:
    answered = len(result.latencies)
    failed = sum(result.failures.values())
    print(
        f"\n{answered:,} lookups ({result.hits:,} known addresses, {result.misses:,} unknown) at {plan.rate:g}/s for {plan.seconds:g} s, {plan.workers} client connections"
    )
    print(
        f"achieved {answered / result.elapsed:,.1f} requests/s; failed or wrong answers: {failed}"
        + (f" {result.failures}" if failed else "")
    )
    for label, values in (
        ("latency from due time", result.latencies),
        ("service time from send", result.service_times),
    ):
        figures = ", ".join(
            f"{name} {_percentile(values, share):.2f}"
            for name, share in (("p50", 0.5), ("p90", 0.9), ("p99", 0.99))
        )
        print(f"{label} (ms): {figures}, max {max(values) * 1000:.2f}")
    seconds = result.elapsed
    print(f"CPU (cores busy): API server {cpu['server'] / seconds:.2f} ({cpu['server'] / max(1, answered) * 1000:.2f} ms per request), "
          f"PostgreSQL backends {cpu['database'] / seconds:.2f}, load generator {result.cpu_seconds / seconds:.2f}; "
          f"whole machine {cpu['machine']:.0%} of {os.cpu_count()} cores over {cpu['window']:.1f} s, answer checks included ({cpu['stolen']:.1%} stolen by the host; {cpu['disk_reads']:,.0f} disk reads, {cpu['major_faults']:,.0f} major page faults), "
          f"load average {cpu['load_before']:.2f} before, {cpu['load_after']:.2f} after (other work on the machine counts in both)")  # fmt: skip


def measure(url: str, server: subprocess.Popen[bytes], plan: LoadPlan, runs: int) -> None:
    """A warm-up, then `runs` measured runs on the same server, each with addresses of its own."""
    with ProcessPoolExecutor(
        max_workers=1, mp_context=get_context("spawn")
    ) as generator:
        warm = replace(
            plan, seconds=WARM_UP_SECONDS, seed=plan.seed + 1
        )  # fills the pool, statement caches and page cache
        warm_result = generator.submit(run_load, warm).result()
        print(
            f"warm-up: {len(warm_result.latencies):,} lookups, {sum(warm_result.failures.values())} failed"
        )
        p99s = []
        for run in range(runs):
            measured = replace(plan, seed=plan.seed + 100 * run)  # the first run as a single run has it
            result, cpu = _measured_run(generator, url, server, measured)
            report(result, measured, cpu)
            p99s.append(_percentile(result.latencies, 0.99))
    if runs > 1:
        print(f"\np99 of each run (ms): {', '.join(f'{p99:.2f}' for p99 in p99s)}")


def _measured_run(generator: ProcessPoolExecutor, url: str, server: subprocess.Popen[bytes], plan: LoadPlan) -> tuple[LoadResult, dict[str, float]]:
    server_before, database_before, machine_before, disk_before = _tree_ticks(server.pid), _backend_ticks(url), _machine_ticks(), _disk_waits()
    load_before, started = os.getloadavg()[0], time.monotonic()
    result = generator.submit(run_load, plan).result()
    machine_after, disk_after = _machine_ticks(), _disk_waits()
    total = max(1, machine_after[2] - machine_before[2])
    cpu = {"server": (_tree_ticks(server.pid) - server_before) / TICKS, "database": _backend_ticks_spent(database_before, _backend_ticks(url)) / TICKS,
           "machine": (machine_after[0] - machine_before[0]) / total, "stolen": (machine_after[1] - machine_before[1]) / total,
           "disk_reads": disk_after[0] - disk_before[0], "major_faults": disk_after[1] - disk_before[1],
           "load_before": load_before, "load_after": os.getloadavg()[0], "window": time.monotonic() - started}  # fmt: skip
    return result, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profiles", type=int, default=1_000_000)
    parser.add_argument("--rate", type=float, default=500.0)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--database-url", default=None)
    parser.add_argument(
        "--keep", action="store_true", help="keep the database for the next run"
    )
    parser.add_argument("--server", choices=("uvicorn", "loophub"), default="uvicorn")
    parser.add_argument("--server-workers", type=int, default=1)
    parser.add_argument("--client-connections", type=int, default=8)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--runs", type=int, default=1, help="measured runs on the same server after one warm-up")
    args = parser.parse_args()
    if args.profiles < 1 or args.rate <= 0 or args.seconds <= 0 or args.runs < 1:
        parser.error("--profiles, --rate, --seconds and --runs must be positive")
    with (
        bench_database(args.database_url, args.keep) as url,
        tempfile.TemporaryDirectory(prefix="loophub-bench-api-") as workdir,
    ):
        prepare(url, args.profiles)
        config_file = Path(workdir) / "loophub.yaml"
        # The per-key limit stays on (its cost is part of every request), set above the offered rate.
        config_file.write_text(
            f"version: 1\ndatabase:\n  url: {url}\napi:\n  rate_limit: 100000/minute\n",
            encoding="utf-8",
        )
        with session_scope(create_store_engine(url)) as session:
            _, api_key = create_key(session, f"bench-{uuid.uuid4().hex[:6]}", "read")
        with api_server(config_file, args.server, args.server_workers) as (
            base_url,
            server,
        ):
            print(
                f"API server: {args.server}, {args.server_workers} worker process(es), pid {server.pid}"
            )
            plan = LoadPlan(
                base_url,
                api_key,
                args.rate,
                args.seconds,
                args.profiles,
                args.client_connections,
                args.seed,
            )
            measure(url, server, plan, args.runs)


if __name__ == "__main__":
    main()
