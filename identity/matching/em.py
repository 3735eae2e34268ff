"""Expectation-maximisation for the Fellegi-Sunter model over agreement-pattern counts.

Pairs that share a pattern (a level per comparison) are interchangeable
under conditional independence, so EM runs over the distinct patterns
weighted by their counts: a few thousand rows however many pairs were blocked.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# Keeps log(m) and log(u) finite when a level is never seen in one class.
_FLOOR = 1e-9


@dataclass(frozen=True)
class EmResult:
    """m and u per comparison (NaN at null levels), the share of matches among the pairs, and convergence."""

    m: list[np.ndarray]
    u: list[np.ndarray]
    match_share: float
    iterations: int
    converged: bool


def _log_likelihood(patterns: np.ndarray, probabilities: list[np.ndarray]) -> np.ndarray:
    total = np.zeros(patterns.shape[0])
    for k, p in enumerate(probabilities):
        # A null level carries probability 1 in both classes: log 0.
        total += np.log(np.nan_to_num(p, nan=1.0))[patterns[:, k]]
    return total


def _maximise(patterns: np.ndarray, weights: np.ndarray, template: list[np.ndarray]) -> list[np.ndarray]:
    estimates = []
    for k, previous in enumerate(template):
        sums = np.bincount(patterns[:, k], weights=weights, minlength=len(previous))
        is_null = np.isnan(previous)
        sums[is_null] = 0.0
        share = np.maximum(sums / max(sums.sum(), _FLOOR), _FLOOR)
        share /= share.sum()
        share[is_null] = np.nan
        estimates.append(share)
    return estimates


def initial_m(level_counts: list[int], null_levels: list[int | None]) -> list[np.ndarray]:
    """A starting m: most mass on the first informative level, the rest spread evenly."""
    starts = []
    for count, null_level in zip(level_counts, null_levels):
        m = np.zeros(count)
        informative = [i for i in range(count) if i != null_level]
        m[informative] = 0.1 / max(len(informative) - 1, 1)
        m[informative[0]] = 0.9
        if null_level is not None:
            m[null_level] = np.nan
        starts.append(m)
    return starts


def run_em(
    patterns: np.ndarray,
    counts: np.ndarray,
    m_start: list[np.ndarray],
    u_start: list[np.ndarray],
    *,
    match_share_start: float = 0.1,
    max_iterations: int = 200,
    tolerance: float = 1e-6,
    fix_u: bool = False,
) -> EmResult:
    """Fit m, u (unless `fix_u`) and the match share to pattern counts.

    Stops when no probability moves more than `tolerance`.
    """
    patterns = np.asarray(patterns, dtype=np.int64)
    counts = np.asarray(counts, dtype=np.float64)
    m, u, share = m_start, u_start, match_share_start
    for iteration in range(1, max_iterations + 1):
        log_match = np.log(share) + _log_likelihood(patterns, m)
        log_other = np.log1p(-share) + _log_likelihood(patterns, u)
        posterior = 1.0 / (1.0 + np.exp(np.clip(log_other - log_match, -700, 700)))
        match_pairs = counts * posterior
        new_m = _maximise(patterns, match_pairs, m)
        new_u = u if fix_u else _maximise(patterns, counts - match_pairs, u)
        new_share = float(np.clip(match_pairs.sum() / counts.sum(), _FLOOR, 1 - _FLOOR))
        moved = max(
            max((np.nanmax(np.abs(a - b)) for a, b in zip(new_m, m)), default=0.0),
            max((np.nanmax(np.abs(a - b)) for a, b in zip(new_u, u)), default=0.0),
            abs(new_share - share),
        )
        m, u, share = new_m, new_u, new_share
        if moved < tolerance:
            return EmResult(m, u, share, iteration, True)
    return EmResult(m, u, share, max_iterations, False)


def prior_given_parameters(
    patterns: np.ndarray, counts: np.ndarray, m: list[np.ndarray], u: list[np.ndarray], all_pairs: float
) -> float:
    """Share of matches among all pairs, with m and u fixed, counting unblocked pairs as non-matches.

    Fixed point of p = sum(count * posterior(p)) / all_pairs over the blocked patterns.
    """
    patterns = np.asarray(patterns, dtype=np.int64)
    log_factor = _log_likelihood(patterns, m) - _log_likelihood(patterns, u)
    prior = max(float(counts.sum()) / all_pairs * 0.1, _FLOOR)
    for _ in range(500):
        log_odds = np.log(prior) - np.log1p(-prior) + log_factor
        expected = float((counts / (1.0 + np.exp(-np.clip(log_odds, -700, 700)))).sum())
        updated = min(max(expected / all_pairs, 1e-15), 0.5)
        if abs(updated - prior) <= 1e-6 * prior:
            return updated
        prior = updated
    return prior
