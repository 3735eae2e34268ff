"""A clock shared by the three stand-ins.

Vendors stamp every write with the server time; a test must be able to move
that time forward (Zendesk's exports hide the most recent minute) without
sleeping. Every reading is strictly later than the one before, so two writes
never share a modstamp unless a vendor truncates to seconds itself.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta


class SandboxClock:
    """Wall-clock time plus an offset a test can advance; never repeats a millisecond."""

    def __init__(self, start: datetime | None = None) -> None:
        self._lock = threading.Lock()
        real_now = datetime.now(UTC)
        self._offset = (start - real_now) if start else timedelta(0)
        self._last = real_now + self._offset - timedelta(milliseconds=1)

    def now(self) -> datetime:
        """The current sandbox time, truncated to milliseconds like the vendors' stamps."""
        with self._lock:
            candidate = datetime.now(UTC) + self._offset
            candidate = candidate.replace(microsecond=candidate.microsecond // 1000 * 1000)
            if candidate <= self._last:
                candidate = self._last + timedelta(milliseconds=1)
            self._last = candidate
            return candidate

    def peek(self) -> datetime:
        """The current time without reserving a tick (for reads, not writes)."""
        with self._lock:
            return max(datetime.now(UTC) + self._offset, self._last)

    def advance(self, seconds: float) -> datetime:
        """Move sandbox time forward, as if `seconds` had passed."""
        with self._lock:
            self._offset += timedelta(seconds=seconds)
        return self.peek()
