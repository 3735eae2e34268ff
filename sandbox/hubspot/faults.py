"""What HubSpot's rate limits and outages look like on the wire (the `VendorFaults` of the HubSpot stand-in).

Every answer carries HubSpot's usage headers (`X-HubSpot-RateLimit-*`). With
`control.faults.enforce_limits` the real limits apply: a private app's 190
requests per rolling 10 seconds, a daily allowance, and the search endpoints'
5 requests per second. Windows run on the sandbox clock, so a test that
advances the clock also lets the windows pass.
"""

from __future__ import annotations

import itertools
from collections import deque
from dataclasses import dataclass
from datetime import date

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from sandbox.control import SandboxControl
from sandbox.hubspot.errors import error_body

TEN_SECONDS = 10.0


@dataclass
class RateLimits:
    """HubSpot's allowances for one private app (Professional tier by default)."""

    ten_second_max: int = 190
    daily_max: int = 650_000  # Enterprise portals get 1,000,000
    search_per_second: int = 5


class HubSpotFaults:
    """Usage accounting, limit answers and injected failures for the HubSpot stand-in."""

    def __init__(self, control: SandboxControl, limits: RateLimits | None = None) -> None:
        self.control = control
        self.limits = limits or RateLimits()
        self._recent: deque[float] = deque()  # request times within the rolling window
        self._searches: deque[float] = deque()
        self._day: date | None = None
        self._daily_used = 0
        self._server_errors = itertools.cycle((502, 503))

    # -- VendorFaults --------------------------------------------------------------------------------------

    def rate_limited_response(self) -> Response:
        return self._limited("You have reached your ten_secondly_rolling limit.", "TEN_SECONDLY_ROLLING")

    def server_error_response(self) -> Response:
        status = next(self._server_errors)
        if status == 502:
            body = error_body("Bad Gateway: the upstream service did not answer in time.", "INTERNAL_ERROR")
        else:
            body = error_body("The service is temporarily unavailable; try again shortly.", "SERVICE_UNAVAILABLE")
        return JSONResponse(body, status_code=status, headers=dict(self._header_pairs()))

    def limit_response(self, request: Request) -> Response | None:
        """Over a limit: HubSpot's 429 for it. Otherwise the call is counted and None returned."""
        now = self._now()
        self._prune(now)
        if self._daily_used >= self.limits.daily_max:
            return self._limited("You have reached your daily limit.", "DAILY")
        is_search = request.method == "POST" and request.url.path.endswith("/search")
        if is_search and len(self._searches) >= self.limits.search_per_second:
            return self._limited("You have reached your secondly limit.", "SECONDLY")
        if len(self._recent) >= self.limits.ten_second_max:
            return self.rate_limited_response()
        self._count(now, is_search)
        return None

    def usage_headers(self) -> list[tuple[bytes, bytes]]:
        if not self.control.faults.enforce_limits:
            # Not enforcing: limit_response was not called, so count the call here to keep the headers honest.
            now = self._now()
            self._prune(now)
            self._count(now, False)
        return [(name.encode(), value.encode()) for name, value in self._header_pairs()]

    # -- internals -----------------------------------------------------------------------------------------

    def _limited(self, message: str, policy: str) -> Response:
        body = error_body(message, "RATE_LIMITS", errorType="RATE_LIMIT", policyName=policy)
        return JSONResponse(body, status_code=429, headers=dict(self._header_pairs()))

    def _header_pairs(self) -> list[tuple[str, str]]:
        limits = self.limits
        secondly = max(1, limits.ten_second_max // 10)
        recent_second = sum(1 for moment in self._recent if moment >= self._now() - 1.0)
        return [
            ("X-HubSpot-RateLimit-Daily", str(limits.daily_max)),
            ("X-HubSpot-RateLimit-Daily-Remaining", str(max(0, limits.daily_max - self._daily_used))),
            ("X-HubSpot-RateLimit-Interval-Milliseconds", str(int(TEN_SECONDS * 1000))),
            ("X-HubSpot-RateLimit-Max", str(limits.ten_second_max)),
            ("X-HubSpot-RateLimit-Remaining", str(max(0, limits.ten_second_max - len(self._recent)))),
            ("X-HubSpot-RateLimit-Secondly", str(secondly)),
            ("X-HubSpot-RateLimit-Secondly-Remaining", str(max(0, secondly - recent_second))),
        ]

    def _now(self) -> float:
        return self.control.clock.peek().timestamp()

    def _count(self, now: float, is_search: bool) -> None:
        self._recent.append(now)
        if is_search:
            self._searches.append(now)
        self._daily_used += 1

    def _prune(self, now: float) -> None:
        while self._recent and self._recent[0] <= now - TEN_SECONDS:
            self._recent.popleft()
        while self._searches and self._searches[0] <= now - 1.0:
            self._searches.popleft()
        today = self.control.clock.peek().date()
        if today != self._day:
            self._day, self._daily_used = today, 0
