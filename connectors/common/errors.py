"""One place decides what a failure means: retry it, give up, or tell the admin to fix configuration."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from airbyte_cdk.models import FailureType
from airbyte_cdk.utils.traced_exception import AirbyteTracedException


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


class ConnectorError(AirbyteTracedException):
    """A failure the connector could not recover from, with a message fit for the user.

    `user_message` says what is wrong and what to do, without URLs or tokens;
    `internal` keeps the vendor's raw answer for logs. Being an Airbyte traced
    exception, it reaches the platform (and loophub's landing) as a TRACE
    message whose failure type says who must act: the admin (config_error),
    nobody but time (transient_error), or the developers (system_error).
    """

    def __init__(self, verdict: Verdict, *, internal: str = "") -> None:
        super().__init__(internal_message=internal or verdict.user_message, message=verdict.user_message, failure_type=_failure_type(verdict))
        self.verdict = verdict
        self.user_message = verdict.user_message
        self.internal = internal

    @property
    def classification(self) -> Classification:
        return self.verdict.classification


class BudgetExhausted(ConnectorError):
    """The vendor's API allocation is used up: stop cleanly, keep the state, resume later."""


def _failure_type(verdict: Verdict) -> FailureType:
    if verdict.budget_exhausted or verdict.classification is Classification.RETRIABLE:
        return FailureType.transient_error
    if verdict.classification is Classification.CONFIGURATION:
        return FailureType.config_error
    return FailureType.system_error
