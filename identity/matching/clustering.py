"""Clusters: connected components of the pairs at or above a match-probability threshold.

Components are found with vectorised union-find (hooking plus pointer
jumping in numpy). The optional guard keeps at most one record per source
dataset in a cluster: only components that break it are revisited, edge by
edge from the strongest, and an edge that would join two parts holding the
same dataset is dropped.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class ClusterResult:
    """`clusters`: record_id, cluster_id (the first member in the given record order).

    `oversized`: cluster_id, size for clusters above the size alarm.
    `dropped_edges`: id_l, id_r, match_probability of edges the dataset guard removed.
    """

    clusters: pd.DataFrame
    oversized: pd.DataFrame
    dropped_edges: pd.DataFrame


def connected_components(record_count: int, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """For each record index, the smallest index of its component."""
    parent = np.arange(record_count, dtype=np.int64)
    while True:
        root_l, root_r = parent[left], parent[right]
        differ = root_l != root_r
        if not differ.any():
            return parent
        low, high = np.minimum(root_l, root_r)[differ], np.maximum(root_l, root_r)[differ]
        np.minimum.at(parent, high, low)
        while True:
            jumped = parent[parent]
            if np.array_equal(jumped, parent):
                break
            parent = jumped


def cluster_pairs(
    pairs: pd.DataFrame,
    record_ids: Sequence[Any] | pd.Series | np.ndarray,
    *,
    threshold: float,
    datasets: Sequence[Any] | pd.Series | np.ndarray | None = None,
    one_record_per_dataset: bool = False,
    pinned_column: str | None = None,
    size_alarm: int | None = None,
) -> ClusterResult:
    """Cluster `record_ids` through the pairs whose match_probability is at least `threshold`.

    `pairs` needs id_l, id_r and match_probability. With `one_record_per_dataset`
    (`datasets` aligned with `record_ids`), two records of one dataset never end
    up together through probabilistic edges; edges flagged True in
    `pinned_column` (e.g. confirmed links) are always kept and exempt from the guard.
    Clusters larger than `size_alarm` are listed in `oversized`.
    """
    index = pd.Index(record_ids)
    if not index.is_unique:
        raise ValueError("record_ids must be unique")
    pinned = pairs[pinned_column].to_numpy(dtype=bool) if pinned_column else np.zeros(len(pairs), dtype=bool)
    keep = (pairs["match_probability"].to_numpy() >= threshold) | pinned
    edges = pairs.loc[keep]
    left = index.get_indexer(edges["id_l"])
    right = index.get_indexer(edges["id_r"])
    if (left < 0).any() or (right < 0).any():
        raise ValueError("pairs mention records missing from record_ids")
    strength = edges["match_probability"].to_numpy(dtype=np.float64)
    pinned = pinned[keep]
    roots = connected_components(len(index), left, right)
    dropped = np.zeros(len(edges), dtype=bool)
    if one_record_per_dataset:
        if datasets is None:
            raise ValueError("one_record_per_dataset needs datasets")
        dataset_codes = pd.factorize(np.asarray(datasets))[0]
        dropped = _guard_dataset_conflicts(roots, dataset_codes, left, right, strength, pinned)
        roots = connected_components(len(index), left[~dropped], right[~dropped])
    ids = np.asarray(index)
    clusters = pd.DataFrame({"record_id": ids, "cluster_id": ids[roots]})
    sizes = np.bincount(roots, minlength=len(index))
    alarm = np.flatnonzero(sizes > size_alarm) if size_alarm is not None else np.array([], dtype=np.int64)
    oversized = pd.DataFrame({"cluster_id": ids[alarm], "size": sizes[alarm]}).sort_values("size", ascending=False)
    dropped_edges = pd.DataFrame(
        {"id_l": ids[left[dropped]], "id_r": ids[right[dropped]], "match_probability": strength[dropped]}
    )
    return ClusterResult(clusters=clusters, oversized=oversized.reset_index(drop=True), dropped_edges=dropped_edges)


def _guard_dataset_conflicts(
    roots: np.ndarray,
    dataset_codes: np.ndarray,
    left: np.ndarray,
    right: np.ndarray,
    strength: np.ndarray,
    pinned: np.ndarray,
) -> np.ndarray:
    """Which edges to drop so no component joins two records of one dataset through probabilistic edges."""
    members = pd.DataFrame({"root": roots, "dataset": dataset_codes})
    per_dataset = members.groupby(["root", "dataset"]).size()
    conflicted_roots = per_dataset[per_dataset > 1].index.get_level_values("root").unique().to_numpy()
    dropped = np.zeros(len(left), dtype=bool)
    if len(conflicted_roots) == 0:
        return dropped
    suspect = np.flatnonzero(np.isin(roots[left], conflicted_roots))
    # Pinned edges first, then probabilistic ones strongest first (Kruskal order).
    order = suspect[np.lexsort((-strength[suspect], ~pinned[suspect]))]
    parent: dict[int, int] = {}
    holds: dict[int, set[int]] = {}

    def find(node: int) -> int:
        parent.setdefault(node, node)
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    for edge in order:
        a, b = find(int(left[edge])), find(int(right[edge]))
        if a == b:
            continue
        held_a = holds.setdefault(a, {int(dataset_codes[a])})
        held_b = holds.setdefault(b, {int(dataset_codes[b])})
        if not pinned[edge] and held_a & held_b:
            dropped[edge] = True
            continue
        parent[b] = a
        holds[a] = held_a | held_b
    return dropped
