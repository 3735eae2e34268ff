"""ASGI middleware that counts every vendor call and injects the configured faults.

The vendor decides what a fault looks like (its 429 body and headers, its
5xx), and which headers every answer carries (rate-limit usage); this module
decides when. `/_sandbox/` calls are neither counted nor faulted.
"""

from __future__ import annotations

import asyncio
from typing import Protocol

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Match, Router
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sandbox.control import Outcome, SandboxControl


class VendorFaults(Protocol):
    """What a stand-in tells the middleware about its vendor's behaviour."""

    def rate_limited_response(self) -> Response:
        """The vendor's 429 (or equivalent) with its body and headers."""

    def server_error_response(self) -> Response:
        """The vendor's 5xx body."""

    def limit_response(self, request: Request) -> Response | None:
        """When real limits are enforced: the answer for a call over them, else None."""

    def usage_headers(self) -> list[tuple[bytes, bytes]]:
        """Headers every answer carries (e.g. Sforce-Limit-Info, X-Rate-Limit)."""


class SandboxMiddleware:
    def __init__(self, app: ASGIApp, router: Router, control: SandboxControl, vendor: VendorFaults) -> None:
        self.app = app
        self.router = router
        self.control = control
        self.vendor = vendor

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith("/_sandbox/"):
            await self.app(scope, receive, send)
            return
        route_key = f"{scope['method']} {self._route_template(scope)}"
        faults = self.control.faults
        if faults.latency_ms:
            await asyncio.sleep(faults.latency_ms / 1000)
        early = self._early_answer(Request(scope, receive))
        if early is not None:
            outcome, response = early
            self.control.calls.record(route_key, outcome)
            await response(scope, receive, _canonical_names(send))
            return
        recorded: list[bool] = []
        try:
            await self.app(scope, receive, self._counting_send(send, route_key, recorded))
        finally:
            if not recorded:  # the app failed before it answered
                self.control.calls.record(route_key, "server_error")

    def _early_answer(self, request: Request) -> tuple[Outcome, Response] | None:
        if self.control.faults.enforce_limits:
            limited = self.vendor.limit_response(request)
            if limited is not None:
                return "limit_exceeded", limited
        fault = self.control.draw_fault()
        if fault == "rate_limited":
            return "rate_limited", self.vendor.rate_limited_response()
        if fault == "server_error":
            return "server_error", self.vendor.server_error_response()
        return None

    def _counting_send(self, send: Send, route_key: str, recorded: list[bool]) -> Send:
        """Counts the call when its answer starts (before the client can see it) and adds usage headers."""

        async def counting(message: Message) -> None:
            if message["type"] == "http.response.start":
                self.control.calls.record(route_key, _outcome(message["status"]))
                recorded.append(True)
                message = {**message, "headers": [*message.get("headers", []), *self.vendor.usage_headers()]}
            await send(message)

        return _canonical_names(counting)

    def _route_template(self, scope: Scope) -> str:
        for route in self.router.routes:
            match, _ = route.matches(scope)
            if match == Match.FULL:
                return getattr(route, "path_format", scope["path"])
        return scope["path"]


def _outcome(status: int) -> Outcome:
    if status < 400:
        return "ok"
    if status == 401:
        return "session_expired"
    return "server_error" if status >= 500 else "client_error"


# Names as the vendors spell them; anything else gets Each-Word-Capitalised.
_VENDOR_SPELLINGS = {
    name.lower().encode(): name.encode()
    for name in (
        "Sforce-Limit-Info",
        "Sforce-Locator",
        "Sforce-NumberOfRecords",
        "X-HubSpot-RateLimit-Daily",
        "X-HubSpot-RateLimit-Daily-Remaining",
        "X-HubSpot-RateLimit-Interval-Milliseconds",
        "X-HubSpot-RateLimit-Max",
        "X-HubSpot-RateLimit-Remaining",
        "X-HubSpot-RateLimit-Secondly",
        "X-HubSpot-RateLimit-Secondly-Remaining",
        "Zendesk-RateLimit-incremental-exports",
    )
}


def _canonical_names(send: Send) -> Send:
    """Sends header names in the case the vendors use over HTTP/1.1.

    Starlette lower-cases every name; HTTP says case does not matter, but some
    clients compare names case-sensitively (the Airbyte CDK's Bulk CSV reader
    looks up `content-type` in a plain dict and breaks on the lower-case form).
    """

    async def canonical(message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = [(_canonical(name), value) for name, value in message.get("headers", [])]
            message = {**message, "headers": headers}
        await send(message)

    return canonical


def _canonical(name: bytes) -> bytes:
    lowered = name.lower()
    return _VENDOR_SPELLINGS.get(lowered) or b"-".join(part.capitalize() for part in lowered.split(b"-"))
