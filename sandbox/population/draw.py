"""Sampling helpers over one `random.Random`, so the whole world depends on a single seed."""

from __future__ import annotations

import random
from bisect import bisect_right
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from itertools import accumulate
from typing import TypeVar

T = TypeVar("T")

# Cumulative weights per table, computed once; the table itself is kept so its id() is never reused.
_CACHE_LIMIT = 1024
_CUMULATIVE: dict[int, tuple[Mapping[object, float], list[object], list[float]]] = {}


def pick(rng: random.Random, table: Mapping[T, float]) -> T:
    """One outcome of a `{outcome: weight}` table."""
    cached = _CUMULATIVE.get(id(table))
    if cached is None or cached[0] is not table:
        if len(_CUMULATIVE) > _CACHE_LIMIT:  # tables built on the fly must not pile up
            _CUMULATIVE.clear()
        cached = (table, list(table), list(accumulate(table.values())))
        _CUMULATIVE[id(table)] = cached
    _, outcomes, cumulative = cached
    # What random.choices(cum_weights=...) does, without its per-call argument handling (a hot path).
    return outcomes[bisect_right(cumulative, rng.random() * cumulative[-1], 0, len(cumulative) - 1)]  # type: ignore[return-value]


def chance(rng: random.Random, rate: float) -> bool:
    return rng.random() < rate


def one_of(rng: random.Random, options: Sequence[T]) -> T:
    return options[rng.randrange(len(options))]


def moment_between(rng: random.Random, start: datetime, end: datetime) -> datetime:
    """A millisecond-precise moment in [start, end] (start when the range is empty)."""
    span_ms = int((end - start).total_seconds() * 1000)
    if span_ms <= 0:
        return start
    return start + timedelta(milliseconds=rng.randrange(span_ms + 1))
