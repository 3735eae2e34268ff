"""Clustering: components above the threshold, the one-record-per-dataset guard, the size alarm."""

from __future__ import annotations

import numpy as np
import pandas as pd

from identity.matching import cluster_pairs
from identity.matching.clustering import connected_components

RECORDS = ["a1", "b", "a2", "c", "d"]
DATASETS = ["crm", "helpdesk", "crm", "billing", "billing"]
CHAIN = pd.DataFrame(
    {"id_l": ["a1", "b", "c"], "id_r": ["b", "a2", "d"], "match_probability": [0.99, 0.97, 0.5]}
)


def clusters_of(result) -> list[set[str]]:
    groups = result.clusters.groupby("cluster_id").record_id.apply(set)
    return sorted(groups.tolist(), key=lambda group: sorted(group))


def test_given_chain_when_clustered_without_guard_then_one_cluster_and_alarm() -> None:
    result = cluster_pairs(CHAIN, RECORDS, threshold=0.9, size_alarm=2)

    assert clusters_of(result) == [{"a1", "a2", "b"}, {"c"}, {"d"}]
    assert result.oversized.to_dict("records") == [{"cluster_id": "a1", "size": 3}]


def test_given_chain_a1_b_a2_when_guarded_then_weakest_edge_dropped() -> None:
    result = cluster_pairs(CHAIN, RECORDS, threshold=0.9, datasets=DATASETS, one_record_per_dataset=True)

    assert clusters_of(result) == [{"a1", "b"}, {"a2"}, {"c"}, {"d"}]
    assert result.dropped_edges[["id_l", "id_r"]].values.tolist() == [["b", "a2"]]


def test_given_pinned_same_dataset_edge_when_guarded_then_kept() -> None:
    pairs = pd.concat(
        [CHAIN.assign(pinned=False), pd.DataFrame({"id_l": ["a1"], "id_r": ["a2"], "match_probability": [0.2], "pinned": [True]})]
    )

    result = cluster_pairs(pairs, RECORDS, threshold=0.9, datasets=DATASETS, one_record_per_dataset=True, pinned_column="pinned")

    assert clusters_of(result) == [{"a1", "a2", "b"}, {"c"}, {"d"}]
    assert result.dropped_edges.empty


def test_given_long_chain_when_finding_components_then_all_join() -> None:
    count = 10_000
    order = np.random.default_rng(0).permutation(count)

    roots = connected_components(count, order[:-1], order[1:])

    assert (roots == 0).all()
