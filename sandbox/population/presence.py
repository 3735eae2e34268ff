"""Who is known to which system, and who writes from a shared mailbox."""

from __future__ import annotations

import random
from collections.abc import Sequence

from sandbox.population.draw import chance
from sandbox.population.model import Company, Person
from sandbox.population.rates import (
    CONVERTED_LEAD_RATE,
    HUBSPOT_COMPANY_FOR_EMPTY_COMPANY_RATE,
    HUBSPOT_DUPLICATE_RATE,
    MERGED_CONTACT_RATE,
    OPEN_LEAD_FOR_CONTACT_RATE,
    PRESENCE,
    PROSPECT_ACCOUNT_RATE,
    PROSPECT_AS_LEAD_RATE,
    ROLE_MAILBOX_COMPANY_RATE,
    ZENDESK_DUPLICATE_RATE,
    ZENDESK_ORG_FOR_EMPTY_CUSTOMER_RATE,
)
from sandbox.population.vocabulary import ROLE_LOCALS

# Zendesk and HubSpot refuse a second record with the same email: a shared mailbox appears there once.
UNIQUE_EMAIL_SYSTEMS = frozenset({"zendesk", "hubspot"})
ROLE_SYSTEM_PREFERENCE = ("zendesk", "salesforce", "hubspot")
WRITERS_PER_MAILBOX = (2, 4)


def plan_presence(rng: random.Random, companies: Sequence[Company]) -> None:
    """Decide every company's and person's records per system (not their contents)."""
    for company in companies:
        company.has_sf_account = company.status != "prospect" or chance(rng, PROSPECT_ACCOUNT_RATE)
        for person in company.people:
            _plan_person(rng, person)
        company.has_hs_company = any(person.in_hubspot for person in company.people) or chance(
            rng, HUBSPOT_COMPANY_FOR_EMPTY_COMPANY_RATE
        )
        company.has_zd_org = any(person.in_zendesk for person in company.people) or (
            company.status == "customer" and chance(rng, ZENDESK_ORG_FOR_EMPTY_CUSTOMER_RATE)
        )


def _plan_person(rng: random.Random, person: Person) -> None:
    company = person.company
    rates = PRESENCE[company.status]
    person.in_salesforce = chance(rng, rates.salesforce)
    person.in_hubspot = chance(rng, rates.hubspot)
    person.in_zendesk = chance(rng, rates.zendesk)
    if not (person.in_salesforce or person.in_hubspot or person.in_zendesk):
        # Everyone in the world is known somewhere; the system that knows most people of this kind gets them.
        likeliest = max(("salesforce", "hubspot", "zendesk"), key=lambda system: getattr(rates, system))
        setattr(person, f"in_{likeliest}", True)
    if person.in_salesforce:
        as_lead = not company.has_sf_account or (company.status == "prospect" and chance(rng, PROSPECT_AS_LEAD_RATE))
        person.sf_shape = "lead" if as_lead else "contact"
        if person.sf_shape == "contact":
            person.converted_lead = chance(rng, CONVERTED_LEAD_RATE)
            person.open_lead_for_contact = chance(rng, OPEN_LEAD_FOR_CONTACT_RATE)
            person.merged_contact = chance(rng, MERGED_CONTACT_RATE)
    person.hubspot_duplicate = person.in_hubspot and chance(rng, HUBSPOT_DUPLICATE_RATE)
    person.zendesk_duplicate = person.in_zendesk and chance(rng, ZENDESK_DUPLICATE_RATE)


def assign_role_mailboxes(rng: random.Random, companies: Sequence[Company], emails: set[str]) -> None:
    """At some companies several people write from one shared address (info@, support@, ...).

    Each writer's record in one system carries the shared address instead of their own;
    the ground truth keeps them apart, so the address must never be merge evidence.
    """
    for company in companies:
        if len(company.people) < 2 or not chance(rng, ROLE_MAILBOX_COMPANY_RATE):
            continue
        address = _free_role_address(rng, company, emails)
        writers = rng.sample(company.people, min(len(company.people), rng.randint(*WRITERS_PER_MAILBOX)))
        assignments = _assign_writers(writers)
        if address is None or len(assignments) < 2:
            continue
        emails.add(address)
        company.role_mailboxes.append(address)
        for person, system in assignments:
            person.role_email, person.role_system = address, system


def _free_role_address(rng: random.Random, company: Company, emails: set[str]) -> str | None:
    for local in rng.sample(ROLE_LOCALS, len(ROLE_LOCALS)):
        address = f"{local}@{company.domains[0]}"
        if address not in emails:
            return address
    return None


def _assign_writers(writers: Sequence[Person]) -> list[tuple[Person, str]]:
    used: set[str] = set()
    assignments = []
    for person in writers:
        present = {"salesforce": person.in_salesforce, "hubspot": person.in_hubspot, "zendesk": person.in_zendesk}
        options = [system for system in ROLE_SYSTEM_PREFERENCE if present[system] and system not in used]
        if options:
            assignments.append((person, options[0]))
            if options[0] in UNIQUE_EMAIL_SYSTEMS:
                used.add(options[0])
    return assignments
