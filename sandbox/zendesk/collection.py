"""One object type's records, indexed for id lookups, id-ordered lists and change-ordered exports.

Exports read thousands of records a page from a world of tens of thousands,
so the change order is kept sorted at write time (a write moves one entry)
and a page is a bisect plus a slice, never a scan.
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Callable, Iterator
from typing import Any

Record = dict[str, Any]
ChangeKey = tuple[int, int]  # (epoch second of the change, sequence number breaking ties)
_MAX_ID = 1 << 62


class Collection:
    """Records of one type keyed by integer id; each carries a change key (second, sequence)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.records: dict[int, Record] = {}
        self._ids: list[int] = []
        self._changes: list[tuple[int, int, int]] = []
        self._change_of: dict[int, ChangeKey] = {}
        self._sequence = itertools.count(1)

    def __len__(self) -> int:
        return len(self.records)

    def __contains__(self, record_id: object) -> bool:
        return record_id in self.records

    def get(self, record_id: int) -> Record | None:
        return self.records.get(record_id)

    def load(self, rows: list[tuple[int, Record]]) -> None:
        """Bulk-load seed records, each with the epoch second of its last change."""
        for changed, record in sorted(rows, key=lambda row: (row[0], row[1]["id"])):
            record_id = record["id"]
            self.records[record_id] = record
            key = (changed, next(self._sequence))
            self._change_of[record_id] = key
            self._changes.append((*key, record_id))
        self._ids = sorted(self.records)

    def put(self, record: Record, changed: int) -> None:
        """Insert or replace a record and move it to its new place in the change order."""
        record_id = record["id"]
        if record_id not in self.records:
            bisect.insort(self._ids, record_id)
        self.records[record_id] = record
        self.touch(record_id, changed)

    def touch(self, record_id: int, changed: int) -> None:
        old = self._change_of.get(record_id)
        if old is not None:
            index = bisect.bisect_left(self._changes, (*old, record_id))
            if index < len(self._changes) and self._changes[index][2] == record_id:
                del self._changes[index]
        key = (changed, next(self._sequence))
        self._change_of[record_id] = key
        bisect.insort(self._changes, (*key, record_id))

    # --- id order (list endpoints) -------------------------------------------------

    def all_in_id_order(self) -> Iterator[Record]:
        return (self.records[record_id] for record_id in self._ids)

    # --- change order (exports) ---------------------------------------------------------

    def changes_from(
        self, start: ChangeKey | None, start_second: int | None, cutoff: int
    ) -> Iterator[tuple[ChangeKey, Record]]:
        """Changes after `start` (a key) or from `start_second` (inclusive), up to second `cutoff`."""
        if start is not None:
            index = bisect.bisect_right(self._changes, (*start, _MAX_ID))
        else:
            index = bisect.bisect_left(self._changes, (start_second or 0,))
        for position in range(index, len(self._changes)):
            second, sequence, record_id = self._changes[position]
            if second > cutoff:
                return
            yield (second, sequence), self.records[record_id]

    def changes_before(self, end: ChangeKey) -> Iterator[tuple[ChangeKey, Record]]:
        """Changes strictly before `end`, newest first (for before_cursor pages)."""
        index = bisect.bisect_left(self._changes, (*end, -1))
        for position in range(index - 1, -1, -1):
            second, sequence, record_id = self._changes[position]
            yield (second, sequence), self.records[record_id]

    def find(self, predicate: Callable[[Record], bool]) -> Iterator[Record]:
        return (record for record in self.all_in_id_order() if predicate(record))
