"""Run records: one row per flow execution, opened at start and closed with counts and any error."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine

from store.base import utc_now
from store.engine import session_scope
from store.models import Run


def start_run(engine: Engine, flow: str, counts: dict[str, Any] | None = None) -> int:
    with session_scope(engine) as session:
        run = Run(flow=flow, counts=counts or {})
        session.add(run)
        session.flush()
        return run.id


def finish_run(engine: Engine, run_id: int, status: str, counts: dict[str, Any], error: str | None = None) -> None:
    with session_scope(engine) as session:
        run = session.get(Run, run_id)
        assert run is not None, f"run {run_id} vanished"
        run.status, run.counts, run.error, run.finished_at = status, counts, error, utc_now()
