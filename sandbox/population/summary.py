"""Counts that describe a generated world: records per system, overlap, and the noise it holds.

Everything is derived from the world itself (records plus ground truth), so
the summary describes what a consumer will actually see.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any

from sandbox.population.countries import COUNTRIES
from sandbox.population.names import fold
from sandbox.population.vocabulary import ROLE_LOCALS
from sandbox.world import World

SALES_SIGNAL_TAGS = frozenset({"upsell", "pricing"})
_PUNCTUATION = re.compile(r"[^a-z0-9 ]+")


def _plain(text: str) -> str:
    return " ".join(_PUNCTUATION.sub(" ", fold(text).lower().replace("&", " and ").replace("'", "")).split())


_LEGAL_SUFFIXES = sorted({_plain(suffix) for country in COUNTRIES for suffix in country.legal_suffixes}, key=len, reverse=True)


@dataclass(frozen=True, slots=True)
class PersonRecord:
    """The identifying fields of one person-bearing source record."""

    system: str
    object: str
    source_id: str
    first: str
    last: str
    email: str | None
    deleted: bool


def person_records(world: World) -> list[PersonRecord]:
    """Every customer person record (SF Contacts and Leads, HubSpot contacts, Zendesk end-users)."""
    records = []
    for sobject in ("Contact", "Lead"):
        for row in world.salesforce.get(sobject, []):
            first, last = row["FirstName"] or "", row["LastName"]
            records.append(PersonRecord("salesforce", sobject, row["Id"], first, last, row["Email"], row["IsDeleted"]))
    for row in world.hubspot.get("contacts", []):
        props = row["properties"]
        first, last = props["firstname"] or "", props["lastname"] or ""
        records.append(PersonRecord("hubspot", "contacts", row["id"], first, last, props["email"], False))
    for row in world.zendesk.get("users", []):
        if row["role"] == "end-user":
            first, _, last = _split_display_name(row["name"])
            records.append(PersonRecord("zendesk", "users", str(row["id"]), first, last, row["email"], False))
    return records


def is_role_address(email: str | None) -> bool:
    return bool(email) and email.strip().lower().split("@")[0] in ROLE_LOCALS  # type: ignore[union-attr]


def normalised_company_name(name: str) -> str:
    """Lower-case, ASCII, no legal suffix, no leading 'The', '&' as 'and': what namesakes share."""
    text = _plain(name)
    for suffix in _LEGAL_SUFFIXES:
        if text.endswith(" " + suffix):
            text = text[: -len(suffix) - 1]
            break
    return text.removeprefix("the ")


def population_summary(world: World) -> dict[str, Any]:
    """Counts per system/object, how many systems each person is in, and the noise counters."""
    truth = {(row.system, row.object, row.source_id): row for row in world.truth}
    records = person_records(world)
    person_of = {(r.system, r.object, r.source_id): truth[(r.system, r.object, r.source_id)].person_id for r in records}
    systems: dict[str, set[str]] = defaultdict(set)
    for (system, _, _), person in person_of.items():
        systems[person or ""].add(system)
    customers = {row.company_id for row in world.truth if row.company_id}
    return {
        "records": world.record_counts(),
        "truth_rows": len(world.truth),
        "people": len(systems),
        "companies": len(customers),
        "people_by_system_count": dict(sorted(Counter(len(found) for found in systems.values()).items())),
        "noise": _noise(world, records, person_of),
        "links": _links(world),
    }


def _noise(world: World, records: list[PersonRecord], person_of: dict[tuple[str, str, str], str | None]) -> dict[str, int]:
    per_system: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    role_people: dict[str, set[str]] = defaultdict(set)
    names: dict[tuple[str, str], set[str]] = defaultdict(set)
    variants: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for record in records:
        person = person_of[(record.system, record.object, record.source_id)] or ""
        if not record.deleted:
            group = "Contact+Lead" if record.system == "salesforce" else record.object
            per_system[(record.system, group)][person] += 1
        if is_role_address(record.email):
            role_people[(record.email or "").strip().lower()].add(person)
        key = (fold(record.first).lower().strip(), fold(record.last).lower().strip())
        names[key].add(person)
        variants[person].add((record.first, record.last))
    company_names: dict[str, set[str]] = defaultdict(set)
    for row, name in _company_names(world):
        company_names[normalised_company_name(name)].add(row)
    return {
        "hubspot_duplicate_contacts": sum(1 for n in per_system[("hubspot", "contacts")].values() if n > 1),
        "zendesk_duplicate_users": sum(1 for n in per_system[("zendesk", "users")].values() if n > 1),
        "salesforce_people_with_two_live_records": sum(1 for n in per_system[("salesforce", "Contact+Lead")].values() if n > 1),
        "salesforce_merged_contacts": sum(1 for row in world.salesforce.get("Contact", []) if row["IsDeleted"]),
        "hubspot_duplicate_companies": _duplicate_companies(world),
        "role_address_records": sum(1 for record in records if is_role_address(record.email)),
        "role_addresses_shared_by_several_people": sum(1 for people in role_people.values() if len(people) > 1),
        "namesake_people_groups": sum(1 for people in names.values() if len(people) > 1),
        "namesake_company_groups": sum(1 for companies in company_names.values() if len(companies) > 1),
        "people_with_name_variants": sum(1 for found in variants.values() if len(found) > 1),
        "sales_signal_tickets": sum(1 for t in world.zendesk.get("tickets", []) if SALES_SIGNAL_TAGS & set(t["tags"])),
    }


def _company_names(world: World) -> list[tuple[str, str]]:
    """(truth company id, name) for every company record."""
    company_of = {(row.system, row.object, row.source_id): row.company_id for row in world.truth}
    names = [(company_of[("salesforce", "Account", r["Id"])], r["Name"]) for r in world.salesforce.get("Account", [])]
    names += [(company_of[("hubspot", "companies", r["id"])], r["properties"]["name"]) for r in world.hubspot.get("companies", [])]
    names += [(company_of[("zendesk", "organizations", str(r["id"]))], r["name"]) for r in world.zendesk.get("organizations", [])]
    return [(company or "", name) for company, name in names if name]


def _duplicate_companies(world: World) -> int:
    counts = Counter(row.company_id for row in world.truth if (row.system, row.object) == ("hubspot", "companies"))
    return sum(1 for n in counts.values() if n > 1)


def _links(world: World) -> dict[str, int]:
    contacts, companies = world.hubspot.get("contacts", []), world.hubspot.get("companies", [])
    return {
        "hubspot_contacts_with_salesforcecontactid": sum(1 for r in contacts if r["properties"]["salesforcecontactid"]),
        "hubspot_companies_with_salesforceaccountid": sum(1 for r in companies if r["properties"]["salesforceaccountid"]),
        "zendesk_organizations_with_external_id": sum(1 for r in world.zendesk.get("organizations", []) if r["external_id"]),
        "converted_leads": sum(1 for r in world.salesforce.get("Lead", []) if r["IsConverted"]),
    }


def _split_display_name(name: str) -> tuple[str, str, str]:
    if ", " in name:
        last, _, first = name.partition(", ")
        return first, " ", last
    return name.partition(" ")
