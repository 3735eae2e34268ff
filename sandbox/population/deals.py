"""Real deals per company: what sales is working on or has closed."""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import UTC, datetime, time, timedelta

from sandbox.population.draw import chance, one_of, pick
from sandbox.population.model import Company, Deal, Staff
from sandbox.population.rates import CLOSED_STAGES, LEAD_SOURCES, OPEN_STAGES, OPPORTUNITY_COUNTS
from sandbox.population.timeline import Timeline
from sandbox.population.vocabulary import PRODUCTS

STAGES = {**OPEN_STAGES, **CLOSED_STAGES}
STAGE_WEIGHTS = {stage: weight for stage, (weight, _, _) in STAGES.items()}
DEAL_DESCRIPTIONS = (
    "Budget approved for this quarter.", "Competing with an in-house build.", "Needs security review.", None, None, None,
)
OWNER_IS_ACCOUNT_OWNER_RATE = 0.85
CONTACT_ON_DEAL_RATE = 0.7


def draw_deals(rng: random.Random, timeline: Timeline, companies: Sequence[Company], sales: Sequence[Staff]) -> None:
    """Fill `company.deals`: customers have won at least once, prospects never have."""
    for company in companies:
        won_before = False
        for index in range(pick(rng, OPPORTUNITY_COUNTS[company.status])):
            stage = "Closed Won" if company.status == "customer" and index == 0 else pick(rng, STAGE_WEIGHTS)
            if company.status == "prospect" and stage == "Closed Won":
                stage = "Closed Lost"
            company.deals.append(_draw_deal(rng, timeline, company, sales, stage, won_before))
            won_before = won_before or stage == "Closed Won"


def _draw_deal(
    rng: random.Random, timeline: Timeline, company: Company, sales: Sequence[Staff], stage: str, existing: bool
) -> Deal:
    _, probability, hubspot_stage = STAGES[stage]
    closed = stage in CLOSED_STAGES
    earliest_close = max(company.created.date() + timedelta(days=15), timeline.today - timedelta(days=365))
    if closed:
        close_date = earliest_close + timedelta(days=rng.randint(0, max((timeline.today - earliest_close).days - 1, 0)))
        close_moment = datetime.combine(close_date, time(12), tzinfo=UTC)
        opened = max(company.created, close_moment - timedelta(days=200))
        created = timeline.between(rng, opened, close_moment - timedelta(days=14))
        modified = min(timeline.between(rng, close_moment, close_moment + timedelta(days=2)), timeline.latest)
        modified = max(modified, created)
    else:
        close_date = timeline.today + timedelta(days=rng.randint(-20, 365))
        created = timeline.since(rng, company.created)
        modified = timeline.modified(rng, created)
    product = one_of(rng, PRODUCTS)
    return Deal(
        company=company,
        name=f"{company.brand} - {product}{' renewal' if existing and chance(rng, 0.5) else ''}",
        stage=stage,
        probability=probability,
        hubspot_stage=hubspot_stage,
        amount=int(rng.uniform(4, 40) * company.employees**0.5) * 100,
        close_date=close_date,
        is_new_business=not existing,
        lead_source=pick(rng, LEAD_SOURCES) if chance(rng, 0.8) else None,
        owner=company.owner if chance(rng, OWNER_IS_ACCOUNT_OWNER_RATE) else one_of(rng, sales),
        created=created,
        modified=modified,
        contact=one_of(rng, company.people) if company.people and chance(rng, CONTACT_ON_DEAL_RATE) else None,
        description=one_of(rng, DEAL_DESCRIPTIONS),
    )
