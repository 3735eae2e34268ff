"""What route functions ask for: a database session, the caller's key with the scope the route needs, the app's context.

A permission check is a dependency (`ReadKey`, `AdminKey`, or
`KeyCheck(...)` for a new area), never code pasted into a handler.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from api.auth import KeyVerifier, presented_key
from api.errors import Forbidden, Unauthorized
from api.lookup import EmailLookup
from api.settings import ApiSettings
from store.apikeys import KeyInfo


@dataclass(frozen=True)
class ApiContext:
    """Everything a request may need, built once by `create_app` and kept on `app.state`."""

    engine: Engine
    sessions: sessionmaker[Session]
    verifier: KeyVerifier
    settings: ApiSettings
    default_region: str  # phones without a country code are read as this country, as the mapping does
    email_lookup: EmailLookup


async def api_context(request: Request) -> ApiContext:  # async: a plain `def` dependency costs a worker-thread hop
    context: ApiContext = request.app.state.context
    return context


ContextDep = Annotated[ApiContext, Depends(api_context)]


def database_session(context: ContextDep) -> Iterator[Session]:
    """A read-only unit of work: nothing a read route does is committed."""
    with context.sessions() as session:
        yield session


SessionDep = Annotated[Session, Depends(database_session)]


class KeyCheck:
    """A dependency admitting keys that hold `scope` (`admin` implies `read`): 401 without a valid key, 403 without the scope.

    It asks FastAPI for the request alone: each parameter or sub-dependency FastAPI solves costs CPU on every call,
    which the hot lookup route feels. The two ways to send a key are documented in OpenAPI by `api.openapi_keys`.
    It runs on the event loop: a key the verifier remembers costs no thread and no query; only a key it must
    look up goes to a worker thread, since that reads (and may write) the database.
    """

    def __init__(self, scope: str) -> None:
        self.scope = scope

    async def __call__(self, request: Request) -> KeyInfo:
        raw = presented_key(request.headers.get("x-api-key"), request.headers.get("authorization"))
        if raw is None:
            raise Unauthorized("this API needs a key: send it as `X-API-Key: lh_…` or `Authorization: Bearer lh_…` (create one with `loophub keys create`)")
        context: ApiContext = request.app.state.context  # read directly: one dependency fewer to solve on every request
        known, key = context.verifier.remembered(raw)
        if not known:
            key = await run_in_threadpool(context.verifier.verify, raw)
        if key is None:
            raise Unauthorized("the API key is not known; check it was copied whole, or create one with `loophub keys create`")
        if not key.active:
            raise Unauthorized(f"the API key {key.prefix} ({key.name}) was revoked; ask an admin for a new one")
        if not key.allows(self.scope):
            raise Forbidden(f"the API key {key.prefix} ({key.name}) has scope {key.scope!r}; this route needs {self.scope!r}")
        request.state.api_key = key
        return key


ReadKey = Annotated[KeyInfo, Depends(KeyCheck("read"))]
AdminKey = Annotated[KeyInfo, Depends(KeyCheck("admin"))]
