"""Comparison levels as SQL: one CASE expression per comparison, evaluated by DuckDB for all pairs at once.

The query has two layers. The inner one joins each pair to its two records
and computes every similarity a comparison needs once (a Jaro-Winkler score
tested against two thresholds is computed once, not twice); the outer one
turns those values into level indexes.
"""

from __future__ import annotations

from collections.abc import Sequence

from .records import ROW, quote
from .settings import (
    Comparison,
    ElseLevel,
    ExactLevel,
    JaroWinklerLevel,
    Level,
    LevenshteinLevel,
    MatchSettings,
    NullLevel,
    SwappedLevel,
    WithinLevel,
)


def level_column(comparison: Comparison) -> str:
    """Name of the output column holding the level index of `comparison`."""
    return f"level_{comparison.name}"


class _InnerColumns:
    """Values the inner query hands to the CASE expressions, each computed once under a short alias."""

    def __init__(self, left: str = "l", right: str = "r") -> None:
        self.left, self.right = left, right
        self.expressions: dict[str, str] = {}
        self._aliases: dict[str, str] = {}

    def _alias(self, expression: str) -> str:
        if expression not in self._aliases:
            alias = f"v{len(self._aliases)}"
            self._aliases[expression] = alias
            self.expressions[alias] = expression
        return self._aliases[expression]

    def value(self, side: str, column: str) -> str:
        return self._alias(f"{side}.{quote(column)}")

    def text(self, side: str, column: str) -> str:
        return f"CAST({side}.{quote(column)} AS VARCHAR)"

    def similarity(self, function: str, column: str) -> str:
        return self._alias(f"{function}({self.text(self.left, column)}, {self.text(self.right, column)})")

    def difference(self, level: WithinLevel, column: str) -> str:
        if level.unit == "number":
            left, right = (f"TRY_CAST({side}.{quote(column)} AS DOUBLE)" for side in (self.left, self.right))
            return self._alias(f"abs({left} - {right})")
        left, right = (self._date(side, column, level.date_format) for side in (self.left, self.right))
        return self._alias(f"abs(date_diff('day', {left}, {right}))")

    def _date(self, side: str, column: str, date_format: str | None) -> str:
        if date_format:
            escaped = date_format.replace("'", "''")
            return f"CAST(try_strptime({self.text(side, column)}, '{escaped}') AS DATE)"
        return f"TRY_CAST({side}.{quote(column)} AS DATE)"


def _level_sql(level: Level, columns: Sequence[str], inner: _InnerColumns) -> str:
    left, right = inner.left, inner.right
    if isinstance(level, NullLevel):
        return " OR ".join(f"{inner.value(side, c)} IS NULL" for c in columns for side in (left, right))
    if isinstance(level, ElseLevel):
        return "TRUE"
    if isinstance(level, SwappedLevel):
        first, second = columns
        return (
            f"{inner.value(left, first)} = {inner.value(right, second)} AND "
            f"{inner.value(left, second)} = {inner.value(right, first)}"
        )
    per_column = []
    for c in columns:
        if isinstance(level, ExactLevel):
            per_column.append(f"{inner.value(left, c)} = {inner.value(right, c)}")
        elif isinstance(level, JaroWinklerLevel):
            per_column.append(f"{inner.similarity('jaro_winkler_similarity', c)} >= {level.threshold}")
        elif isinstance(level, LevenshteinLevel):
            per_column.append(f"{inner.similarity('levenshtein', c)} <= {level.max_distance}")
        elif isinstance(level, WithinLevel):
            per_column.append(f"{inner.difference(level, c)} <= {level.distance}")
        else:  # pragma: no cover - the Level union is closed
            raise TypeError(f"unknown level {level!r}")
    return " AND ".join(per_column)


def _level_case_sql(comparison: Comparison, inner: _InnerColumns) -> str:
    branches = " ".join(
        f"WHEN {_level_sql(level, comparison.columns, inner)} THEN {index}"
        for index, level in enumerate(comparison.levels)
        if not isinstance(level, ElseLevel)
    )
    return f"CAST(CASE {branches} ELSE {len(comparison.levels) - 1} END AS TINYINT)"


def comparison_vectors_sql(
    settings: MatchSettings,
    pairs_sql: str,
    left_view: str,
    right_view: str,
    *,
    with_ids: bool = True,
    term_frequency_views: dict[str, str] | None = None,
    pair_columns: Sequence[str] = (),
) -> str:
    """SQL giving, per pair (row_l, row_r), the level index of every comparison as level_<name>.

    With `with_ids` the record ids (and datasets) of both sides come along as
    id_l, id_r (dataset_l, dataset_r); `term_frequency_views` maps a comparison
    name to a view (value, tf) whose tf of the left value is returned as tf_<name>;
    `pair_columns` are further columns of the pairs query passed through.
    """
    inner = _InnerColumns()
    cases = [f"{_level_case_sql(c, inner)} AS {quote(level_column(c))}" for c in settings.comparisons]
    passed_through = ["row_l", "row_r", *pair_columns]
    inner_outputs = ["p.row_l", "p.row_r", *(f"p.{c}" for c in pair_columns)]
    if with_ids:
        uid = quote(settings.unique_id_column)
        inner_outputs += [f"l.{uid} AS id_l", f"r.{uid} AS id_r"]
        passed_through += ["id_l", "id_r"]
        if settings.dataset_column:
            dataset = quote(settings.dataset_column)
            inner_outputs += [f"l.{dataset} AS dataset_l", f"r.{dataset} AS dataset_r"]
            passed_through += ["dataset_l", "dataset_r"]
    joins = [f"JOIN {left_view} AS l ON p.row_l = l.{ROW}", f"JOIN {right_view} AS r ON p.row_r = r.{ROW}"]
    for index, (name, view) in enumerate((term_frequency_views or {}).items()):
        comparison = next(c for c in settings.comparisons if c.name == name)
        alias = f"tf{index}"
        joins.append(f"LEFT JOIN {view} AS {alias} ON {alias}.value = {inner.text('l', comparison.columns[0])}")
        inner_outputs.append(f"{alias}.tf AS {quote('tf_' + name)}")
        passed_through.append(quote("tf_" + name))
    inner_outputs += [f"{expression} AS {alias}" for alias, expression in inner.expressions.items()]
    return (
        f"WITH p AS ({pairs_sql}),\n"
        f"compared AS (SELECT {', '.join(inner_outputs)} FROM p {' '.join(joins)})\n"
        f"SELECT {', '.join(passed_through + cases)} FROM compared"
    )


def pattern_counts_sql(settings: MatchSettings, vectors_sql: str, also_by: Sequence[str] = ()) -> str:
    """SQL counting pairs per distinct agreement pattern (the input EM needs), optionally split by more columns."""
    groups = ", ".join([quote(level_column(c)) for c in settings.comparisons] + list(also_by))
    return f"SELECT {groups}, count(*) AS pairs FROM ({vectors_sql}) GROUP BY ALL"
