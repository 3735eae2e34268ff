"""OAuth 2.0 token endpoint, sessions, and the gate every `/services/data` call passes.

Tokens come only from `POST /services/oauth2/token` (or `store.issue_token()`
in tests), as in a real org. By default any non-empty client id/secret and
credentials are accepted; `AuthSettings` narrows that to configured values
so a test can exercise `invalid_client` and `invalid_grant`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import re
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import parse_qs

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sandbox.control import SandboxControl
from sandbox.ids import salesforce_id

ORG_ID = salesforce_id("00D", 1)
_SIGNING_KEY = secrets.token_bytes(32)
_VERSIONED_DATA_PATH = re.compile(r"^/services/data/v(\d+)\.(\d+)(/|$)")
_log = logging.getLogger(__name__)


@dataclass
class AuthSettings:
    """Which credentials the token endpoint accepts; None means any non-empty value."""

    clients: dict[str, str] | None = None  # client_id -> client_secret
    passwords: dict[str, str] | None = None  # username -> password
    refresh_tokens: set[str] | None = None


@dataclass
class Session:
    token: str
    user_id: str
    calls: int = 0
    expired: bool = False


@dataclass
class SessionRegistry:
    """Issued access tokens and how many calls each has made."""

    default_user_id: str
    settings: AuthSettings = field(default_factory=AuthSettings)
    _sessions: dict[str, Session] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def issue(self, user_id: str | None = None) -> str:
        """A new access token in Salesforce's shape (`<org id>!<opaque>`)."""
        opaque = secrets.token_urlsafe(72).replace("-", ".").replace("_", "A")
        token = f"{ORG_ID[:15]}!{opaque}"
        with self._lock:
            self._sessions[token] = Session(token, user_id or self.default_user_id)
        return token

    def use(self, token: str | None, expire_after_calls: int | None) -> Session | None:
        """Count one call on the session; None when the token is unknown or has expired."""
        if not token:
            return None
        with self._lock:
            session = self._sessions.get(token)
            if session is None or session.expired:
                return None
            session.calls += 1
            if expire_after_calls is not None and session.calls > expire_after_calls:
                session.expired = True
                return None
            return session

    def expire_all(self) -> None:
        with self._lock:
            for session in self._sessions.values():
                session.expired = True


def _oauth_error(error: str, description: str, status: int = 400) -> JSONResponse:
    return JSONResponse({"error": error, "error_description": description}, status_code=status)


def token_route(sessions: SessionRegistry, user_ids_by_username: dict[str, str]) -> Route:
    """`POST /services/oauth2/token` for the password, refresh_token and client_credentials grants."""

    async def token(request: Request) -> Response:
        # The token endpoint takes application/x-www-form-urlencoded only; parse it without python-multipart.
        form = {key: values[0] for key, values in parse_qs((await request.body()).decode("utf-8", "replace")).items()}
        grant = str(form.get("grant_type") or "")
        client_id, client_secret = str(form.get("client_id") or ""), str(form.get("client_secret") or "")
        if grant not in ("password", "refresh_token", "client_credentials"):
            return _oauth_error("unsupported_grant_type", "grant type not supported")
        clients = sessions.settings.clients
        if not client_id or (clients is not None and client_id not in clients):
            return _oauth_error("invalid_client_id", "client identifier invalid")
        if not client_secret or (clients is not None and clients[client_id] != client_secret):
            return _oauth_error("invalid_client", "invalid client credentials")
        user_id = sessions.default_user_id
        if grant == "password":
            username, password = str(form.get("username") or ""), str(form.get("password") or "")
            known = sessions.settings.passwords
            if not username or not password or (known is not None and known.get(username) != password):
                return _oauth_error("invalid_grant", "authentication failure")
            user_id = user_ids_by_username.get(username.lower(), user_id)
        elif grant == "refresh_token":
            refresh = str(form.get("refresh_token") or "")
            allowed = sessions.settings.refresh_tokens
            if not refresh or (allowed is not None and refresh not in allowed):
                return _oauth_error("invalid_grant", "expired access/refresh token")
        access_token = sessions.issue(user_id)
        instance_url = f"{request.url.scheme}://{request.headers.get('host', request.url.netloc)}"
        identity = f"{instance_url}/id/{ORG_ID}/{user_id}"
        issued_at = str(int(time.time() * 1000))
        signature = base64.b64encode(hmac.new(_SIGNING_KEY, (identity + issued_at).encode(), hashlib.sha256).digest())
        return JSONResponse(
            {
                "access_token": access_token,
                "instance_url": instance_url,
                "id": identity,
                "token_type": "Bearer",
                "issued_at": issued_at,
                "signature": signature.decode(),
                "scope": "api refresh_token",
            }
        )

    return Route("/services/oauth2/token", token, methods=["POST"])


def is_versioned_data_path(path: str) -> bool:
    return _VERSIONED_DATA_PATH.match(path) is not None


class SessionGate:
    """Checks the bearer token of every versioned `/services/data` call and counts it against the org's allocation.

    It sits inside `SandboxMiddleware`, so a 401 it answers is recorded as
    `session_expired`. It also turns an unexpected exception into
    Salesforce's 500 body rather than a bare traceback page.
    """

    def __init__(
        self, app: ASGIApp, sessions: SessionRegistry, control: SandboxControl, record_usage: Callable[[], None]
    ) -> None:
        self.app = app
        self.sessions = sessions
        self.control = control
        self.record_usage = record_usage

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if is_versioned_data_path(scope["path"]):
            token = _bearer_token(scope)
            if self.sessions.use(token, self.control.faults.session_expiry_after_calls) is None:
                body = [{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}]
                await JSONResponse(body, status_code=401)(scope, receive, send)
                return
            self.record_usage()
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception:
            _log.exception("unexpected error in the Salesforce stand-in")
            if started:
                raise
            message = "An unexpected error occurred. Please include this ErrorId if you contact support: "
            body = [{"message": f"{message}{secrets.randbelow(10**9)}", "errorCode": "UNKNOWN_EXCEPTION"}]
            await JSONResponse(body, status_code=500)(scope, receive, send)


def _bearer_token(scope: Scope) -> str | None:
    for name, value in scope["headers"]:
        if name == b"authorization":
            header: str = value.decode("latin-1")
            scheme, _, token = header.partition(" ")
            # Salesforce accepts the legacy "OAuth" scheme as well as "Bearer".
            if scheme.lower() in ("bearer", "oauth") and token.strip():
                return token.strip()
    return None
