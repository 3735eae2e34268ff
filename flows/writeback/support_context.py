"""Write-back policies. The first: `support_context` — each company's support picture, pushed into its CRM records.

Which tickets count: a ticket belongs to a golden company when its
`company_source_id` points at a company record of the same system that is a
member of that golden company (a Zendesk ticket's organisation, a Salesforce
case's account, a HubSpot ticket's company). Only tickets of
`ticket_systems` count (Zendesk by default: that is where support works).
Deleted tickets never count. A golden company with no member record in any
ticket system is skipped: loophub knows nothing of its support, which is not
the same as "healthy".

The measures, per golden company:

- `open_tickets`: tickets whose status is new, open, pending or on_hold;
- `urgent_tickets`: those of them with priority urgent or high;
- `last_ticket_at`: when the latest ticket was created;
- `csat_90d`: 100 × good ÷ (good + bad) over the satisfaction ratings of its
  tickets given in the last `csat_window_days` days (one decimal; blank
  without a rating);
- `first_response_hours`, `resolution_hours`: the medians, over all its
  tickets with a value, of the calendar minutes to the first public reply and
  to the full resolution (`ticket_metrics`), in hours with one decimal;
- `support_health`, 0–100 (whole number)::

      100 − min(45, 15 × open urgent/high tickets)
          − min(15, 3 × other open tickets)
          − min(30, (90 − CSAT) ÷ 2)            when CSAT is known and below 90
          − 0 / 5 / 10 / 15                      for a median first response of
                                                 ≤ 4 h / ≤ 8 h / ≤ 24 h / longer
      rounded, and kept within 0–100.

Targets: every live Salesforce Account and HubSpot company record of the
golden company (`targets`). The fields must exist in the CRM — Salesforce:
Number(18,0) for the counts and health, Number(5,1)/Number(10,1) for CSAT and
hours, Date/Time for the last ticket; HubSpot: number and datetime
properties — a missing field is refused by the vendor, retried, then parked.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from flows.writeback.plan import (
    TARGET_OBJECTS,
    Kind,
    PlanRow,
    Policy,
    PolicyPlan,
    TargetField,
    current_value,
    needs_write,
    wire,
)
from flows.writeback.settings import PolicySettings, SupportContextPolicy
from mapping.vocabulary import OPEN_TICKET_STATUSES, SatisfactionScore, TicketPriority
from store.writeback import (
    CompanyMember,
    MetricFact,
    PulledTarget,
    RatingFact,
    TicketFact,
    company_members,
    pulled_targets,
    support_facts,
)

SUPPORT_CONTEXT = "support_context"
URGENT = frozenset({TicketPriority.URGENT.value, TicketPriority.HIGH.value})
OPEN = frozenset(status.value for status in OPEN_TICKET_STATUSES)
KINDS: dict[str, Kind] = {
    "open_tickets": "count", "urgent_tickets": "count", "last_ticket_at": "datetime", "csat_90d": "number",
    "first_response_hours": "number", "resolution_hours": "number", "support_health": "count",
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class SupportPicture:
    """One golden company's support measures, with the counts behind them (for the reasons)."""

    open_tickets: int
    urgent_tickets: int
    last_ticket_at: datetime | None
    csat_90d: float | None
    first_response_hours: float | None
    resolution_hours: float | None
    support_health: int
    tickets: int
    good: int
    bad: int
    replied: int
    resolved: int


def support_health(open_tickets: int, urgent_tickets: int, csat: float | None, first_response_hours: float | None) -> int:
    """The 0–100 score of the module docstring."""
    score = 100.0 - min(45, 15 * urgent_tickets) - min(15, 3 * (open_tickets - urgent_tickets))
    if csat is not None and csat < 90:
        score -= min(30.0, (90 - csat) / 2)
    score -= _response_penalty(first_response_hours)
    return int(max(0, min(100, round(score))))


def _response_penalty(hours: float | None) -> int:
    if hours is None:
        return 0
    return 0 if hours <= 4 else 5 if hours <= 8 else 10 if hours <= 24 else 15


def support_picture(
    tickets: Sequence[TicketFact], ratings: Sequence[RatingFact], metrics: Sequence[MetricFact], now: datetime, window_days: int
) -> SupportPicture:
    """The measures of one company from its tickets and their ratings and metrics."""
    open_tickets = [t for t in tickets if t.status in OPEN]
    urgent = sum(1 for t in open_tickets if t.priority in URGENT)
    created = [t.created_at for t in tickets if t.created_at is not None]
    since = now - timedelta(days=window_days)
    recent = [r for r in ratings if r.created_at is not None and since <= r.created_at <= now]
    good = sum(1 for r in recent if r.score == SatisfactionScore.GOOD.value)
    bad = sum(1 for r in recent if r.score == SatisfactionScore.BAD.value)
    csat = round(100 * good / (good + bad), 1) if good + bad else None
    replies = [m.first_reply_minutes for m in metrics if m.first_reply_minutes is not None]
    resolutions = [m.full_resolution_minutes for m in metrics if m.full_resolution_minutes is not None]
    first_response = round(statistics.median(replies) / 60, 1) if replies else None
    resolution = round(statistics.median(resolutions) / 60, 1) if resolutions else None
    return SupportPicture(
        len(open_tickets), urgent, max(created) if created else None, csat, first_response, resolution,
        support_health(len(open_tickets), urgent, csat, first_response), len(tickets), good, bad, len(replies), len(resolutions),
    )  # fmt: skip


def plan(session: Session, settings: PolicySettings, now: datetime) -> PolicyPlan:
    """Read what the policy needs and plan it (reads only)."""
    policy = settings.support_context
    members = company_members(session)
    facts = support_facts(session, policy.ticket_systems)
    targets: dict[tuple[str, str], PulledTarget] = {}
    for system in policy.targets:
        object_name = TARGET_OBJECTS[system]
        ids = [m.source_id for m in members if m.system == system and m.object == object_name]
        targets.update({(system, source_id): target for source_id, target in pulled_targets(session, system, object_name, ids).items()})
    rows, companies = plan_support_context(policy, members, facts, targets, now)
    return PolicyPlan(rows, companies, len(targets))


def target_fields(settings: PolicySettings) -> list[TargetField]:
    """The CRM fields the policy writes into, as configured."""
    policy = settings.support_context
    found = []
    for measure, setting in policy.fields.items():
        if setting.mode == "never":
            continue
        for system in policy.targets:
            if name := setting.name_in(system):
                found.append(TargetField(system, TARGET_OBJECTS[system], name, KINDS[measure], f"loophub {measure.replace('_', ' ')}", SUPPORT_CONTEXT))
    return found


POLICY = Policy(SUPPORT_CONTEXT, lambda settings: settings.support_context.enabled, plan, target_fields)


def plan_support_context(
    policy: SupportContextPolicy,
    members: Sequence[CompanyMember],
    facts: tuple[Sequence[TicketFact], Sequence[RatingFact], Sequence[MetricFact]],
    targets: Mapping[tuple[str, str], PulledTarget],
    now: datetime,
) -> tuple[list[PlanRow], int]:
    """Plan rows for every target field whose value differs from the company's support picture; and how many companies."""
    tickets, ratings, metrics = facts
    by_golden: dict[str, list[CompanyMember]] = defaultdict(list)
    owner: dict[tuple[str, str], str] = {}
    for member in members:
        by_golden[member.golden_id].append(member)
        owner[(member.system, member.source_id)] = member.golden_id
    company_tickets: dict[str, list[TicketFact]] = defaultdict(list)
    ticket_owner: dict[tuple[str, str], str] = {}
    for ticket in tickets:
        golden_id = owner.get((ticket.system, ticket.company_source_id or ""))
        if golden_id is not None:
            company_tickets[golden_id].append(ticket)
            ticket_owner[(ticket.system, ticket.source_id)] = golden_id
    company_ratings: dict[str, list[RatingFact]] = defaultdict(list)
    for rating in ratings:
        if (golden_id := ticket_owner.get((rating.system, rating.ticket_source_id))) is not None:
            company_ratings[golden_id].append(rating)
    company_metrics: dict[str, list[MetricFact]] = defaultdict(list)
    for metric in metrics:
        if (golden_id := ticket_owner.get((metric.system, metric.ticket_source_id))) is not None:
            company_metrics[golden_id].append(metric)

    rows: list[PlanRow] = []
    companies = 0
    for golden_id, group in sorted(by_golden.items()):
        if not any(member.system in policy.ticket_systems for member in group):
            continue  # no support footprint known: nothing to say
        crm = [m for m in group if m.system in policy.targets and m.object == TARGET_OBJECTS.get(m.system)]
        if not crm:
            continue
        companies += 1
        picture = support_picture(company_tickets[golden_id], company_ratings[golden_id], company_metrics[golden_id], now, policy.csat_window_days)
        reasons = _reasons(picture, policy.csat_window_days)
        for member in crm:
            target = targets.get((member.system, member.source_id))
            if target is None:
                continue  # mapped but never landed raw: nothing to compare with
            for measure, setting in policy.fields.items():
                name = setting.name_in(member.system)
                if not name or setting.mode == "never":
                    continue
                kind = KINDS[measure]
                current, new = current_value(member.system, target, name), wire(getattr(picture, measure), kind, member.system)
                if needs_write(setting.mode, current, new, kind):
                    rows.append(PlanRow(member.system, member.object, member.source_id, name, current, new, SUPPORT_CONTEXT, reasons[measure], setting.mode, golden_id))
    return rows, companies


def _reasons(picture: SupportPicture, window_days: int) -> dict[str, str]:
    """Why each value is what it is, in words an admin can check against the tickets."""
    p = picture
    other_open = p.open_tickets - p.urgent_tickets
    csat_penalty = min(30.0, (90 - p.csat_90d) / 2) if p.csat_90d is not None and p.csat_90d < 90 else 0.0
    return {
        "open_tickets": f"{p.open_tickets} of {p.tickets} tickets are new, open, pending or on hold",
        "urgent_tickets": f"{p.urgent_tickets} of {p.open_tickets} open tickets are urgent or high",
        "last_ticket_at": f"latest of {p.tickets} tickets" if p.tickets else "no tickets",
        "csat_90d": f"{p.good} good of {p.good + p.bad} rated in {window_days} days" if p.good + p.bad else f"no rating in {window_days} days",
        "first_response_hours": f"median of {p.replied} tickets with a first reply" if p.replied else "no ticket with a first reply",
        "resolution_hours": f"median of {p.resolved} resolved tickets" if p.resolved else "no resolved ticket",
        "support_health": (
            f"100 − {min(45, 15 * p.urgent_tickets)} urgent/high − {min(15, 3 * other_open)} other open"
            f" − {csat_penalty:g} CSAT − {_response_penalty(p.first_response_hours)} first response"
        ),
    }
