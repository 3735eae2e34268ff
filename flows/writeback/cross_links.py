"""Write-back policy `cross_links`: each record carries its golden id and the ids of its counterparts in the other systems.

For every golden person and golden company, each member record in a target
system gets:

- its golden id (`per_…`, `com_…`) — always the current one: a golden id
  merged away is replaced by the survivor's on the next run, because the
  plan compares each field with the membership as identity left it;
- per other system, the source ids of the records of the same golden
  profile there. Real duplicates exist (two HubSpot contacts of one person),
  so several ids are written **sorted as text and joined by commas, without
  spaces** (`10000000012,10000000047`). A counterpart that is gone — a split,
  a deleted record — is removed: the field is written blank.

Targets: Salesforce Account / Contact, HubSpot companies / contacts, Zendesk
organizations / users (`settings.CrossLinksPolicy`, each switchable, each
field named and moded). Zendesk users are written only when they are end
users: agents are owners in loophub, not people. Salesforce **Leads** are
never written: a converted lead is history (its contact carries the links),
and an open lead is still a prospect in sales' queue. An open lead does count
as a Salesforce counterpart — for a person sales has not converted yet it is
the only Salesforce record there is — while a converted one does not (its
contact stands for it).

Not identity evidence. The ids loophub writes here must never be read back
as proof that two records are one: a wrong merge would then write ids that
confirm it on the next run, and no split could undo it. The shipped mapping
specs do not map these fields (a test pins it), and the settings refuse
fields that are built-in attributes (Zendesk's `external_id`, which mapping
reads as a cross-system id) — keep custom specs that way too.

The fields must exist: Salesforce Text(255) custom fields (255 characters
hold 13 Salesforce ids; a longer list is refused by Salesforce and parked —
a golden person with that many records deserves an identity review anyway),
HubSpot single-line text properties, Zendesk text user / organization fields.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from flows.writeback.cross_links_settings import LINK_OBJECTS, LinkTarget, LinkTargets
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
from store.links import LinkedMember, linked_members
from store.writeback import PulledTarget, pulled_targets

CROSS_LINKS = "cross_links"
ENTITIES = {"companies": "company", "people": "person"}
SEPARATOR = ","
CONVERTED_LEAD_KEY = "salesforce:Contact"  # a Lead's linked id once converted (mapping/specs/salesforce/Lead.yaml)


@dataclass(frozen=True, slots=True)
class LinkedProfile:
    """What the records of one golden profile should carry: its id, and its records' ids per system."""

    entity: str
    golden_id: str
    counterparts: dict[str, str]  # system → ids as written
    size: int  # records in the profile

    def reason(self, link: str, new: str | None) -> str:
        if link == "golden_id":
            return f"member of golden {self.entity} {self.golden_id} ({self.size} record{'s' if self.size > 1 else ''})"
        if new is None:
            return f"no {link} record belongs to golden {self.entity} {self.golden_id} any more"
        count = new.count(SEPARATOR) + 1
        return f"{count} {link} record{'s' if count > 1 else ''} of golden {self.entity} {self.golden_id}"


def plan(session: Session, settings: PolicySettings, now: datetime) -> PolicyPlan:
    """Read golden membership and what the targets hold, and plan the fields that differ (reads only)."""
    policy, result = settings.cross_links, PolicyPlan()
    for group, entity in ENTITIES.items():
        targets: LinkTargets = getattr(policy, group)
        members = linked_members(session, entity)
        pulled: dict[tuple[str, str], PulledTarget] = {}
        for system, object_name in LINK_OBJECTS[group].items():
            if getattr(targets, system).enabled:
                ids = [m.source_id for m in members if m.system == system and is_target(group, m)]
                pulled.update({(system, key): value for key, value in pulled_targets(session, system, object_name, ids).items()})
        result.rows.extend(plan_cross_links(group, targets, members, pulled))
        result.targets += len(pulled)
        if entity == "company":
            result.companies = len({m.golden_id for m in members})
    return result


def target_fields(settings: PolicySettings) -> list[TargetField]:
    """The fields the policy writes into, as configured (text fields; Zendesk ones as `organization_fields.<key>`)."""
    found = []
    for group in ENTITIES:
        for system, object_name in LINK_OBJECTS[group].items():
            target: LinkTarget = getattr(getattr(settings.cross_links, group), system)
            if target.enabled:
                found += [TargetField(system, object_name, str(f.name), "text", _label(link), CROSS_LINKS) for link, f in target.fields()]
    return found


POLICY = Policy(CROSS_LINKS, lambda settings: settings.cross_links.enabled, plan, target_fields)


def plan_cross_links(
    group: str, targets: LinkTargets, members: Sequence[LinkedMember], pulled: Mapping[tuple[str, str], PulledTarget]
) -> list[PlanRow]:
    """Rows for every target field whose value differs from what the golden membership says it should hold."""
    by_golden: dict[str, list[LinkedMember]] = defaultdict(list)
    for member in members:
        by_golden[member.golden_id].append(member)
    rows: list[PlanRow] = []
    for golden_id, group_members in sorted(by_golden.items()):
        profile = LinkedProfile(ENTITIES[group], golden_id, counterpart_ids(group, group_members), len(group_members))
        for member in group_members:
            target: LinkTarget | None = getattr(targets, member.system, None)
            found = pulled.get((member.system, member.source_id))
            if target is None or not (target.enabled and is_target(group, member)) or found is None:
                continue  # not written here, or mapped but never landed raw: nothing to compare with
            rows += _member_rows(member, target, found, profile)
    return rows


def is_target(group: str, member: LinkedMember) -> bool:
    """Whether loophub writes links into this record: the entity's object in its system; of Zendesk users, end users only."""
    if LINK_OBJECTS[group].get(member.system) != member.object:
        return False
    return not (member.system == "zendesk" and group == "people" and member.kind not in (None, "end_user"))


def counterpart_ids(group: str, members: Sequence[LinkedMember]) -> dict[str, str]:
    """Per system, the ids of a golden profile's records there, as written: sorted as text, joined by commas."""
    ids: dict[str, set[str]] = defaultdict(set)
    for member in members:
        if _is_counterpart(group, member):
            ids[member.system].add(member.source_id)
    return {system: SEPARATOR.join(sorted(found)) for system, found in ids.items()}


def _is_counterpart(group: str, member: LinkedMember) -> bool:
    """The records that stand for the profile in their system: the link objects, and Salesforce leads not yet converted."""
    if group == "people" and member.system == "salesforce" and member.object == "Lead":
        return not member.linked_ids.get(CONVERTED_LEAD_KEY)
    return is_target(group, member)


def _member_rows(member: LinkedMember, target: LinkTarget, found: PulledTarget, profile: LinkedProfile) -> list[PlanRow]:
    rows = []
    for link, field in target.fields():
        name = str(field.name)
        new = wire(profile.golden_id if link == "golden_id" else profile.counterparts.get(link), "text", member.system)
        current = current_value(member.system, found, name)
        if needs_write(field.mode, current, new, "text"):
            reason = profile.reason(link, new)
            rows.append(PlanRow(member.system, member.object, member.source_id, name, current, new, CROSS_LINKS, reason, field.mode, profile.golden_id))
    return rows


def _label(link: str) -> str:
    return "loophub golden id" if link == "golden_id" else f"loophub {link} id"
