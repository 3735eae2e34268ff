"""How Zendesk fails and reports its rate limits, for `SandboxMiddleware`.

Zendesk counts requests per minute per account (700 on Enterprise) and,
separately, 10 per minute on the incremental exports. Every answer carries
`X-Rate-Limit`/`X-Rate-Limit-Remaining` and the newer `ratelimit-*` headers;
a 429 carries `Retry-After` in seconds. Minutes are sandbox-clock minutes, so
a test resets the window by advancing the clock.
"""

from __future__ import annotations

import threading
from typing import Literal

from pydantic import BaseModel, Field
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from sandbox.clock import SandboxClock

RATE_LIMITED_BODY = {"error": "APIRateLimitExceeded", "description": "Number of allowed API requests per minute exceeded"}
INCREMENTAL_HEADER = "Zendesk-RateLimit-incremental-exports"


class ZendeskKnobs(BaseModel):
    """Zendesk-specific sandbox settings (`GET/PUT /_sandbox/settings`); faithful by default."""

    plan_limit: int = Field(default=700, ge=1, description="requests per minute (Team 200, Professional 400, Enterprise 700)")
    incremental_limit: int = Field(default=10, ge=1, description="incremental export requests per minute")
    injected_retry_after: int = Field(
        default=1, ge=0, le=60, description="Retry-After of injected 429s; zenpy sleeps this long and retries only when > 0"
    )
    server_error_status: Literal[500, 503] = 503
    reject_recent_start_time: bool = Field(default=True, description="400 for an export start_time less than a minute old")
    hide_last_minute: bool = Field(default=True, description="exports leave out items changed in the last minute")
    allowed_secrets: list[str] | None = Field(
        default=None, description="API tokens, passwords or OAuth tokens accepted; None accepts any non-empty credentials"
    )


class RateWindow:
    """Requests per bucket in the current sandbox-clock minute."""

    def __init__(self, clock: SandboxClock) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._minute = -1
        self._counts: dict[str, int] = {}

    def _now(self) -> float:
        return self._clock.peek().timestamp()

    def _roll(self) -> None:
        minute = int(self._now()) // 60
        if minute != self._minute:
            self._minute = minute
            self._counts = {}

    def record(self, bucket: str) -> int:
        """Count one request; returns the bucket's count this minute."""
        with self._lock:
            self._roll()
            self._counts[bucket] = self._counts.get(bucket, 0) + 1
            return self._counts[bucket]

    def count(self, bucket: str) -> int:
        with self._lock:
            self._roll()
            return self._counts.get(bucket, 0)

    def seconds_to_reset(self) -> int:
        return 60 - int(self._now()) % 60


def is_incremental(path: str) -> bool:
    return path.startswith("/api/v2/incremental/")


class ZendeskFaults:
    """Zendesk's side of `VendorFaults`: its 429 and 5xx bodies, its limits and its usage headers."""

    def __init__(self, clock: SandboxClock, knobs: ZendeskKnobs) -> None:
        self.window = RateWindow(clock)
        self.knobs = knobs  # shared with the context and updated in place by PUT /_sandbox/settings

    def rate_limited_response(self) -> Response:
        headers = {"Retry-After": str(self.knobs.injected_retry_after)}
        return JSONResponse(RATE_LIMITED_BODY, status_code=429, headers=headers | self._usage())

    def server_error_response(self) -> Response:
        if self.knobs.server_error_status == 500:
            body = {"error": "InternalServerError", "description": "Something went wrong on our side"}
            return JSONResponse(body, status_code=500)
        body = {"error": "ServiceUnavailable", "description": "Service temporarily unavailable, please retry"}
        return JSONResponse(body, status_code=503)

    def limit_response(self, request: Request) -> Response | None:
        knobs = self.knobs
        retry_after = str(self.window.seconds_to_reset())
        if is_incremental(request.url.path) and self.window.count("incremental") >= knobs.incremental_limit:
            headers = {"Retry-After": retry_after} | self.incremental_headers(record=False)
            return JSONResponse(RATE_LIMITED_BODY, status_code=429, headers=headers | self._usage())
        if self.window.count("account") >= knobs.plan_limit:
            return JSONResponse(RATE_LIMITED_BODY, status_code=429, headers={"Retry-After": retry_after} | self._usage())
        return None

    def usage_headers(self) -> list[tuple[bytes, bytes]]:
        # Called once per answered request, so this is where the account's minute is counted.
        self.window.record("account")
        return [(name.lower().encode(), value.encode()) for name, value in self._usage().items()]

    def incremental_headers(self, record: bool = True) -> dict[str, str]:
        """The export endpoints' own budget header; `record` counts the current request against it."""
        used = self.window.record("incremental") if record else self.window.count("incremental")
        limit = self.knobs.incremental_limit
        remaining = max(limit - used, 0)
        return {INCREMENTAL_HEADER: f"total={limit}; remaining={remaining}; resets={self.window.seconds_to_reset()}"}

    def _usage(self) -> dict[str, str]:
        limit = self.knobs.plan_limit
        remaining = str(max(limit - self.window.count("account"), 0))
        return {
            "X-Rate-Limit": str(limit),
            "X-Rate-Limit-Remaining": remaining,
            "ratelimit-limit": str(limit),
            "ratelimit-remaining": remaining,
            "ratelimit-reset": str(self.window.seconds_to_reset()),
        }
