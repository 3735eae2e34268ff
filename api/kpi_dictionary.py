"""The KPI dictionary: what each support and hand-off KPI means, in one typed table.

Sales, support and developers argue about a number only when they read it
differently, so every KPI is written down once, here: its name, unit,
definition in words, formula, the data it comes from, which way is good and
what the period selects. The API answers `GET /v1/kpis/definitions` from this
table and sends the definition beside every value; the README's KPI table is
written from it (`markdown_table`, checked by the tests), so the three never
drift apart. The thresholds of the churn-risk flags live here too, and the
computation (api/kpis.py) reads them from here.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

LOW_CSAT_BELOW = 70.0  # percent
LOW_CSAT_MIN_RATINGS = 3  # fewer answers say too little to raise a flag
STALE_URGENT_DAYS = 3
RENEWAL_WINDOW_DAYS = 90
DEFAULT_PERIOD_DAYS = 90


class Direction(StrEnum):
    """Which way a KPI moves when things get better."""

    HIGHER_IS_BETTER = "higher_is_better"
    LOWER_IS_BETTER = "lower_is_better"


class KpiDefinition(BaseModel):
    """One KPI as the dictionary defines it."""

    model_config = ConfigDict(frozen=True)

    name: str = Field(description="stable key, as the API and the README name it")
    label: str
    unit: str = Field(description="tickets, percent, hours, amount (in the deals' own currency) or companies")
    definition: str = Field(description="what the number means, in words")
    formula: str
    source: str = Field(description="the canonical data it is computed from")
    period: str = Field(description="what the `from`/`to` period selects")
    direction: Direction


class ChurnFlagDefinition(BaseModel):
    """One churn-risk flag: a rule a golden company either meets or not."""

    model_config = ConfigDict(frozen=True)

    name: str
    label: str
    definition: str
    rule: str


SOLVED = "a ticket is solved in the period when its status is solved or closed and its solve time (ticket metrics, else the ticket's own) falls in it"

KPIS: tuple[KpiDefinition, ...] = (
    KpiDefinition(
        name="ticket_volume", label="Ticket volume", unit="tickets",
        definition="How many support tickets were opened: every live ticket, case or HubSpot ticket of any system.",
        formula="count(tickets created in the period)", source="tickets (Zendesk tickets, Salesforce Cases, HubSpot tickets)",
        period="ticket creation time", direction=Direction.LOWER_IS_BETTER,
    ),
    KpiDefinition(
        name="first_contact_resolution", label="First-contact resolution", unit="percent",
        definition=(
            "Share of solved tickets that were solved with exactly one public agent reply and never reopened. "
            f"Only tickets with metrics (their reply count) take part; {SOLVED}."
        ),
        formula="100 × count(solved, replies = 1, reopens = 0) ÷ count(solved with a reply count)",
        source="tickets, ticket metrics (replies, reopens)", period="solve time", direction=Direction.HIGHER_IS_BETTER,
    ),
    KpiDefinition(
        name="first_response_hours", label="First response time (median)", unit="hours",
        definition="Median calendar time from a ticket's creation to its first public agent reply, over tickets that had one.",
        formula="median(first_reply_minutes) ÷ 60", source="tickets, ticket metrics (first_reply_minutes)",
        period="ticket creation time", direction=Direction.LOWER_IS_BETTER,
    ),
    KpiDefinition(
        name="resolution_hours", label="Resolution time (median)", unit="hours",
        definition=f"Median calendar time from a ticket's creation to its final resolution, over tickets solved in the period; {SOLVED}.",
        formula="median(full_resolution_minutes) ÷ 60", source="tickets, ticket metrics (full_resolution_minutes, solved_at)",
        period="solve time", direction=Direction.LOWER_IS_BETTER,
    ),
    KpiDefinition(
        name="csat", label="Customer satisfaction (CSAT)", unit="percent",
        definition="Share of answered satisfaction ratings that were good; ratings offered but not answered do not count.",
        formula="100 × good ÷ (good + bad)", source="satisfaction ratings of live tickets", period="when the rating was given",
        direction=Direction.HIGHER_IS_BETTER,
    ),
    KpiDefinition(
        name="support_sourced_pipeline", label="Support-sourced pipeline", unit="amount",
        definition="Open CRM deals that loophub created from support tickets (hand-offs): the sum of their amounts.",
        formula="sum(amount of hand-off deals whose stage is open)", source="hand-off ledger joined with canonical deals",
        period="when the hand-off deal was created", direction=Direction.HIGHER_IS_BETTER,
    ),
    KpiDefinition(
        name="support_sourced_won_revenue", label="Support-sourced won revenue", unit="amount",
        definition="Hand-off deals (created by loophub from support tickets) that were won: the sum of their amounts.",
        formula="sum(amount of hand-off deals whose stage is won)", source="hand-off ledger joined with canonical deals",
        period="the deal's close date", direction=Direction.HIGHER_IS_BETTER,
    ),
    KpiDefinition(
        name="companies_at_churn_risk", label="Companies at churn risk", unit="companies",
        definition="Golden companies raising at least one churn-risk flag (see the flags); for one company, 1 or 0.",
        formula="count(golden companies with ≥ 1 flag)", source="golden companies, their tickets, ratings and renewal dates",
        period="ratings for the CSAT flag; the other flags look at open tickets and renewals as they stand now",
        direction=Direction.LOWER_IS_BETTER,
    ),
)  # fmt: skip

CHURN_FLAGS: tuple[ChurnFlagDefinition, ...] = (
    ChurnFlagDefinition(
        name="low_csat", label="Low CSAT",
        definition=f"The company's customers are unhappy: CSAT in the period below {LOW_CSAT_BELOW:g}% over at least {LOW_CSAT_MIN_RATINGS} answered ratings.",
        rule=f"good + bad ≥ {LOW_CSAT_MIN_RATINGS} and 100 × good ÷ (good + bad) < {LOW_CSAT_BELOW:g}",
    ),
    ChurnFlagDefinition(
        name="stale_urgent_ticket", label="Stale urgent ticket",
        definition=f"An urgent problem waits: at least one open ticket of priority urgent created more than {STALE_URGENT_DAYS} days ago.",
        rule=f"status in (new, open, pending, on_hold), priority = urgent, created_at < now − {STALE_URGENT_DAYS} days",
    ),
    ChurnFlagDefinition(
        name="renewal_at_risk", label="Renewal at risk",
        definition=f"A renewal is near while support is struggling: a renewal date in the next {RENEWAL_WINDOW_DAYS} days and at least one open urgent or high ticket.",
        rule=f"today ≤ renewal_date ≤ today + {RENEWAL_WINDOW_DAYS} days, and ≥ 1 open ticket of priority urgent or high",
    ),
)  # fmt: skip

KPI_BY_NAME = {kpi.name: kpi for kpi in KPIS}


def markdown_table() -> str:
    """The README's KPI and churn-flag tables, written from the dictionary."""
    lines = ["| KPI | unit | definition | formula | period selects | good when |", "|---|---|---|---|---|---|"]
    for kpi in KPIS:
        good = "higher" if kpi.direction is Direction.HIGHER_IS_BETTER else "lower"
        lines.append(f"| `{kpi.name}` | {kpi.unit} | {kpi.definition} | {kpi.formula} | {kpi.period} | {good} |")
    lines += ["", "| churn-risk flag | definition | rule |", "|---|---|---|"]
    lines += [f"| `{flag.name}` | {flag.definition} | {flag.rule} |" for flag in CHURN_FLAGS]
    return "\n".join(lines)
