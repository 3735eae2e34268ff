"""Comparison levels are assigned by the first level whose condition holds."""

from __future__ import annotations

import pyarrow as pa

from identity.matching import MatchSettings
from identity.matching.comparisons import comparison_vectors_sql
from identity.matching.records import connect, prepare_records

SETTINGS = MatchSettings.model_validate(
    {
        "unique_id_column": "id",
        "blocking_rules": [["id"]],
        "comparisons": [
            {"name": "name", "columns": ["name"], "levels": [
                {"kind": "null"}, {"kind": "exact"}, {"kind": "jaro_winkler", "threshold": 0.9},
                {"kind": "levenshtein", "max_distance": 2}, {"kind": "else"}]},
            {"name": "swap", "columns": ["given", "family"], "levels": [
                {"kind": "null"}, {"kind": "exact"}, {"kind": "swapped"}, {"kind": "else"}]},
            {"name": "born", "columns": ["born"], "levels": [
                {"kind": "null"}, {"kind": "exact"}, {"kind": "within", "distance": 3, "unit": "days", "date_format": "%Y%m%d"},
                {"kind": "else"}]},
            {"name": "income", "columns": ["income"], "levels": [
                {"kind": "exact"}, {"kind": "within", "distance": 100}, {"kind": "else"}]},
        ],
    }
)  # fmt: skip


def levels_for(left: dict, right: dict) -> dict[str, int]:
    records = pa.Table.from_pylist([{"id": "l", **left}, {"id": "r", **right}])
    con = connect()
    con.register("records", prepare_records(records, SETTINGS))
    sql = comparison_vectors_sql(SETTINGS, "SELECT 0::BIGINT AS row_l, 1::BIGINT AS row_r", "records", "records")
    row = con.sql(sql).to_arrow_table().to_pylist()[0]
    return {c.name: row[f"level_{c.name}"] for c in SETTINGS.comparisons}


BASE = {"name": "martha", "given": "ann", "family": "lee", "born": "19800110", "income": 1000.0}


def test_given_identical_records_then_every_comparison_is_exact() -> None:
    assert levels_for(BASE, BASE) == {"name": 1, "swap": 1, "born": 1, "income": 0}


def test_given_near_values_then_fuzzy_levels_in_order() -> None:
    right = {"name": "marhta", "given": "lee", "family": "ann", "born": "19800112", "income": 1090.0}
    assert levels_for(BASE, right) == {"name": 2, "swap": 2, "born": 2, "income": 1}


def test_given_far_values_then_levenshtein_or_else() -> None:
    # "martha" / "maria": Jaro-Winkler below 0.9, edit distance 2
    right = {"name": "maria", "given": "bo", "family": "lee", "born": "19800120", "income": 5000.0}
    assert levels_for(BASE, right) == {"name": 3, "swap": 3, "born": 3, "income": 2}
    assert levels_for(BASE, right | {"name": "olga"})["name"] == 4


def test_given_missing_values_then_null_level_and_else_without_null_level() -> None:
    right = {"name": None, "given": None, "family": "lee", "born": None, "income": None}
    assert levels_for(BASE, right) == {"name": 0, "swap": 0, "born": 0, "income": 2}
