"""`/v1/profiles/{id}/timeline`: a person's deals, tickets, comments, ratings and identity events, newest first."""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from sqlalchemy import and_, func, select

from store import session_scope
from store.canonical import PersonRow, TicketCommentRow, TicketRow
from store.identity import GoldenMember
from tests.api.api_support import LiveApi


def busiest_person(api: LiveApi) -> tuple[str, int, int]:
    """The golden person with the most tickets: (id, its tickets, their comments)."""
    with session_scope(api.engine) as session:
        tickets = (
            select(GoldenMember.golden_id, TicketRow.system, TicketRow.source_id)
            .join(PersonRow, and_(GoldenMember.entity == "person", GoldenMember.record_id == PersonRow.id))
            .join(TicketRow, and_(TicketRow.system == PersonRow.system, TicketRow.requester_source_id == PersonRow.source_id))
            .where(PersonRow.is_deleted.is_(False), TicketRow.is_deleted.is_(False))
        ).subquery()
        golden_id, count = session.execute(
            select(tickets.c.golden_id, func.count()).group_by(tickets.c.golden_id).order_by(func.count().desc(), tickets.c.golden_id)
        ).first()
        comments = session.scalar(
            select(func.count())
            .select_from(TicketCommentRow)
            .join(tickets, and_(tickets.c.system == TicketCommentRow.system, tickets.c.source_id == TicketCommentRow.ticket_source_id))
            .where(tickets.c.golden_id == golden_id, TicketCommentRow.is_deleted.is_(False))
        )
    return golden_id, count, comments or 0


def test_given_a_person_with_tickets_when_its_timeline_is_paged_then_events_come_newest_first_once_each(live_api: LiveApi) -> None:
    golden_id, tickets, comments = busiest_person(live_api)

    paged = live_api.walk(f"/v1/profiles/{golden_id}/timeline", limit=3)
    whole = live_api.get(f"/v1/profiles/{golden_id}/timeline", limit=500).json()

    assert whole["next_cursor"] is None and paged == whole["items"]
    ids = [event["id"] for event in paged]
    assert len(ids) == len(set(ids))
    kinds = Counter(event["type"] for event in paged)
    assert kinds["ticket"] == tickets > 1
    assert kinds["ticket_comment"] == comments
    assert kinds["identity"] >= 1  # at least its creation
    dated = [datetime.fromisoformat(event["at"]) for event in paged if event["at"] is not None]
    assert dated == sorted(dated, reverse=True)
    assert all(event["at"] is None for event in paged[len(dated) :])


def test_given_a_timeline_cursor_of_another_profile_when_used_then_400(live_api: LiveApi) -> None:
    golden_id, _, _ = busiest_person(live_api)
    cursor = live_api.get(f"/v1/profiles/{golden_id}/timeline", limit=1).json()["next_cursor"]
    other = next(item["id"] for item in live_api.get("/v1/profiles", limit=2).json()["items"] if item["id"] != golden_id)

    response = live_api.get(f"/v1/profiles/{other}/timeline", cursor=cursor)

    assert cursor is not None
    assert response.status_code == 400 and response.json()["error"]["code"] == "bad_request"
