"""What every handler shares: the account state, authentication and the endpoint wrapper.

Zendesk accepts Basic `{email}/token:{api_token}`, Basic `{email}:{password}`
and `Bearer {oauth_token}`. The stand-in accepts any non-empty credentials
unless `allowed_secrets` is set; a failure is Zendesk's 401 body.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from sandbox.control import SandboxControl
from sandbox.zendesk.collection import Record
from sandbox.zendesk.faults import ZendeskFaults, ZendeskKnobs
from sandbox.zendesk.jobs import JobBoard
from sandbox.zendesk.records import KINDS, normalised
from sandbox.zendesk.store import ZendeskStore
from sandbox.zendesk.wire import ZendeskError

Handler = Callable[[Request], Awaitable[Response]]


def unauthenticated() -> ZendeskError:
    return ZendeskError(401, {"error": "Couldn't authenticate you"})


@dataclass(frozen=True)
class Principal:
    """Who is calling: the email of a Basic login (None for OAuth) and how they proved it."""

    email: str | None
    method: str  # token | password | oauth
    secret: str


@dataclass
class ZendeskContext:
    store: ZendeskStore
    jobs: JobBoard
    control: SandboxControl
    knobs: ZendeskKnobs
    faults: ZendeskFaults
    _synthetic_admin: Record | None = None

    def actor(self, request: Request) -> Record:
        """The authenticated user (`/users/me`): the user with the login email, else the first admin."""
        principal: Principal | None = getattr(request.state, "principal", None)
        user = self.store.user_by_email(principal.email if principal else None)
        if user is not None:
            return user
        admin = next(self.store.users.find(lambda candidate: candidate.get("role") == "admin"), None)
        return admin or self._admin_placeholder()

    def _admin_placeholder(self) -> Record:
        # An account always has an owner; a hand-built world may not seed one, and
        # adding one to the store would make it show up in exports tests count.
        if self._synthetic_admin is None:
            self._synthetic_admin = normalised(
                KINDS["users"],
                {"id": self.store.new_id("users"), "name": "Sandbox Admin", "email": "admin@sandbox.invalid",
                 "role": "admin", "verified": True, "created_at": "2020-01-01T00:00:00Z",
                 "updated_at": "2020-01-01T00:00:00Z"},
            )  # fmt: skip
        return self._synthetic_admin


def authenticate(request: Request, knobs: ZendeskKnobs) -> Principal:
    header = request.headers.get("authorization", "")
    scheme, _, credentials = header.partition(" ")
    principal: Principal | None = None
    if scheme.lower() == "bearer" and credentials.strip():
        principal = Principal(None, "oauth", credentials.strip())
    elif scheme.lower() == "basic":
        principal = _basic(credentials.strip())
    if principal is None or (knobs.allowed_secrets is not None and principal.secret not in knobs.allowed_secrets):
        raise unauthenticated()
    return principal


def _basic(credentials: str) -> Principal | None:
    try:
        decoded = base64.b64decode(credentials, validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return None
    login, _, secret = decoded.partition(":")
    if not login or not secret:
        return None
    if login.endswith("/token"):
        return Principal(login.removesuffix("/token"), "token", secret)
    return Principal(login, "password", secret)


def endpoint(context: ZendeskContext, handler: Handler) -> Handler:
    """Authenticate, run the handler, and answer any `ZendeskError` with its vendor body."""

    async def wrapped(request: Request) -> Response:
        try:
            request.state.principal = authenticate(request, context.knobs)
            return await handler(request)
        except ZendeskError as error:
            return error.response()

    wrapped.__name__ = handler.__name__
    return wrapped


async def json_body(request: Request) -> dict[str, Any]:
    raw = await request.body()
    if not raw.strip():
        return {}
    try:
        body = json.loads(raw)
    except ValueError as error:
        raise ZendeskError(400, {"error": "InvalidValue", "description": "Invalid JSON in request body"}) from error
    if not isinstance(body, dict):
        raise ZendeskError(400, {"error": "InvalidValue", "description": "Request body must be a JSON object"})
    return body
