"""`/v1/admin/keys`: list, create and revoke API keys (as `loophub keys` does); a new key's secret is shown once."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request

from api.admin_audit import admin_write, audit
from api.admin_errors import Conflict, Unprocessable
from api.admin_paging import MAX_ID
from api.deps import AdminKey, ContextDep, SessionDep
from api.errors import NotFound
from api.schemas.admin_common import admin_responses
from api.schemas.admin_keys import KeyCreate, KeyCreated
from api.schemas.common import error_responses
from api.schemas.keys import KeyList, KeyOut
from store.apikeys import create_key, list_keys, revoke_key

router = APIRouter(prefix="/v1/admin", tags=["admin"])


@router.get("/keys", response_model=KeyList, responses=error_responses(401, 403, 429))
def get_keys(session: SessionDep, key: AdminKey) -> KeyList:
    """Every key with its scope and use, revoked ones included; never a secret."""
    return KeyList(
        items=[
            KeyOut.model_validate(info, from_attributes=True)
            for info in list_keys(session)
        ]
    )


@router.post(
    "/keys", response_model=KeyCreated, status_code=201, responses=admin_responses(422)
)
def post_key(
    context: ContextDep, request: Request, key: AdminKey, body: KeyCreate
) -> KeyCreated:
    """A new key; its secret is in this answer only (loophub stores its hash), so keep it now."""
    with admin_write(context) as session:
        try:
            info, secret = create_key(session, body.name, body.scope)
        except ValueError as error:
            raise Unprocessable(str(error)) from None
        audit(
            session,
            request,
            key,
            "key.create",
            f"key:{info.id}",
            {"name": info.name, "prefix": info.prefix, "scope": info.scope},
        )
    return KeyCreated(
        key=KeyOut.model_validate(info, from_attributes=True), secret=secret
    )


@router.delete(
    "/keys/{key_id}", response_model=KeyOut, responses=admin_responses(404, 409)
)
def delete_key(
    context: ContextDep,
    request: Request,
    key: AdminKey,
    key_id: Annotated[int, Path(ge=1, le=MAX_ID, examples=[3])],
) -> KeyOut:
    """Revoke a key (idempotent). It stops working within the key cache's lifetime (`api.key_cache_seconds`)."""
    if key_id == key.id:
        raise Conflict(
            "a key cannot revoke itself (that would lock its holder out mid-request); revoke it with another admin key"
        )
    with admin_write(context) as session:
        info = revoke_key(session, key_id)
        if info is None:
            raise NotFound(f"no API key {key_id}; GET /v1/admin/keys lists them")
        audit(
            session,
            request,
            key,
            "key.revoke",
            f"key:{info.id}",
            {"name": info.name, "prefix": info.prefix},
        )
    return KeyOut.model_validate(info, from_attributes=True)
