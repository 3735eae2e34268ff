"""Training: u from random pairs, m by EM per blocking rule, the prior, term frequencies.

u: Splink 5 estimates u by sampling until every level has been seen often
enough, which forces ~1e7 sampled pairs whenever a level is rare among
non-matches (24 s on FEBRL-4 on two cores). Here exact-agreement shares come
from value counts and only fuzzy levels are sampled (see `u_estimation`).

m: pairs found by a blocking rule agree on that rule's columns whatever
their match status, so one EM over the union of rules would mistake "agrees
on the blocked column" for "matches". As in Splink, EM runs once per rule
with u fixed, estimating m only for comparisons that do not read the rule's
columns (conditional independence leaves those undistorted); each comparison
averages its m over the rules that estimated it, weighted by the matches each
rule found. Every run works on the rule's agreement-pattern counts, grouped
in DuckDB, so EM costs the same for a thousand pairs or ten million.

Prior: with m and u known, the share of matches among all pairs is the fixed
point over the union's pattern counts, pairs outside every block counting as
non-matches.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import duckdb
import numpy as np
import pyarrow as pa

from .blocking import rule_columns, rule_pairs_sql
from .comparisons import comparison_vectors_sql, level_column, pattern_counts_sql
from .em import initial_m, prior_given_parameters, run_em
from .model import (
    ComparisonParameters,
    LevelParameters,
    TermFrequencies,
    TrainedModel,
    TrainingSummary,
)
from .records import RecordTable, connect, prepare_records
from .settings import MatchSettings
from .u_estimation import estimate_u, term_frequencies

_VIEW = "training_records"


class TrainingError(ValueError):
    """The records and rules do not allow estimating the model."""


@dataclass(frozen=True)
class _RulePatterns:
    patterns: np.ndarray  # one row per distinct level pattern, one column per comparison
    counts: np.ndarray
    first_found: np.ndarray  # the pattern row counts pairs no earlier rule found


def train_model(
    records: RecordTable,
    settings: MatchSettings,
    *,
    u_sample_pairs: int = 1_000_000,
    em_max_iterations: int = 200,
    em_tolerance: float = 1e-6,
    seed: int = 42,
) -> TrainedModel:
    """Learn m, u, term frequencies and (when the settings leave it open) the prior from `records`."""
    timings: dict[str, float] = {}
    clock = time.perf_counter()
    prepared = prepare_records(records, settings)
    con = connect()
    con.register(_VIEW, prepared)
    try:
        u = estimate_u(con, settings, _VIEW, prepared, pairs=u_sample_pairs, seed=seed)
        timings["u"], clock = time.perf_counter() - clock, time.perf_counter()
        per_rule = [_rule_patterns(con, settings, index) for index in range(len(settings.blocking_rules))]
        timings["patterns"], clock = time.perf_counter() - clock, time.perf_counter()
        tf_tables = {c.name: term_frequencies(con, c, _VIEW) for c in settings.comparisons if c.term_frequency_level is not None}
        timings["term_frequencies"], clock = time.perf_counter() - clock, time.perf_counter()
    finally:
        con.close()

    m, iterations, converged = _m_from_rules(settings, per_rule, u, em_max_iterations, em_tolerance)
    union_patterns = np.concatenate([r.patterns[r.first_found] for r in per_rule])
    union_counts = np.concatenate([r.counts[r.first_found] for r in per_rule])
    prior = settings.prior_match_probability or prior_given_parameters(
        union_patterns, union_counts, m, u, _all_pairs(settings, prepared)
    )
    timings["em"] = time.perf_counter() - clock

    summary = TrainingSummary(
        records=prepared.num_rows,
        u_sample_pairs=u_sample_pairs,
        blocked_pairs=int(union_counts.sum()),
        distinct_patterns=len({tuple(row) for row in union_patterns.tolist()}),
        em_iterations=iterations,
        em_converged=converged,
        prior_estimated=settings.prior_match_probability is None,
        seconds={k: round(v, 3) for k, v in timings.items()},
    )
    return TrainedModel(
        settings=settings,
        settings_fingerprint=settings.model_fingerprint(),
        prior_match_probability=prior,
        comparisons=_parameters(settings, m, u, tf_tables),
        training=summary,
    )


def _rule_patterns(con: duckdb.DuckDBPyConnection, settings: MatchSettings, rule_index: int) -> _RulePatterns:
    """Pattern counts of the pairs one rule finds; the pairs themselves never leave DuckDB."""
    pairs_sql = rule_pairs_sql(settings, rule_index, _VIEW)
    vectors_sql = comparison_vectors_sql(settings, pairs_sql, _VIEW, _VIEW, with_ids=False, pair_columns=["first_found"])
    table = con.sql(pattern_counts_sql(settings, vectors_sql, also_by=["first_found"])).fetchnumpy()
    patterns = np.column_stack([np.asarray(table[level_column(c)], dtype=np.int64) for c in settings.comparisons])
    return _RulePatterns(
        patterns=patterns.reshape(-1, len(settings.comparisons)),
        counts=np.asarray(table["pairs"], dtype=np.float64),
        first_found=np.asarray(table["first_found"], dtype=bool),
    )


def _m_from_rules(
    settings: MatchSettings, per_rule: list[_RulePatterns], u: list[np.ndarray], max_iterations: int, tolerance: float
) -> tuple[list[np.ndarray], int, bool]:
    comparisons = settings.comparisons
    estimates: list[list[tuple[np.ndarray, float]]] = [[] for _ in comparisons]
    iterations, converged = 0, True
    for rule, found in zip(settings.blocking_rules, per_rule):
        free = [k for k, c in enumerate(comparisons) if not rule_columns(rule) & set(c.columns)]
        if not free or found.counts.sum() == 0:
            continue
        patterns, inverse = np.unique(found.patterns[:, free], axis=0, return_inverse=True)
        counts = np.bincount(inverse.ravel(), weights=found.counts)
        m_start = initial_m([len(comparisons[k].levels) for k in free], [comparisons[k].null_level for k in free])
        result = run_em(
            patterns, counts, m_start, [u[k] for k in free], max_iterations=max_iterations, tolerance=tolerance, fix_u=True
        )
        iterations, converged = iterations + result.iterations, converged and result.converged
        matches = result.match_share * counts.sum()
        for position, k in enumerate(free):
            estimates[k].append((result.m[position], matches))
    missing = [c.name for c, found in zip(comparisons, estimates) if not found]
    if missing:
        raise TrainingError(
            f"no blocking rule leaves {', '.join(missing)} free to estimate m; add a rule that does not read their columns"
        )
    m = []
    for found in estimates:
        # Rules that found more matches give steadier estimates.
        weights = np.array([w for _, w in found]) + 1e-9
        m.append(np.sum([estimate * w for (estimate, _), w in zip(found, weights)], axis=0) / weights.sum())
    return m, iterations, converged


def _parameters(
    settings: MatchSettings, m: list[np.ndarray], u: list[np.ndarray], tf_tables: dict[str, tuple[dict[str, float], float]]
) -> list[ComparisonParameters]:
    comparisons = []
    for index, comparison in enumerate(settings.comparisons):
        levels = [
            LevelParameters(label=level.label())
            if level.kind == "null"
            else LevelParameters(label=level.label(), m=float(m[index][j]), u=float(u[index][j]))
            for j, level in enumerate(comparison.levels)
        ]
        tf = None
        if comparison.name in tf_tables:
            shares, default = tf_tables[comparison.name]
            tf = TermFrequencies(level=comparison.term_frequency_level, shares=shares, default_share=default)
        comparisons.append(ComparisonParameters(name=comparison.name, levels=levels, term_frequencies=tf))
    return comparisons


def _all_pairs(settings: MatchSettings, records: pa.Table) -> float:
    n = records.num_rows
    if settings.link_type == "link_only" and settings.dataset_column:
        sizes = np.asarray(records.column(settings.dataset_column).value_counts().field("counts").to_numpy(), dtype=float)
        return float((sizes.sum() ** 2 - (sizes**2).sum()) / 2)
    return n * (n - 1) / 2
