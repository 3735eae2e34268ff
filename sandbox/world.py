"""The synthetic customer base, as each vendor stores it, plus the ground truth.

A `World` is the seed state of the three stand-ins: records in each vendor's
own shape (see sandbox/README.md for the field catalogue) and, for every
source record, the true person and company it belongs to. Ids come from the
world's `IdAllocator`, which the stand-ins keep using for records created
later.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sandbox.ids import IdAllocator

VendorRecords = dict[str, list[dict[str, Any]]]


@dataclass(frozen=True, slots=True)
class TruthRow:
    """Which real person and company one source record describes (None where it is not about one)."""

    system: str  # salesforce | hubspot | zendesk
    object: str  # the vendor's object name: Contact, contacts, users, ...
    source_id: str
    person_id: str | None
    company_id: str | None


@dataclass
class World:
    seed: int
    ids: IdAllocator = field(default_factory=IdAllocator)
    salesforce: VendorRecords = field(default_factory=dict)
    hubspot: VendorRecords = field(default_factory=dict)
    zendesk: VendorRecords = field(default_factory=dict)
    truth: list[TruthRow] = field(default_factory=list)

    @classmethod
    def empty(cls, seed: int = 0) -> World:
        return cls(seed=seed)

    def record_counts(self) -> dict[str, dict[str, int]]:
        """Seeded records per system and object (the figures a full sync must land)."""
        return {
            system: {name: len(rows) for name, rows in records.items()}
            for system, records in (("salesforce", self.salesforce), ("hubspot", self.hubspot), ("zendesk", self.zendesk))
        }

    def write_truth(self, path: Path) -> None:
        """Write the ground truth as CSV: system, object, source_id, person_id, company_id."""
        with path.open("w", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["system", "object", "source_id", "person_id", "company_id"])
            for row in self.truth:
                writer.writerow([row.system, row.object, row.source_id, row.person_id or "", row.company_id or ""])
