"""Candidate pairs: the union of the blocking rules, computed as DuckDB joins.

Each rule is an equi-join on its keys. A pair found by an earlier rule is
filtered out of later rules inside the join, so the union needs no DISTINCT
over millions of pairs.
"""

from __future__ import annotations

import duckdb
import pyarrow as pa

from .records import ROW, quote
from .settings import BlockingKey, BlockingRule, MatchSettings


def key_sql(key: BlockingKey, alias: str) -> str:
    """The SQL value of one blocking key for the record aliased `alias`; empty derived keys become NULL."""
    column = f"{alias}.{quote(key.column)}"
    if key.first_chars:
        return f"NULLIF(substr(CAST({column} AS VARCHAR), 1, {key.first_chars}), '')"
    if key.last_chars:
        return f"NULLIF(right(CAST({column} AS VARCHAR), {key.last_chars}), '')"
    return column


def rule_sql(rule: BlockingRule, left: str = "l", right: str = "r") -> str:
    """True when the two records share every key; NULL (not true) when a key is missing."""
    return " AND ".join(f"{key_sql(key, left)} = {key_sql(key, right)}" for key in rule.keys)


def scope_sql(settings: MatchSettings, left: str = "l", right: str = "r") -> str:
    """Which pairs exist at all: each unordered pair once, and across datasets only when linking."""
    conditions = [f"{left}.{ROW} < {right}.{ROW}"]
    if settings.link_type == "link_only" and settings.dataset_column:
        dataset = quote(settings.dataset_column)
        conditions.append(f"{left}.{dataset} IS DISTINCT FROM {right}.{dataset}")
    return " AND ".join(conditions)


def candidate_pairs_sql(settings: MatchSettings, left_view: str, right_view: str) -> str:
    """SQL yielding (row_l, row_r) for every pair some blocking rule finds, each pair once."""
    selects = []
    for index, rule in enumerate(settings.blocking_rules):
        conditions = [scope_sql(settings)]
        conditions += [f"NOT coalesce({rule_sql(earlier)}, FALSE)" for earlier in settings.blocking_rules[:index]]
        selects.append(
            f"SELECT l.{ROW} AS row_l, r.{ROW} AS row_r FROM {left_view} AS l "
            f"JOIN {right_view} AS r ON {rule_sql(rule)} WHERE {' AND '.join(conditions)}"
        )
    return "\nUNION ALL\n".join(selects)


def rule_pairs_sql(settings: MatchSettings, rule_index: int, view: str) -> str:
    """SQL yielding (row_l, row_r, first_found) for every pair rule `rule_index` finds.

    first_found is true when no earlier rule finds the pair, so summing over
    rules where it holds counts the union once.
    """
    rule = settings.blocking_rules[rule_index]
    earlier = [f"NOT coalesce({rule_sql(r)}, FALSE)" for r in settings.blocking_rules[:rule_index]]
    first_found = " AND ".join(earlier) or "TRUE"
    return (
        f"SELECT l.{ROW} AS row_l, r.{ROW} AS row_r, ({first_found}) AS first_found FROM {view} AS l "
        f"JOIN {view} AS r ON {rule_sql(rule)} WHERE {scope_sql(settings)}"
    )


def rule_columns(rule: BlockingRule) -> set[str]:
    """Columns a rule reads, derived keys included."""
    return {key.column for key in rule.keys}


def incremental_pairs_sql(settings: MatchSettings, existing_view: str, new_view: str) -> str:
    """Candidate pairs that involve at least one new record.

    New records are numbered after the existing ones, so (existing, new) keeps
    the row_l < row_r order of a full run, and (new, new) pairs are blocked as usual.
    """
    return f"{candidate_pairs_sql(settings, existing_view, new_view)}\nUNION ALL\n{candidate_pairs_sql(settings, new_view, new_view)}"


def candidate_pairs(con: duckdb.DuckDBPyConnection, settings: MatchSettings, records: pa.Table) -> pa.Table:
    """The candidate pairs of a prepared records table, as Arrow (row_l, row_r)."""
    con.register("blocking_records", records)
    try:
        return con.sql(candidate_pairs_sql(settings, "blocking_records", "blocking_records")).to_arrow_table()
    finally:
        con.unregister("blocking_records")
