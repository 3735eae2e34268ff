"""`/v1/admin/audit`: every admin action, newest first."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from api.admin_paging import cut, last_id
from api.deps import AdminKey, SessionDep
from api.params import Cursor, Limit
from api.schemas.admin_common import NAME_PATTERN, admin_responses
from api.schemas.admin_ops import AuditOut, AuditPage
from store.admin_reads import audit_page

router = APIRouter(prefix="/v1/admin", tags=["admin"])


@router.get("/audit", response_model=AuditPage, responses=admin_responses(400))
def list_audit(
    session: SessionDep,
    key: AdminKey,
    limit: Limit = 50,
    cursor: Cursor = None,
    action: Annotated[
        str | None,
        Query(
            max_length=64,
            pattern=NAME_PATTERN,
            description="one action, e.g. key.create, override.link, connection.update",
            examples=["override.link"],
        ),
    ] = None,
) -> AuditPage:
    """Admin actions: which key did what, on what, from which address."""
    rows = audit_page(
        session, action=action, before=last_id(cursor, "audit"), limit=limit
    )
    page, next_cursor = cut(rows, limit, "audit", lambda row: [row.id])
    return AuditPage(
        items=[AuditOut.model_validate(row, from_attributes=True) for row in page],
        next_cursor=next_cursor,
    )
