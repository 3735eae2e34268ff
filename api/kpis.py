"""The KPIs of a period, for every company or one golden company, computed as the KPI dictionary defines them.

The database does the counting and summing (store/kpi_reads.py); this module
turns the period into instants, applies the dictionary's rules and
thresholds, and takes the medians (which SQLite cannot). Values are rounded
to two decimals. "Now" is passed in, so the flags that look at the present
(stale tickets, near renewals) are computed against one moment per request.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy.orm import Session

from api import kpi_dictionary as kd
from api.errors import BadRequest
from api.schemas.kpis import ChurnFlagValue, KpiReport, KpiValue, PeriodOut
from mapping.vocabulary import OPEN_TICKET_STATUSES, DealStage, SatisfactionScore, TicketPriority, TicketStatus
from store import kpi_reads
from store.kpi_reads import Scope, Window

SOLVED_STATUSES = frozenset({TicketStatus.SOLVED.value, TicketStatus.CLOSED.value})
OPEN_STATUSES = frozenset(status.value for status in OPEN_TICKET_STATUSES)
URGENT_OR_HIGH = frozenset({TicketPriority.URGENT.value, TicketPriority.HIGH.value})
EARLIEST, LATEST = date(1970, 1, 1), date(2999, 12, 31)  # beyond these no record can fall; refusing them keeps date math safe


@dataclass(frozen=True, slots=True)
class Period:
    """Whole UTC days, both ends included."""

    first: date
    last: date

    @property
    def window(self) -> Window:
        return Window(datetime.combine(self.first, time.min, UTC), datetime.combine(self.last + timedelta(days=1), time.min, UTC))


@dataclass(frozen=True, slots=True)
class CompanyScope:
    golden_id: str
    refs: Sequence[tuple[str, str]]  # the (system, source id) of its live member records


def period_of(first: date | None, last: date | None, today: date) -> Period:
    """The period asked for; a missing end is today, a missing start the default span before the end."""
    for name, day in (("from", first), ("to", last)):
        if day is not None and not EARLIEST <= day <= LATEST:
            raise BadRequest(f"{name}={day.isoformat()} is out of range: use a date from {EARLIEST.isoformat()} to {LATEST.isoformat()}")
    last = last or today
    first = first or last - timedelta(days=kd.DEFAULT_PERIOD_DAYS - 1)
    if first > last:
        raise BadRequest(f"the period runs backwards: from={first.isoformat()} is after to={last.isoformat()}; swap them")
    return Period(first, last)


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def _median_hours(minutes: list[float]) -> float | None:
    return statistics.median(minutes) / 60 if minutes else None


def _percent(part: int, whole: int) -> float | None:
    return 100 * part / whole if whole else None


def _value(name: str, value: float | None, basis: int) -> KpiValue:
    return KpiValue(name=name, value=_rounded(value), basis=basis, definition=kd.KPI_BY_NAME[name])


def support_values(session: Session, period: Period, scope: Scope) -> list[KpiValue]:
    window = period.window
    solved = kpi_reads.solved_counts(session, window, scope, SOLVED_STATUSES)
    replies = kpi_reads.first_reply_minutes(session, window, scope)
    resolutions = kpi_reads.resolution_minutes(session, window, scope, SOLVED_STATUSES)
    ratings = kpi_reads.rating_counts(session, window, scope)
    good, bad = ratings.get(SatisfactionScore.GOOD.value, 0), ratings.get(SatisfactionScore.BAD.value, 0)
    return [
        _value("ticket_volume", (volume := kpi_reads.ticket_volume(session, window, scope)), volume),
        _value("first_contact_resolution", _percent(solved.one_touch, solved.solved), solved.solved),
        _value("first_response_hours", _median_hours(replies), len(replies)),
        _value("resolution_hours", _median_hours(resolutions), len(resolutions)),
        _value("csat", _percent(good, good + bad), good + bad),
    ]


def handoff_values(session: Session, period: Period, scope: Scope) -> list[KpiValue]:
    pipeline = kpi_reads.handoff_deals_created(session, period.window, scope, DealStage.OPEN.value)
    won = kpi_reads.handoff_deals_closed(session, period.first, period.last, scope, DealStage.WON.value)
    return [_value("support_sourced_pipeline", pipeline.amount, pipeline.deals), _value("support_sourced_won_revenue", won.amount, won.deals)]


def churn_flags(session: Session, period: Period, now: datetime, golden_id: str | None) -> dict[str, dict[str, str]]:
    """Per flag name: the golden companies raising it, each with what raised it."""
    low_csat: dict[str, str] = {}
    for company, scores in kpi_reads.ratings_by_company(session, period.window, golden_id).items():
        good, bad = scores.get(SatisfactionScore.GOOD.value, 0), scores.get(SatisfactionScore.BAD.value, 0)
        if good + bad >= kd.LOW_CSAT_MIN_RATINGS and 100 * good / (good + bad) < kd.LOW_CSAT_BELOW:
            low_csat[company] = f"{good} good of {good + bad} rated"
    stale_before = now - timedelta(days=kd.STALE_URGENT_DAYS)
    stale = kpi_reads.companies_with_open_tickets(session, OPEN_STATUSES, {TicketPriority.URGENT.value}, stale_before, golden_id)
    pressed = kpi_reads.companies_with_open_tickets(session, OPEN_STATUSES, URGENT_OR_HIGH, None, golden_id)
    today = now.astimezone(UTC).date()
    renewing = kpi_reads.companies_renewing(session, today, today + timedelta(days=kd.RENEWAL_WINDOW_DAYS), golden_id)
    return {
        "low_csat": low_csat,
        "stale_urgent_ticket": {company: f"an open urgent ticket older than {kd.STALE_URGENT_DAYS} days" for company in stale},
        "renewal_at_risk": {company: f"renews {renewing[company].isoformat()} with open urgent/high tickets" for company in pressed & renewing.keys()},
    }


def flag_values(flags: dict[str, dict[str, str]], golden_id: str | None, companies: int) -> tuple[list[ChurnFlagValue], KpiValue]:
    """The flags as values, and the at-risk KPI over `companies` (those looked at)."""
    values = []
    for definition in kd.CHURN_FLAGS:
        raised = flags[definition.name]
        evidence = raised.get(golden_id) if golden_id is not None else None
        values.append(ChurnFlagValue(name=definition.name, raised=bool(raised), companies=len(raised), evidence=evidence, definition=definition))
    at_risk = set().union(*(raised.keys() for raised in flags.values()))
    return values, _value("companies_at_churn_risk", len(at_risk), companies)


def kpi_report(session: Session, period: Period, now: datetime, company: CompanyScope | None = None, merged_from: str | None = None) -> KpiReport:
    """Every KPI of the dictionary over `period`, for all tickets and deals or for one golden company's."""
    scope = None if company is None else company.refs
    golden_id = None if company is None else company.golden_id
    companies = 1 if golden_id is not None else kpi_reads.active_company_count(session)
    flags, at_risk = flag_values(churn_flags(session, period, now, golden_id), golden_id, companies)
    values = support_values(session, period, scope) + handoff_values(session, period, scope) + [at_risk]
    return KpiReport(
        company_id=golden_id, merged_from=merged_from, period=PeriodOut(from_=period.first, to=period.last), kpis=values, churn_flags=flags
    )
