"""The records of one object type, with the indexes that keep listing and lookups fast.

A portal of 10,000 people holds ~20k records per type and readers page
through all of them, so listing never scans: live and archived ids are kept
in id order, and the list cursor `after` is the id to start from (found by
bisection). Unique values (a contact's email) have their own index, and a
merged-away id is an alias of the record that survived.
"""

from __future__ import annotations

import bisect
import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime

from sandbox.hubspot.object_types import ObjectType
from sandbox.hubspot.schema import PropertyRegistry
from sandbox.hubspot.values import epoch_ms, iso_ms, to_number

Properties = dict[str, str | None]
_WORD = re.compile(r"\w+", re.UNICODE)


def id_key(object_id: str) -> tuple[int, str]:
    """Sorts HubSpot's numeric string ids numerically (and any other id deterministically)."""
    return (len(object_id), object_id)


@dataclass(slots=True)
class Record:
    """One CRM object as the stand-in holds it; property values are strings as HubSpot returns them."""

    id: str
    properties: Properties
    created_at: datetime
    updated_at: datetime
    archived: bool = False
    archived_at: datetime | None = None
    merged_into: str | None = None
    _numbers: dict[str, float | None] = field(default_factory=dict, repr=False)
    _words: frozenset[str] | None = field(default=None, repr=False)

    def number(self, name: str, is_instant: bool) -> float | None:
        """A property as a number for search (instants in epoch ms); cached until the record changes."""
        if name not in self._numbers:
            raw = self.properties.get(name)
            self._numbers[name] = (epoch_ms(raw) if is_instant else to_number(raw)) if raw is not None else None
        return self._numbers[name]

    def words(self, names: tuple[str, ...]) -> frozenset[str]:
        """Lower-cased words of the type's searchable properties (what a search `query` matches); cached."""
        if self._words is None:
            text = " ".join(str(self.properties.get(name) or "") for name in names).lower()
            self._words = frozenset(_WORD.findall(text)) | frozenset(text.split())
        return self._words

    def forget_derived(self) -> None:
        """Drop cached numbers and words after a change."""
        self._numbers.clear()
        self._words = None


class ObjectTable:
    """All records of one object type, live and archived."""

    def __init__(self, object_type: ObjectType, registry: PropertyRegistry) -> None:
        self.object_type = object_type
        self.registry = registry
        self.records: dict[str, Record] = {}
        self._live: list[str] = []  # ids in id order
        self._archived: list[str] = []
        self.aliases: dict[str, str] = {}  # merged-away id -> surviving id
        self._unique: dict[str, dict[str, str]] = defaultdict(dict)  # property -> lower-cased value -> id
        self.version = 0  # bumped on every write (search caches key on it)

    def __len__(self) -> int:
        return len(self._live)

    def insert(self, record: Record) -> None:
        """Add a record (seeded or created); ids are never reused."""
        self.records[record.id] = record
        bisect.insort(self._archived if record.archived else self._live, record.id, key=id_key)
        if not record.archived:
            self._index(record, record.properties)
        self.version += 1

    def resolve(self, object_id: str) -> str:
        """The id a merged-away id now stands for (itself otherwise)."""
        return self.aliases.get(object_id, object_id)

    def find(self, object_id: str, archived: bool = False) -> Record | None:
        """A record by id, following merges; archived ones only when asked."""
        record = self.records.get(self.resolve(object_id))
        if record is None or record.archived != archived:
            return None
        return record

    def find_by_unique(self, name: str, value: str) -> Record | None:
        """The live record whose unique property (e.g. email) has this value."""
        object_id = self._unique.get(name, {}).get(value.strip().lower())
        return self.records.get(object_id) if object_id else None

    def owner_of(self, name: str, value: str | None) -> str | None:
        """Which live record already holds a unique value, if any."""
        if not value:
            return None
        return self._unique.get(name, {}).get(value.strip().lower())

    def live(self) -> Iterator[Record]:
        """Live records in id order."""
        records = self.records
        return (records[object_id] for object_id in self._live)

    def page(self, after: str | None, limit: int, archived: bool = False) -> tuple[list[Record], str | None]:
        """Up to `limit` records from id `after` on; the second value is the next page's `after`."""
        ids = self._archived if archived else self._live
        start = bisect.bisect_left(ids, id_key(after), key=id_key) if after else 0
        chosen = ids[start : start + limit]
        following = ids[start + limit] if start + limit < len(ids) else None
        return [self.records[object_id] for object_id in chosen], following

    def set_properties(self, record: Record, changes: Properties, now: datetime) -> bool:
        """Apply changed values and stamp the record; False (and no stamp) when nothing differs."""
        changed = {name: value for name, value in changes.items() if record.properties.get(name) != value}
        if not changed:
            return False
        self._unindex(record, {name: record.properties.get(name) for name in changed})
        record.properties.update(changed)
        self._index(record, changed)
        self.stamp(record, now)
        return True

    def stamp(self, record: Record, now: datetime) -> None:
        """Mark a record modified at `now` (updatedAt and the modified-date property move together)."""
        record.updated_at = now
        record.properties[self.object_type.modified_property] = iso_ms(now)
        record.forget_derived()
        self.version += 1

    def archive(self, record: Record, now: datetime) -> None:
        """Move a live record to the archive (HubSpot's DELETE)."""
        if record.archived:
            return
        self._unindex(record, record.properties)
        self._live.pop(bisect.bisect_left(self._live, id_key(record.id), key=id_key))
        bisect.insort(self._archived, record.id, key=id_key)
        record.archived = True
        record.archived_at = now
        self.version += 1

    def alias(self, merged_id: str, surviving_id: str) -> None:
        """Make a merged-away id (and any id merged into it earlier) resolve to the survivor."""
        for old_id, target in list(self.aliases.items()):
            if target == merged_id:
                self.aliases[old_id] = surviving_id
        self.aliases[merged_id] = surviving_id

    def claim(self, name: str, value: str, record: Record) -> None:
        """Point a unique value at a record (a merged contact's email now finds the survivor)."""
        self._unique[name][value.strip().lower()] = record.id

    def _unique_values(self, values: Properties) -> Iterator[tuple[str, str]]:
        for name in self.registry.unique_properties():
            value = values.get(name)
            if value:
                yield name, value
        # A contact is found by its additional emails too (HubSpot dedupes on them).
        if self.object_type.name == "contacts" and values.get("hs_additional_emails"):
            for extra in str(values["hs_additional_emails"]).split(";"):
                if extra.strip():
                    yield "email", extra

    def _index(self, record: Record, values: Properties) -> None:
        for name, value in self._unique_values(values):
            self._unique[name][value.strip().lower()] = record.id

    def _unindex(self, record: Record, values: Properties) -> None:
        for name, value in self._unique_values(values):
            key = value.strip().lower()
            if self._unique[name].get(key) == record.id:
                del self._unique[name][key]
