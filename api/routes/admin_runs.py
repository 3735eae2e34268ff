"""`/v1/admin/runs` and `/v1/admin/quarantine`: what the flows did, and the records the mapping refused."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from api.admin_paging import MAX_ID, cut, last_id
from api.deps import AdminKey, SessionDep
from api.errors import NotFound
from api.params import Cursor, Limit
from api.schemas.admin_common import NAME_PATTERN, admin_responses
from api.schemas.admin_ops import QuarantinedOut, QuarantinePage, RunOut, RunPage
from store.admin_reads import quarantine_page, runs_page
from store.models import Run

router = APIRouter(prefix="/v1/admin", tags=["admin"])


@router.get("/runs", response_model=RunPage, responses=admin_responses(400))
def list_runs(
    session: SessionDep,
    key: AdminKey,
    limit: Limit = 50,
    cursor: Cursor = None,
    flow: Annotated[
        str | None,
        Query(
            max_length=64,
            pattern=NAME_PATTERN,
            description="one flow: sync, map, resolve, writeback, loop",
            examples=["writeback"],
        ),
    ] = None,
    status: Annotated[
        str | None,
        Query(
            max_length=16,
            pattern=NAME_PATTERN,
            description="running, succeeded, partial or failed",
            examples=["failed"],
        ),
    ] = None,
) -> RunPage:
    """Flow runs, newest first."""
    rows = runs_page(
        session, flow=flow, status=status, before=last_id(cursor, "runs"), limit=limit
    )
    page, next_cursor = cut(rows, limit, "runs", lambda run: [run.id])
    return RunPage(
        items=[RunOut.model_validate(run, from_attributes=True) for run in page],
        next_cursor=next_cursor,
    )


@router.get("/runs/{run_id}", response_model=RunOut, responses=admin_responses(404))
def get_run(
    session: SessionDep,
    key: AdminKey,
    run_id: Annotated[int, Path(ge=1, le=MAX_ID, examples=[42])],
) -> RunOut:
    """One run with its counts and, when it failed, its error."""
    run = session.get(Run, run_id)
    if run is None:
        raise NotFound(f"no run {run_id}; GET /v1/admin/runs lists them")
    return RunOut.model_validate(run, from_attributes=True)


@router.get(
    "/quarantine", response_model=QuarantinePage, responses=admin_responses(400)
)
def list_quarantine(
    session: SessionDep,
    key: AdminKey,
    limit: Limit = 50,
    cursor: Cursor = None,
    system: Annotated[
        str | None,
        Query(
            max_length=32,
            pattern=NAME_PATTERN,
            description="one vendor system",
            examples=["hubspot"],
        ),
    ] = None,
) -> QuarantinePage:
    """Records the mapping quarantined, with the reason; the most recently pulled first."""
    rows = quarantine_page(
        session, system=system, before=last_id(cursor, "quarantine"), limit=limit
    )
    page, next_cursor = cut(rows, limit, "quarantine", lambda row: [row.raw_record_id])
    items = [
        QuarantinedOut(
            raw_record_id=row.raw_record_id,
            system=row.system,
            object=row.object,
            id=row.source_id,
            entity=row.entity,
            reason=row.reason,
            mapped_at=row.mapped_at,
        )
        for row in page
    ]
    return QuarantinePage(items=items, next_cursor=next_cursor)
