"""Retries driven by a vendor's `classify`: only what it calls retriable is tried again."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from tenacity import RetryCallState, Retrying, retry_if_exception, stop_after_attempt, wait_exponential_jitter

from connectors.common.errors import BudgetExhausted, Classification, ConnectorError, Verdict

T = TypeVar("T")
Classifier = Callable[[BaseException], Verdict]


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    max_attempts: int = 8
    base_delay: float = 0.5  # seconds before the first retry when the vendor gives no Retry-After
    max_delay: float = 60.0


def call_with_retry(
    operation: Callable[[], T],
    classify: Classifier,
    policy: RetryPolicy = RetryPolicy(),
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    """Run `operation`, retrying retriable failures with backoff (or the vendor's Retry-After).

    A failure that is not retriable, or that outlasts the policy, becomes a
    `ConnectorError` carrying the vendor-specific user message.
    """
    backoff = wait_exponential_jitter(initial=policy.base_delay, max=policy.max_delay, jitter=policy.base_delay)

    def wait(state: RetryCallState) -> float:
        error = state.outcome.exception() if state.outcome else None
        told = classify(error).wait_seconds if error is not None else None
        return min(told, policy.max_delay) if told is not None else backoff(state)

    retrying = Retrying(
        stop=stop_after_attempt(policy.max_attempts),
        wait=wait,
        retry=retry_if_exception(lambda error: classify(error).classification is Classification.RETRIABLE),
        sleep=sleep,
        reraise=True,
    )
    try:
        return retrying(operation)
    except ConnectorError:
        raise
    except Exception as error:
        verdict = classify(error)
        error_type = BudgetExhausted if verdict.budget_exhausted else ConnectorError
        raise error_type(verdict, internal=repr(error)) from error
