"""One place decides what a failure means: retry it, give up, or tell the admin to fix configuration."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Classification(StrEnum):
    RETRIABLE = "retriable"  # rate limits, 5xx, timeouts: try again after a wait
    FATAL = "fatal"  # the request itself is wrong or the vendor refuses it for good
    CONFIGURATION = "configuration"  # credentials, permissions, addresses: the admin must act


@dataclass(frozen=True, slots=True)
class Verdict:
    """What a vendor's `classify` says about one failure."""

    classification: Classification
    user_message: str
    wait_seconds: float | None = None  # the vendor said how long to wait (Retry-After)
    budget_exhausted: bool = False  # the daily allocation is spent: stop cleanly and resume later


class ConnectorError(Exception):
    """A failure the connector could not recover from, with a message fit for the user.

    `user_message` says what is wrong and what to do, without URLs or tokens;
    `internal` keeps the vendor's raw answer for logs.
    """

    def __init__(self, verdict: Verdict, *, internal: str = "") -> None:
        super().__init__(verdict.user_message)
        self.verdict = verdict
        self.user_message = verdict.user_message
        self.internal = internal

    @property
    def classification(self) -> Classification:
        return self.verdict.classification


class BudgetExhausted(ConnectorError):
    """The vendor's API allocation is used up: stop cleanly, keep the state, resume later."""
