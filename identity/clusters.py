"""Clusters from evidence: a union-find that takes the strongest evidence first and refuses what is forbidden.

Edges are applied in order of strength — must-links, then deterministic rules,
then probabilistic matches by falling score — and a union is refused when it
would put the two sides of a cannot-link together, or when a score would chain
two records of one dataset together through others (A1–B–A2 is how false
merges snowball). Deterministic evidence may join records of one dataset, and
so may a strong score between the two records themselves.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import pandas as pd

# Rules applied before any probabilistic edge; within a tier, edges keep their given order.
RULE_TIER = {"must_link": 0, "xref": 1, "email": 2, "domain": 2}
PROBABILISTIC = "probabilistic"


@dataclass(frozen=True, slots=True)
class CannotLink:
    """Records on one side must never share a cluster with records on the other."""

    left: frozenset[int]
    right: frozenset[int]


@dataclass
class Clustering:
    """Each record's cluster (the smallest record id in it), and what was refused and why."""

    labels: dict[int, int]
    refused_same_dataset: int = 0
    refused_cannot_link: int = 0
    used_edges: list[tuple[int, int, str]] = field(default_factory=list)

    def clusters(self) -> dict[int, list[int]]:
        groups: dict[int, list[int]] = {}
        for record_id, label in self.labels.items():
            groups.setdefault(label, []).append(record_id)
        return {label: sorted(members) for label, members in groups.items()}


class _Forest:
    def __init__(self, datasets: Mapping[int, str], constraints: list[CannotLink]) -> None:
        self.parent = {record_id: record_id for record_id in datasets}
        self.members: dict[int, list[int]] = {record_id: [record_id] for record_id in datasets}
        self.datasets: dict[int, set[str]] = {record_id: {dataset} for record_id, dataset in datasets.items()}
        # Which side of which cannot-link each cluster holds: (constraint index, 0 or 1).
        self.sides: dict[int, set[tuple[int, int]]] = {record_id: set() for record_id in datasets}
        for index, constraint in enumerate(constraints):
            for side, records in enumerate((constraint.left, constraint.right)):
                for record_id in records:
                    if record_id in self.sides:
                        self.sides[record_id].add((index, side))

    def find(self, record_id: int) -> int:
        root = record_id
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[record_id] != root:  # path compression
            self.parent[record_id], record_id = root, self.parent[record_id]
        return root

    def conflicts(self, left: int, right: int) -> bool:
        return any((index, 1 - side) in self.sides[right] for index, side in self.sides[left])

    def union(self, left: int, right: int) -> None:
        if len(self.members[left]) < len(self.members[right]):
            left, right = right, left
        self.parent[right] = left
        self.members[left] += self.members.pop(right)
        self.datasets[left] |= self.datasets.pop(right)
        self.sides[left] |= self.sides.pop(right)


def cluster_records(
    datasets: Mapping[int, str], edges: pd.DataFrame, auto_merge: float, cannot_links: Iterable[CannotLink] = ()
) -> Clustering:
    """Cluster `datasets`' records (id → "system:object") over `edges` (left_id, right_id, rule, score)."""
    forest = _Forest(datasets, list(cannot_links))
    result = Clustering(labels={})
    for left_id, right_id, rule in _ordered(edges, auto_merge):
        if left_id not in forest.parent or right_id not in forest.parent:
            continue
        left, right = forest.find(left_id), forest.find(right_id)
        if left == right:
            continue
        if forest.conflicts(left, right):
            result.refused_cannot_link += 1
            continue
        if rule == PROBABILISTIC and _chains(forest, left, right, datasets[left_id], datasets[right_id]):
            result.refused_same_dataset += 1
            continue
        forest.union(left, right)
        result.used_edges.append((left_id, right_id, rule))
    labels: dict[int, int] = {}
    for members in forest.members.values():
        label = min(members)
        labels.update(dict.fromkeys(members, label))
    result.labels = labels
    return result


def _chains(forest: _Forest, left: int, right: int, left_dataset: str, right_dataset: str) -> bool:
    """Whether a score would put a dataset in one cluster twice other than through the pair it scores.

    Two records of one dataset may join on their own strong score (HubSpot and Zendesk do hold real
    duplicates); what is refused is a chain, where a third record's scores carry them together.
    """
    overlap = forest.datasets[left] & forest.datasets[right]
    return bool(overlap) and not (left_dataset == right_dataset and overlap == {left_dataset})


def _ordered(edges: pd.DataFrame, auto_merge: float) -> list[tuple[int, int, str]]:
    if edges.empty:
        return []
    frame = edges[(edges["rule"] != PROBABILISTIC) | (edges["score"] >= auto_merge)].copy()
    frame["tier"] = frame["rule"].map(RULE_TIER).fillna(3).astype(int)
    frame["strength"] = frame["score"].astype(float).fillna(1.0)
    frame = frame.sort_values(["tier", "strength", "left_id", "right_id"], ascending=[True, False, True, True], kind="stable")
    return list(zip(frame["left_id"].astype(int), frame["right_id"].astype(int), frame["rule"], strict=True))
