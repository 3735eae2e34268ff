"""A person's timeline: deals, tickets, comments, CSAT ratings and identity events in one list, newest first.

A person has tens of events, not millions, so the whole timeline is built
in memory from a handful of queries and paginated there. The order is a
total one — time (newest first, undated last), then event id — and the
cursor holds the last position seen, so events added between two pages
never shift or repeat the ones after it.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from api.cursor import decode_cursor, encode_cursor
from api.present import source_ref
from api.schemas.common import SourceRef
from api.schemas.timeline import (
    CommentEvent,
    CsatEvent,
    DealEvent,
    IdentityEventOut,
    TicketEvent,
    TimelineEvent,
    TimelinePage,
)
from store import api_reads, timeline_reads
from store.canonical import DealRow, SatisfactionRow, TicketCommentRow, TicketRow
from store.identity import IdentityEvent

LISTING = "timeline"
Position = tuple[int, float, str]
TicketObjects = Mapping[tuple[str, str], str]  # (system, ticket id) → the ticket's object


def timeline_page(session: Session, golden_id: str, cursor: str | None, limit: int) -> TimelinePage:
    events = sorted(person_events(session, golden_id), key=position)
    if cursor is not None:
        after = tuple(decode_cursor(cursor, f"{LISTING}:{golden_id}", (int, float, str)))
        events = [event for event in events if position(event) > after]
    page = events[:limit]
    next_cursor = encode_cursor(f"{LISTING}:{golden_id}", list(position(page[-1]))) if len(events) > limit else None
    return TimelinePage(items=page, next_cursor=next_cursor)


def position(event: TimelineEvent) -> Position:
    if event.at is None:
        return (1, 0.0, event.id)
    return (0, -event.at.timestamp(), event.id)


def person_events(session: Session, golden_id: str) -> list[TimelineEvent]:
    person = api_reads.member_refs(session, "person", golden_id)
    tickets = timeline_reads.person_tickets(session, person)
    deals = timeline_reads.person_deals(session, person, timeline_reads.person_company_refs(session, golden_id))
    events: list[TimelineEvent] = [_deal(row, "person") for row in deals.named]
    events += [_deal(row, "company") for row in deals.of_company]
    events += [_ticket(row) for row in tickets]
    ticket_objects = {(row.system, row.source_id): row.object for row in tickets}
    events += [_comment(row, ticket_objects) for row in timeline_reads.ticket_comments(session, tickets)]
    events += [_rating(row, ticket_objects) for row in timeline_reads.ticket_ratings(session, tickets)]
    events += [_identity(row) for row in timeline_reads.identity_events(session, golden_id)]
    # Hand-offs join here once write-back records them (`writeback_handoffs`): one HandoffEvent per created record.
    return events


def _stamp(row: Any) -> datetime | None:
    stamp: datetime | None = row.created_at or row.source_updated_at
    return stamp


def _base(kind: str, row: Any) -> dict[str, Any]:
    return {"id": f"{kind}:{row.system}:{row.object}:{row.source_id}", "at": _stamp(row), "source": source_ref(row.system, row.object, row.source_id)}


def _deal(row: DealRow, relation: str) -> DealEvent:
    return DealEvent(**_base("deal", row), relation=relation, name=row.name, amount=row.amount, currency=row.currency, stage=row.stage, close_date=row.close_date)  # type: ignore[arg-type]


def _ticket(row: TicketRow) -> TicketEvent:
    return TicketEvent(**_base("ticket", row), subject=row.subject, status=row.status, priority=row.priority, solved_at=row.solved_at)


def _ticket_of(row: TicketCommentRow | SatisfactionRow, ticket_objects: TicketObjects) -> SourceRef:
    return source_ref(row.system, ticket_objects[(row.system, row.ticket_source_id)], row.ticket_source_id)


def _comment(row: TicketCommentRow, ticket_objects: TicketObjects) -> CommentEvent:
    ticket = _ticket_of(row, ticket_objects)
    return CommentEvent(**_base("ticket_comment", row), ticket=ticket, body=row.body, public=row.public, author_id=row.author_source_id)


def _rating(row: SatisfactionRow, ticket_objects: TicketObjects) -> CsatEvent:
    return CsatEvent(**_base("csat", row), ticket=_ticket_of(row, ticket_objects), score=row.score, comment=row.comment)


def _identity(row: IdentityEvent) -> IdentityEventOut:
    return IdentityEventOut(
        id=f"identity:{row.id}", at=row.at, kind=row.kind, golden_id=row.golden_id, other_ids=list(row.other_ids or []),
        reason=row.reason or "", details=dict(row.details or {}),
    )  # fmt: skip
