"""HubSpot records (owners, companies, contacts, deals, tickets, associations) from the cast."""

from __future__ import annotations

from datetime import datetime, timedelta

from sandbox.population.context import Build
from sandbox.population.draw import chance, one_of, pick
from sandbox.population.model import Company, Deal, Person, Staff
from sandbox.population.phones import render
from sandbox.population.rates import (
    HS_TICKET_CONTACT_RATE,
    HS_TICKET_STAGE,
    HUBSPOT_ADDITIONAL_EMAIL_RATE,
    HUBSPOT_COMPANY_ASSOCIATION_RATE,
    HUBSPOT_COMPANY_DUPLICATE_RATE,
    HUBSPOT_DEAL_MIRROR_RATE,
    HUBSPOT_SALESFORCE_ACCOUNT_LINK_RATE,
    HUBSPOT_SALESFORCE_CONTACT_LINK_RATE,
    NATIONAL,
    VIEW_PROFILES,
    PRIMARY_DOMAIN_EMAIL_KINDS,
)
from sandbox.population.support import draw_issue, first_message
from sandbox.population.timeline import hubspot_date, hubspot_timestamp
from sandbox.population.views import PersonView, company_name, country_text, normalise_email, person_view, website

OBJECTS = ("owners", "companies", "contacts", "deals", "tickets", "associations")
# HubSpot's default association type ids, one direction per row (the stand-in answers both).
CONTACT_TO_COMPANY, DEAL_TO_CONTACT, DEAL_TO_COMPANY, TICKET_TO_CONTACT, TICKET_TO_COMPANY = 1, 3, 5, 16, 26
COMPANY_LIFECYCLE = {
    "customer": {"customer": 1},
    "prospect": {"lead": 40, "marketingqualifiedlead": 15, "salesqualifiedlead": 20, "opportunity": 25},
    "partner": {"other": 60, "evangelist": 40},
    "other": {"other": 1},
}
CONTACT_LIFECYCLE = {
    "customer": {"customer": 80, "evangelist": 5, "opportunity": 10, "subscriber": 5},
    "prospect": {"subscriber": 20, "lead": 35, "marketingqualifiedlead": 20, "salesqualifiedlead": 15, "opportunity": 10},
    "partner": {"other": 70, "lead": 30},
    "other": {"other": 60, "subscriber": 40},
}
COMPANY_TYPE = {
    "customer": {None: 85, "OTHER": 15}, "prospect": {"PROSPECT": 1},
    "partner": {"PARTNER": 70, "RESELLER": 30}, "other": {"VENDOR": 50, "OTHER": 50},
}
LEAD_STATUS = {
    None: 30, "NEW": 15, "OPEN": 10, "IN_PROGRESS": 10, "ATTEMPTED_TO_CONTACT": 10, "CONNECTED": 10,
    "BAD_TIMING": 5, "UNQUALIFIED": 10,
}
TICKETED_STATUSES = frozenset({"customer", "partner"})
TICKET_PRIORITY = {"LOW": 30, "MEDIUM": 50, "HIGH": 20}
TICKET_SOURCE = {"EMAIL": 50, "CHAT": 20, "PHONE": 15, "FORM": 15}


def render_hubspot(build: Build) -> None:
    """Fill `world.hubspot`; runs after Salesforce so the integration's Salesforce ids can be set."""
    for name in OBJECTS:
        build.world.hubspot[name] = []
    for staff in build.cast.staff:
        _owner(build, staff)
    for company in build.cast.companies:
        if company.has_hs_company:
            _company(build, company)
            if chance(build.rng, HUBSPOT_COMPANY_DUPLICATE_RATE):
                _company(build, company, duplicate=True)
    taken: set[str] = set()  # HubSpot contacts are unique by email (additional emails included)
    for person in build.cast.people:
        if person.in_hubspot:
            _contact(build, person, taken, duplicate=False)
            if person.hubspot_duplicate:
                _contact(build, person, taken, duplicate=True)
    for company in build.cast.companies:
        for deal in company.deals:
            if company.hs_company_id and (not company.has_sf_account or chance(build.rng, HUBSPOT_DEAL_MIRROR_RATE)):
                _deal(build, deal)
    for person in build.cast.people:
        if person.hs_contact_id and person.company.status in TICKETED_STATUSES and chance(build.rng, HS_TICKET_CONTACT_RATE):
            _ticket(build, person)


def _add(build: Build, object_type: str, properties: dict[str, str | None], created: datetime, updated: datetime) -> str:
    object_id = build.world.ids.hubspot(object_type)
    modified_property = "lastmodifieddate" if object_type == "contacts" else "hs_lastmodifieddate"
    properties |= {
        "hs_object_id": object_id, "createdate": hubspot_timestamp(created), modified_property: hubspot_timestamp(updated),
    }
    build.world.hubspot[object_type].append(
        {"id": object_id, "properties": properties, "createdAt": created, "updatedAt": updated, "archived": False}
    )
    build.created[object_id] = created
    return object_id


def _associate(build: Build, from_type: str, from_id: str, to_type: str, to_id: str, type_id: int) -> None:
    build.world.hubspot["associations"].append(
        {"from_type": from_type, "from_id": from_id, "to_type": to_type, "to_id": to_id, "type_id": type_id}
    )


def _text(value: int | float | None) -> str | None:
    return None if value is None else str(value)


def _owner(build: Build, staff: Staff) -> None:
    staff.hs_owner_id = build.world.ids.hubspot("owners")
    updated = build.timeline.modified(build.rng, staff.created)
    build.world.hubspot["owners"].append({
        "id": staff.hs_owner_id, "email": staff.email, "firstName": staff.first, "lastName": staff.last,
        "userId": int(build.world.ids.hubspot("users")), "createdAt": staff.created, "updatedAt": updated,
        "archived": False, "teams": [],
    })
    build.truth("hubspot", "owners", staff.hs_owner_id, staff.key, None)


def _company(build: Build, company: Company, duplicate: bool = False) -> None:
    rng, timeline = build.rng, build.timeline
    linked = company.sf_account_id and not duplicate and chance(rng, HUBSPOT_SALESFORCE_ACCOUNT_LINK_RATE)
    domain: str | None = company.domains[0]
    name = company_name(rng, company, "hs_company")
    if duplicate:
        # Created again by hand or by a form: keeps either a domain or the plain brand name.
        domain = one_of(rng, (company.domains[0], company.domains[0], company.old_domain, None))
        name = name if domain else company.brand
    elif company.old_domain and chance(rng, 0.3):
        domain = company.old_domain
    properties = {
        "name": name,
        "domain": None if domain is None else (f"www.{domain}" if chance(rng, 0.05) else domain),
        "website": website(rng, domain) if domain and chance(rng, 0.7) else None,
        "phone": render(company.phone, pick(rng, NATIONAL)) if chance(rng, 0.6) else None,
        "industry": company.industry.hubspot if chance(rng, 0.8) else None,
        "city": company.city.name if chance(rng, 0.8) else None,
        "country": country_text(rng, company) if chance(rng, 0.85) else None,
        "numberofemployees": _text(company.employees) if chance(rng, 0.7) else None,
        "annualrevenue": _text(company.revenue) if chance(rng, 0.5) else None,
        "lifecyclestage": pick(rng, COMPANY_LIFECYCLE[company.status]),
        "type": pick(rng, COMPANY_TYPE[company.status]),
        "hubspot_owner_id": company.owner.hs_owner_id if chance(rng, 0.9) else None,
        "salesforceaccountid": company.sf_account_id if linked else None,
    }
    created = timeline.between(rng, company.created, company.created + timedelta(days=60))
    if duplicate:
        created = timeline.since(rng, created)
    company_id = _add(build, "companies", properties, created, timeline.modified(rng, created))
    if not duplicate:
        company.hs_company_id = company_id
    build.truth("hubspot", "companies", company_id, None, company.key)


def _contact(build: Build, person: Person, taken: set[str], duplicate: bool) -> None:
    rng, timeline, company = build.rng, build.timeline, person.company
    role = person.role_system == "hubspot" and not duplicate
    view = person_view(rng, person, "hs_duplicate" if duplicate else "hs_contact", taken, role=role)
    # Without an address at the company's main domain, only the association ties the contact to its company.
    must_associate = duplicate or role or view.email_kind not in PRIMARY_DOMAIN_EMAIL_KINDS
    associated = must_associate or chance(rng, HUBSPOT_COMPANY_ASSOCIATION_RATE)
    properties = _contact_properties(build, person, view, taken, duplicate)
    if not associated:
        properties["company"] = properties["company"] or company.brand
    created = timeline.since(rng, person.created)
    contact_id = _add(build, "contacts", properties, created, timeline.modified(rng, created))
    if not duplicate:
        person.hs_contact_id = contact_id
    if associated and company.hs_company_id:
        _associate(build, "contacts", contact_id, "companies", company.hs_company_id, CONTACT_TO_COMPANY)
    build.truth("hubspot", "contacts", contact_id, person.key, company.key)


def _contact_properties(
    build: Build, person: Person, view: PersonView, taken: set[str], duplicate: bool
) -> dict[str, str | None]:
    rng, company = build.rng, person.company
    profile = "hs_duplicate" if duplicate else "hs_contact"
    linked = person.sf_contact_id and not duplicate and chance(rng, HUBSPOT_SALESFORCE_CONTACT_LINK_RATE)
    return {
        "email": view.email,
        "firstname": view.first,
        "lastname": view.last,
        "phone": view.phone,
        "mobilephone": view.mobile,
        "company": None if chance(rng, VIEW_PROFILES[profile].company_text_missing) else company_name(rng, company, "hs_contact"),
        "jobtitle": view.title,
        "website": website(rng, company.domains[0]) if chance(rng, 0.4) else None,
        "city": person.city.name if chance(rng, 0.6) else None,
        "country": country_text(rng, person) if chance(rng, 0.6) else None,
        "lifecyclestage": "subscriber" if duplicate else pick(rng, CONTACT_LIFECYCLE[company.status]),
        "hs_lead_status": None if company.status == "customer" else pick(rng, LEAD_STATUS),
        "hubspot_owner_id": company.owner.hs_owner_id if chance(rng, 0.8) else None,
        "salesforcecontactid": person.sf_contact_id if linked else None,
        "hs_additional_emails": None if duplicate else _additional_emails(build, person, view, taken),
    }


def _additional_emails(build: Build, person: Person, view: PersonView, taken: set[str]) -> str | None:
    """Addresses HubSpot learnt from forms or merges, semicolon-separated; they count for uniqueness too."""
    if not chance(build.rng, HUBSPOT_ADDITIONAL_EMAIL_RATE):
        return None
    extra = [
        email for email in (person.personal_email, person.old_email, person.alias_email)
        if email and normalise_email(email) not in taken
    ][:2]
    taken.update(normalise_email(email) for email in extra)
    return ";".join(extra) or None


def _deal(build: Build, deal: Deal) -> None:
    company = deal.company
    properties: dict[str, str | None] = {
        "dealname": deal.name,
        "amount": _text(deal.amount),
        "dealstage": deal.hubspot_stage,
        "pipeline": "default",
        "closedate": hubspot_date(deal.close_date),
        "dealtype": "newbusiness" if deal.is_new_business else "existingbusiness",
        "hubspot_owner_id": deal.owner.hs_owner_id,
    }
    deal_id = _add(build, "deals", properties, deal.created, deal.modified)
    _associate(build, "deals", deal_id, "companies", company.hs_company_id or "", DEAL_TO_COMPANY)
    person_key = None
    if deal.contact and deal.contact.hs_contact_id:
        _associate(build, "deals", deal_id, "contacts", deal.contact.hs_contact_id, DEAL_TO_CONTACT)
        person_key = deal.contact.key
    build.truth("hubspot", "deals", deal_id, person_key, company.key)


def _ticket(build: Build, person: Person) -> None:
    rng, timeline = build.rng, build.timeline
    issue = draw_issue(rng)
    stage = pick(rng, HS_TICKET_STAGE)
    created = timeline.since(rng, build.created[person.hs_contact_id or ""])
    closed = timeline.between(rng, created, created + timedelta(days=10)) if stage == "4" else None
    properties: dict[str, str | None] = {
        "subject": issue.subject,
        "content": first_message(rng, issue, person.first),
        "hs_pipeline": "0",
        "hs_pipeline_stage": stage,
        "hs_ticket_priority": pick(rng, TICKET_PRIORITY),
        "hubspot_owner_id": one_of(rng, build.cast.support).hs_owner_id,
        "source_type": pick(rng, TICKET_SOURCE),
        "closed_date": hubspot_timestamp(closed) if closed else None,
    }
    ticket_id = _add(build, "tickets", properties, created, closed or timeline.modified(rng, created))
    _associate(build, "tickets", ticket_id, "contacts", person.hs_contact_id or "", TICKET_TO_CONTACT)
    if person.company.hs_company_id:
        _associate(build, "tickets", ticket_id, "companies", person.company.hs_company_id, TICKET_TO_COMPANY)
    build.truth("hubspot", "tickets", ticket_id, person.key, person.company.key)
