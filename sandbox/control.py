"""What every stand-in shares: call accounting, fault knobs and the `/_sandbox/` control routes.

Tests assert API budgets on the call counters and exercise retry paths with
injected faults, so both live outside the vendor code and behave the same way
for Salesforce, HubSpot and Zendesk.
"""

from __future__ import annotations

import random
import threading
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, Field
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from sandbox.clock import SandboxClock

Outcome = Literal["ok", "rate_limited", "server_error", "limit_exceeded", "session_expired", "client_error"]


class FaultSettings(BaseModel):
    """Per-vendor fault knobs; all off by default."""

    rate_limit_ratio: float = Field(0.0, ge=0, le=1, description="share of calls answered 429 with the vendor's body")
    server_error_ratio: float = Field(0.0, ge=0, le=1, description="share of calls answered 500/503")
    latency_ms: int = Field(0, ge=0, le=60_000, description="added to every call")
    session_expiry_after_calls: int | None = Field(None, ge=1, description="a session expires after this many calls")
    enforce_limits: bool = Field(False, description="apply the vendor's real rate limits and allocations")
    seed: int = 0


class CallLog:
    """Counts calls per route template and how each ended."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))

    def record(self, route: str, outcome: Outcome) -> None:
        with self._lock:
            self._counts[route]["calls"] += 1
            if outcome != "ok":
                self._counts[route][outcome] += 1

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            by_route = {route: dict(counts) for route, counts in sorted(self._counts.items())}
        totals: dict[str, int] = defaultdict(int)
        for counts in by_route.values():
            for key, value in counts.items():
                totals[key] += value
        return {"total": totals.get("calls", 0), "outcomes": dict(totals), "by_route": by_route}

    def calls(self, route_prefix: str = "", method: str | None = None) -> int:
        """Calls whose route key starts with `route_prefix` (keys look like 'GET /path/{id}')."""
        with self._lock:
            return sum(
                counts["calls"]
                for route, counts in self._counts.items()
                if route.split(" ", 1)[1].startswith(route_prefix) and (method is None or route.startswith(method + " "))
            )

    def reset(self) -> None:
        with self._lock:
            self._counts.clear()


@dataclass
class SandboxControl:
    """The knobs and counters of one stand-in, plus the clock all stand-ins share."""

    clock: SandboxClock
    faults: FaultSettings = field(default_factory=FaultSettings)
    calls: CallLog = field(default_factory=CallLog)
    _rng: random.Random = field(default_factory=random.Random)

    def set_faults(self, settings: FaultSettings) -> None:
        self.faults = settings
        self._rng = random.Random(settings.seed)

    def draw_fault(self) -> Literal["rate_limited", "server_error"] | None:
        """Decide, at the configured ratios, whether this call fails on purpose."""
        roll = self._rng.random()
        if roll < self.faults.rate_limit_ratio:
            return "rate_limited"
        if roll < self.faults.rate_limit_ratio + self.faults.server_error_ratio:
            return "server_error"
        return None


def control_routes(control: SandboxControl) -> list[Route]:
    """`/_sandbox/` routes common to every stand-in (not part of any vendor API)."""

    async def get_calls(_: Request) -> JSONResponse:
        return JSONResponse(control.calls.snapshot())

    async def reset_calls(_: Request) -> JSONResponse:
        control.calls.reset()
        return JSONResponse({"reset": True})

    async def get_faults(_: Request) -> JSONResponse:
        return JSONResponse(control.faults.model_dump())

    async def put_faults(request: Request) -> JSONResponse:
        merged = control.faults.model_dump() | await request.json()
        try:
            settings = FaultSettings.model_validate(merged)
        except ValueError as error:
            return JSONResponse({"error": str(error)}, status_code=400)
        control.set_faults(settings)
        return JSONResponse(settings.model_dump())

    async def get_clock(_: Request) -> JSONResponse:
        return JSONResponse({"now": control.clock.peek().isoformat()})

    async def advance_clock(request: Request) -> JSONResponse:
        body = await request.json()
        seconds = body.get("seconds") if isinstance(body, dict) else None
        if not isinstance(seconds, int | float) or seconds < 0:
            return JSONResponse({"error": "body must be {\"seconds\": <non-negative number>}"}, status_code=400)
        return JSONResponse({"now": control.clock.advance(seconds).isoformat()})

    return [
        Route("/_sandbox/calls", get_calls, methods=["GET"]),
        Route("/_sandbox/calls", reset_calls, methods=["DELETE"]),
        Route("/_sandbox/faults", get_faults, methods=["GET"]),
        Route("/_sandbox/faults", put_faults, methods=["PUT"]),
        Route("/_sandbox/clock", get_clock, methods=["GET"]),
        Route("/_sandbox/clock/advance", advance_clock, methods=["POST"]),
    ]
