"""The synthetic customer base the sandbox serves: `generate_world(people, seed)`.

A seeded world of B2B companies and their people as Salesforce, HubSpot and
Zendesk each record them — with the overlaps, duplicates and dirt real CRMs
have — plus the ground truth (`world.truth`) the identity layer is scored
against. Same seed and `now`, same world, byte for byte.

How it is built: the true cast first (model.py: staff, companies, people,
deals; companies.py, people.py, presence.py, deals.py), then one renderer
per vendor turns it into records through noisy views (views.py) at the rates
in rates.py. Ground truth rows name people `person-…`, companies
`company-…`; our own staff (Salesforce Users, HubSpot owners, Zendesk
agents) are `owner-…` (sales) and `agent-…` (support) with no company.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime

from sandbox.population.companies import draw_companies
from sandbox.population.context import Build
from sandbox.population.deals import draw_deals
from sandbox.population.hubspot import render_hubspot
from sandbox.population.model import Cast
from sandbox.population.people import draw_people, draw_staff
from sandbox.population.pools import build_pools
from sandbox.population.presence import assign_role_mailboxes, plan_presence
from sandbox.population.rates import COMPANIES_PER_PERSON, MIN_STAFF, STAFF_PER_PERSON
from sandbox.population.salesforce import render_salesforce
from sandbox.population.summary import population_summary
from sandbox.population.timeline import Timeline
from sandbox.population.zendesk import render_zendesk
from sandbox.world import World

__all__ = ["generate_world", "population_summary"]


def generate_world(people: int, seed: int = 42, *, now: datetime | None = None) -> World:
    """A world of about `people` customers' people and `people / 5` companies.

    Deterministic for (`people`, `seed`, `now`); `now` defaults to the current
    time, and every seeded timestamp lies at least five minutes before it.
    """
    if people < 1:
        raise ValueError("people must be at least 1")
    rng = random.Random(seed)
    timeline = Timeline.ending(now or datetime.now(UTC))
    pools = build_pools(seed)
    phones: set[str] = set()
    emails: set[str] = set()
    staff_count = max(MIN_STAFF, round(people * STAFF_PER_PERSON))
    sales = draw_staff(rng, pools, timeline, "sales", staff_count, emails)
    support = draw_staff(rng, pools, timeline, "support", staff_count, emails)
    companies = draw_companies(rng, pools, timeline, max(1, round(people * COMPANIES_PER_PERSON)), sales, phones)
    cast = Cast(sales, support, companies, draw_people(rng, pools, timeline, people, companies, phones, emails))
    plan_presence(rng, companies)
    assign_role_mailboxes(rng, companies, emails)
    draw_deals(rng, timeline, companies, sales)
    build = Build(rng, World(seed=seed), timeline, cast)
    render_salesforce(build)
    render_hubspot(build)
    render_zendesk(build)
    return build.world
