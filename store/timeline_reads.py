"""What happened around one golden person: the rows its timeline is made of.

A person's tickets are those whose requester is one of its records; the
comments and satisfaction ratings are those of these tickets. Its deals are
those naming one of its records (HubSpot's deal→contact associations) and
those of the companies its records belong to (Salesforce opportunities name
only the account), told apart by `PersonDeals`. Identity events are those of
the profile and of every id merged into it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, String, and_, exists, false, func, or_, select
from sqlalchemy.dialects.postgresql import array
from sqlalchemy.orm import Session

from store.api_reads import Ref, aliases_of, named_by
from store.canonical import (
    DealRow,
    PersonRow,
    SatisfactionRow,
    TicketCommentRow,
    TicketRow,
)
from store.identity import GoldenMember, IdentityEvent


@dataclass(frozen=True, slots=True)
class PersonDeals:
    named: list[DealRow]  # the deal names the person
    of_company: list[DealRow]  # a deal of the person's company that does not name the person


def person_company_refs(session: Session, golden_id: str) -> list[tuple[str, str]]:
    """(system, company source id) of each live record of the person that names a company."""
    query = (
        select(PersonRow.system, PersonRow.company_source_id)
        .join(GoldenMember, and_(GoldenMember.entity == "person", GoldenMember.record_id == PersonRow.id))
        .where(GoldenMember.golden_id == golden_id, PersonRow.is_deleted.is_(False), PersonRow.company_source_id.is_not(None))
        .distinct()
    )
    return [(system, source_id) for system, source_id in session.execute(query)]


def person_tickets(session: Session, person: Sequence[Ref]) -> list[TicketRow]:
    where = named_by([(r.system, r.source_id) for r in person], TicketRow.system, TicketRow.requester_source_id)
    return list(session.scalars(select(TicketRow).where(TicketRow.is_deleted.is_(False), where)))


def ticket_comments(session: Session, tickets: Sequence[TicketRow]) -> list[TicketCommentRow]:
    where = named_by([(t.system, t.source_id) for t in tickets], TicketCommentRow.system, TicketCommentRow.ticket_source_id)
    return list(session.scalars(select(TicketCommentRow).where(TicketCommentRow.is_deleted.is_(False), where)))


def ticket_ratings(session: Session, tickets: Sequence[TicketRow]) -> list[SatisfactionRow]:
    where = named_by([(t.system, t.source_id) for t in tickets], SatisfactionRow.system, SatisfactionRow.ticket_source_id)
    return list(session.scalars(select(SatisfactionRow).where(SatisfactionRow.is_deleted.is_(False), where)))


def person_deals(session: Session, person: Sequence[Ref], companies: Sequence[tuple[str, str]]) -> PersonDeals:
    """Live deals naming one of the person's records, and the other live deals of its (system, company id) `companies`."""
    by_system: dict[str, list[str]] = {}
    for ref in person:
        by_system.setdefault(ref.system, []).append(ref.source_id)
    naming = or_(false(), *(and_(DealRow.system == system, _names_any(session, ids)) for system, ids in sorted(by_system.items())))
    of_company = named_by(companies, DealRow.system, DealRow.company_source_id)
    named: list[DealRow] = []
    others: list[DealRow] = []
    for deal in session.scalars(select(DealRow).where(DealRow.is_deleted.is_(False), or_(naming, of_company))):
        names_person = any(r.system == deal.system and r.source_id in (deal.person_source_ids or []) for r in person)
        (named if names_person else others).append(deal)
    return PersonDeals(named, others)


def _names_any(session: Session, source_ids: list[str]) -> ColumnElement[bool]:
    """The deal's `person_source_ids` (a JSON list) holds one of `source_ids`."""
    if session.get_bind().dialect.name == "postgresql":
        return DealRow.person_source_ids.op("?|")(array(source_ids, type_=String))  # type: ignore[no-any-return]
    element = func.json_each(DealRow.person_source_ids).table_valued("value")
    return exists(select(1).select_from(element).where(element.c.value.in_(source_ids)))


def identity_events(session: Session, golden_id: str) -> list[IdentityEvent]:
    """Events of the profile and of the ids merged into it."""
    ids = [golden_id, *aliases_of(session, golden_id)]
    return list(session.scalars(select(IdentityEvent).where(IdentityEvent.entity == "person", IdentityEvent.golden_id.in_(ids))))
