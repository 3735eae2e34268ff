"""`/v1/admin/links`, `/unlinks`, `/overrides` and `/review`: an admin's say over which records are one.

An override is saved at once and applied by the next resolve, like
`loophub link`; the answers say so, since the golden records do not change
on the spot.
"""

from __future__ import annotations

import math
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request

from api.admin_audit import admin_write, audit
from api.admin_errors import Unprocessable
from api.admin_paging import MAX_ID, checked_id, cut, last_id
from api.cursor import decode_cursor
from api.deps import AdminKey, ContextDep, SessionDep
from api.errors import BadRequest, NotFound
from api.params import Cursor, Limit
from api.schemas.admin_common import admin_responses
from api.schemas.admin_identity import (
    Entity,
    OverrideCreate,
    OverrideOut,
    OverridePage,
    OverrideSaved,
    ReviewDecision,
    ReviewItemOut,
    ReviewPage,
    ReviewRecordOut,
)
from api.schemas.common import SourceRef
from identity.overrides import OverrideError, add_override, decide_review
from store.admin_reads import ReviewRecord, overrides_page, review_page, review_records
from store.apikeys import KeyInfo
from store.identity import IdentityOverride, ReviewItem

router = APIRouter(prefix="/v1/admin", tags=["admin"])
ReviewId = Annotated[
    int, Path(ge=1, le=MAX_ID, description="a review item id", examples=[5])
]


def override_out(row: IdentityOverride) -> OverrideOut:
    return OverrideOut(
        id=row.id,
        entity=row.entity,
        kind=row.kind,
        left=row.left_ref,
        right=row.right_ref,
        reason=row.reason,
        actor=row.actor,
        active=row.active,
        created_at=row.created_at,
    )


def _save(
    context: ContextDep, request: Request, key: KeyInfo, kind: str, body: OverrideCreate
) -> OverrideSaved:
    with admin_write(context) as session:
        try:
            row = add_override(
                session,
                body.entity,
                kind,
                body.left.strip(),
                body.right.strip(),
                body.reason,
                actor=f"key:{key.name}",
            )
        except OverrideError as error:
            raise Unprocessable(error.user_message) from None
        session.flush()
        action = "override.link" if kind == "must_link" else "override.unlink"
        audit(
            session,
            request,
            key,
            action,
            f"{row.left_ref} ↔ {row.right_ref}",
            {"entity": row.entity, "override_id": row.id, "reason": row.reason},
        )
        return OverrideSaved(override=override_out(row))


@router.post(
    "/links",
    response_model=OverrideSaved,
    status_code=201,
    responses=admin_responses(422),
)
def link(
    context: ContextDep, request: Request, key: AdminKey, body: OverrideCreate
) -> OverrideSaved:
    """Must-link: the two are one whatever the evidence says; applied from the next resolve on."""
    return _save(context, request, key, "must_link", body)


@router.post(
    "/unlinks",
    response_model=OverrideSaved,
    status_code=201,
    responses=admin_responses(422),
)
def unlink(
    context: ContextDep, request: Request, key: AdminKey, body: OverrideCreate
) -> OverrideSaved:
    """Cannot-link: the two are never one; applied from the next resolve on."""
    return _save(context, request, key, "cannot_link", body)


@router.get("/overrides", response_model=OverridePage, responses=admin_responses(400))
def list_overrides(
    session: SessionDep,
    key: AdminKey,
    limit: Limit = 50,
    cursor: Cursor = None,
    entity: Entity | None = None,
    active: Annotated[
        bool | None,
        Query(description="only active (true) or replaced (false) overrides"),
    ] = None,
) -> OverridePage:
    """Must-links and cannot-links, newest first."""
    rows = overrides_page(
        session,
        entity=entity,
        active=active,
        before=last_id(cursor, "overrides"),
        limit=limit,
    )
    page, next_cursor = cut(rows, limit, "overrides", lambda row: [row.id])
    return OverridePage(
        items=[override_out(row) for row in page], next_cursor=next_cursor
    )


def _record_out(record: ReviewRecord | None) -> ReviewRecordOut | None:
    if record is None:
        return None
    source = SourceRef(system=record.system, object=record.object, id=record.source_id)
    return ReviewRecordOut(
        record_id=record.record_id,
        source=source,
        name=record.name,
        emails=record.emails,
        phones=record.phones,
        domains=record.domains,
    )


def _review_position(cursor: str | None) -> tuple[float, int] | None:
    """(score, id) the previous page ended on; a score must be a finite number (JSON lets NaN through)."""
    if cursor is None:
        return None
    score, item_id = decode_cursor(cursor, "review", (float, int))
    if not math.isfinite(score):
        raise BadRequest(
            f"cursor {cursor[:40]!r} is not a cursor of this listing; pass the next_cursor of a previous page unchanged"
        )
    return score, checked_id(item_id, cursor)


@router.get("/review", response_model=ReviewPage, responses=admin_responses(400))
def list_review(
    session: SessionDep,
    key: AdminKey,
    limit: Limit = 50,
    cursor: Cursor = None,
    entity: Entity | None = None,
) -> ReviewPage:
    """Open review items, the most likely match first, each with both records and the score."""
    items = review_page(
        session, entity=entity, after=_review_position(cursor), limit=limit
    )
    page, next_cursor = cut(
        items, limit, "review", lambda item: [float(item.score), item.id]
    )
    records = review_records(session, page)
    out = [
        ReviewItemOut(
            id=item.id, entity=item.entity, score=item.score, match_weight=item.match_weight, details=item.details or {}, status=item.status, created_at=item.created_at,
            left=_record_out(records.get((item.entity, item.left_id))), right=_record_out(records.get((item.entity, item.right_id))),
        )
        for item in page
    ]  # fmt: skip
    return ReviewPage(items=out, next_cursor=next_cursor)


def _decide(
    context: ContextDep, request: Request, key: KeyInfo, item_id: int, accept: bool
) -> ReviewDecision:
    with admin_write(context) as session:
        item = session.get(ReviewItem, item_id)
        if item is None:
            raise NotFound(
                f"no review item {item_id}; GET /v1/admin/review lists the open ones"
            )
        if item.status != "open":
            raise Unprocessable(
                f"review item {item_id} was already decided ({item.status})"
            )
        try:
            decided = decide_review(session, item_id, accept, actor=f"key:{key.name}")
        except OverrideError as error:
            raise Unprocessable(error.user_message) from None
        row = next(
            obj for obj in session.new if isinstance(obj, IdentityOverride)
        )  # the override the decision became, not yet flushed
        session.flush()
        audit(
            session,
            request,
            key,
            "review.accept" if accept else "review.reject",
            f"review:{item_id}",
            {"entity": decided.entity, "override_id": row.id},
        )
        return ReviewDecision(
            id=decided.id, status=decided.status, override=override_out(row)
        )


@router.post(
    "/review/{item_id}/accept",
    response_model=ReviewDecision,
    responses=admin_responses(404, 422),
)
def accept_review(
    context: ContextDep, request: Request, key: AdminKey, item_id: ReviewId
) -> ReviewDecision:
    """They are one: the item becomes a must-link, applied from the next resolve on."""
    return _decide(context, request, key, item_id, accept=True)


@router.post(
    "/review/{item_id}/reject",
    response_model=ReviewDecision,
    responses=admin_responses(404, 422),
)
def reject_review(
    context: ContextDep, request: Request, key: AdminKey, item_id: ReviewId
) -> ReviewDecision:
    """They are two: the item becomes a cannot-link, applied from the next resolve on."""
    return _decide(context, request, key, item_id, accept=False)
