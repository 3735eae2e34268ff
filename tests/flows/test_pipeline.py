"""The Prefect flows end to end against a small sandbox: the loop, its idempotence, a broken connection, a task per stream."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId, FlowRunFilterParentFlowRunId
from prefect.testing.utilities import prefect_test_harness
from ruamel.yaml import YAML
from sqlalchemy import func, select

from flows.pipeline import loop_flow, sync_flow
from flows.writeback.policies import POLICIES
from sandbox.config import sandbox_config_yaml
from sandbox.population import generate_world
from sandbox.server import SandboxServer
from store import Run, create_store_engine, session_scope
from store.identity import GoldenRecord

PEOPLE = 150
SYSTEMS = ("salesforce", "hubspot", "zendesk")
# No waiting between task retries in tests; the behaviour is the same.
FAST = {"retries": 1, "retry_delay_seconds": 0}


@pytest.fixture(scope="session")
def prefect_server() -> Iterator[None]:
    """One temporary Prefect server for every flow test (it takes ~10 s to start)."""
    with prefect_test_harness(server_startup_timeout=90):
        yield


@pytest.fixture(scope="module")
def sandbox() -> Iterator[SandboxServer]:
    """The stand-ins, read-only for these tests, so one per module."""
    server = SandboxServer(generate_world(PEOPLE, seed=7))
    server.start()
    yield server
    server.stop()


def write_config(tmp_path: Path, server: SandboxServer, database_url: str, *, broken: str | None = None) -> str:
    """A loophub.yaml for the sandbox; `broken` points that connection at a closed port and lets it retry no call."""
    yaml = YAML()
    config = yaml.load(sandbox_config_yaml(server, database_url))
    for connection in config["connections"]:
        if connection["name"] == broken:
            connection["base_url"] = f"http://127.0.0.1:{_closed_port()}"
            connection.setdefault("options", {})["max_retries"] = 0
    path = tmp_path / "loophub.yaml"
    with path.open("w", encoding="utf-8") as file:
        yaml.dump(config, file)
    return str(path)


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def runs(database_url: str) -> list[Run]:
    engine = create_store_engine(database_url)
    try:
        with session_scope(engine) as session:
            rows = list(session.scalars(select(Run).order_by(Run.id)))
            session.expunge_all()
            return rows
    finally:
        engine.dispose()


def golden_records(database_url: str) -> int:
    engine = create_store_engine(database_url)
    try:
        with session_scope(engine) as session:
            return session.scalar(select(func.count()).select_from(GoldenRecord).where(GoldenRecord.status == "active")) or 0
    finally:
        engine.dispose()


def test_given_a_sandbox_when_looped_twice_then_the_second_loop_lands_and_maps_nothing(
    prefect_server: None, sandbox: SandboxServer, database_url: str, tmp_path: Path
) -> None:
    config_path = write_config(tmp_path, sandbox, database_url)

    first = loop_flow(config_path, database_url, **FAST)

    assert first["status"] == "succeeded"
    assert {name: sync["status"] for name, sync in first["syncs"].items()} == dict.fromkeys(SYSTEMS, "succeeded")
    assert all(sync["inserted"] > 0 for sync in first["syncs"].values())
    assert first["map"]["read"] == sum(sync["records"] for sync in first["syncs"].values())
    assert first["resolve"]["entities"]["person"]["golden"] > 0
    assert golden_records(database_url) > 0
    rows = runs(database_url)
    assert [row.flow for row in rows] == ["loop", "sync", "sync", "sync", "map", "resolve", "writeback"]  # one row per flow
    assert all(row.status == "succeeded" and row.finished_at is not None for row in rows)
    assert sorted(row.counts["connection"] for row in rows if row.flow == "sync") == sorted(SYSTEMS)
    assert rows[0].counts["map"]["read"] == first["map"]["read"]
    assert rows[-2].counts["entities"]["person"]["golden"] == first["resolve"]["entities"]["person"]["golden"]
    # No custom field exists in the sandbox yet: every policy needing one is skipped with what it misses;
    # enrichment fills blank standard fields (phones, titles), which exist everywhere.
    assert set(first["writeback"]["skipped"]) == {policy.name for policy in POLICIES} - {"enrichment"}
    assert first["writeback"]["planned"] == first["writeback"]["applied"] > 0 and first["writeback"]["failed"] == 0

    second = loop_flow(config_path, database_url, **FAST)

    assert second["status"] == "succeeded"
    # What changed since is only loophub's own writes coming back; the loop has converged.
    assert {name: (sync["inserted"], sync["updated"] - sync["echoes"]) for name, sync in second["syncs"].items()} == dict.fromkeys(SYSTEMS, (0, 0))
    assert second["writeback"]["planned"] == 0


def test_given_a_connection_with_a_wrong_base_url_then_its_sync_fails_and_the_loop_still_maps_and_resolves(
    prefect_server: None, sandbox: SandboxServer, database_url: str, tmp_path: Path
) -> None:
    config_path = write_config(tmp_path, sandbox, database_url, broken="zendesk")

    summary = loop_flow(config_path, database_url, **FAST)

    assert summary["status"] == "partial"
    assert summary["syncs"]["salesforce"]["status"] == summary["syncs"]["hubspot"]["status"] == "succeeded"
    assert summary["syncs"]["zendesk"]["status"] in ("paused", "failed")
    assert "Zendesk" in summary["syncs"]["zendesk"]["error"]
    assert summary["map"]["read"] > 0
    assert summary["resolve"]["entities"]["person"]["golden"] > 0
    rows = {row.counts.get("connection", row.flow): row for row in runs(database_url)}
    assert rows["zendesk"].status in ("paused", "failed") and rows["zendesk"].error
    assert rows["loop"].status == "partial" and "zendesk" in (rows["loop"].error or "")
    children = _child_runs(summary_flow_run_id(config_path))
    assert children["sync-zendesk"]["state"] == "FAILED"
    assert {children[f"sync-{name}"]["state"] for name in ("salesforce", "hubspot")} == {"COMPLETED"}
    # The unreachable source was retried once (FAST) before the sync gave up.
    assert children["sync-zendesk"]["tasks"]["discover zendesk"] == ("FAILED", 2)


def test_given_one_connection_then_sync_flow_runs_one_task_per_stream(
    prefect_server: None, sandbox: SandboxServer, database_url: str, tmp_path: Path
) -> None:
    config_path = write_config(tmp_path, sandbox, database_url)

    state = sync_flow("hubspot", config_path, database_url, **FAST, return_state=True)

    summary = state.result()
    assert state.is_completed() and summary["status"] == "succeeded"
    tasks = _task_runs(state.state_details.flow_run_id)
    streams = set(summary["streams"])
    assert streams == {"contacts", "companies", "deals", "tickets", "owners"}
    assert tasks == {"discover hubspot": ("COMPLETED", 1)} | {f"sync hubspot/{stream}": ("COMPLETED", 1) for stream in streams}
    assert [row.flow for row in runs(database_url)] == ["sync"]


def summary_flow_run_id(config_path: str) -> UUID:
    """The latest `loop` flow run started with this config file."""
    with get_client(sync_client=True) as client:
        flow_runs = client.read_flow_runs(limit=50)
    loops = [run for run in flow_runs if run.parameters.get("config_path") == config_path and not run.parent_task_run_id]
    assert loops, "the loop flow run is not in the Prefect API"
    return max(loops, key=lambda run: run.created).id  # type: ignore[arg-type,return-value]


def _child_runs(flow_run_id: UUID) -> dict[str, dict[str, Any]]:
    """The loop's subflow runs by name: their final state and their task runs."""
    with get_client(sync_client=True) as client:
        children = client.read_flow_runs(flow_run_filter=FlowRunFilter(parent_flow_run_id=FlowRunFilterParentFlowRunId(any_=[flow_run_id])))
    return {run.name: {"state": run.state_type.value if run.state_type else None, "tasks": _task_runs(run.id)} for run in children}


def _task_runs(flow_run_id: UUID | None) -> dict[str, tuple[str | None, int]]:
    """A flow run's task runs: name → (final state, how many times it ran)."""
    assert flow_run_id is not None
    with get_client(sync_client=True) as client:
        task_runs = client.read_task_runs(flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[flow_run_id])))
    return {run.name: (run.state_type.value if run.state_type else None, run.run_count) for run in task_runs}
