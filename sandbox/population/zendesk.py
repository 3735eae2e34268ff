"""Zendesk records (fields, agents, organizations, end-users, tickets and their comments, metrics, ratings)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sandbox.population.context import Build
from sandbox.population.draw import chance, one_of, pick
from sandbox.population.model import Company, Person, Staff
from sandbox.population.rates import (
    ACCOUNT_TIER_FIELD_RATE,
    PLAN_TIER_FIELD_RATE,
    PRIMARY_DOMAIN_EMAIL_KINDS,
    ZENDESK_NAME_STYLES,
    ZENDESK_ORG_EXTERNAL_ID_RATE,
    ZENDESK_ORG_MEMBERSHIP_RATE,
)
from sandbox.population.timeline import whole_seconds
from sandbox.population.tickets import Requester, render_tickets
from sandbox.population.views import company_name, normalise_email, person_view
from sandbox.population.vocabulary import ACCOUNT_TIERS

OBJECTS = (
    "users", "organizations", "tickets", "ticket_comments", "satisfaction_ratings", "ticket_metrics",
    "user_fields", "organization_fields", "ticket_fields",
)
USER_FIELDS = (("plan_tier", "text", "Plan tier"),)
ORGANIZATION_FIELDS = (("account_tier", "text", "Account tier"), ("renewal_date", "date", "Renewal date"))
REGION_TAGS = {"US": "amer", "CA": "amer", "BR": "amer", "AU": "apac", "JP": "apac"}
VIP_RATE = 0.03
VERIFIED_RATE = 0.85
SUSPENDED_RATE = 0.01


def render_zendesk(build: Build) -> None:
    """Fill `world.zendesk`; runs after Salesforce so organizations can carry the Account id."""
    for name in OBJECTS:
        build.world.zendesk[name] = []
    _field_definitions(build)
    taken: set[str] = set()  # Zendesk users are unique by email
    for staff in build.cast.staff:
        # The support lead administers the Zendesk account; everyone else is an agent.
        _agent(build, staff, "admin" if staff is build.cast.support[0] else "agent", taken)
    org_names: set[str] = set()
    for company in build.cast.companies:
        if company.has_zd_org:
            _organization(build, company, org_names)
    requesters: list[Requester] = []
    for person in build.cast.people:
        if person.in_zendesk:
            requesters.append(_end_user(build, person, taken, duplicate=False))
            if person.zendesk_duplicate:
                requesters.append(_end_user(build, person, taken, duplicate=True))
    render_tickets(build, requesters, product_area_field=build.world.zendesk["ticket_fields"][0]["id"])


def _field_definitions(build: Build) -> None:
    ids, zendesk = build.world.ids, build.world.zendesk
    for object_type, definitions in (("user_fields", USER_FIELDS), ("organization_fields", ORGANIZATION_FIELDS)):
        for key, kind, title in definitions:
            field = {"id": ids.zendesk(object_type), "key": key, "type": kind, "title": title, "active": True}
            zendesk[object_type].append(field)
    zendesk["ticket_fields"].append({"id": ids.zendesk("ticket_fields"), "type": "text", "title": "Product area", "active": True})


def _user(build: Build, fields: dict[str, Any], created: datetime, person_key: str, company_key: str | None) -> int:
    user_id = build.world.ids.zendesk("users")
    created = whole_seconds(created)
    updated = whole_seconds(build.timeline.modified(build.rng, created))
    build.world.zendesk["users"].append({"id": user_id, **fields, "created_at": created, "updated_at": updated})
    build.truth("zendesk", "users", user_id, person_key, company_key)
    return user_id


def _agent(build: Build, staff: Staff, role: str, taken: set[str]) -> None:
    taken.add(staff.email)
    fields = {
        "name": f"{staff.first} {staff.last}", "email": staff.email, "phone": None, "role": role,
        "organization_id": None, "external_id": None, "tags": [], "user_fields": {key: None for key, _, _ in USER_FIELDS},
        "active": True, "verified": True, "suspended": False, "time_zone": "Eastern Time (US & Canada)", "locale": "en-US",
    }
    staff.zd_user_id = _user(build, fields, staff.created, staff.key, None)


def _organization(build: Build, company: Company, taken_names: set[str]) -> None:
    rng, timeline = build.rng, build.timeline
    created = whole_seconds(timeline.since(rng, company.created))
    updated = whole_seconds(timeline.modified(rng, created))
    domains = [] if chance(rng, 0.05) else company.domains[: 2 if chance(rng, 0.5) else 1]
    linked = company.sf_account_id and chance(rng, ZENDESK_ORG_EXTERNAL_ID_RATE)
    tiered = chance(rng, ACCOUNT_TIER_FIELD_RATE)
    org_id = build.world.ids.zendesk("organizations")
    build.world.zendesk["organizations"].append({
        "id": org_id,
        "name": _unique_org_name(build, company, taken_names),
        "domain_names": domains,
        "external_id": company.sf_account_id if linked else None,
        "details": f"{company.street}, {company.postal_code} {company.city.name}" if chance(rng, 0.5) else "",
        "notes": "",
        "tags": [company.status, REGION_TAGS.get(company.country.code, "emea")],
        "organization_fields": {
            "account_tier": one_of(rng, ACCOUNT_TIERS) if tiered else None,
            "renewal_date": (timeline.today + timedelta(days=rng.randint(-30, 365))).isoformat() if tiered else None,
        },
        "created_at": created,
        "updated_at": updated,
    })
    company.zd_org_id, company.zd_org_created = org_id, created
    build.truth("zendesk", "organizations", org_id, None, company.key)


def _unique_org_name(build: Build, company: Company, taken: set[str]) -> str:
    # Zendesk organization names are unique (case-insensitively); namesakes fall back to longer forms.
    candidates = (
        company_name(build.rng, company, "zd_org"), company.legal_name,
        f"{company.brand} ({company.country.name})", f"{company.legal_name} ({company.city.name})",
    )
    for name in candidates:
        if name.lower() not in taken:
            taken.add(name.lower())
            return name
    raise ValueError(f"no free organization name for {company.key}")


def _end_user(build: Build, person: Person, taken: set[str], duplicate: bool) -> Requester:
    rng, company = build.rng, person.company
    role = person.role_system == "zendesk" and not duplicate
    view = person_view(rng, person, "zd_duplicate" if duplicate else "zd_user", taken, role=role, switchboard=False)
    # A user without an address at the company's main domain, on a shared mailbox, or a second user
    # keeps the organization as evidence.
    in_org = duplicate or role or view.email_kind not in PRIMARY_DOMAIN_EMAIL_KINDS or chance(rng, ZENDESK_ORG_MEMBERSHIP_RATE)
    fields = {
        "name": _display_name(build, view.first, view.last),
        "email": normalise_email(view.email) if view.email else None,
        "phone": view.phone,
        "role": "end-user",
        "organization_id": company.zd_org_id if in_org else None,
        "external_id": None,
        "tags": ["vip"] if chance(rng, VIP_RATE) else [],
        "user_fields": {"plan_tier": company.plan if chance(rng, PLAN_TIER_FIELD_RATE) else None},
        "active": True,
        "verified": chance(rng, VERIFIED_RATE),
        "suspended": chance(rng, SUSPENDED_RATE),
        "time_zone": person.city.time_zone,
        "locale": company.country.zendesk_locale,
    }
    created = build.timeline.since(rng, max(person.created, company.zd_org_created or person.created))
    user_id = _user(build, fields, created, person.key, company.key)
    return Requester(user_id, person, fields["organization_id"], whole_seconds(created))


def _display_name(build: Build, first: str, last: str) -> str:
    style = pick(build.rng, ZENDESK_NAME_STYLES)
    if style == "last_comma_first":
        return f"{last}, {first}"
    if style == "lower":
        return f"{first} {last}".lower()
    return f"{first} {last}"
