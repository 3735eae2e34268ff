"""The reads behind the KPIs: counts and sums aggregated in the database, over a period, for everything or one company.

A scope of `None` reads every live ticket; otherwise the (system, source id)
pairs of a golden company's records select the tickets and deals naming
them, as `api_reads.company_tickets` does. Churn facts are grouped per
golden company in SQL, so ten thousand companies cost a few grouped queries,
not one query each. The rules (thresholds, which statuses are open) are the
caller's: they come in as arguments.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import ColumnElement, Select, and_, case, func, select
from sqlalchemy.orm import Session

from store.api_reads import named_by
from store.canonical import CompanyRow, DealRow, SatisfactionRow, TicketMetricsRow, TicketRow
from store.handoffs import HandoffRow
from store.identity import GoldenMember, GoldenRecord

Scope = Sequence[tuple[str, str]] | None  # a company's (system, source id) pairs, or None for everything


@dataclass(frozen=True, slots=True)
class Window:
    """A period as instants: `start` included, `end` excluded."""

    start: datetime
    end: datetime


@dataclass(frozen=True, slots=True)
class SolvedCounts:
    solved: int  # solved in the window with a reply count
    one_touch: int  # of those, one agent reply and never reopened


@dataclass(frozen=True, slots=True)
class DealTotals:
    deals: int
    amount: float


def _tickets(scope: Scope) -> list[ColumnElement[bool]]:
    where = [TicketRow.is_deleted.is_(False)]
    if scope is not None:
        where.append(named_by(scope, TicketRow.system, TicketRow.company_source_id))
    return where


def _metrics_of_tickets(*columns: ColumnElement[object]) -> Select[tuple[object, ...]]:
    on = and_(TicketRow.system == TicketMetricsRow.system, TicketRow.source_id == TicketMetricsRow.ticket_source_id)
    return select(*columns).select_from(TicketMetricsRow).join(TicketRow, on).where(TicketMetricsRow.is_deleted.is_(False))


def ticket_volume(session: Session, window: Window, scope: Scope) -> int:
    query = select(func.count()).select_from(TicketRow).where(*_tickets(scope), TicketRow.created_at >= window.start, TicketRow.created_at < window.end)
    return session.scalar(query) or 0


def first_reply_minutes(session: Session, window: Window, scope: Scope) -> list[float]:
    """Minutes to the first reply of the tickets created in the window that had one."""
    query = _metrics_of_tickets(TicketMetricsRow.first_reply_minutes).where(
        *_tickets(scope), TicketRow.created_at >= window.start, TicketRow.created_at < window.end, TicketMetricsRow.first_reply_minutes.is_not(None)
    )
    return [float(minutes) for minutes in session.scalars(query)]


def _solved_in(window: Window, solved_statuses: Collection[str]) -> list[ColumnElement[bool]]:
    solved_at = func.coalesce(TicketMetricsRow.solved_at, TicketRow.solved_at)
    return [TicketRow.status.in_(sorted(solved_statuses)), solved_at >= window.start, solved_at < window.end]


def resolution_minutes(session: Session, window: Window, scope: Scope, solved_statuses: Collection[str]) -> list[float]:
    """Minutes to full resolution of the tickets solved in the window."""
    query = _metrics_of_tickets(TicketMetricsRow.full_resolution_minutes).where(
        *_tickets(scope), *_solved_in(window, solved_statuses), TicketMetricsRow.full_resolution_minutes.is_not(None)
    )
    return [float(minutes) for minutes in session.scalars(query)]


def solved_counts(session: Session, window: Window, scope: Scope, solved_statuses: Collection[str]) -> SolvedCounts:
    one_touch = case((and_(TicketMetricsRow.replies == 1, func.coalesce(TicketMetricsRow.reopens, 0) == 0), 1), else_=0)
    query = _metrics_of_tickets(func.count(), func.coalesce(func.sum(one_touch), 0)).where(
        *_tickets(scope), *_solved_in(window, solved_statuses), TicketMetricsRow.replies.is_not(None)
    )
    solved, touched = session.execute(query).one()
    return SolvedCounts(int(solved or 0), int(touched or 0))


def rating_counts(session: Session, window: Window, scope: Scope) -> dict[str, int]:
    """Ratings given in the window on live tickets, counted by score."""
    on = and_(TicketRow.system == SatisfactionRow.system, TicketRow.source_id == SatisfactionRow.ticket_source_id)
    query = (
        select(SatisfactionRow.score, func.count()).select_from(SatisfactionRow).join(TicketRow, on)
        .where(SatisfactionRow.is_deleted.is_(False), *_tickets(scope), SatisfactionRow.created_at >= window.start, SatisfactionRow.created_at < window.end)
        .group_by(SatisfactionRow.score)
    )  # fmt: skip
    return {score: int(count) for score, count in session.execute(query)}


def handoff_deals(session: Session, scope: Scope, stage: str, *when: ColumnElement[bool]) -> DealTotals:
    """Live deals the hand-off ledger created, at `stage`, meeting `when`: their number and summed amount."""
    on = and_(DealRow.system == HandoffRow.target_system, DealRow.object == HandoffRow.target_object, DealRow.source_id == HandoffRow.deal_id)
    where = [DealRow.is_deleted.is_(False), DealRow.stage == stage, *when]
    if scope is not None:
        where.append(named_by(scope, DealRow.system, DealRow.company_source_id))
    query = select(func.count(), func.coalesce(func.sum(DealRow.amount), 0.0)).select_from(HandoffRow).join(DealRow, on).where(*where)
    deals, amount = session.execute(query).one()
    return DealTotals(int(deals or 0), float(amount or 0.0))


def handoff_deals_created(session: Session, window: Window, scope: Scope, stage: str) -> DealTotals:
    """Hand-off deals at `stage` created in the window (the ledger's creation time, else the deal's)."""
    created = func.coalesce(HandoffRow.deal_created_at, DealRow.created_at)
    return handoff_deals(session, scope, stage, created >= window.start, created < window.end)


def handoff_deals_closed(session: Session, first: date, last: date, scope: Scope, stage: str) -> DealTotals:
    """Hand-off deals at `stage` whose close date is within [first, last]."""
    return handoff_deals(session, scope, stage, DealRow.close_date >= first, DealRow.close_date <= last)


# -- per golden company ------------------------------------------------------------------------------------------


def _company_of_tickets(*columns: ColumnElement[object], golden_id: str | None) -> Select[tuple[object, ...]]:
    """Tickets joined to the active golden company their company record belongs to."""
    query = (
        select(*columns).select_from(TicketRow)
        .join(CompanyRow, and_(CompanyRow.system == TicketRow.system, CompanyRow.source_id == TicketRow.company_source_id))
        .join(GoldenMember, and_(GoldenMember.entity == "company", GoldenMember.record_id == CompanyRow.id))
        .join(GoldenRecord, and_(GoldenRecord.golden_id == GoldenMember.golden_id, GoldenRecord.status == "active"))
        .where(TicketRow.is_deleted.is_(False), CompanyRow.is_deleted.is_(False))
    )  # fmt: skip
    return query if golden_id is None else query.where(GoldenMember.golden_id == golden_id)


def ratings_by_company(session: Session, window: Window, golden_id: str | None) -> dict[str, dict[str, int]]:
    """Per golden company: its tickets' ratings given in the window, counted by score."""
    on = and_(SatisfactionRow.system == TicketRow.system, SatisfactionRow.ticket_source_id == TicketRow.source_id)
    query = (
        _company_of_tickets(GoldenMember.golden_id, SatisfactionRow.score, func.count(), golden_id=golden_id)
        .join(SatisfactionRow, on)
        .where(SatisfactionRow.is_deleted.is_(False), SatisfactionRow.created_at >= window.start, SatisfactionRow.created_at < window.end)
        .group_by(GoldenMember.golden_id, SatisfactionRow.score)
    )  # fmt: skip
    found: dict[str, dict[str, int]] = {}
    for company, score, count in session.execute(query):
        found.setdefault(str(company), {})[str(score)] = int(count)
    return found


def companies_with_open_tickets(
    session: Session, statuses: Collection[str], priorities: Collection[str], created_before: datetime | None, golden_id: str | None
) -> set[str]:
    """Golden companies with a ticket in one of `statuses` and `priorities` (created before `created_before`, when given)."""
    query = _company_of_tickets(GoldenMember.golden_id, golden_id=golden_id).where(
        TicketRow.status.in_(sorted(statuses)), TicketRow.priority.in_(sorted(priorities))
    )
    if created_before is not None:
        query = query.where(TicketRow.created_at < created_before)
    return {str(company) for company in session.scalars(query.distinct())}


def companies_renewing(session: Session, first: date, last: date, golden_id: str | None) -> dict[str, date]:
    """Active golden companies with a live record renewing within [first, last], and the earliest such date."""
    query = (
        select(GoldenMember.golden_id, func.min(CompanyRow.renewal_date)).select_from(CompanyRow)
        .join(GoldenMember, and_(GoldenMember.entity == "company", GoldenMember.record_id == CompanyRow.id))
        .join(GoldenRecord, and_(GoldenRecord.golden_id == GoldenMember.golden_id, GoldenRecord.status == "active"))
        .where(CompanyRow.is_deleted.is_(False), CompanyRow.renewal_date >= first, CompanyRow.renewal_date <= last)
        .group_by(GoldenMember.golden_id)
    )  # fmt: skip
    if golden_id is not None:
        query = query.where(GoldenMember.golden_id == golden_id)
    return {str(company): renewal for company, renewal in session.execute(query)}


def active_company_count(session: Session) -> int:
    query = select(func.count()).select_from(GoldenRecord).where(GoldenRecord.entity == "company", GoldenRecord.status == "active")
    return session.scalar(query) or 0
