"""Write-back policy `suppression`: a sales hold on every CRM record of a company with an open urgent ticket.

While a customer waits on an urgent or high-priority ticket, nobody in
sales should pitch them an upsell; the flag tells them so where they work,
and it lifts itself once support is done.

Which tickets count: the same rule as `support_context` — a ticket of
`ticket_systems` (Zendesk by default) belongs to a golden company when its
company (a Zendesk organization, a Salesforce case's Account, a HubSpot
ticket's company) is a member of it. A ticket holds the company while it is
open (new, open, pending, on hold) with a priority in `priorities` (urgent,
high). Deleted tickets never count.

Targets: every live CRM company record of the golden company (Salesforce
Account, HubSpot company, per `targets`), and with `include_contacts` every
live CRM contact whose company record is one of them (a Contact's Account,
a HubSpot contact's associated company). The flag is true while a holding
ticket is open, false once none is; the reason names the tickets. A blank
field (never written: a fresh HubSpot property, or a checkbox Salesforce
created unset) counts as "not on hold", so a fresh install writes only the
holds, never thousands of `false`s.

Fields (`suppression_settings`): a Checkbox `Loophub_Sales_Hold__c` on
Account and Contact, a bool property `loophub_sales_hold` on companies and
contacts; mode overwrite (fill_if_blank would set a hold once and never
lift it).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from flows.writeback.plan import TARGET_OBJECTS, PlanRow, Policy, PolicyPlan, TargetField, current_value, needs_write, normalise, wire
from flows.writeback.settings import PolicySettings
from flows.writeback.suppression_settings import HoldField, SuppressionPolicy
from mapping.vocabulary import OPEN_TICKET_STATUSES
from store.crm_facts import CONTACT_OBJECTS, ContactFact, crm_contacts
from store.writeback import CompanyMember, PulledTarget, TicketFact, company_members, pulled_targets, support_facts

SUPPRESSION = "suppression"
OPEN = frozenset(status.value for status in OPEN_TICKET_STATUSES)
SHOWN_TICKETS = 5  # a reason names this many tickets, then counts the rest


@dataclass(frozen=True, slots=True)
class HoldTarget:
    """A CRM record that carries its golden company's hold: a company record, or a contact of one."""

    golden_id: str
    system: str
    object: str
    source_id: str
    kind: str  # "company" or "contact": which field setting applies


def holding_tickets(policy: SuppressionPolicy, members: Sequence[CompanyMember], tickets: Sequence[TicketFact]) -> dict[str, list[TicketFact]]:
    """Golden company → its open tickets of a holding priority, oldest first."""
    golden_of = {(member.system, member.source_id): member.golden_id for member in members}
    holds: dict[str, list[TicketFact]] = defaultdict(list)
    for ticket in tickets:
        golden_id = golden_of.get((ticket.system, ticket.company_source_id or ""))
        if golden_id is not None and ticket.status in OPEN and ticket.priority in policy.priorities:
            holds[golden_id].append(ticket)
    for held in holds.values():
        held.sort(key=lambda t: (t.created_at is None, t.created_at or datetime.min, t.source_id))
    return dict(holds)


def hold_targets(policy: SuppressionPolicy, members: Sequence[CompanyMember], contacts: Sequence[ContactFact]) -> list[HoldTarget]:
    """The CRM company records of every golden company, and (with `include_contacts`) the contacts of those records."""
    companies = [m for m in members if m.system in policy.targets and m.object == TARGET_OBJECTS.get(m.system)]
    found = [HoldTarget(m.golden_id, m.system, m.object, m.source_id, "company") for m in companies]
    if policy.include_contacts:
        golden_of = {(m.system, m.source_id): m.golden_id for m in companies}
        for contact in contacts:
            if (golden_id := golden_of.get((contact.system, contact.company_source_id or ""))) is not None:
                found.append(HoldTarget(golden_id, contact.system, contact.object, contact.source_id, "contact"))
    return found


def plan(session: Session, settings: PolicySettings, now: datetime) -> PolicyPlan:
    """Read what the policy needs and plan it (reads only)."""
    policy = settings.suppression
    members = company_members(session)
    tickets, _, _ = support_facts(session, policy.ticket_systems)
    contacts = crm_contacts(session, policy.targets) if policy.include_contacts else []
    targets = hold_targets(policy, members, contacts)
    pulled: dict[tuple[str, str, str], PulledTarget] = {}  # HubSpot numbers companies and contacts apart: ids repeat across objects
    for system, object_name in {(t.system, t.object) for t in targets}:
        ids = [t.source_id for t in targets if (t.system, t.object) == (system, object_name)]
        pulled.update({(system, object_name, source_id): found for source_id, found in pulled_targets(session, system, object_name, ids).items()})
    rows = plan_suppression(policy, targets, holding_tickets(policy, members, tickets), pulled)
    return PolicyPlan(rows, len({t.golden_id for t in targets}), len(pulled))


def target_fields(settings: PolicySettings) -> list[TargetField]:
    """The CRM fields the policy writes into, as configured."""
    policy = settings.suppression
    kinds = [("company", TARGET_OBJECTS, policy.fields.company)]
    if policy.include_contacts:
        kinds.append(("contact", CONTACT_OBJECTS, policy.fields.contact))
    found = []
    for kind, objects, setting in kinds:
        for system in policy.targets:
            if (name := setting.name_in(system)) and setting.mode != "never":
                found.append(TargetField(system, objects[system], name, "boolean", f"loophub sales hold ({kind})", SUPPRESSION))
    return found


POLICY = Policy(SUPPRESSION, lambda settings: settings.suppression.enabled, plan, target_fields)


def plan_suppression(
    policy: SuppressionPolicy, targets: Sequence[HoldTarget], holds: Mapping[str, Sequence[TicketFact]], pulled: Mapping[tuple[str, str, str], PulledTarget]
) -> list[PlanRow]:
    """A row for every target whose flag differs from its company's hold."""
    rows = []
    for target in sorted(targets, key=lambda t: (t.golden_id, t.system, t.object, t.source_id)):
        setting: HoldField = policy.fields.company if target.kind == "company" else policy.fields.contact
        name, found = setting.name_in(target.system), pulled.get((target.system, target.object, target.source_id))
        if not name or setting.mode == "never" or found is None:
            continue  # not written there, or never landed raw: nothing to compare with
        held = holds.get(target.golden_id, ())
        current = current_value(target.system, found, name)
        if hold_needs_write(setting.mode, current, bool(held)):
            new = wire(bool(held), "boolean", target.system)
            rows.append(
                PlanRow(
                    target.system, target.object, target.source_id, name, current, new, SUPPRESSION, hold_reason(policy, held), setting.mode, target.golden_id
                )
            )
    return rows


def hold_needs_write(mode: str, current: object, held: bool) -> bool:
    """Like `needs_write`, except that a blank field already says "not on hold"."""
    if not held and normalise(current, "boolean") is None:
        return False
    return needs_write(mode, current, held, "boolean")


def hold_reason(policy: SuppressionPolicy, held: Sequence[TicketFact]) -> str:
    """Which tickets hold the company, or that none does any more."""
    priorities = "/".join(policy.priorities)
    if not held:
        return f"no open {priorities} ticket in {', '.join(policy.ticket_systems)}: hold lifted"
    shown = ", ".join(f"{t.system} #{t.source_id} ({t.priority}, {t.status})" for t in held[:SHOWN_TICKETS])
    more = f" and {len(held) - SHOWN_TICKETS} more" if len(held) > SHOWN_TICKETS else ""
    return f"on hold: {len(held)} open {priorities} ticket{'s' if len(held) != 1 else ''}: {shown}{more}"
