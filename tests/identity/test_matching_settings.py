"""Settings are validated as a whole: every problem is reported in one error."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from identity.matching import MatchSettings


def valid_settings() -> dict:
    return {
        "unique_id_column": "id",
        "blocking_rules": [["surname"], [{"column": "first_name", "first_chars": 2}]],
        "comparisons": [
            {"name": "first_name", "columns": ["first_name"], "levels": [
                {"kind": "null"}, {"kind": "exact"}, {"kind": "jaro_winkler", "threshold": 0.9}, {"kind": "else"}]},
            {"name": "surname", "columns": ["surname"], "levels": [{"kind": "exact"}, {"kind": "else"}]},
        ],
    }  # fmt: skip


def test_given_valid_settings_when_validated_then_rules_and_levels_are_parsed() -> None:
    settings = MatchSettings.model_validate(valid_settings())

    assert settings.blocking_rules[1].keys[0].first_chars == 2
    assert settings.comparisons[0].null_level == 0
    assert settings.compared_columns() == ["first_name", "surname"]


def test_given_many_problems_when_validated_then_all_are_reported_together() -> None:
    data = valid_settings()
    data["comparisons"][0]["levels"][2]["threshold"] = 1.5  # out of range
    data["comparisons"][1]["levels"] = [{"kind": "exact"}, {"kind": "exact"}]  # no else, exact twice
    data["comparisons"].append({"name": "id", "columns": ["id"], "levels": [{"kind": "exact"}, {"kind": "else"}]})
    data["prior_match_probability"] = 2.0
    data["link_type"] = "link_only"  # without a dataset column
    data["review_threshold"], data["auto_merge_threshold"] = 0.95, 0.9

    with pytest.raises(ValidationError) as caught:
        MatchSettings.model_validate(data)

    messages = "\n".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in caught.value.errors())
    assert "threshold" in messages and "less than or equal to 1" in messages
    assert "exactly one 'else' level" in messages and "at most one 'exact' level" in messages
    assert "prior_match_probability" in messages
    assert "needs a dataset_column" in messages
    assert "review_threshold must not exceed auto_merge_threshold" in messages
    assert "id and dataset columns cannot be compared" in messages
    assert caught.value.error_count() >= 6


def test_given_duplicate_comparison_names_when_validated_then_rejected() -> None:
    data = valid_settings()
    data["comparisons"][1]["name"] = "first_name"

    with pytest.raises(ValidationError, match="comparison names must be unique: first_name"):
        MatchSettings.model_validate(data)


def test_given_blocking_or_threshold_change_when_fingerprinted_then_unchanged_but_comparison_change_is_not() -> None:
    base = MatchSettings.model_validate(valid_settings())
    other_blocking = valid_settings() | {"blocking_rules": [["first_name"]], "auto_merge_threshold": 0.999}
    other_comparison = valid_settings()
    other_comparison["comparisons"][0]["levels"][2]["threshold"] = 0.8

    assert MatchSettings.model_validate(other_blocking).model_fingerprint() == base.model_fingerprint()
    assert MatchSettings.model_validate(other_comparison).model_fingerprint() != base.model_fingerprint()
