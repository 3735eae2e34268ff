"""The read queries behind the REST API's profile and company routes.

Every listing is keyset-paginated on the golden id (`after` the last id
seen, ascending), so a page costs one index range scan however deep it is,
and a profile created meanwhile neither shifts nor repeats the others.
Each helper fetches one row more than asked, so the caller knows whether a
next page exists without counting.

Lookups by email, phone or source ref are one query: the match key index
(entity, kind, value) finds the records, the members table their golden id.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy import ColumnElement, Select, and_, false, func, or_, select
from sqlalchemy.orm import Session

from store.canonical import CompanyRow, DealRow, MatchKey, PersonRow, TicketRow
from store.identity import GoldenMember, GoldenRecord

# The object a person's, deal's or ticket's `company_source_id` names, per system.
COMPANY_OBJECTS = {"salesforce": "Account", "hubspot": "companies", "zendesk": "organizations"}
Row = TypeVar("Row", DealRow, TicketRow)
MAX_ALIAS_HOPS = 5  # merges keep aliases one hop from their survivor; this only guards against a broken chain


@dataclass(frozen=True, slots=True)
class Ref:
    """A canonical record's source ref."""

    system: str
    object: str
    source_id: str


def _active(entity: str) -> list[ColumnElement[bool]]:
    return [GoldenRecord.entity == entity, GoldenRecord.status == "active"]


def _page(query: Select[tuple[GoldenRecord]], after: str | None, limit: int) -> Select[tuple[GoldenRecord]]:
    if after is not None:
        query = query.where(GoldenRecord.golden_id > after)
    return query.order_by(GoldenRecord.golden_id).limit(limit + 1)


def golden_page(session: Session, entity: str, after: str | None, limit: int) -> list[GoldenRecord]:
    """Active golden records of `entity`, by id."""
    return list(session.scalars(_page(select(GoldenRecord).where(*_active(entity)), after, limit)))


def golden_by_key(session: Session, entity: str, kind: str, value: str, after: str | None, limit: int) -> list[GoldenRecord]:
    """Active golden records holding a record with this match key (kind "email", "phone", "domain", "ref")."""
    holders = (
        select(GoldenMember.golden_id)
        .join(MatchKey, and_(MatchKey.entity == GoldenMember.entity, MatchKey.record_id == GoldenMember.record_id))
        .where(MatchKey.entity == entity, MatchKey.kind == kind, MatchKey.value == value)
    )
    query = select(GoldenRecord).where(*_active(entity), GoldenRecord.golden_id.in_(holders))
    return list(session.scalars(_page(query, after, limit)))


def people_matching(session: Session, text: str, after: str | None, limit: int) -> list[GoldenRecord]:
    """Active golden people with a live record whose name or company name holds `text`, ignoring case."""
    needle = text.lower()
    company = CompanyRow.__table__.alias("person_company")
    columns = (PersonRow.full_name, PersonRow.first_name, PersonRow.last_name, PersonRow.company_name, company.c.name)
    holders = (
        select(GoldenMember.golden_id)
        .join(PersonRow, and_(GoldenMember.entity == "person", GoldenMember.record_id == PersonRow.id))
        .outerjoin(company, and_(company.c.system == PersonRow.system, company.c.source_id == PersonRow.company_source_id))
        .where(PersonRow.is_deleted.is_(False), or_(*(func.lower(column).contains(needle, autoescape=True) for column in columns)))
    )
    query = select(GoldenRecord).where(*_active("person"), GoldenRecord.golden_id.in_(holders))
    return list(session.scalars(_page(query, after, limit)))


def golden_records(session: Session, golden_ids: Collection[str]) -> dict[str, GoldenRecord]:
    """The golden records with these ids, merged-away aliases followed to their survivor (keyed by the id asked)."""
    found: dict[str, GoldenRecord] = {}
    wanted = {golden_id: golden_id for golden_id in golden_ids}
    for _ in range(MAX_ALIAS_HOPS):
        if not wanted:
            break
        rows = {row.golden_id: row for row in session.scalars(select(GoldenRecord).where(GoldenRecord.golden_id.in_(set(wanted.values()))))}
        following: dict[str, str] = {}
        for asked, current in wanted.items():
            row = rows.get(current)
            if row is not None and row.status == "merged" and row.merged_into:
                following[asked] = row.merged_into
            elif row is not None:
                found[asked] = row
        wanted = following
    return found


def member_refs(session: Session, entity: str, golden_id: str) -> list[Ref]:
    """The source refs of a golden record's live members."""
    table = PersonRow if entity == "person" else CompanyRow
    query = (
        select(table.system, table.object, table.source_id)
        .join(GoldenMember, and_(GoldenMember.entity == entity, GoldenMember.record_id == table.id))
        .where(GoldenMember.golden_id == golden_id, table.is_deleted.is_(False))
        .order_by(table.system, table.object, table.source_id)
    )
    return [Ref(*row) for row in session.execute(query)]


def named_by(pairs: Iterable[tuple[str, str]], system_column: ColumnElement[str], id_column: ColumnElement[str | None]) -> ColumnElement[bool]:
    """Rows whose (system, id column) is one of the (system, source id) `pairs`; false for none."""
    by_system: dict[str, set[str]] = {}
    for system, source_id in pairs:
        by_system.setdefault(system, set()).add(source_id)
    clauses = [and_(system_column == system, id_column.in_(sorted(ids))) for system, ids in sorted(by_system.items())]
    return or_(*clauses) if clauses else false()


def _pairs(refs: Sequence[Ref]) -> list[tuple[str, str]]:
    return [(ref.system, ref.source_id) for ref in refs]


def company_people(session: Session, company: Sequence[Ref], limit: int) -> tuple[list[GoldenRecord], int]:
    """Active golden people with a live record naming one of the company's records (first `limit` by id), and their count."""
    holders = (
        select(GoldenMember.golden_id)
        .join(PersonRow, and_(GoldenMember.entity == "person", GoldenMember.record_id == PersonRow.id))
        .where(PersonRow.is_deleted.is_(False), named_by(_pairs(company), PersonRow.system, PersonRow.company_source_id))
    )
    query = select(GoldenRecord).where(*_active("person"), GoldenRecord.golden_id.in_(holders))
    people = list(session.scalars(query.order_by(GoldenRecord.golden_id).limit(limit)))
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    return people, total


def company_deals(session: Session, company: Sequence[Ref], limit: int) -> tuple[list[DealRow], int]:
    """Live deals of the company's records, newest first, and their count."""
    where = [DealRow.is_deleted.is_(False), named_by(_pairs(company), DealRow.system, DealRow.company_source_id)]
    return _newest(session, DealRow, where, limit)


def company_tickets(session: Session, company: Sequence[Ref], limit: int) -> tuple[list[TicketRow], int]:
    """Live tickets of the company's records, newest first, and their count."""
    where = [TicketRow.is_deleted.is_(False), named_by(_pairs(company), TicketRow.system, TicketRow.company_source_id)]
    return _newest(session, TicketRow, where, limit)


def _newest(session: Session, table: type[Row], where: list[ColumnElement[bool]], limit: int) -> tuple[list[Row], int]:
    stamp = func.coalesce(table.created_at, table.source_updated_at)
    rows = list(session.scalars(select(table).where(*where).order_by(stamp.desc().nulls_last(), table.id.desc()).limit(limit)))
    total = session.scalar(select(func.count()).select_from(table).where(*where)) or 0
    return rows, total


def aliases_of(session: Session, golden_id: str) -> list[str]:
    """The ids merged into this one (they redirect to it)."""
    query = select(GoldenRecord.golden_id).where(GoldenRecord.merged_into == golden_id).order_by(GoldenRecord.golden_id)
    return list(session.scalars(query))
