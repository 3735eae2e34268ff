"""Constrained clustering: strongest evidence first, cannot-links and the one-per-dataset guard hold."""

from __future__ import annotations

import pandas as pd

from identity.clusters import CannotLink, cluster_records


def edges(*rows: tuple[int, int, str, float | None]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["left_id", "right_id", "rule", "score"])


DATASETS = {1: "salesforce:Contact", 2: "hubspot:contacts", 3: "salesforce:Contact", 4: "zendesk:users"}


def test_given_a_probabilistic_chain_through_one_dataset_twice_then_the_weaker_link_is_refused() -> None:
    result = cluster_records(DATASETS, edges((1, 2, "probabilistic", 0.999), (2, 3, "probabilistic", 0.995)), auto_merge=0.99)

    assert result.clusters() == {1: [1, 2], 3: [3], 4: [4]}
    assert result.refused_same_dataset == 1


def test_given_a_deterministic_rule_then_two_records_of_one_dataset_may_join() -> None:
    datasets = {**DATASETS, 5: "salesforce:Contact"}
    evidence = edges((1, 3, "email", None), (2, 3, "probabilistic", 0.999), (2, 5, "probabilistic", 0.999))

    result = cluster_records(datasets, evidence, auto_merge=0.99)

    assert result.labels[1] == result.labels[3] == result.labels[2]  # HubSpot joins: no dataset twice
    assert result.labels[5] == 5  # a second Salesforce Contact chained in through a score is refused
    assert result.refused_same_dataset == 1


def test_given_scores_below_auto_merge_then_records_stay_apart() -> None:
    result = cluster_records(DATASETS, edges((1, 2, "probabilistic", 0.98)), auto_merge=0.99)

    assert len(result.clusters()) == 4


def test_given_a_cannot_link_then_no_evidence_joins_its_sides_even_through_a_third_record() -> None:
    evidence = edges((1, 4, "email", None), (2, 4, "email", None))

    result = cluster_records(DATASETS, evidence, auto_merge=0.99, cannot_links=[CannotLink(frozenset({1}), frozenset({2}))])

    assert result.labels[1] != result.labels[2]
    assert result.labels[4] in (result.labels[1], result.labels[2])
    assert result.refused_cannot_link == 1


def test_given_a_must_link_then_it_is_applied_before_anything_else() -> None:
    evidence = edges((2, 3, "probabilistic", 0.999), (1, 2, "must_link", None))

    result = cluster_records(DATASETS, evidence, auto_merge=0.99)

    assert result.labels[1] == result.labels[2]
    assert result.labels[3] != result.labels[2]  # 3 would be a second Salesforce Contact via a score
    assert result.used_edges[0] == (1, 2, "must_link")


def test_given_edges_in_any_order_then_the_clusters_are_the_same() -> None:
    rows = [(1, 2, "probabilistic", 0.999), (2, 3, "probabilistic", 0.995), (3, 4, "probabilistic", 0.997), (1, 4, "email", None)]

    forward = cluster_records(DATASETS, edges(*rows), auto_merge=0.99).labels
    backward = cluster_records(DATASETS, edges(*reversed(rows)), auto_merge=0.99).labels

    assert forward == backward


def test_given_a_strong_score_between_two_records_of_one_dataset_then_they_may_join_directly() -> None:
    datasets = {1: "hubspot:contacts", 2: "hubspot:contacts", 3: "zendesk:users"}

    result = cluster_records(datasets, edges((1, 2, "probabilistic", 0.999), (2, 3, "probabilistic", 0.998)), auto_merge=0.99)

    assert result.labels[1] == result.labels[2] == result.labels[3]
    assert result.refused_same_dataset == 0
