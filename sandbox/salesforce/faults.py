"""What Salesforce's refusals look like, and the org's rolling API allocation.

Choice for injected rate limiting (`rate_limit_ratio`): the core REST API has
no HTTP 429. Its documented status codes stop at 403 ("the request has been
refused"), and throttling arrives as 403 with errorCode
`REQUEST_LIMIT_EXCEEDED`: the message `TotalRequests Limit exceeded.` when the
24-hour allocation is spent (not worth retrying until usage rolls off) and
`ConcurrentRequests (Concurrent API Requests) Limit exceeded.` when too many
long-running requests are in flight (worth retrying shortly). Only Connect
(Chatter) REST documents 429/503 for its per-hour limit. So an injected
rate limit answers 403 `REQUEST_LIMIT_EXCEEDED` with the *concurrent* message,
the transient kind; `enforce_limits` answers 403 with the *total* message once
the allocation is used up. A client must read the body to tell them apart,
exactly as against a real org. Injected server errors answer 503
`SERVER_UNAVAILABLE`.
"""

from __future__ import annotations

import threading
from collections import deque
from datetime import datetime, timedelta

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from sandbox.clock import SandboxClock
from sandbox.salesforce.auth import is_versioned_data_path

DEFAULT_DAILY_ALLOCATION = 100_000
_WINDOW = timedelta(hours=24)


class ApiUsage:
    """API calls in the rolling 24-hour window, measured on the sandbox clock."""

    def __init__(self, clock: SandboxClock, daily_max: int = DEFAULT_DAILY_ALLOCATION) -> None:
        self.clock = clock
        self.daily_max = daily_max
        self._lock = threading.Lock()
        self._calls: deque[datetime] = deque()

    def record(self) -> None:
        with self._lock:
            self._calls.append(self.clock.peek())

    def used(self) -> int:
        with self._lock:
            horizon = self.clock.peek() - _WINDOW
            while self._calls and self._calls[0] <= horizon:
                self._calls.popleft()
            return len(self._calls)

    def remaining(self) -> int:
        return max(self.daily_max - self.used(), 0)

    def set_used(self, count: int) -> None:
        """Pretend `count` calls were made just now (lets a test start near the allocation)."""
        with self._lock:
            now = self.clock.peek()
            self._calls = deque([now] * count)

    def header_value(self) -> str:
        return f"api-usage={self.used()}/{self.daily_max}"


class SalesforceFaults:
    """The `VendorFaults` of the Salesforce stand-in."""

    def __init__(self, usage: ApiUsage) -> None:
        self.usage = usage

    def _error(self, status: int, code: str, message: str) -> Response:
        headers = {"Sforce-Limit-Info": self.usage.header_value()}
        return JSONResponse([{"message": message, "errorCode": code}], status_code=status, headers=headers)

    def rate_limited_response(self) -> Response:
        return self._error(
            403, "REQUEST_LIMIT_EXCEEDED", "ConcurrentRequests (Concurrent API Requests) Limit exceeded."
        )

    def server_error_response(self) -> Response:
        return self._error(503, "SERVER_UNAVAILABLE", "Server temporarily unavailable; please retry your request.")

    def limit_response(self, request: Request) -> Response | None:
        if not is_versioned_data_path(request.url.path):
            return None
        if self.usage.used() >= self.usage.daily_max:
            return self._error(403, "REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded.")
        return None

    def usage_headers(self) -> list[tuple[bytes, bytes]]:
        return [(b"sforce-limit-info", self.usage.header_value().encode())]


def limits_body(usage: ApiUsage, bulk_jobs_today: int) -> dict[str, dict[str, int]]:
    """`GET /limits`: the allocations a client plans against (the figures of an Enterprise org)."""
    used = usage.used()

    def limit(maximum: int, spent: int = 0) -> dict[str, int]:
        return {"Max": maximum, "Remaining": max(maximum - spent, 0)}

    return {
        "ConcurrentAsyncGetReportInstances": limit(200),
        "DailyApiRequests": limit(usage.daily_max, used),
        "DailyAsyncApexExecutions": limit(250_000),
        "DailyBulkApiBatches": limit(15_000),
        "DailyBulkV2QueryFileStorageMB": limit(976_562),
        "DailyBulkV2QueryJobs": limit(10_000, bulk_jobs_today),
        "DataStorageMB": limit(1_024),
        "FileStorageMB": limit(10_240),
        "HourlyODataCallout": limit(20_000),
        "SingleEmail": limit(5_000),
    }
