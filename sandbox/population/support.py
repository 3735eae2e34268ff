"""What customers write to support about, shared by Zendesk tickets, Salesforce Cases and HubSpot tickets."""

from __future__ import annotations

import random
from dataclasses import dataclass

from sandbox.population.draw import chance, one_of
from sandbox.population.rates import SALES_SIGNAL_TICKET_RATE
from sandbox.population.vocabulary import SALES_SIGNAL_TOPICS, SUPPORT_TOPICS

SIGN_OFFS = ("Thanks,", "Best regards,", "Cheers,", "Kind regards,", "Thank you,")
ACCOUNT_AREA = "account"  # product area of sales conversations


@dataclass(frozen=True, slots=True)
class Issue:
    area: str  # product area: also the ticket's custom field value and first tag
    subject: str
    problem: str
    sales_signal: str | None  # "upsell" | "pricing": a support ticket sales should hear about

    @property
    def tags(self) -> list[str]:
        return [self.area, self.sales_signal] if self.sales_signal else [self.area]


def draw_issue(rng: random.Random) -> Issue:
    if chance(rng, SALES_SIGNAL_TICKET_RATE):
        signal = one_of(rng, tuple(SALES_SIGNAL_TOPICS))
        subjects, problems = SALES_SIGNAL_TOPICS[signal]
        return Issue(ACCOUNT_AREA, one_of(rng, subjects), one_of(rng, problems), signal)
    area = one_of(rng, tuple(SUPPORT_TOPICS))
    subjects, problems = SUPPORT_TOPICS[area]
    return Issue(area, one_of(rng, subjects), one_of(rng, problems), None)


def first_message(rng: random.Random, issue: Issue, signature: str) -> str:
    """The requester's opening message (a ticket's description)."""
    return f"Hi,\n\n{issue.problem}\n\n{one_of(rng, SIGN_OFFS)}\n{signature}"
