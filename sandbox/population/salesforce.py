"""Salesforce records (Users, Accounts, Contacts, Leads, Opportunities, Cases) from the cast."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sandbox.population.context import Build
from sandbox.population.draw import chance, one_of, pick
from sandbox.population.model import Company, Person, Staff
from sandbox.population.phones import render
from sandbox.population.rates import (
    CLOSED_STAGES,
    LEAD_SOURCES,
    NATIONAL,
    SF_CASE_CONTACT_RATE,
    SF_CASE_STATUS,
    WORK_EMAIL_KINDS,
)
from sandbox.population.support import draw_issue, first_message
from sandbox.population.views import PersonView, company_name, country_text, person_view, website
from sandbox.population.vocabulary import ACCOUNT_DESCRIPTIONS

OBJECTS = ("User", "Account", "Contact", "Lead", "Opportunity", "Case")
ACCOUNT_TYPES = {
    "customer": {"Customer - Direct": 85, "Customer - Channel": 15},
    "prospect": {"Prospect": 1}, "partner": {"Partner": 1}, "other": {"Other": 1},
}
OPEN_LEAD_STATUSES = {"Open - Not Contacted": 40, "Working - Contacted": 40, "Closed - Not Converted": 20}
CASE_PRIORITIES = {"High": 20, "Medium": 55, "Low": 25}
CASE_ORIGINS = {"Email": 50, "Web": 30, "Phone": 20}
FIRST_CASE_NUMBER = 1001
LEAD_WEBSITE_RATE = 0.5


def render_salesforce(build: Build) -> None:
    """Fill `world.salesforce`; notes each Account's and Contact's id on the cast for the other systems."""
    for name in OBJECTS:
        build.world.salesforce[name] = []
    for staff in build.cast.staff:
        _user(build, staff)
    for company in build.cast.companies:
        if company.has_sf_account:
            _account(build, company)
    for person in build.cast.people:
        if person.in_salesforce:
            _person_records(build, person)
    for company in build.cast.companies:
        if company.has_sf_account:
            for deal_index in range(len(company.deals)):
                _opportunity(build, company, deal_index)
    for person in build.cast.people:
        if person.sf_contact_id and person.company.status in {"customer", "partner"} and chance(build.rng, SF_CASE_CONTACT_RATE):
            for _ in range(build.rng.randint(1, 2)):
                _case(build, person)


def _add(
    build: Build, sobject: str, fields: dict[str, Any], stamps: dict[str, datetime], person: str | None,
    company: str | None, deleted: bool = False,
) -> str:
    record_id = build.world.ids.salesforce(sobject)
    record = {"Id": record_id, **({} if sobject == "User" else {"IsDeleted": deleted}), **fields, **stamps}
    build.world.salesforce[sobject].append(record)
    build.created[record_id] = stamps["CreatedDate"]
    build.truth("salesforce", sobject, record_id, person, company)
    return record_id


def _user(build: Build, staff: Staff) -> None:
    fields = {
        "Username": staff.email, "Email": staff.email, "FirstName": staff.first, "LastName": staff.last,
        "Name": f"{staff.first} {staff.last}", "IsActive": True, "Title": staff.title,
        "Department": staff.department, "UserType": "Standard",
    }
    staff.sf_user_id = _add(build, "User", fields, build.timeline.salesforce_stamps(build.rng, staff.created), staff.key, None)


def _account(build: Build, company: Company) -> None:
    rng, customer = build.rng, company.status == "customer"
    has_address = not chance(rng, 0.1)
    won = sum(deal.amount for deal in company.deals if deal.stage == "Closed Won")
    fields = {
        "Name": company_name(rng, company, "sf_account"),
        "Type": pick(rng, ACCOUNT_TYPES[company.status]),
        "Industry": None if chance(rng, 0.1) else company.industry.salesforce,
        "Website": None if chance(rng, 0.1) else website(rng, company.domains[0]),
        "Phone": None if chance(rng, 0.15) else render(company.phone, pick(rng, NATIONAL)),
        "BillingStreet": company.street if has_address else None,
        "BillingCity": company.city.name if has_address else None,
        "BillingState": company.city.state if has_address else None,
        "BillingPostalCode": company.postal_code if has_address else None,
        "BillingCountry": country_text(rng, company),
        "AnnualRevenue": None if chance(rng, 0.25) else float(company.revenue),
        "NumberOfEmployees": None if chance(rng, 0.15) else company.employees,
        "OwnerId": company.owner.sf_user_id,
        "Description": one_of(rng, ACCOUNT_DESCRIPTIONS),
        "ARR__c": float(won) if customer and won else None,
        "Renewal_Date__c": build.timeline.today + timedelta(days=rng.randint(-30, 365)) if customer else None,
    }
    stamps = build.timeline.salesforce_stamps(rng, company.created)
    company.sf_account_id = _add(build, "Account", fields, stamps, None, company.key)


def _person_records(build: Build, person: Person) -> None:
    if person.sf_shape == "lead":
        _lead(build, person, status=pick(build.rng, OPEN_LEAD_STATUSES))
        return
    contact_created = _contact(build, person)
    if person.converted_lead:
        conversion = contact_created
        created = build.timeline.between(build.rng, conversion - timedelta(days=120), conversion)
        _lead(build, person, status="Closed - Converted", created=created, modified=conversion)
    if person.open_lead_for_contact:
        _lead(build, person, status=pick(build.rng, OPEN_LEAD_STATUSES), created=build.timeline.since(build.rng, contact_created))
    if person.merged_contact:
        _merged_contact(build, person, contact_created)


def _contact_fields(build: Build, person: Person, view: PersonView) -> dict[str, Any]:
    rng, company = build.rng, person.company
    return {
        "AccountId": company.sf_account_id,
        "Salutation": person.salutation,
        "FirstName": view.first,
        "LastName": view.last,
        "Name": f"{view.first} {view.last}",
        "Title": view.title,
        "Email": view.email,
        "Phone": view.phone,
        "MobilePhone": view.mobile,
        "MailingCity": None if chance(rng, 0.15) else person.city.name,
        "MailingCountry": None if chance(rng, 0.1) else country_text(rng, person),
        "LeadSource": pick(rng, LEAD_SOURCES) if chance(rng, 0.6) else None,
        "OwnerId": company.owner.sf_user_id if chance(rng, 0.9) else one_of(rng, build.cast.sales).sf_user_id,
        "MasterRecordId": None,
    }


def _contact(build: Build, person: Person) -> datetime:
    view = person_view(build.rng, person, "sf_contact", role=person.role_system == "salesforce")
    created = build.timeline.since(build.rng, person.created)
    stamps = build.timeline.salesforce_stamps(build.rng, created)
    person.sf_contact_id = _add(build, "Contact", _contact_fields(build, person, view), stamps, person.key, person.company.key)
    return created


def _merged_contact(build: Build, person: Person, survivor_created: datetime) -> None:
    """A second Contact for the person, merged into the first: soft-deleted, pointing at the survivor."""
    rng = build.rng
    view = person_view(rng, person, "sf_merged_contact")
    fields = _contact_fields(build, person, view) | {"MasterRecordId": person.sf_contact_id}
    created = build.timeline.since(rng, person.created)
    merged = build.timeline.since(rng, max(created, survivor_created))
    stamps = build.timeline.salesforce_stamps(rng, created, merged)
    _add(build, "Contact", fields, stamps, person.key, person.company.key, deleted=True)


def _lead(
    build: Build, person: Person, status: str, created: datetime | None = None, modified: datetime | None = None
) -> None:
    rng, company = build.rng, person.company
    view = person_view(rng, person, "sf_lead", role=person.role_system == "salesforce" and person.sf_shape == "lead")
    converted = status == "Closed - Converted"
    fields = {
        "FirstName": view.first,
        "LastName": view.last,
        "Name": f"{view.first} {view.last}",
        # A lead without a work email is only tied to its company by this text: keep it recognisable.
        "Company": company_name(rng, company, "sf_lead", sole_company_evidence=view.email_kind not in WORK_EMAIL_KINDS),
        "Title": view.title,
        "Email": view.email,
        "Phone": view.phone,
        "Website": website(rng, company.domains[0]) if chance(rng, LEAD_WEBSITE_RATE) else None,
        # Not drawn from the generator, so adding them left every other seeded value as it was.
        "MobilePhone": None,
        "City": person.city.name,
        "Country": person.country.name,
        "Status": status,
        "LeadSource": pick(rng, LEAD_SOURCES) if chance(rng, 0.8) else None,
        "IsConverted": converted,
        "ConvertedAccountId": company.sf_account_id if converted else None,
        "ConvertedContactId": person.sf_contact_id if converted else None,
        "OwnerId": company.owner.sf_user_id if chance(rng, 0.7) else one_of(rng, build.cast.sales).sf_user_id,
    }
    created = created or build.timeline.since(rng, person.created)
    stamps = build.timeline.salesforce_stamps(rng, created, modified)
    _add(build, "Lead", fields, stamps, person.key, company.key)


def _opportunity(build: Build, company: Company, deal_index: int) -> None:
    rng, deal = build.rng, company.deals[deal_index]
    closed = deal.stage in CLOSED_STAGES
    fields = {
        "AccountId": company.sf_account_id,
        "Name": deal.name,
        "StageName": deal.stage,
        "Amount": None if chance(rng, 0.05) else float(deal.amount),
        "Probability": float(deal.probability),
        "CloseDate": deal.close_date,
        "IsClosed": closed,
        "IsWon": deal.stage == "Closed Won",
        "Type": "New Business" if deal.is_new_business else "Existing Business",
        "LeadSource": deal.lead_source,
        "OwnerId": deal.owner.sf_user_id,
        "Description": deal.description,
    }
    stamps = build.timeline.salesforce_stamps(rng, deal.created, deal.modified)
    # An Opportunity names no person (contact roles are not seeded), so its truth carries the company only.
    _add(build, "Opportunity", fields, stamps, None, company.key)


def _case(build: Build, person: Person) -> None:
    rng, timeline = build.rng, build.timeline
    issue = draw_issue(rng)
    status = pick(rng, SF_CASE_STATUS)
    created = timeline.since(rng, build.created[person.sf_contact_id or ""])
    closed_date = timeline.between(rng, created, created + timedelta(days=20)) if status == "Closed" else None
    fields = {
        "CaseNumber": f"{FIRST_CASE_NUMBER + len(build.world.salesforce['Case']):08d}",
        "AccountId": person.company.sf_account_id,
        "ContactId": person.sf_contact_id,
        "Subject": issue.subject,
        "Description": first_message(rng, issue, person.first),
        "Status": status,
        "Priority": pick(rng, CASE_PRIORITIES),
        "Origin": pick(rng, CASE_ORIGINS),
        "IsClosed": status == "Closed",
        "ClosedDate": closed_date,
        "OwnerId": one_of(rng, build.cast.support).sf_user_id,
    }
    stamps = timeline.salesforce_stamps(rng, created, closed_date or timeline.modified(rng, created))
    _add(build, "Case", fields, stamps, person.key, person.company.key)
