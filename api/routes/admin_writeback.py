"""`/v1/admin/writeback`: the plan as a dry run, the outbox with each row's fate, and re-queuing what was parked."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request

from api.admin_audit import admin_write, audit
from api.admin_config import ConfigDep
from api.admin_paging import cut, last_id
from api.cursor import decode_cursor, encode_cursor
from api.deps import AdminKey, ContextDep, SessionDep
from api.errors import BadRequest
from api.params import Cursor, Limit
from api.schemas.admin_common import admin_responses
from api.schemas.admin_writeback import (
    OutboxPage,
    OutboxRowOut,
    PlanPage,
    PlanRowOut,
    RequeueOut,
)
from flows.writeback.plan import PlanRow
from flows.writeback.run import plan_writeback
from flows.writeback.targets import blocked_policies
from store import utc_now
from store.admin_reads import outbox_page, outbox_status_counts
from store.handoffs import requeue_parked_handoffs
from store.writeback import OutboxRow, requeue_parked

router = APIRouter(prefix="/v1/admin/writeback", tags=["admin"])
OutboxStatus = Query(
    description="only rows in these statuses (repeat the parameter for several)",
    examples=[["parked", "failed"]],
)
STATUSES = ("planned", "applied", "conflict", "failed", "parked", "superseded")


def _row_key(row: PlanRow) -> list[str]:
    return [row.system, row.object, row.record_id, row.field, row.policy]


@router.get("/plan", response_model=PlanPage, responses=admin_responses(400))
def get_plan(
    holder: ConfigDep,
    context: ContextDep,
    key: AdminKey,
    limit: Limit = 100,
    cursor: Cursor = None,
) -> PlanPage:
    """What the write-back would do now, written nowhere (`loophub writeback --dry-run`).

    The plan is computed afresh on each call, its rows in target order, so a
    cursor continues after the last target field seen even if the plan moved.
    Policies whose target fields are not ready are listed under `skipped`.
    """
    after = (
        decode_cursor(cursor, "writeback-plan", (str,) * 5)
        if cursor is not None
        else None
    )
    config = holder.config
    plan = plan_writeback(context.engine, config, blocked=blocked_policies(config))
    rows = sorted(plan.rows, key=_row_key)
    remaining = [row for row in rows if after is None or _row_key(row) > after]
    page = remaining[:limit]
    next_cursor = (
        encode_cursor("writeback-plan", _row_key(page[-1]))
        if len(remaining) > limit
        else None
    )
    return PlanPage(
        created_at=plan.created_at, policies=plan.policies, skipped=plan.skipped, companies=plan.companies, targets=plan.targets, total_rows=len(rows),
        rows=[PlanRowOut.model_validate(row.as_json()) for row in page], handoffs=[step.as_json() for step in plan.handoffs], next_cursor=next_cursor,
    )  # fmt: skip


def _outbox_out(row: OutboxRow) -> OutboxRowOut:
    return OutboxRowOut(
        id=row.id, target=f"{row.system}:{row.object}:{row.record_id}", field=row.field, policy=row.policy, mode=row.mode, status=row.status,
        attempts=row.attempts, last_error=row.last_error, old_value=row.old_value, new_value=row.new_value, golden_id=row.golden_id,
        next_attempt_at=row.next_attempt_at, updated_at=row.updated_at, applied_at=row.applied_at,
    )  # fmt: skip


@router.get("/outbox", response_model=OutboxPage, responses=admin_responses(400))
def list_outbox(
    session: SessionDep,
    key: AdminKey,
    limit: Limit = 50,
    cursor: Cursor = None,
    status: Annotated[list[str] | None, OutboxStatus] = None,
) -> OutboxPage:
    """Outbox rows oldest first, with the last error of each; `counts` says how many stand in each status."""
    unknown = sorted(set(status or []) - set(STATUSES))
    if unknown:
        raise BadRequest(
            f"unknown outbox status {', '.join(repr(name[:30]) for name in unknown)}; use {', '.join(STATUSES)}"
        )
    rows = outbox_page(
        session, statuses=status, after=last_id(cursor, "outbox"), limit=limit
    )
    page, next_cursor = cut(rows, limit, "outbox", lambda row: [row.id])
    return OutboxPage(
        counts=outbox_status_counts(session),
        items=[_outbox_out(row) for row in page],
        next_cursor=next_cursor,
    )


@router.post("/outbox/requeue", response_model=RequeueOut, responses=admin_responses())
def requeue(context: ContextDep, request: Request, key: AdminKey) -> RequeueOut:
    """Give every parked change and hand-off a fresh start, after the cause (a missing field, a credential) was fixed."""
    with admin_write(context) as session:
        now = utc_now()
        counts = RequeueOut(
            outbox=requeue_parked(session, now),
            handoffs=requeue_parked_handoffs(session, now),
        )
        audit(
            session,
            request,
            key,
            "writeback.requeue",
            "outbox",
            {"outbox": counts.outbox, "handoffs": counts.handoffs},
        )
    return counts
