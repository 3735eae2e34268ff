"""Private-app token check in front of every HubSpot route.

HubSpot wants `Authorization: Bearer <token>` (the legacy `hapikey` query
parameter is still accepted). Any non-empty token passes unless a test sets
an allow-list (`PUT /_sandbox/auth`).
"""

from __future__ import annotations

from dataclasses import dataclass

from starlette.datastructures import Headers, QueryParams
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from sandbox.hubspot.errors import error_body

_MISSING = (
    "Authentication credentials not found. This API supports OAuth 2.0 authentication and you can find more details at "
    "https://developers.hubspot.com/docs/methods/auth/oauth-overview"
)
_INVALID = "The access token provided is invalid or has been revoked. Create a new private app token and retry."


@dataclass
class AuthSettings:
    """`None` accepts any non-empty token; a set accepts only its members."""

    allowed_tokens: set[str] | None = None

    def accepts(self, token: str) -> bool:
        return bool(token) and (self.allowed_tokens is None or token in self.allowed_tokens)


class TokenAuthMiddleware:
    """Answers 401 with HubSpot's body when a call carries no acceptable token."""

    def __init__(self, app: ASGIApp, settings: AuthSettings) -> None:
        self.app = app
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith("/_sandbox/"):
            await self.app(scope, receive, send)
            return
        token = _token(scope)
        if token is None:
            response = JSONResponse(error_body(_MISSING, "INVALID_AUTHENTICATION"), status_code=401)
        elif not self.settings.accepts(token):
            response = JSONResponse(error_body(_INVALID, "INVALID_AUTHENTICATION"), status_code=401)
        else:
            await self.app(scope, receive, send)
            return
        await response(scope, receive, send)


def _token(scope: Scope) -> str | None:
    authorization = Headers(scope=scope).get("authorization", "")
    scheme, _, credentials = authorization.partition(" ")
    if scheme.lower() == "bearer" and credentials.strip():
        return credentials.strip()
    api_key = QueryParams(scope.get("query_string", b"")).get("hapikey")
    return api_key or None
