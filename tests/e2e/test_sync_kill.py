"""A sync killed with SIGKILL at random moments, then rerun, ends with exactly a clean run's raw records."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import select

from sandbox.config import sandbox_config_yaml
from sandbox.population import generate_world
from sandbox.server import SandboxServer
from sandbox.world import World
from store import RawRecord, create_store_engine, session_scope

Snapshot = set[tuple[str, str, str, str, bool]]


def snapshot(database_url: str) -> Snapshot:
    engine = create_store_engine(database_url)
    try:
        with session_scope(engine) as session:
            rows = session.execute(
                select(RawRecord.system, RawRecord.object, RawRecord.source_id, RawRecord.payload_hash, RawRecord.is_deleted)
            )
            return {tuple(row) for row in rows}  # type: ignore[misc]
    finally:
        engine.dispose()


def sync_command(config: Path, database_url: str) -> tuple[list[str], dict[str, str]]:
    environment = {key: value for key, value in os.environ.items() if not key.startswith("LOOPHUB_")}
    environment["LOOPHUB_DATABASE_URL"] = database_url
    return [sys.executable, "-m", "loophub", "--config", str(config), "sync"], environment


def run_to_completion(config: Path, database_url: str) -> float:
    command, environment = sync_command(config, database_url)
    started = time.monotonic()
    result = subprocess.run(command, env=environment, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    return time.monotonic() - started


def test_given_sync_killed_ten_times_when_rerun_then_raw_records_equal_a_clean_run(
    start_sandbox: Callable[[World], SandboxServer], tmp_path: Path, database_url: str, another_database_url: str
) -> None:
    server = start_sandbox(generate_world(400, seed=11))
    config = tmp_path / "loophub.yaml"
    config.write_text(sandbox_config_yaml(server))
    clean_seconds = run_to_completion(config, another_database_url)
    clean = snapshot(another_database_url)
    assert len(clean) > 2000

    rng = random.Random(20261123)
    command, environment = sync_command(config, database_url)
    kills = 0
    for _ in range(10):
        process = subprocess.Popen(command, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.3, clean_seconds))
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
            kills += 1
        process.wait()
    run_to_completion(config, database_url)

    assert kills >= 5, "most trials must kill a running sync"
    assert snapshot(database_url) == clean
