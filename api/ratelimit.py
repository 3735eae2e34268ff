"""Per-key rate limits (limits): one budget per API key across all `/v1` routes, 429 with `Retry-After` beyond it.

The limit is counted by a plain ASGI middleware, before routing and before
the key is verified, so a flood of bad keys is slowed down too. It is not a
FastAPI dependency: one more dependency to solve on every request cost the
hot lookup about a fifth of its CPU. (slowapi's middleware cannot do it
either: it finds a route's handler in `app.routes`, which holds only the
included routers since FastAPI 0.150.)

The bucket is named by a digest of the presented key, never the key itself,
so the limiter's storage holds no secret; a request without a key is counted
by its client address. Buckets live in process memory: several server
processes each count on their own. Every answer carries `X-RateLimit-Limit`,
`-Remaining` and `-Reset` (epoch seconds) for the tightest limit.

The buckets are kept in `SweptMemoryStorage`, limits' memory storage without
its expiry timer: that one starts a thread whenever its last one has ended
(every 10 ms on a busy server), and starting a thread waits for it to run,
which stalls the event loop for milliseconds on a loaded machine. A counter
past its window is already dropped when next read, so the timer only frees
memory; here a sweep done inline once a minute does that.
"""

from __future__ import annotations

import hashlib
import math
import time

from fastapi import FastAPI
from fastapi.responses import JSONResponse
from limits import RateLimitItem, parse_many
from limits.storage import MemoryStorage
from limits.strategies import FixedWindowRateLimiter
from limits.util import WindowStats
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.auth import presented_key
from api.errors import error_body
from api.settings import ApiSettings

SWEEP_SECONDS = 60.0
LIMITED_PREFIX = "/v1/"  # the API's routes; the OpenAPI document and docs pages are not counted


class SweptMemoryStorage(MemoryStorage):
    """limits' in-memory storage for fixed windows, with stale counters swept inline instead of by timer threads."""

    STORAGE_SCHEME = ["loophub-memory"]  # limits registers the scheme when the class is defined

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options: str) -> None:
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        self._next_sweep = time.monotonic() + SWEEP_SECONDS

    def incr(self, key: str, expiry: float, amount: int = 1) -> int:
        self.get(key)  # drops the counter when its window has passed
        self._sweep()
        with self.locks[key]:
            self.storage[key] += amount
            if self.storage[key] == amount:
                self.expirations[key] = time.time() + expiry
        return self.storage.get(key, 0)

    def _sweep(self) -> None:
        if time.monotonic() < self._next_sweep:
            return
        self._next_sweep = time.monotonic() + SWEEP_SECONDS
        now = time.time()
        for key, expires in list(self.expirations.items()):
            if expires <= now:
                self.storage.pop(key, None)
                self.expirations.pop(key, None)
                self.locks.pop(key, None)


def rate_key(scope: Scope) -> str:
    """The bucket of a request: a digest of its key, or its client address when it sends none."""
    headers = Headers(scope=scope)
    raw = presented_key(headers.get("x-api-key"), headers.get("authorization"))
    if raw is None:
        client = scope.get("client")
        return f"address:{client[0] if client else 'unknown'}"
    return "key:" + hashlib.sha256(raw.encode("utf-8")).hexdigest()[:32]


class PerKeyRateLimit:
    """ASGI middleware counting each `/v1` request against its bucket's limits (all of them must allow it)."""

    def __init__(self, app: ASGIApp, rate_limit: str) -> None:
        self.app = app
        self._limits = parse_many(rate_limit)
        self._limiter = FixedWindowRateLimiter(SweptMemoryStorage())

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(LIMITED_PREFIX):
            await self.app(scope, receive, send)
            return
        bucket = rate_key(scope)
        for limit in self._limits:
            if not self._limiter.hit(limit, bucket):
                await self._refused(limit, bucket)(scope, receive, send)
                return
        extra = self._headers(*self._tightest(bucket))

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", ()), *extra]}
            await send(message)

        await self.app(scope, receive, send_with_headers)

    def _tightest(self, bucket: str) -> tuple[RateLimitItem, WindowStats]:
        """The limit with the fewest requests left in its window, with its window's figures."""
        return min(((limit, self._limiter.get_window_stats(limit, bucket)) for limit in self._limits), key=lambda pair: pair[1].remaining)

    @staticmethod
    def _headers(limit: RateLimitItem, stats: WindowStats) -> list[tuple[bytes, bytes]]:
        return [
            (b"x-ratelimit-limit", str(limit.amount).encode()),
            (b"x-ratelimit-remaining", str(stats.remaining).encode()),
            (b"x-ratelimit-reset", str(math.ceil(stats.reset_time)).encode()),
        ]

    def _refused(self, limit: RateLimitItem, bucket: str) -> JSONResponse:
        message = f"rate limit of {limit} for this API key exceeded; retry after the seconds in the Retry-After header"
        stats = self._limiter.get_window_stats(limit, bucket)
        response = JSONResponse(error_body("rate_limited", message), status_code=429)
        response.raw_headers.extend(self._headers(limit, stats))
        response.headers["Retry-After"] = str(max(1, math.ceil(stats.reset_time - time.time())))
        return response


def install_rate_limit(app: FastAPI, settings: ApiSettings) -> None:
    """Count every `/v1` request against `settings.rate_limit`; nothing is installed when limits are off."""
    if settings.rate_limit is not None:
        app.add_middleware(PerKeyRateLimit, rate_limit=settings.rate_limit)
