"""Scoring: incremental runs agree with full runs, and a single pair is explained consistently."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from identity.matching import (
    MatchSettings,
    TrainedModel,
    explain_pair,
    score_new_records,
    score_table,
    train_model,
)

SETTINGS = MatchSettings.model_validate(
    {
        "unique_id_column": "id",
        "blocking_rules": [["surname"], [{"column": "email", "first_chars": 4}], ["city", "born"]],
        "comparisons": [
            {"name": "first_name", "columns": ["first_name"], "levels": [
                {"kind": "null"}, {"kind": "exact", "term_frequency": True}, {"kind": "jaro_winkler", "threshold": 0.85},
                {"kind": "else"}]},
            {"name": "surname", "columns": ["surname"], "levels": [
                {"kind": "null"}, {"kind": "exact", "term_frequency": True}, {"kind": "levenshtein", "max_distance": 1},
                {"kind": "else"}]},
            {"name": "email", "columns": ["email"], "levels": [{"kind": "null"}, {"kind": "exact"}, {"kind": "else"}]},
            {"name": "city", "columns": ["city"], "levels": [{"kind": "null"}, {"kind": "exact"}, {"kind": "else"}]},
            {"name": "born", "columns": ["born"], "levels": [{"kind": "exact"}, {"kind": "within", "distance": 2}, {"kind": "else"}]},
        ],
    }
)  # fmt: skip


def people(count: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    firsts = np.array(["ann", "anne", "bob", "rob", "carl", "karl", "dina", "eva", "eve", "finn"])
    surnames = np.array([f"{a}{b}" for a in ("ber", "sol", "mar", "lin", "dahl") for b in ("g", "son", "sen", "e")])
    person = rng.integers(0, count // 2, size=count)
    frame = pd.DataFrame(
        {
            "id": [f"c{i}" for i in range(count)],
            "first_name": firsts[person % len(firsts)],
            "surname": surnames[(person * 7) % len(surnames)],
            "email": [f"u{p}@mail.test" if p % 5 else None for p in person],
            "city": np.array(["oslo", "bergen", "tromso"])[person % 3],
            "born": 1950 + person % 40 + (rng.random(count) < 0.2),
        }
    )
    return frame


@pytest.fixture(scope="module")
def table_and_model() -> tuple[pd.DataFrame, TrainedModel]:
    table = people(600, seed=1)
    return table, train_model(table, SETTINGS, u_sample_pairs=50_000)


def keyed(pairs: pd.DataFrame) -> dict[frozenset, float]:
    return {frozenset((a, b)): w for a, b, w in zip(pairs.id_l.astype(str), pairs.id_r.astype(str), pairs.match_weight)}


def test_given_new_and_changed_records_when_scored_incrementally_then_equal_to_full_run(table_and_model) -> None:
    table, model = table_and_model
    existing, new = table.iloc[:560].reset_index(drop=True), table.iloc[560:].copy()
    changed = existing.iloc[[3, 50, 200]].copy()
    changed["city"] = "bergen"
    changed["first_name"] = "anne"
    arriving = pd.concat([new, changed], ignore_index=True)
    updated = pd.concat([existing[~existing.id.isin(changed.id)], arriving], ignore_index=True)

    incremental = score_new_records(arriving, existing, model)
    full = score_table(updated, model)
    touching = full[full.id_l.isin(arriving.id) | full.id_r.isin(arriving.id)]

    assert len(incremental) > 100
    assert keyed(incremental).keys() == keyed(touching).keys()
    expected = keyed(touching)
    for key, weight in keyed(incremental).items():
        assert weight == pytest.approx(expected[key])


def test_given_a_scored_pair_when_explained_then_parts_add_up_to_the_same_score(table_and_model) -> None:
    table, model = table_and_model
    scored = score_table(table, model)
    best = scored.sort_values("match_weight").iloc[len(scored) // 2]
    records = table.set_index("id")
    left = {"id": best.id_l, **records.loc[best.id_l].to_dict()}
    right = {"id": best.id_r, **records.loc[best.id_r].to_dict()}

    explanation = explain_pair(left, right, model)

    assert explanation.match_weight == pytest.approx(best.match_weight)
    assert explanation.prior_weight + sum(c.match_weight for c in explanation.comparisons) == pytest.approx(best.match_weight)
    for part in explanation.comparisons:
        assert part.level == best[f"level_{part.name}"]
        assert part.label == model.parameters(part.name).levels[part.level].label


def test_given_min_probability_when_scoring_then_only_pairs_above_are_kept(table_and_model) -> None:
    table, model = table_and_model
    everything = score_table(table, model)
    above = score_table(table, model, min_match_probability=0.9)

    assert len(above) == int((everything.match_probability >= 0.9).sum())
    assert above.match_probability.min() >= 0.9
