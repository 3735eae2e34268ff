"""Saved models round-trip and refuse settings they were not trained for."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from identity.matching import (
    MatchSettings,
    ModelMismatchError,
    load_model,
    save_model,
    train_model,
)
from identity.matching.model_store import ModelStoreError


def settings(threshold: float = 0.9) -> MatchSettings:
    return MatchSettings.model_validate(
        {
            "unique_id_column": "id",
            "blocking_rules": [["city"], ["name"]],
            "comparisons": [
                {"name": "name", "columns": ["name"], "levels": [
                    {"kind": "null"}, {"kind": "exact", "term_frequency": True},
                    {"kind": "jaro_winkler", "threshold": threshold}, {"kind": "else"}]},
                {"name": "city", "columns": ["city"], "levels": [{"kind": "exact"}, {"kind": "else"}]},
            ],
        }
    )  # fmt: skip


@pytest.fixture(scope="module")
def model():
    names = ["ann", "anna", "bob", "bobby", "carl", "carla", "dina", "dino"] * 25
    cities = ["oslo", "bergen", "oslo", "bergen", "tromso"] * 40
    return train_model(pd.DataFrame({"id": range(200), "name": names, "city": cities}), settings(), u_sample_pairs=20_000)


def test_given_saved_model_when_loaded_then_equal_and_explainable(model, tmp_path: Path) -> None:
    path = save_model(model, tmp_path / "model.json")

    loaded = load_model(path, settings())

    assert loaded == model
    saved = json.loads(path.read_text())
    assert saved["format_version"] == "1.0" and saved["settings_fingerprint"] == settings().model_fingerprint()
    assert {"label", "m", "u"} <= set(saved["comparisons"][0]["levels"][1])
    assert loaded.parameters("name").term_frequencies.shares["ann"] == pytest.approx(25 / 200)


def test_given_other_comparison_settings_when_loading_then_mismatch_names_the_comparison(model, tmp_path: Path) -> None:
    path = save_model(model, tmp_path / "model.json")

    with pytest.raises(ModelMismatchError, match="comparison 'name'"):
        load_model(path, settings(threshold=0.8))


def test_given_edited_model_file_when_loading_then_refused(model, tmp_path: Path) -> None:
    path = save_model(model, tmp_path / "model.json")
    saved = json.loads(path.read_text())
    saved["settings"]["unique_id_column"] = "other_id"
    path.write_text(json.dumps(saved))

    with pytest.raises(ModelStoreError, match="no longer match its fingerprint"):
        load_model(path)


def test_given_a_level_never_seen_among_non_matches_then_its_weight_is_large_but_finite() -> None:
    from identity.matching import LevelParameters

    assert 19 < LevelParameters(label="exact", m=0.9, u=0.0).match_weight < 21
    assert -21 < LevelParameters(label="else", m=0.0, u=0.5).match_weight < -18
