"""Write-back policy `crm_context`: each company's sales picture, pushed into its Zendesk organizations.

Support agents see who owns the account, what kind of customer it is, what
it is worth and what sales is working on, without leaving the ticket.

Which records count: a golden company's CRM company records (Salesforce
Accounts, HubSpot companies) of the CRMs in `source_order`, and the deals
whose company points at one of them (an Opportunity's AccountId, a HubSpot
deal's associated company). Deleted records never count. A golden company
without such a record, or without a Zendesk organization, is skipped:
loophub knows nothing of its sales, or has nowhere to write.

The measures, per golden company:

- `owner_name`, `owner_email`: the owner of its CRM company record (Account
  OwnerId → User, HubSpot `hubspot_owner_id` → owner), read from the first
  CRM in `source_order` that has an owned record (within a CRM, the most
  recently changed record first);
- `lifecycle`: the golden company's surviving canonical lifecycle
  (customer, opportunity, partner, …): identity's survivorship decides;
- `company_type`: the CRM's own type (Account Type, HubSpot company type),
  by `source_order` like the owner;
- `revenue`: with `revenue: arr_or_won` (default) the golden company's ARR
  where known (Salesforce `ARR__c`), else the won revenue: the amounts of
  its won deals closed in the last `won_window_days` days (today − N days <
  close date ≤ today); with `revenue: won`, always the won revenue. The
  reason says which one was used;
- `open_pipeline`, `open_deals`: the sum of the amounts of its open deals
  (any close date), and how many there are;
- `largest_open_stage`: the stage of its largest open deal by amount (ties:
  the earlier close date), as the CRM labels it (HubSpot stage ids through
  `stage_labels`);
- `renewal_date`: the golden company's surviving renewal date.

A deal held in both CRMs counts once. Identity resolves people and
companies, not deals, so the rule is this policy's own: within one golden
company, a Salesforce and a HubSpot deal with the same name (case and
spacing aside) and the same close date are one deal. The record of the CRM
first in `source_order` speaks for it (stage, won/open); its amount, or the
other's when it has none. Amounts are summed as the CRMs hold them, without
currency conversion.

Targets: every live Zendesk organization of the golden company, custom
fields `organization_fields.<key>` (text, decimal, integer, date fields;
see `crm_context_settings`). A field missing in Zendesk is dropped by
Zendesk silently, so `loophub targets check` should pass before the first run.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from flows.writeback.crm_context_settings import CRM_CONTEXT_FIELDS, CrmContextPolicy, ZendeskFieldType
from flows.writeback.crm_deals import Measured, count_once, deal_figures
from flows.writeback.plan import TARGET_OBJECTS, Kind, PlanRow, Policy, PolicyPlan, TargetField, current_value, needs_write, wire
from flows.writeback.settings import PolicySettings
from store.crm_facts import CrmCompanyFact, DealFact, OwnerFact, crm_companies, deal_facts, golden_company_fields, owner_facts
from store.writeback import CompanyMember, PulledTarget, company_members, pulled_targets

CRM_CONTEXT = "crm_context"
ZENDESK, ORGANIZATIONS = "zendesk", "organizations"
KINDS: dict[ZendeskFieldType, Kind] = {"text": "text", "decimal": "number", "integer": "count", "date": "date"}


@dataclass(frozen=True, slots=True)
class SalesFacts:
    """What the policy reads from the store, as plain data."""

    companies: Sequence[CrmCompanyFact]
    deals: Sequence[DealFact]
    owners: Mapping[tuple[str, str], OwnerFact]
    golden_fields: Mapping[str, Mapping[str, Any]]


def plan(session: Session, settings: PolicySettings, now: datetime) -> PolicyPlan:
    """Read what the policy needs and plan it (reads only)."""
    policy = settings.crm_context
    members = company_members(session)
    systems = list(policy.source_order)
    facts = SalesFacts(crm_companies(session, systems), deal_facts(session, systems), owner_facts(session, systems), golden_company_fields(session))
    organizations = [m.source_id for m in members if (m.system, m.object) == (ZENDESK, ORGANIZATIONS)]
    targets = pulled_targets(session, ZENDESK, ORGANIZATIONS, organizations)
    rows, companies = plan_crm_context(policy, members, facts, targets, now.date())
    return PolicyPlan(rows, companies, len(targets))


def target_fields(settings: PolicySettings) -> list[TargetField]:
    """The Zendesk organization fields the policy writes into, as configured."""
    found = []
    for measure, setting in settings.crm_context.fields.items():
        if setting.field_name and setting.mode != "never":
            kind = KINDS[CRM_CONTEXT_FIELDS[measure][1]]
            found.append(TargetField(ZENDESK, ORGANIZATIONS, setting.field_name, kind, f"loophub {measure.replace('_', ' ')}", CRM_CONTEXT))
    return found


POLICY = Policy(CRM_CONTEXT, lambda settings: settings.crm_context.enabled, plan, target_fields)


def plan_crm_context(
    policy: CrmContextPolicy, members: Sequence[CompanyMember], facts: SalesFacts, targets: Mapping[str, PulledTarget], today: date
) -> tuple[list[PlanRow], int]:
    """Plan rows for every organization field whose value differs from the company's sales picture; and how many companies."""
    golden_of = {(m.system, m.source_id): m.golden_id for m in members if TARGET_OBJECTS.get(m.system) == m.object}
    records: dict[str, list[CrmCompanyFact]] = defaultdict(list)
    for record in facts.companies:
        if (golden_id := golden_of.get((record.system, record.source_id))) is not None and record.object == TARGET_OBJECTS[record.system]:
            records[golden_id].append(record)
    deals: dict[str, list[DealFact]] = defaultdict(list)
    for deal in facts.deals:
        if (golden_id := golden_of.get((deal.system, deal.company_source_id or ""))) is not None:
            deals[golden_id].append(deal)
    organizations: dict[str, list[str]] = defaultdict(list)
    for member in members:
        if (member.system, member.object) == (ZENDESK, ORGANIZATIONS):
            organizations[member.golden_id].append(member.source_id)
    rows: list[PlanRow] = []
    companies = sorted(set(records) & set(organizations))  # a sales picture to show, and somewhere to show it
    for golden_id in companies:
        picture = sales_picture(policy, records[golden_id], deals[golden_id], facts.owners, facts.golden_fields.get(golden_id, {}), today)
        for organization_id in organizations[golden_id]:
            if (target := targets.get(organization_id)) is not None:  # mapped but never landed raw: nothing to compare with
                rows.extend(_rows(policy, golden_id, organization_id, target, picture))
    return rows, len(companies)


def _rows(policy: CrmContextPolicy, golden_id: str, organization_id: str, target: PulledTarget, picture: Mapping[str, Measured]) -> list[PlanRow]:
    rows = []
    for measure, setting in policy.fields.items():
        name = setting.field_name
        if not name or setting.mode == "never":
            continue
        kind = KINDS[CRM_CONTEXT_FIELDS[measure][1]]
        current, new = current_value(ZENDESK, target, name), wire(picture[measure].value, kind, ZENDESK)
        if needs_write(setting.mode, current, new, kind):
            rows.append(PlanRow(ZENDESK, ORGANIZATIONS, organization_id, name, current, new, CRM_CONTEXT, picture[measure].reason, setting.mode, golden_id))
    return rows


def sales_picture(
    policy: CrmContextPolicy,
    records: Sequence[CrmCompanyFact],
    deals: Sequence[DealFact],
    owners: Mapping[tuple[str, str], OwnerFact],
    golden_fields: Mapping[str, Any],
    today: date,
) -> dict[str, Measured]:
    """Every measure of one golden company, each with its reason (the rules of the module docstring)."""
    counted = count_once(deals, policy.source_order)
    owner, owned = owner_of(records, owners, policy.source_order)
    typed = next((r for r in by_preference(records, policy.source_order) if r.company_type), None)
    owned_by = f"owner of {_ref(owned)}" if owned else "no owner on the company's CRM records"
    picture = {
        "owner_name": Measured(owner.name if owner else None, owned_by),
        "owner_email": Measured(owner.email if owner else None, owned_by),
        "lifecycle": _golden(golden_fields, "lifecycle"),
        "company_type": Measured(typed.company_type, f"type of {_ref(typed)}") if typed else Measured(None, "no type on the company's CRM records"),
        "renewal_date": _golden(golden_fields, "renewal_date"),
    }
    picture |= deal_figures(counted, today, policy.won_window_days, policy.stage_labels)
    arr = golden_fields.get("arr") or {}
    if policy.revenue == "arr_or_won" and arr.get("value") is not None:
        picture["revenue"] = Measured(float(arr["value"]), f"ARR, {_lineage(arr)}")
    return picture


def owner_of(
    records: Sequence[CrmCompanyFact], owners: Mapping[tuple[str, str], OwnerFact], order: Sequence[str]
) -> tuple[OwnerFact | None, CrmCompanyFact | None]:
    """The owner of the preferred CRM record that names a known owner, and that record."""
    for record in by_preference(records, order):
        owner = owners.get((record.system, record.owner_source_id or ""))
        if owner is not None:
            return owner, record
    return None, None


def by_preference(records: Sequence[CrmCompanyFact], order: Sequence[str]) -> list[CrmCompanyFact]:
    """CRM records in `order` of their systems; within a system the most recently changed first."""
    rank = {system: index for index, system in enumerate(order)}
    listed = [record for record in records if record.system in rank]
    listed.sort(key=lambda r: r.source_id)
    listed.sort(key=lambda r: -r.updated_at.timestamp() if r.updated_at else 0.0)
    return sorted(listed, key=lambda r: rank[r.system])


def _golden(fields: Mapping[str, Any], name: str) -> Measured:
    survived = fields.get(name) or {}
    if survived.get("value") is None:
        return Measured(None, f"no {name.replace('_', ' ')} known for the company")
    return Measured(survived["value"], f"golden {name.replace('_', ' ')}, {_lineage(survived)}")


def _lineage(survived: Mapping[str, Any]) -> str:
    source = survived.get("source") or {}
    return f"from {source.get('system')}:{source.get('object')}:{source.get('id')} ({survived.get('rule')})"


def _ref(record: CrmCompanyFact | None) -> str:
    return f"{record.system}:{record.object}:{record.source_id}" if record else "-"
