"""How an admin route writes: one transaction holding the change and the audit entry that describes it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from fastapi import Request
from sqlalchemy.orm import Session

from api.deps import ApiContext
from store.apikeys import KeyInfo, record_audit


@contextmanager
def admin_write(context: ApiContext) -> Iterator[Session]:
    """A session committed when the block ends; an error inside rolls back the change and its audit entry alike.

    Committed inside the route (not in a dependency's teardown) so the answer
    is only sent once the change is durable.
    """
    with context.sessions.begin() as session:
        yield session


def audit(
    session: Session,
    request: Request,
    key: KeyInfo,
    action: str,
    target: str | None,
    detail: dict[str, Any] | None = None,
) -> None:
    """Record an admin action; `detail` must hold names and counts only, never a secret value."""
    client = request.client.host if request.client else None
    record_audit(
        session,
        action=action,
        key=key,
        target=target[:200] if target else None,
        detail=detail or {},
        client=client,
    )
