"""What the people-and-company write-back policies read: golden membership with source refs, and golden profiles.

`store/writeback.py` answers for companies only (`company_members`); the
cross-link and enrichment policies write into people too, and need to know
a person record's kind (a Salesforce Lead, a Zendesk end user) and the
counterpart ids it names. The helpers return plain data, so the flow never
holds SQL.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

from sqlalchemy import null, select
from sqlalchemy.orm import Session

from store.canonical import CompanyRow, PersonRow
from store.identity import GoldenMember, GoldenRecord

Entity = Literal["person", "company"]
_CHUNK = 500  # SQLite limits bound parameters per statement


@dataclass(frozen=True, slots=True)
class LinkedMember:
    """A live canonical record and the golden record it belongs to."""

    golden_id: str
    system: str
    object: str
    source_id: str
    kind: str | None = None  # people: contact | lead | end_user (from the mapping spec); companies: None
    linked_ids: dict[str, Any] = field(default_factory=dict)  # counterpart ids the record itself names, e.g. a converted lead's contact

    @property
    def ref(self) -> tuple[str, str, str]:
        return (self.system, self.object, self.source_id)


def linked_members(session: Session, entity: Entity) -> list[LinkedMember]:
    """Every live canonical record of `entity` with its golden id, ordered by golden id and source ref."""
    table: type[PersonRow | CompanyRow] = PersonRow if entity == "person" else CompanyRow
    kind = PersonRow.kind if entity == "person" else null()
    query = (
        select(GoldenMember.golden_id, table.system, table.object, table.source_id, kind, table.linked_ids)
        .join(table, table.id == GoldenMember.record_id)
        .where(GoldenMember.entity == entity, table.is_deleted.is_(False))
        .order_by(GoldenMember.golden_id, table.system, table.object, table.source_id)
    )
    return [
        LinkedMember(golden_id, system, object_name, source_id, kind, dict(linked or {}))
        for golden_id, system, object_name, source_id, kind, linked in session.execute(query)
    ]


def golden_profiles(session: Session, entity: Entity, golden_ids: Iterable[str]) -> dict[str, dict[str, Any]]:
    """The surviving profile (values with their lineage, see identity/survivorship.py) of each active golden record asked for."""
    wanted = sorted(set(golden_ids))
    found: dict[str, dict[str, Any]] = {}
    for start in range(0, len(wanted), _CHUNK):
        query = select(GoldenRecord.golden_id, GoldenRecord.profile).where(
            GoldenRecord.entity == entity, GoldenRecord.status == "active", GoldenRecord.golden_id.in_(wanted[start : start + _CHUNK])
        )
        found.update({golden_id: dict(profile or {}) for golden_id, profile in session.execute(query)})
    return found
