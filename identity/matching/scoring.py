"""Scoring pairs with a trained model: a whole table, new records against existing ones, or one pair.

DuckDB blocks and assigns levels; numpy turns levels into weights through
small per-comparison lookup tables, so the cost per pair is a few array reads.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .blocking import candidate_pairs_sql, incremental_pairs_sql
from .comparisons import comparison_vectors_sql, level_column
from .model import TrainedModel, probability_from_weight
from .records import RecordTable, connect, prepare_records, quote, required_columns


def weight_column(name: str) -> str:
    """Name of the output column holding a comparison's match weight."""
    return f"weight_{name}"


def score_table(records: RecordTable, model: TrainedModel, *, min_match_probability: float | None = None) -> pd.DataFrame:
    """Score every candidate pair within `records` (across datasets only, when linking only).

    Columns: id_l, id_r, (dataset_l, dataset_r), level_<comparison>, weight_<comparison>,
    match_weight, match_probability.
    """
    prepared = prepare_records(records, model.settings)
    con = connect()
    try:
        con.register("records", prepared)
        pairs_sql = candidate_pairs_sql(model.settings, "records", "records")
        return _score(con, model, pairs_sql, "records", "records", min_match_probability)
    finally:
        con.close()


def score_new_records(
    new_records: RecordTable,
    existing_records: RecordTable,
    model: TrainedModel,
    *,
    min_match_probability: float | None = None,
) -> pd.DataFrame:
    """Score the pairs involving new or changed records, without scoring existing pairs again.

    New records are blocked against the existing ones and against each other.
    An existing record whose id reappears among the new ones is a changed
    record: its old version is left out. The result equals the rows of a full
    run over (existing - changed) + new that involve a new record. Passing the
    existing records as a pyarrow Table avoids converting them on every call.
    """
    settings = model.settings
    existing = prepare_records(existing_records, settings)
    new = prepare_records(new_records, settings, row_offset=existing.num_rows)
    uid = quote(settings.unique_id_column)
    con = connect()
    try:
        con.register("existing_all", existing)
        con.register("new_records", new)
        con.execute(f"CREATE VIEW existing_records AS SELECT e.* FROM existing_all AS e ANTI JOIN new_records AS n ON e.{uid} = n.{uid}")
        con.execute("CREATE VIEW any_records AS SELECT * FROM existing_records UNION ALL SELECT * FROM new_records")
        pairs_sql = incremental_pairs_sql(settings, "existing_records", "new_records")
        return _score(con, model, pairs_sql, "any_records", "new_records", min_match_probability)
    finally:
        con.close()


@dataclass(frozen=True)
class ComparisonExplanation:
    """How one comparison scored a pair."""

    name: str
    left_values: tuple[Any, ...]
    right_values: tuple[Any, ...]
    level: int
    label: str
    m: float | None
    u: float | None
    match_weight: float


@dataclass(frozen=True)
class PairExplanation:
    """A pair's score, comparison by comparison, starting from the prior."""

    id_l: Any
    id_r: Any
    prior_weight: float
    comparisons: list[ComparisonExplanation]
    match_weight: float
    match_probability: float


def explain_pair(left: Mapping[str, Any], right: Mapping[str, Any], model: TrainedModel) -> PairExplanation:
    """Score one given pair of records and say what each comparison contributed."""
    settings = model.settings
    columns = required_columns(settings)
    table = pa.Table.from_pylist([{c: record.get(c) for c in columns} for record in (left, right)])
    prepared = prepare_records(table, settings)
    con = connect()
    try:
        con.register("pair_records", prepared)
        scored = _score(con, model, "SELECT 0::BIGINT AS row_l, 1::BIGINT AS row_r", "pair_records", "pair_records", None)
    finally:
        con.close()
    row = scored.iloc[0]
    explanations = []
    for comparison, parameters in zip(settings.comparisons, model.comparisons):
        level = int(row[level_column(comparison)])
        explanations.append(
            ComparisonExplanation(
                name=comparison.name,
                left_values=tuple(left.get(c) for c in comparison.columns),
                right_values=tuple(right.get(c) for c in comparison.columns),
                level=level,
                label=parameters.levels[level].label,
                m=parameters.levels[level].m,
                u=parameters.levels[level].u,
                match_weight=float(row[weight_column(comparison.name)]),
            )
        )
    return PairExplanation(
        id_l=left.get(settings.unique_id_column),
        id_r=right.get(settings.unique_id_column),
        prior_weight=model.prior_weight,
        comparisons=explanations,
        match_weight=float(row["match_weight"]),
        match_probability=float(row["match_probability"]),
    )


def _score(
    con: duckdb.DuckDBPyConnection,
    model: TrainedModel,
    pairs_sql: str,
    left_view: str,
    right_view: str,
    min_match_probability: float | None,
) -> pd.DataFrame:
    tf_views = _register_term_frequencies(con, model)
    vectors_sql = comparison_vectors_sql(model.settings, pairs_sql, left_view, right_view, term_frequency_views=tf_views)
    vectors = con.sql(vectors_sql).to_arrow_table()
    total = np.full(vectors.num_rows, model.prior_weight)
    weights: dict[str, np.ndarray] = {}
    for comparison, parameters in zip(model.settings.comparisons, model.comparisons):
        levels = vectors.column(level_column(comparison)).to_numpy().astype(np.int64)
        weight = parameters.weights()[levels]
        tf = parameters.term_frequencies
        if tf is not None:
            shares = pc.fill_null(vectors.column("tf_" + comparison.name), tf.default_share).to_numpy()
            exact = levels == tf.level
            u_exact = parameters.levels[tf.level].u
            # Agreeing on a rare value is stronger evidence than agreeing on a common one.
            weight[exact] += np.log2(u_exact / shares[exact])
        weights[weight_column(comparison.name)] = weight
        total += weight
    probability = probability_from_weight(total)
    keep = np.ones(len(total), dtype=bool) if min_match_probability is None else probability >= min_match_probability
    kept_columns = [c for c in vectors.column_names if not c.startswith(("tf_", "row_"))]
    output = vectors.select(kept_columns).filter(pa.array(keep))
    for name, weight in weights.items():
        output = output.append_column(name, pa.array(weight[keep]))
    output = output.append_column("match_weight", pa.array(total[keep]))
    output = output.append_column("match_probability", pa.array(probability[keep]))
    return output.to_pandas(types_mapper=_string_columns_stay_arrow)


def _register_term_frequencies(con: duckdb.DuckDBPyConnection, model: TrainedModel) -> dict[str, str]:
    views = {}
    for parameters in model.comparisons:
        if parameters.term_frequencies is None:
            continue
        view = f"tf_table_{parameters.name}"
        shares = parameters.term_frequencies.shares
        table = pa.table({"value": pa.array(list(shares), pa.string()), "tf": pa.array(list(shares.values()), pa.float64())})
        con.register(view, table)
        views[parameters.name] = view
    return views


def _string_columns_stay_arrow(data_type: pa.DataType) -> Any:
    # Millions of ids as Python objects would cost more than the scoring itself.
    if pa.types.is_string(data_type) or pa.types.is_large_string(data_type):
        return pd.StringDtype("pyarrow")
    return None

