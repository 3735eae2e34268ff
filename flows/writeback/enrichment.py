"""Write-back policy `enrichment`: a value the golden profile holds fills the records of that profile that lack it.

A phone only Zendesk knows fills an empty CRM phone; a title only HubSpot
knows fills an empty Salesforce title. Each rule (`EnrichmentPolicy.rules`)
takes one field of the golden profile and names the field it goes into in
each system's person or company record (Salesforce Contact / Account,
HubSpot contacts / companies, Zendesk end users / organizations; never
Salesforce Leads or Zendesk agents). Mode `fill_if_blank` by default: a field
that holds anything, right or wrong, is left alone.

Which value: the one survivorship picked (`identity/survivorship.py`), in the
form the golden profile keeps it — phones in E.164 (an extension written
after it as ` ext. N`), domains bare, titles as written. The `https_url`
format writes a domain as `https://<domain>` for URL fields such as
Salesforce's Website.

A multi-valued field (phones, domains) is copied only while the profile
holds exactly one value of it. A person with a mobile and an office number
has no "the" phone: copying one of them into a record's Phone field guesses
which line that field means, and identity compares one phone per record —
the sandbox showed a contact split from its Zendesk user once the user was
given the contact's *other* number. Such a profile is left alone.

Never into the record it came from. The profile's lineage says which
records hold the value; they are skipped (a contact whose mobile holds the
number and whose Phone field is empty already has it).

Convergence. A written value comes back on the next pull, maps to the same
normalised value, and its record joins the value's holders: the next plan
skips it, and the golden value stays the one value it was. What enrichment
writes is identity evidence (a shared phone or domain is a match key),
unlike cross-links; it only copies what the golden profile already holds,
so it strengthens the merge it came from, and an admin's cannot-link still
keeps records apart.

A vendor that refuses a value (Zendesk keeps a user's direct phone number
unique unless it is marked shared) fails that write; it is retried, then
parked with the vendor's message for an admin.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from flows.writeback.cross_links import is_target
from flows.writeback.cross_links_settings import LINK_OBJECTS
from flows.writeback.enrichment_settings import EnrichmentRule, EnrichmentTarget
from flows.writeback.plan import (
    PlanRow,
    Policy,
    PolicyPlan,
    TargetField,
    current_value,
    needs_write,
    wire,
)
from flows.writeback.settings import PolicySettings
from store.links import Entity, LinkedMember, golden_profiles, linked_members
from store.writeback import PulledTarget, pulled_targets

ENRICHMENT = "enrichment"
GROUPS: dict[Entity, str] = {"person": "people", "company": "companies"}
MULTI_VALUED = frozenset({"phones", "domains"})
PHONE_EXTENSION = ";ext="  # how mapping keeps an extension beside the E.164 number (mapping/transforms.py)
Ref = tuple[str, str, str]


@dataclass(frozen=True, slots=True)
class GoldenValue:
    """A golden field's value, the records it must not be written into, and where it came from (for the reason)."""

    value: Any
    holders: frozenset[Ref]
    origin: str


def golden_value(profile: Mapping[str, Any], field: str) -> GoldenValue | None:
    """The surviving value of `field` with the records holding it; None when there is none (or, multi-valued, several)."""
    if field in MULTI_VALUED:
        entries = [entry for entry in profile.get(field) or () if entry.get("value") not in (None, "")]
        if len(entries) != 1:
            return None  # none, or several with no telling which one a target field means (module docstring)
        holders = frozenset(_ref(source) for source in entries[0].get("sources") or ())
        return GoldenValue(entries[0]["value"], holders, f"held by {', '.join(':'.join(ref) for ref in sorted(holders))}")
    entry = (profile.get("fields") or {}).get(field) or {}
    if entry.get("value") in (None, ""):
        return None
    source = entry.get("source")
    came_from = ":".join(_ref(source)) if source else "an unknown record"
    return GoldenValue(entry["value"], frozenset({_ref(source)}) if source else frozenset(), f"from {came_from} ({entry.get('rule')})")


def shaped(value: Any, rule: EnrichmentRule, target: EnrichmentTarget, system: str) -> Any:
    """The golden value as the target field takes it.

    A golden phone keeps its extension as `;ext=N` (the key form); a phone field gets it
    the way people type it, `+4930123456 ext. 12`, which maps back to the same key.
    """
    if rule.golden_field == "phones" and isinstance(value, str) and PHONE_EXTENSION in value:
        number, _, extension = value.partition(PHONE_EXTENSION)
        value = f"{number} ext. {extension}"
    if target.format == "https_url":
        value = f"https://{value}"
    return wire(value, rule.kind, system)


def plan(session: Session, settings: PolicySettings, now: datetime) -> PolicyPlan:
    """Read golden profiles and what the targets hold, and plan the fields a rule fills (reads only)."""
    rules, result = settings.enrichment.active_rules(), PolicyPlan()
    for entity, group in GROUPS.items():
        entity_rules = [rule for rule in rules if rule.entity == entity]
        if not entity_rules:
            continue
        members = [member for member in linked_members(session, entity) if is_target(group, member)]
        profiles = golden_profiles(session, entity, {member.golden_id for member in members})
        pulled: dict[tuple[str, str], PulledTarget] = {}
        for system, object_name in LINK_OBJECTS[group].items():
            if any(getattr(rule.targets, system) is not None for rule in entity_rules):
                ids = [member.source_id for member in members if member.system == system]
                pulled.update({(system, key): value for key, value in pulled_targets(session, system, object_name, ids).items()})
        result.rows.extend(plan_enrichment(entity_rules, members, profiles, pulled))
        result.targets += len(pulled)
        result.companies += len(profiles) if entity == "company" else 0
    return result


def target_fields(settings: PolicySettings) -> list[TargetField]:
    """The fields the rules write into (standard fields mostly: Phone, Title, Website, phone, jobtitle, domain)."""
    found = []
    for rule in settings.enrichment.active_rules():
        for system, target in rule.targets.items():
            label = f"{rule.golden_field.removesuffix('s')} ({rule.name})"
            found.append(TargetField(system, LINK_OBJECTS[GROUPS[rule.entity]][system], str(target.field), rule.kind, label, ENRICHMENT))
    return found


POLICY = Policy(ENRICHMENT, lambda settings: settings.enrichment.enabled, plan, target_fields)


def plan_enrichment(
    rules: Sequence[EnrichmentRule],
    members: Sequence[LinkedMember],
    profiles: Mapping[str, Mapping[str, Any]],
    pulled: Mapping[tuple[str, str], PulledTarget],
) -> list[PlanRow]:
    """Rows for every target field a rule fills (or, in overwrite mode, corrects) from the member's golden profile."""
    rows = []
    for member in members:
        profile, found = profiles.get(member.golden_id), pulled.get((member.system, member.source_id))
        if profile is None or found is None:
            continue  # no active profile, or mapped but never landed raw: nothing to compare with
        for rule in rules:
            target = getattr(rule.targets, member.system)
            if target is not None and target.field and (row := _row(rule, target, member, profile, found)) is not None:
                rows.append(row)
    return rows


def _row(rule: EnrichmentRule, target: EnrichmentTarget, member: LinkedMember, profile: Mapping[str, Any], found: PulledTarget) -> PlanRow | None:
    golden = golden_value(profile, rule.golden_field)
    if golden is None or member.ref in golden.holders:
        return None  # nothing to give, or the record is where the value came from
    field = str(target.field)
    new, current = shaped(golden.value, rule, target, member.system), current_value(member.system, found, field)
    if not needs_write(rule.mode, current, new, rule.kind):
        return None
    reason = f"{rule.name}: {rule.golden_field} of golden {rule.entity} {member.golden_id}, {golden.origin}"
    return PlanRow(member.system, member.object, member.source_id, field, current, new, ENRICHMENT, reason, rule.mode, member.golden_id)


def _ref(source: Mapping[str, Any]) -> Ref:
    return (str(source.get("system")), str(source.get("object")), str(source.get("id")))
