"""Write-back policy `handoff`: a support ticket with a sales signal becomes exactly one deal in the CRM, linked both ways.

Which tickets: live tickets of `ticket_systems` created in the last
`window_days` days that carry one of `signal_tags`, or hold every value of
`signal_fields` (canonical ticket fields). A ticket the hand-off ledger
already holds is never planned again, whatever became of it: one ticket, one
deal, even if it is tagged again or the target CRM changes later.

Where the deal goes: the ticket's organization → its golden company → that
company's live records in the `target` CRM (Salesforce Accounts or HubSpot
companies). With several, the deal goes on the one with an owner, then the
oldest, then the lowest id — the record sales has worked longest, the same
one on every run. Owner: that record's owner (`OwnerId`,
`hubspot_owner_id`), unless loophub knows the user is inactive (Salesforce
refuses inactive owners): then the CRM's default owner, said in the reason.
A closed ticket (Zendesk takes no note on it, so it could not be linked
back), a ticket without an organization, an organization not resolved yet,
or a company without a record in the target CRM is skipped — listed in the
plan with why, not an error — and planned again on a later run.

What is created: the deal (`deal_name`, the open stage of `stages`, close
date = the ticket's day + `close_in_days` but not before today, the account,
the owner, the ticket's id and agent URL in `link_fields`) under the
idempotency key `<system>-ticket-<id>`; a HubSpot deal is associated with its
company. Then the ticket gets the internal `note` with the deal's link, and
`ticket_tag`. `flows.writeback.handoff_apply` does both, exactly once.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from sqlalchemy.orm import Session

from flows.writeback.handoff_settings import HandoffPolicy
from flows.writeback.plan import TARGET_OBJECTS, Policy, PolicyPlan, TargetField
from flows.writeback.settings import PolicySettings
from mapping.vocabulary import TicketStatus
from store.handoffs import (
    UNFINISHED,
    CrmCompany,
    Handoff,
    HandoffEntry,
    OwnerFact,
    TicketSignalFact,
    crm_companies,
    handoffs,
    owners,
    recent_tickets,
    ticket_api_urls,
)
from store.writeback import company_members

HANDOFF = "handoff"
DEAL_OBJECTS = {"salesforce": "Opportunity", "hubspot": "deals"}
COMPANY_OBJECTS = {"zendesk": "organizations"}  # what a ticket's company_source_id points at, per ticket system
# CRM → (its name, what a deal is called there, what a company record is called there)
CRM_WORDS = {"salesforce": ("Salesforce", "opportunity", "Account"), "hubspot": ("HubSpot", "deal", "company")}
NAME_LIMIT = 120  # Salesforce's Opportunity.Name length; HubSpot gets the same names
LATEST = datetime.max.replace(tzinfo=UTC)
Action = Literal["create", "resume", "parked", "skip"]


@dataclass(frozen=True, slots=True)
class HandoffStep:
    """One signalled ticket in a plan: a deal to create, a hand-off to finish, or a skip — each with why."""

    action: Action
    ticket_system: str
    ticket_object: str
    ticket_id: str
    target_system: str
    reason: str
    golden_id: str | None = None
    account_id: str | None = None
    owner_id: str | None = None
    idempotency_key: str | None = None
    fields: dict[str, Any] = field(default_factory=dict)
    context: dict[str, Any] = field(default_factory=dict)
    deal_id: str | None = None

    @property
    def ticket(self) -> str:
        return f"{self.ticket_system}:{self.ticket_object}:{self.ticket_id}"

    @property
    def writes(self) -> bool:
        """Whether applying the plan would write something for this ticket."""
        return self.action in ("create", "resume")

    def as_json(self) -> dict[str, Any]:
        return {"ticket": self.ticket, **asdict(self)}

    def entry(self) -> HandoffEntry:
        assert self.action == "create" and self.golden_id and self.account_id and self.idempotency_key
        return HandoffEntry(
            self.ticket_system, self.ticket_object, self.ticket_id, self.golden_id, self.target_system, DEAL_OBJECTS[self.target_system],
            self.account_id, self.owner_id, self.idempotency_key, self.fields, self.context, self.reason,
        )  # fmt: skip


def plan(session: Session, settings: PolicySettings, now: datetime) -> PolicyPlan:
    """Hand-offs to finish (from the ledger) and signalled tickets to hand off now (reads only)."""
    policy = settings.handoff
    ledger = handoffs(session)
    steps = [_ledger_step(row) for row in ledger if row.status in (*UNFINISHED, "parked")]
    held = {(row.ticket_system, row.ticket_object, row.ticket_id) for row in ledger}
    signalled = []
    for ticket in recent_tickets(session, policy.ticket_systems, now - timedelta(days=policy.window_days)):
        signal = signal_of(ticket, policy)
        if signal and (ticket.system, ticket.object, ticket.source_id) not in held:
            signalled.append((ticket, signal))
    if not signalled:
        return PolicyPlan(handoffs=steps)
    placement = Placement.read(session, policy.target, [ticket for ticket, _ in signalled])
    new = [new_step(policy, ticket, signal, placement, now) for ticket, signal in signalled]
    chosen = [step for step in new if step.action == "create"]
    return PolicyPlan(handoffs=steps + new, companies=len({s.golden_id for s in chosen}), targets=len({s.account_id for s in chosen}))


@dataclass(frozen=True)
class Placement:
    """Where the store says deals for some tickets go: organization → golden company → CRM records, their owners."""

    golden_of: dict[tuple[str, str], str]  # (ticket system, organization id) → golden company
    accounts: dict[str, list[CrmCompany]]  # golden company → its records in the target CRM
    people: dict[str, OwnerFact]  # the target CRM's users by id
    api_urls: dict[tuple[str, str], str]  # (ticket system, ticket id) → the ticket's API address

    @classmethod
    def read(cls, session: Session, target: str, tickets: list[TicketSignalFact]) -> Placement:
        members = company_members(session)
        golden_of = {(m.system, m.source_id): m.golden_id for m in members if COMPANY_OBJECTS.get(m.system) == m.object}
        accounts: dict[str, list[CrmCompany]] = defaultdict(list)
        for record in crm_companies(session, target, TARGET_OBJECTS[target]):
            accounts[record.golden_id].append(record)
        urls: dict[tuple[str, str], str] = {}
        for system in {ticket.system for ticket in tickets}:
            found = ticket_api_urls(session, system, "tickets", [t.source_id for t in tickets if t.system == system])
            urls |= {(system, source_id): url for source_id, url in found.items()}
        return cls(golden_of, dict(accounts), owners(session, target), urls)


def target_fields(settings: PolicySettings) -> list[TargetField]:
    """The deal fields a hand-off writes besides the CRM's own: its idempotency key and the ticket link."""
    policy = settings.handoff
    system, deal = policy.target, DEAL_OBJECTS[policy.target]
    links = policy.link_fields.of(system)
    found = [TargetField(system, deal, idempotency_field(system), "text", "loophub key", HANDOFF, unique=True)]
    for name, label in ((links.ticket_id, "loophub ticket id"), (links.ticket_url, "loophub ticket URL")):
        if name:
            found.append(TargetField(system, deal, name, "text", label, HANDOFF))
    return found


POLICY = Policy(HANDOFF, lambda settings: settings.handoff.enabled, plan, target_fields)


def idempotency_field(system: str) -> str:
    """Where the CRM's writer keeps idempotency keys (the connectors' default names)."""
    from connectors.hubspot.spec import HubSpotConfig
    from connectors.salesforce.spec import SalesforceConfig

    model = SalesforceConfig if system == "salesforce" else HubSpotConfig
    name = "idempotency_field" if system == "salesforce" else "idempotency_property"
    return str(model.model_fields[name].default)


def signal_of(ticket: TicketSignalFact, policy: HandoffPolicy) -> str | None:
    """Why a ticket is a sales signal ("tagged upsell"), or None when it is not one."""
    tags = sorted({tag.lower() for tag in ticket.tags} & set(policy.signal_tags))
    if tags:
        return "tagged " + ", ".join(tags)
    wanted = policy.signal_fields
    if wanted and all(_holds(ticket.values.get(name), value) for name, value in wanted.items()):
        return ", ".join(f"{name} = {ticket.values.get(name)}" for name in wanted)
    return None


def choose_account(records: list[CrmCompany]) -> CrmCompany:
    """The record a deal goes on: owned first, then the oldest, then the lowest id."""
    return min(records, key=lambda record: (record.owner_id is None, record.created_at or LATEST, record.source_id))


def new_step(policy: HandoffPolicy, ticket: TicketSignalFact, signal: str, placement: Placement, now: datetime) -> HandoffStep:
    """The step for one signalled ticket the ledger does not hold yet: a deal to create, or why not."""
    target = policy.target
    crm, deal_word, account_word = CRM_WORDS[target]
    golden_id = placement.golden_of.get((ticket.system, ticket.company_source_id or ""))
    records = placement.accounts.get(golden_id or "", [])
    problem = _skip_reason(ticket, golden_id, records, CRM_WORDS[target])
    if problem:
        return HandoffStep("skip", ticket.system, ticket.object, ticket.source_id, target, f"{signal}, but {problem}", golden_id)
    account = choose_account(records)
    person = placement.people.get(account.owner_id or "")
    owner_id = None if person is not None and person.active is False else account.owner_id  # Salesforce refuses inactive owners
    company = account.name or account.source_id
    subject = ticket.subject or f"ticket {ticket.source_id}"
    name = policy.deal_name.format(company=company, subject=subject, ticket_id=ticket.source_id, signal=signal)[:NAME_LIMIT].strip()
    url = agent_url(placement.api_urls.get((ticket.system, ticket.source_id)), ticket.source_id)
    fields = _deal_fields(policy, ticket, account.source_id, owner_id, name, url, now)
    owner_name = (person.name if person and owner_id else None) or "the account owner"
    context = {"crm": crm, "deal_label": deal_word, "deal_name": name, "company": company, "owner": owner_name, "signal": signal}
    owned = f"owner {owner_id}" if owner_id else "the CRM's default owner (" + ("its owner is inactive)" if account.owner_id else "it has no owner)")
    choice = f"; the oldest owned of {len(records)} {account_word} records" if len(records) > 1 else ""
    reason = f"{signal} → new {crm} {deal_word} on {account_word} {account.source_id} ({company}), {owned}{choice}"
    key = f"{ticket.system}-ticket-{ticket.source_id}"
    return HandoffStep(
        "create", ticket.system, ticket.object, ticket.source_id, target, reason, golden_id, account.source_id, owner_id, key, fields, context
    )


def _skip_reason(ticket: TicketSignalFact, golden_id: str | None, records: list[CrmCompany], words: tuple[str, str, str]) -> str | None:
    crm, deal_word, account_word = words
    if ticket.values.get("status") == TicketStatus.CLOSED.value:
        return f"the ticket is closed: it takes no note, so the {deal_word} could not be linked back to it"
    if not ticket.company_source_id:
        return f"the ticket has no organization: no {account_word} to hand it to"
    if golden_id is None:
        return f"organization {ticket.company_source_id} is not resolved to a company yet"
    if not records:
        return f"company {golden_id} has no {crm} {account_word} to put the {deal_word} on"
    return None


def agent_url(api_url: str | None, ticket_id: str) -> str | None:
    """The agent's address of a Zendesk ticket, from the API address its payload carries (`…/api/v2/tickets/1.json`)."""
    if not api_url or "/api/v2/" not in api_url:
        return None
    return f"{api_url.split('/api/v2/', 1)[0]}/agent/tickets/{ticket_id}"


def _deal_fields(
    policy: HandoffPolicy, ticket: TicketSignalFact, account_id: str, owner_id: str | None, name: str, url: str | None, now: datetime
) -> dict[str, Any]:
    """The create's fields in the CRM's names; blanks are left out."""
    opened = (ticket.created_at or now).date()
    close = max(opened + timedelta(days=policy.close_in_days), now.date()).isoformat()
    links = policy.link_fields.of(policy.target)
    linked = {links.ticket_id: ticket.source_id, links.ticket_url: url}
    if policy.target == "salesforce":
        fields = {"Name": name, "StageName": policy.stages.salesforce, "CloseDate": close, "AccountId": account_id, "OwnerId": owner_id}
    else:
        fields = {"dealname": name, "pipeline": policy.stages.hubspot_pipeline, "dealstage": policy.stages.hubspot, "closedate": close,
                  "hubspot_owner_id": owner_id, "associations": {"companies": [account_id]}}  # fmt: skip
    fields |= {name: value for name, value in linked.items() if name}
    return {name: value for name, value in fields.items() if value is not None}


def _ledger_step(row: Handoff) -> HandoffStep:
    """A hand-off the ledger holds that is not finished: what is left of it."""
    failed = f" (attempt {row.attempts} failed: {row.last_error})" if row.attempts else ""
    action: Action = "parked" if row.status == "parked" else "resume"
    if row.status == "parked":
        why = f"parked after {row.attempts} attempts: {row.last_error} (`loophub writeback --retry-parked` tries again)"
    elif row.deal_id is None:
        why = "the deal is still to be created" + failed
    else:
        why = f"deal {row.deal_id} exists; the note on the ticket is still to be added" + failed
    return HandoffStep(action, row.ticket_system, row.ticket_object, row.ticket_id, row.target_system, why,
                       idempotency_key=row.idempotency_key, fields=row.fields, context=row.context, deal_id=row.deal_id)  # fmt: skip


def _holds(value: Any, wanted: str | list[str]) -> bool:
    options = [wanted] if isinstance(wanted, str) else wanted
    return value is not None and str(value).strip().lower() in {str(option).strip().lower() for option in options}
