"""u probabilities: how often each comparison level occurs among pairs that do not match.

Random pairs are almost all non-matches, so u is their level distribution.
The common levels are computed exactly rather than sampled: the share of
pairs agreeing exactly on a value follows from value counts (a GROUP BY),
whatever the table size. Only the levels after "null"/"exact" (fuzzy ones)
come from a random sample of pairs, drawn with numpy and compared in one
DuckDB query. This replaces a long sampling run that must keep drawing
until rare exact agreements have been seen often enough.
"""

from __future__ import annotations

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .comparisons import comparison_vectors_sql, level_column
from .records import ROW, quote
from .settings import Comparison, MatchSettings

# A level never seen in the sample still gets half a pair, so its weight stays finite.
_UNSEEN_LEVEL_PAIRS = 0.5


def sample_pairs(settings: MatchSettings, records: pa.Table, pairs: int, seed: int) -> pa.Table:
    """Uniform random pairs of distinct records (of different datasets when linking only)."""
    rng = np.random.default_rng(seed)
    n = records.num_rows
    rows = records.column(ROW).to_numpy()
    link_only = settings.link_type == "link_only" and settings.dataset_column
    codes = pc.dictionary_encode(records.column(settings.dataset_column)).combine_chunks().indices.to_numpy() if link_only else None
    chosen_l: list[np.ndarray] = []
    chosen_r: list[np.ndarray] = []
    found = 0
    while found < pairs:
        left = rng.integers(0, n, size=pairs * 2)
        right = rng.integers(0, n, size=pairs * 2)
        keep = left != right if codes is None else codes[left] != codes[right]
        chosen_l.append(left[keep])
        chosen_r.append(right[keep])
        found += int(keep.sum())
    left_rows = rows[np.concatenate(chosen_l)[:pairs]]
    right_rows = rows[np.concatenate(chosen_r)[:pairs]]
    return pa.table({"row_l": left_rows, "row_r": right_rows})


def _exact_prefix(comparison: Comparison) -> list[str]:
    prefix = []
    for level in comparison.levels:
        if level.kind not in ("null", "exact"):
            break
        prefix.append(level.kind)
    return prefix


def exact_agreement_share(con: duckdb.DuckDBPyConnection, settings: MatchSettings, comparison: Comparison, view: str) -> float:
    """Share of (non-null) record pairs agreeing exactly on all columns of `comparison`, from value counts."""
    columns = ", ".join(quote(c) for c in comparison.columns)
    present = " AND ".join(f"{quote(c)} IS NOT NULL" for c in comparison.columns)
    if comparison.null_level is None:
        present_count = "count(*)"
    else:
        present_count = f"count(*) FILTER (WHERE {present})"
    if settings.link_type == "link_only" and settings.dataset_column:
        dataset = quote(settings.dataset_column)
        agreeing_sql = (
            f"WITH g AS (SELECT {columns}, {dataset}, count(*)::DOUBLE AS n FROM {view} WHERE {present} GROUP BY ALL), "
            f"v AS (SELECT sum(n) AS t, sum(n * n) AS s FROM g GROUP BY {columns}) SELECT sum(t * t - s) / 2 FROM v"
        )
        counts_sql = f"SELECT {present_count}::DOUBLE FROM {view} GROUP BY {dataset}"
        per_dataset = np.array([row[0] for row in con.sql(counts_sql).fetchall()])
        all_pairs = (per_dataset.sum() ** 2 - (per_dataset**2).sum()) / 2
    else:
        agreeing_sql = (
            f"WITH g AS (SELECT count(*)::DOUBLE AS n FROM {view} WHERE {present} GROUP BY {columns}) "
            "SELECT sum(n * (n - 1)) / 2 FROM g"
        )
        total = con.sql(f"SELECT {present_count}::DOUBLE FROM {view}").fetchall()[0][0]
        all_pairs = total * (total - 1) / 2
    agreeing = con.sql(agreeing_sql).fetchall()[0][0] or 0.0
    return float(agreeing / all_pairs) if all_pairs else 0.0


def estimate_u(
    con: duckdb.DuckDBPyConnection, settings: MatchSettings, view: str, records: pa.Table, *, pairs: int, seed: int
) -> list[np.ndarray]:
    """u per level of every comparison (NaN at the null level), conditional on neither side being null."""
    sample = sample_pairs(settings, records, pairs, seed)
    con.register("u_sample_pairs", sample)
    try:
        vectors_sql = comparison_vectors_sql(settings, "SELECT * FROM u_sample_pairs", view, view, with_ids=False)
        levels = con.sql(vectors_sql).fetchnumpy()
    finally:
        con.unregister("u_sample_pairs")
    estimates = []
    for comparison in settings.comparisons:
        prefix = _exact_prefix(comparison)
        u = np.full(len(comparison.levels), np.nan)
        remaining = 1.0
        if "exact" in prefix:
            exact_index = prefix.index("exact")
            u[exact_index] = exact_agreement_share(con, settings, comparison, view)
            remaining -= u[exact_index]
        observed = np.asarray(levels[level_column(comparison)], dtype=np.int64)
        counts = np.bincount(observed[observed >= len(prefix)], minlength=len(comparison.levels))[len(prefix) :]
        counts = np.where(counts == 0, _UNSEEN_LEVEL_PAIRS, counts).astype(np.float64)
        u[len(prefix) :] = remaining * counts / counts.sum()
        estimates.append(u)
    return estimates


def term_frequencies(con: duckdb.DuckDBPyConnection, comparison: Comparison, view: str) -> tuple[dict[str, float], float]:
    """Share of non-null records per value (values seen twice or more) and the share of a single record."""
    column = quote(comparison.columns[0])
    total = con.sql(f"SELECT count({column}) FROM {view}").fetchall()[0][0] or 1
    counts = con.sql(
        f"SELECT CAST({column} AS VARCHAR) AS value, count(*) AS n FROM {view} WHERE {column} IS NOT NULL "
        "GROUP BY 1 HAVING count(*) >= 2"
    ).fetchnumpy()
    shares = dict(zip(counts["value"].tolist(), (counts["n"] / total).tolist()))
    return shares, 1.0 / total
