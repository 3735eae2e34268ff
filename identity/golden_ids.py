"""Persistent golden IDs: new clusters inherit the IDs their members had, by fixed rules.

- A cluster whose members all had one ID keeps it.
- A merge keeps one ID — the one with most members in the new cluster (ties:
  the smaller ID) — and the others become aliases of it.
- A split keeps the ID on the largest part; the other parts get new IDs.
- An ID whose records are all gone is retired.

So a rerun with no change keeps every ID, and a change moves only the IDs it
must. The function is pure: the caller persists the result and its events.
"""

from __future__ import annotations

import secrets
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

PREFIXES = {"person": "per", "company": "com"}


def new_golden_id(entity: str) -> str:
    """An opaque, unguessable ID: "per_" or "com_" and 20 hex digits."""
    return f"{PREFIXES[entity]}_{secrets.token_hex(10)}"


@dataclass
class Assignment:
    """Which golden ID each record now belongs to, and the merges, splits and creations that made it so."""

    record_golden: dict[int, str] = field(default_factory=dict)
    created: list[str] = field(default_factory=list)
    merged: dict[str, str] = field(default_factory=dict)  # absorbed ID → the ID it now redirects to
    split: dict[str, list[str]] = field(default_factory=dict)  # kept ID → new IDs carved off it
    retired: list[str] = field(default_factory=list)
    touched: set[str] = field(default_factory=set)  # IDs whose members changed

    def unchanged_share(self, previous: Mapping[int, str]) -> float:
        """The share of previously resolved records that kept their golden ID."""
        kept = sum(1 for record_id, golden_id in previous.items() if self.record_golden.get(record_id) == golden_id)
        return kept / len(previous) if previous else 1.0


def assign_golden_ids(
    clusters: Mapping[int, list[int]], previous: Mapping[int, str], make_id: Callable[[], str]
) -> Assignment:
    """Golden IDs for `clusters` (label → record ids), given each record's previous ID."""
    home = _largest_parts(clusters, previous)
    claimed: dict[int, list[str]] = {}  # label → the previous IDs whose largest part it holds
    for golden_id, label in home.items():
        claimed.setdefault(label, []).append(golden_id)
    result = Assignment()
    for label in sorted(clusters):
        members = clusters[label]
        claimants = sorted(claimed.get(label, ()))
        counts = Counter(previous[record_id] for record_id in members if record_id in previous)
        if claimants:
            keeper = min(claimants, key=lambda golden_id: (-counts[golden_id], golden_id))
            for absorbed in claimants:
                if absorbed != keeper:
                    result.merged[absorbed] = keeper
        else:
            keeper = make_id()
            result.created.append(keeper)
        carved_from = {golden_id for golden_id in counts if home.get(golden_id) != label}
        for origin in sorted(carved_from):
            result.split.setdefault(origin, []).append(keeper)
        for record_id in members:
            result.record_golden[record_id] = keeper
        if claimants != [keeper] or carved_from or any(previous.get(record_id) != keeper for record_id in members):
            result.touched.add(keeper)
    result.touched |= set(result.merged) | set(result.split)
    result.retired = sorted(set(previous.values()) - set(home))
    return result


def _largest_parts(clusters: Mapping[int, list[int]], previous: Mapping[int, str]) -> dict[str, int]:
    """Each previous golden ID → the cluster holding most of its records (ties: the smaller label)."""
    parts: dict[str, Counter[int]] = {}
    for label, members in clusters.items():
        for record_id in members:
            golden_id = previous.get(record_id)
            if golden_id is not None:
                parts.setdefault(golden_id, Counter())[label] += 1
    return {golden_id: min(counter, key=lambda label: (-counter[label], label)) for golden_id, counter in parts.items()}
