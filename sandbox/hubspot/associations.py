"""Associations between records, answered from both sides.

HubSpot stores an association once and reports it from either end with the
type id of that direction (contact→company 1 is company→contact 2), so every
edge added here is filed under both records.
"""

from __future__ import annotations

from collections import defaultdict

from sandbox.hubspot.object_types import OBJECT_TYPES, reverse_type_id
from sandbox.hubspot.tables import id_key

EdgeKey = tuple[str, str, str]  # (from type, from id, to type)


class AssociationIndex:
    """Edges keyed by (from type, from id, to type) -> {to id: {type ids}}."""

    def __init__(self) -> None:
        self._edges: dict[EdgeKey, dict[str, set[int]]] = defaultdict(dict)

    def add(self, from_type: str, from_id: str, to_type: str, to_id: str, type_id: int) -> None:
        """File an association under both records."""
        self._edges[(from_type, from_id, to_type)].setdefault(to_id, set()).add(type_id)
        reverse = reverse_type_id(type_id, from_type, to_type)
        self._edges[(to_type, to_id, from_type)].setdefault(from_id, set()).add(reverse)

    def remove(self, from_type: str, from_id: str, to_type: str, to_id: str) -> bool:
        """Drop every association between two records; False if there was none."""
        forward = self._edges.get((from_type, from_id, to_type), {})
        backward = self._edges.get((to_type, to_id, from_type), {})
        found = forward.pop(to_id, None) is not None
        backward.pop(from_id, None)
        return found

    def targets(self, from_type: str, from_id: str, to_type: str) -> list[tuple[str, list[int]]]:
        """(to id, sorted type ids) in id order."""
        edges = self._edges.get((from_type, from_id, to_type))
        if not edges:
            return []
        return [(to_id, sorted(edges[to_id])) for to_id in sorted(edges, key=id_key)]

    def move(self, object_type: str, old_id: str, new_id: str) -> None:
        """Re-file a merged-away record's associations under the survivor."""
        for to_type in OBJECT_TYPES:
            edges = self._edges.pop((object_type, old_id, to_type), None)
            if not edges:
                continue
            for to_id, type_ids in edges.items():
                self._edges.get((to_type, to_id, object_type), {}).pop(old_id, None)
                if to_type == object_type and to_id == new_id:
                    continue  # no association of a record with itself
                for type_id in type_ids:
                    self.add(object_type, new_id, to_type, to_id, type_id)

    def count(self) -> int:
        """Associations held, each counted from both sides."""
        return sum(len(edges) for edges in self._edges.values())
