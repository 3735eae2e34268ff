"""The shared dictionary: one word for each state that all three systems name differently.

Sales and support mean the same thing by "solved", "won" or "customer" only if
the words are fixed in one place. Mapping specs translate each vendor's
values into these (with `map_values`); everything downstream — identity,
write-back policies, KPIs — reads only these. The README's vocabulary table
is written from this module.
"""

from __future__ import annotations

from enum import StrEnum


class TicketStatus(StrEnum):
    """Where a ticket stands. `new`, `open`, `pending` and `on_hold` count as open; `solved` and `closed` do not."""

    NEW = "new"  # nobody has worked on it yet
    OPEN = "open"  # the support team owes the next step
    PENDING = "pending"  # waiting for the customer
    ON_HOLD = "on_hold"  # waiting for a third party
    SOLVED = "solved"  # answered; the customer may still reopen it
    CLOSED = "closed"  # final

    @property
    def is_open(self) -> bool:
        return self in OPEN_TICKET_STATUSES


OPEN_TICKET_STATUSES = frozenset({TicketStatus.NEW, TicketStatus.OPEN, TicketStatus.PENDING, TicketStatus.ON_HOLD})


class TicketPriority(StrEnum):
    """How urgent a ticket is; `high` and `urgent` drive sales holds and the support-health score."""

    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    URGENT = "urgent"


class DealStage(StrEnum):
    """Where a deal stands, whatever the pipeline calls its steps."""

    OPEN = "open"
    WON = "won"
    LOST = "lost"


class Lifecycle(StrEnum):
    """How far a person or company is in the buying journey (HubSpot's stages, which the others map onto)."""

    SUBSCRIBER = "subscriber"
    LEAD = "lead"
    MARKETING_QUALIFIED = "marketing_qualified"
    SALES_QUALIFIED = "sales_qualified"
    OPPORTUNITY = "opportunity"
    CUSTOMER = "customer"
    EVANGELIST = "evangelist"
    PARTNER = "partner"
    DISQUALIFIED = "disqualified"
    OTHER = "other"


class SatisfactionScore(StrEnum):
    """A CSAT answer. Only `good` and `bad` are answers; CSAT is good ÷ (good + bad)."""

    GOOD = "good"
    BAD = "bad"
    OFFERED = "offered"  # asked, not answered


VOCABULARIES: dict[str, type[StrEnum]] = {
    "ticket_status": TicketStatus,
    "ticket_priority": TicketPriority,
    "deal_stage": DealStage,
    "lifecycle": Lifecycle,
    "satisfaction_score": SatisfactionScore,
}
