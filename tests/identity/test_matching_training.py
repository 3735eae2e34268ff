"""EM recovers known m and u: on pattern counts drawn from the model, and end to end on a generated table."""

from __future__ import annotations

import numpy as np
import pandas as pd

from identity.matching import MatchSettings, train_model
from identity.matching.em import initial_m, run_em


def test_given_patterns_drawn_from_known_parameters_when_running_em_then_they_are_recovered() -> None:
    rng = np.random.default_rng(3)
    m_true = [np.array([0.85, 0.1, 0.05]), np.array([0.7, 0.2, 0.1]), np.array([0.9, 0.05, 0.05])]
    u_true = [np.array([0.02, 0.08, 0.9]), np.array([0.05, 0.15, 0.8]), np.array([0.01, 0.04, 0.95])]
    pairs, match_share = 400_000, 0.03
    is_match = rng.random(pairs) < match_share
    levels = np.column_stack(
        [np.where(is_match, rng.choice(3, pairs, p=m), rng.choice(3, pairs, p=u)) for m, u in zip(m_true, u_true)]
    )
    patterns, counts = np.unique(levels, axis=0, return_counts=True)

    result = run_em(patterns, counts, initial_m([3, 3, 3], [None] * 3), [np.full(3, 1 / 3) for _ in range(3)])

    assert result.converged
    assert abs(result.match_share - is_match.mean()) < 0.003
    for fitted, true in zip(result.m, m_true):
        np.testing.assert_allclose(fitted, true, atol=0.015)
    for fitted, true in zip(result.u, u_true):
        np.testing.assert_allclose(fitted, true, atol=0.005)


def generated_people(rng: np.random.Generator, agreement: dict[str, float], cardinality: dict[str, int]) -> pd.DataFrame:
    """1,500 people with two records each plus 1,500 singletons; a duplicate keeps each value with the given chance."""
    with_duplicate, alone = 1_500, 1_500
    people = with_duplicate + alone
    columns = {}
    for column, values in cardinality.items():
        original = rng.integers(0, values, size=people)
        copy = original[:with_duplicate].copy()
        changed = rng.random(with_duplicate) >= agreement[column]
        copy[changed] = (copy[changed] + rng.integers(1, values, size=int(changed.sum()))) % values
        columns[column] = [f"{column}{v}" for v in np.concatenate([original, copy])]
    return pd.DataFrame({"id": [f"r{i}" for i in range(people + with_duplicate)], **columns})


def test_given_table_generated_with_known_m_and_u_when_training_then_they_are_recovered() -> None:
    agreement = {"a": 0.9, "b": 0.8, "c": 0.7, "d": 0.85, "e": 0.75}
    cardinality = {"a": 100, "b": 200, "c": 400, "d": 50, "e": 300}
    records = generated_people(np.random.default_rng(5), agreement, cardinality)
    settings = MatchSettings.model_validate(
        {
            "unique_id_column": "id",
            "blocking_rules": [["a"], ["b"], ["c"]],
            "comparisons": [
                {"name": c, "columns": [c], "levels": [{"kind": "exact"}, {"kind": "else"}]} for c in cardinality
            ],
        }
    )

    model = train_model(records, settings, u_sample_pairs=200_000)

    for column, parameters in zip(cardinality, model.comparisons):
        exact = parameters.levels[0]
        assert abs(exact.m - agreement[column]) < 0.03, (column, exact.m)
        assert abs(exact.u - 1 / cardinality[column]) < 0.2 / cardinality[column], (column, exact.u)
    true_prior = 1_500 / (len(records) * (len(records) - 1) / 2)
    assert abs(model.prior_match_probability - true_prior) / true_prior < 0.1
