"""map_record and match_keys on payloads shaped like the ones the three connectors land."""

from __future__ import annotations

import textwrap
from datetime import UTC, date, datetime
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from loophub.config import parse_config
from mapping import (
    CanonicalRecord,
    Company,
    Deal,
    Key,
    MappingFailure,
    Owner,
    Person,
    Satisfaction,
    SourceRef,
    SpecCatalog,
    Ticket,
    TicketComment,
    TicketMetrics,
    load_catalog,
    map_record,
    match_keys,
    select_spec,
)


@cache
def catalog() -> SpecCatalog:
    return load_catalog()


def catalog_with(overrides: str) -> SpecCatalog:
    config = parse_config(textwrap.dedent(overrides).lstrip("\n"), Path("loophub.yaml"), environ={})
    return load_catalog(config.mapping, config.origin())


def source_id(system: str, payload: dict[str, Any]) -> str:
    return str(payload["Id"] if system == "salesforce" else payload["id"])


def mapped(system: str, object_name: str, payload: dict[str, Any], *, on: SpecCatalog | None = None, **envelope: Any) -> CanonicalRecord:
    source = SourceRef(system=system, object=object_name, id=source_id(system, payload))
    return map_record(on or catalog(), source, payload, **envelope)


def failure(system: str, object_name: str, payload: dict[str, Any], **envelope: Any) -> str:
    with pytest.raises(MappingFailure) as raised:
        mapped(system, object_name, payload, **envelope)
    return str(raised.value)


def keys_of(record: CanonicalRecord, kind: str) -> set[Key]:
    return {key for key in match_keys(record) if key.kind == kind}


# --- payloads as landed -------------------------------------------------------------------------

SF_ACCOUNT = {
    "Id": "0015g00000AbCdEAAZ", "IsDeleted": False, "Name": "  Northwind Traders Ltd ", "Type": "Customer - Direct",
    "Industry": "Retail", "Website": "https://www.northwind.co.uk/en", "Phone": "0121 554 3426", "BillingCity": "Birmingham ",
    "BillingCountry": "United Kingdom", "AnnualRevenue": 20600000.0, "NumberOfEmployees": 240, "OwnerId": "0055g00000Own1AAA",
    "ARR__c": 185000.0, "Renewal_Date__c": "2027-03-31", "CreatedDate": "2024-05-14T08:02:11.000+0000",
    "SystemModstamp": "2026-11-25T13:19:59.463+0000",
}
SF_CONTACT = {
    "Id": "0035g00000XyZ12AAB", "IsDeleted": False, "AccountId": "0015g00000AbCdEAAZ", "Salutation": "Ms.",
    "FirstName": "Priya", "LastName": "Raman", "Name": "Priya Raman", "Title": " Head of Ops ", "Email": "Priya.Raman@Northwind.co.uk",
    "Phone": "0121 554 3426", "MobilePhone": "07400 918273", "MailingCity": "Birmingham", "MailingCountry": "UK",
    "LeadSource": "Web", "OwnerId": "0055g00000Own1AAA", "MasterRecordId": None, "CreatedDate": "2025-01-09T10:00:00.000+0000",
}
SF_LEAD = {
    "Id": "00Q5g00000LeAd1EAB", "FirstName": "Bob", "LastName": "Kowalski", "Name": "Bob Kowalski", "Company": "Kowalski & Sons GmbH",
    "Title": "CTO", "Email": "bob@kowalski-sons.de", "Phone": "030 2847 5519", "Website": "www.kowalski-sons.de",
    "Status": "Closed - Converted", "LeadSource": "Trade Show", "IsConverted": True, "ConvertedAccountId": "0015g00000KoWaLAAZ",
    "ConvertedContactId": "0035g00000KoWa1AAB", "OwnerId": "0055g00000Own1AAA", "CreatedDate": "2025-06-01T12:00:00.000+0000",
}
SF_OPPORTUNITY = {
    "Id": "0065g00000OpP01AAB", "AccountId": "0015g00000AbCdEAAZ", "Name": "Northwind - Renewal 2027", "StageName": "Negotiation/Review",
    "Amount": 185000.0, "Probability": 80, "CloseDate": "2027-03-15", "IsClosed": False, "IsWon": False, "Type": "Existing Business",
    "LeadSource": "Partner", "OwnerId": "0055g00000Own1AAA", "CreatedDate": "2026-09-01T09:00:00.000+0000",
}
SF_CASE = {
    "Id": "5005g00000CaSe1AAB", "CaseNumber": "00001042", "AccountId": "0015g00000AbCdEAAZ", "ContactId": "0035g00000XyZ12AAB",
    "Subject": "  Invoice shows wrong VAT ", "Description": "Our invoice for October...", "Status": "Waiting on Customer",
    "Priority": "High", "Origin": "Email", "IsClosed": False, "ClosedDate": None, "OwnerId": "0055g00000Own1AAA",
    "CreatedDate": "2026-10-22T15:44:43.000+0000",
}
SF_USER = {
    "Id": "0055g00000Own1AAA", "Username": "m.okafor@ourco.com.sandbox", "Email": "M.Okafor@OurCo.com", "FirstName": "Michael",
    "LastName": "Okafor", "Name": "Michael Okafor", "IsActive": True, "Title": "Account Executive", "Department": "Sales",
    "UserType": "Standard", "CreatedDate": "2023-02-01T00:00:00.000+0000",
}
HS_CONTACT = {
    "id": "51", "archived": False, "createdAt": "2025-02-03T10:00:00Z", "updatedAt": "2026-11-01T10:00:00Z",
    "properties": {
        "email": "Jane.Doe@Acme.com", "hs_additional_emails": "jdoe@gmail.com;jane@acme-old.com;JANE.DOE@acme.com", "firstname": " Jane ",
        "lastname": "Doe", "phone": "+1 (415) 555-2671", "mobilephone": "415.867.5309", "company": "Acme, Inc.", "jobtitle": "CFO",
        "website": "https://acme.com", "city": "San Francisco", "country": "United States", "lifecyclestage": "salesqualifiedlead",
        "hs_lead_status": "OPEN", "hubspot_owner_id": "90001", "salesforcecontactid": "0035g00000XyZ12AAB",
        "createdate": "2025-02-03T10:00:00.000Z", "lastmodifieddate": "2026-11-01T10:00:00.000Z", "hs_object_id": "51",
    },
    "associations": {"companies": ["301", "302"]},
}
HS_COMPANY = {
    "id": "301", "archived": False,
    "properties": {
        "name": "Acme Inc", "domain": "acme.com", "website": "http://www.acme.com/", "phone": "(415) 360-9930", "industry": "COMPUTER_SOFTWARE",
        "city": "San Francisco", "country": "USA", "numberofemployees": "1200", "annualrevenue": "20,600,000", "lifecyclestage": "customer",
        "type": "PARTNER", "hubspot_owner_id": "90001", "salesforceaccountid": "0015g00000AbCdEAAZ", "createdate": "2024-01-01T00:00:00Z",
    },
    "associations": {"contacts": ["51"]},
}
HS_DEAL = {
    "id": "7001",
    "properties": {
        "dealname": "Acme - Expansion", "amount": "48000.50", "dealstage": "closedwon", "pipeline": "default", "closedate": "2026-11-30T00:00:00Z",
        "dealtype": "existingbusiness", "hubspot_owner_id": "90001", "createdate": "2026-08-01T12:00:00Z",
    },
    "associations": {"companies": ["301"], "contacts": ["51", "52"]},
}
HS_TICKET = {
    "id": "8801",
    "properties": {
        "subject": "Cannot log in", "content": "SSO loop since Monday", "hs_pipeline": "0", "hs_pipeline_stage": "3", "hs_ticket_priority": "HIGH",
        "hubspot_owner_id": "90001", "source_type": "EMAIL", "closed_date": None, "createdate": "2026-11-20T08:00:00Z",
        "hs_ticket_category": "PRODUCT_ISSUE",
    },
    "associations": {"companies": ["301"], "contacts": ["51"]},
}
HS_OWNER = {
    "id": "90001", "email": "Sam.Lee@OurCo.com", "firstName": "Sam", "lastName": "Lee", "userId": 1234567, "type": "PERSON",
    "createdAt": "2023-05-05T05:05:05.000Z", "updatedAt": "2026-01-01T00:00:00Z", "archived": False, "teams": [],
}
ZD_USER = {
    "id": 381946207513, "name": "Priya Raman", "email": "priya.raman@northwind.co.uk", "phone": "0121 554 3426", "role": "end-user",
    "organization_id": 360044128833, "external_id": None, "tags": ["vip", "beta"], "user_fields": {"plan_tier": "enterprise"},
    "active": True, "verified": True, "suspended": False, "time_zone": "London", "locale": "en-GB",
    "created_at": "2025-03-02T09:12:44Z", "updated_at": "2026-10-22T15:44:43Z",
}
ZD_AGENT = {
    **ZD_USER, "id": 381946200001, "name": "Martin Luther King Jr.", "email": "MLK@OurCo.com", "role": "agent", "organization_id": None,
    "phone": None, "tags": [],
}  # fmt: skip
ZD_ORGANIZATION = {
    "id": 360044128833, "name": "Northwind Traders", "domain_names": ["northwind.co.uk", "www.northwind.com"], "external_id": "0015g00000AbCdEAAZ",
    "details": "", "notes": "", "tags": ["enterprise", "emea"], "organization_fields": {"renewal_date": "2027-03-31", "account_tier": "gold"},
    "created_at": "2024-05-20T10:00:00Z", "updated_at": "2026-10-01T00:00:00Z",
}
ZD_TICKET = {
    "id": 90211, "subject": "Export fails ", "description": "CSV export times out", "status": "hold", "priority": "urgent", "type": "incident",
    "requester_id": 381946207513, "submitter_id": 381946207513, "assignee_id": 381946200001, "organization_id": 360044128833,
    "tags": ["export", "csv"], "custom_fields": [{"id": 360001, "value": "emea"}, {"id": 360002, "value": None}], "via": {"channel": "email"},
    "external_id": None, "created_at": "2026-10-22T15:44:43Z", "updated_at": "2026-10-23T09:00:00Z",
}
ZD_COMMENT = {
    "id": 7001001, "ticket_id": 90211, "author_id": 381946200001, "body": "Looking into it.", "public": False,
    "created_at": "2026-10-22T16:00:00Z", "audit_id": 555,
}
ZD_RATING = {
    "id": 4401, "ticket_id": 90211, "requester_id": 381946207513, "assignee_id": 381946200001, "score": "bad", "comment": "Took too long",
    "created_at": "2026-10-25T10:00:00Z", "updated_at": "2026-10-25T10:00:00Z",
}
ZD_METRICS = {
    "id": 3301, "ticket_id": 90211, "replies": 3, "reopens": 1, "reply_time_in_minutes": {"calendar": 16, "business": 16},
    "first_resolution_time_in_minutes": {"calendar": 2880, "business": 960},
    "full_resolution_time_in_minutes": {"calendar": 4320.5, "business": None},
    "solved_at": "2026-10-25T09:00:00Z", "created_at": "2026-10-22T15:44:43Z", "updated_at": "2026-10-25T09:00:00Z",
}

# (spec, system, object, payload, model, the fields the record must hold)
CASES: list[tuple[str, str, str, dict[str, Any], type[CanonicalRecord], dict[str, Any]]] = [
    ("salesforce/Account", "salesforce", "Account", SF_ACCOUNT, Company, {
        "name": "Northwind Traders Ltd", "domains": ["northwind.co.uk"], "phones": ["+441215543426"], "industry": "Retail",
        "company_type": "Customer - Direct", "lifecycle": "customer", "annual_revenue": 20600000.0, "employees": 240, "arr": 185000.0,
        "renewal_date": date(2027, 3, 31), "city": "Birmingham", "country": "United Kingdom", "owner_source_id": "0055g00000Own1AAA",
        "created_at": datetime(2024, 5, 14, 8, 2, 11, tzinfo=UTC),
    }),
    ("salesforce/Contact", "salesforce", "Contact", SF_CONTACT, Person, {
        "kind": "contact", "first_name": "Priya", "last_name": "Raman", "full_name": "Priya Raman", "emails": ["priya.raman@northwind.co.uk"],
        "phones": ["+441215543426", "+447400918273"], "title": "Head of Ops", "company_source_id": "0015g00000AbCdEAAZ",
        "owner_source_id": "0055g00000Own1AAA", "city": "Birmingham", "country": "UK", "attributes": {"lead_source": "Web"},
    }),
    ("salesforce/Lead", "salesforce", "Lead", SF_LEAD, Person, {
        "kind": "lead", "emails": ["bob@kowalski-sons.de"], "phones": ["+493028475519"], "company_name": "Kowalski & Sons GmbH",
        "company_domain": "kowalski-sons.de", "company_source_id": "0015g00000KoWaLAAZ", "lifecycle": "sales_qualified",
        "linked_ids": {"salesforce:Contact": "0035g00000KoWa1AAB"},
        "attributes": {"lead_status": "Closed - Converted", "lead_source": "Trade Show"},
    }),
    ("salesforce/Opportunity", "salesforce", "Opportunity", SF_OPPORTUNITY, Deal, {
        "name": "Northwind - Renewal 2027", "amount": 185000.0, "stage": "open", "stage_raw": "Negotiation/Review",
        "deal_type": "Existing Business", "close_date": date(2027, 3, 15), "company_source_id": "0015g00000AbCdEAAZ",
        "person_source_ids": [], "attributes": {"lead_source": "Partner"},
    }),
    ("salesforce/Case", "salesforce", "Case", SF_CASE, Ticket, {
        "subject": "Invoice shows wrong VAT", "status": "pending", "status_raw": "Waiting on Customer", "priority": "high",
        "priority_raw": "High", "channel": "email", "requester_source_id": "0035g00000XyZ12AAB", "company_source_id": "0015g00000AbCdEAAZ",
        "assignee_source_id": "0055g00000Own1AAA", "solved_at": None, "attributes": {"case_number": "00001042"},
    }),
    ("salesforce/User", "salesforce", "User", SF_USER, Owner, {
        "first_name": "Michael", "last_name": "Okafor", "full_name": "Michael Okafor", "email": "m.okafor@ourco.com",
        "title": "Account Executive", "role": "Sales", "active": True,
    }),
    ("hubspot/contacts", "hubspot", "contacts", HS_CONTACT, Person, {
        "kind": "contact", "first_name": "Jane", "last_name": "Doe", "full_name": None,
        "emails": ["jane.doe@acme.com", "jdoe@gmail.com", "jane@acme-old.com"], "phones": ["+14155552671", "+14158675309"],
        "company_name": "Acme, Inc.", "company_domain": "acme.com", "company_source_id": "301", "owner_source_id": "90001",
        "lifecycle": "sales_qualified", "linked_ids": {"salesforce:Contact": "0035g00000XyZ12AAB"}, "attributes": {"lead_status": "OPEN"},
        "created_at": datetime(2025, 2, 3, 10, 0, tzinfo=UTC),
    }),
    ("hubspot/companies", "hubspot", "companies", HS_COMPANY, Company, {
        "name": "Acme Inc", "domains": ["acme.com"], "phones": ["+14153609930"], "company_type": "PARTNER", "lifecycle": "customer",
        "annual_revenue": 20600000.0, "employees": 1200, "linked_ids": {"salesforce:Account": "0015g00000AbCdEAAZ"},
    }),
    ("hubspot/deals", "hubspot", "deals", HS_DEAL, Deal, {
        "name": "Acme - Expansion", "amount": 48000.5, "stage": "won", "stage_raw": "closedwon", "pipeline": "default",
        "close_date": date(2026, 11, 30), "company_source_id": "301", "person_source_ids": ["51", "52"], "owner_source_id": "90001",
    }),
    ("hubspot/tickets", "hubspot", "tickets", HS_TICKET, Ticket, {
        "subject": "Cannot log in", "description": "SSO loop since Monday", "status": "open", "status_raw": "3", "priority": "high",
        "channel": "email", "requester_source_id": "51", "company_source_id": "301", "assignee_source_id": "90001",
        "attributes": {"category": "PRODUCT_ISSUE"},
    }),
    ("hubspot/owners", "hubspot", "owners", HS_OWNER, Owner, {
        "first_name": "Sam", "last_name": "Lee", "email": "sam.lee@ourco.com", "role": "PERSON", "active": True,
        "created_at": datetime(2023, 5, 5, 5, 5, 5, tzinfo=UTC),
    }),
    ("zendesk/users", "zendesk", "users", ZD_USER, Person, {
        "kind": "end_user", "first_name": "Priya", "last_name": "Raman", "full_name": "Priya Raman", "emails": ["priya.raman@northwind.co.uk"],
        "phones": ["+441215543426"], "company_source_id": "360044128833", "attributes": {"tags": ["vip", "beta"], "time_zone": "London"},
    }),
    ("zendesk/agents", "zendesk", "users", ZD_AGENT, Owner, {
        "first_name": "Martin Luther", "last_name": "King", "full_name": "Martin Luther King Jr.", "email": "mlk@ourco.com",
        "role": "agent", "active": True,
    }),
    ("zendesk/organizations", "zendesk", "organizations", ZD_ORGANIZATION, Company, {
        "name": "Northwind Traders", "domains": ["northwind.co.uk", "northwind.com"], "renewal_date": date(2027, 3, 31),
        "linked_ids": {"salesforce:Account": "0015g00000AbCdEAAZ"}, "attributes": {"tags": ["enterprise", "emea"], "account_tier": "gold"},
    }),
    ("zendesk/tickets", "zendesk", "tickets", ZD_TICKET, Ticket, {
        "subject": "Export fails", "status": "on_hold", "status_raw": "hold", "priority": "urgent", "channel": "email",
        "ticket_type": "incident", "tags": ["export", "csv"], "requester_source_id": "381946207513", "company_source_id": "360044128833",
        "assignee_source_id": "381946200001", "external_id": None,
    }),
    ("zendesk/ticket_comments", "zendesk", "ticket_comments", ZD_COMMENT, TicketComment, {
        "ticket_source_id": "90211", "author_source_id": "381946200001", "body": "Looking into it.", "public": False,
    }),
    ("zendesk/satisfaction_ratings", "zendesk", "satisfaction_ratings", ZD_RATING, Satisfaction, {
        "ticket_source_id": "90211", "score": "bad", "comment": "Took too long", "requester_source_id": "381946207513",
        "assignee_source_id": "381946200001",
    }),
    ("zendesk/ticket_metrics", "zendesk", "ticket_metrics", ZD_METRICS, TicketMetrics, {
        "ticket_source_id": "90211", "first_reply_minutes": 16.0, "first_resolution_minutes": 2880.0, "full_resolution_minutes": 4320.5,
        "reopens": 1, "replies": 3, "solved_at": datetime(2026, 10, 25, 9, 0, tzinfo=UTC),
    }),
]  # fmt: skip


def test_given_the_cases_below_then_every_shipped_spec_is_exercised_by_one() -> None:
    assert sorted(case[0] for case in CASES) == sorted(catalog().specs)


@pytest.mark.parametrize(("spec", "system", "object_name", "payload", "model", "expected"), CASES, ids=[case[0] for case in CASES])
def test_given_a_landed_payload_when_mapped_then_the_canonical_record_holds_its_values(
    spec: str, system: str, object_name: str, payload: dict[str, Any], model: type[CanonicalRecord], expected: dict[str, Any]
) -> None:
    assert select_spec(catalog(), system, object_name, payload).name == spec

    record = mapped(system, object_name, payload)

    assert type(record) is model
    assert {name: getattr(record, name) for name in expected} == expected
    assert record.source == SourceRef(system=system, object=object_name, id=source_id(system, payload))
    assert record.warnings == []


def test_given_the_envelope_when_mapped_then_change_time_and_deletion_come_from_the_landing_not_the_payload() -> None:
    changed = datetime(2026, 11, 25, 13, 19, 59, tzinfo=UTC)

    record = mapped("salesforce", "Contact", SF_CONTACT, source_updated_at=changed, is_deleted=True)

    assert (record.source_updated_at, record.is_deleted) == (changed, True)


def test_given_zendesk_integer_ids_when_mapped_then_every_id_is_text() -> None:
    ticket = mapped("zendesk", "tickets", ZD_TICKET)

    assert ticket.source.id == "90211"
    assert all(isinstance(value, str) for value in (ticket.requester_source_id, ticket.company_source_id, ticket.assignee_source_id))  # type: ignore[attr-defined]


def test_given_a_hubspot_contact_with_several_companies_when_mapped_then_the_first_association_is_the_company() -> None:
    assert mapped("hubspot", "contacts", HS_CONTACT).company_source_id == "301"  # type: ignore[attr-defined]


def test_given_a_hubspot_tombstone_when_mapped_then_a_deleted_person_without_fields() -> None:
    tombstone = {"id": "51", "archived": True, "archivedAt": "2026-11-02T10:00:00Z", "createdAt": "2025-02-03T10:00:00Z",
                 "updatedAt": "2026-11-02T10:00:00Z", "_ab_cdc_deleted_at": "2026-11-02T10:00:00Z"}  # fmt: skip

    person = mapped("hubspot", "contacts", tombstone, is_deleted=True)

    assert isinstance(person, Person)
    assert (person.is_deleted, person.emails, person.first_name, person.kind) == (True, [], None, "contact")


def test_given_an_unconverted_lead_when_mapped_then_no_company_and_no_linked_contact() -> None:
    lead = {**SF_LEAD, "Status": "Working - Contacted", "IsConverted": False, "ConvertedAccountId": None, "ConvertedContactId": None}

    person = mapped("salesforce", "Lead", lead)

    assert (person.lifecycle, person.company_source_id, person.linked_ids) == ("lead", None, {})  # type: ignore[attr-defined]


def test_given_a_zendesk_organization_whose_external_id_is_no_salesforce_id_then_no_link() -> None:
    company = mapped("zendesk", "organizations", {**ZD_ORGANIZATION, "external_id": "ACME-42"})

    assert company.linked_ids == {}  # type: ignore[attr-defined]


def test_given_an_override_reading_a_zendesk_ticket_custom_field_when_mapped_then_its_value_is_an_attribute() -> None:
    overridden = catalog_with("""
        mapping:
          specs:
            zendesk/tickets:
              fields:
                attributes.region: {from: custom_fields, transforms: [{custom_field: 360001}]}
                attributes.sla: {from: custom_fields, transforms: [{custom_field: 360002}]}
    """)

    ticket = mapped("zendesk", "tickets", ZD_TICKET, on=overridden)

    assert ticket.attributes == {"region": "emea"}


def test_given_a_zendesk_user_with_a_single_tag_when_mapped_then_attributes_tags_is_still_a_list() -> None:
    person = mapped("zendesk", "users", {**ZD_USER, "tags": ["vip"]})

    assert person.attributes["tags"] == ["vip"]


# --- quarantine reasons -------------------------------------------------------------------------


def test_given_a_zendesk_ticket_with_an_unknown_status_then_the_failure_names_the_field_value_and_map_values() -> None:
    reason = failure("zendesk", "tickets", {**ZD_TICKET, "status": "archived"})

    assert reason.startswith("status: value 'archived' has no entry in map_values")
    assert "known: closed, deleted, hold, new, open, pending, solved" in reason


def test_given_a_deleted_zendesk_ticket_when_mapped_then_a_deleted_ticket_not_a_quarantine() -> None:
    tombstone = {**ZD_TICKET, "status": "deleted"}

    ticket = mapped("zendesk", "tickets", tombstone, is_deleted=True)

    assert ticket.is_deleted is True


def test_given_a_person_with_no_name_email_or_phone_then_the_failure_says_what_a_person_needs() -> None:
    contact = {"id": "77", "properties": {"firstname": "  ", "lastname": None, "email": "n/a", "phone": "", "lifecyclestage": "lead"}}

    reason = failure("hubspot", "contacts", contact)

    assert "a person needs a name, an email address or a phone number; this record has none" in reason


def test_given_a_deleted_person_with_no_name_email_or_phone_then_it_still_maps() -> None:
    assert mapped("hubspot", "contacts", {"id": "77", "properties": {}}, is_deleted=True).is_deleted


def test_given_a_value_the_model_refuses_then_the_failure_names_the_field_and_the_value() -> None:
    reason = failure("salesforce", "Account", {**SF_ACCOUNT, "NumberOfEmployees": "lots"})

    assert reason.startswith("employees: ")
    assert "(got 'lots')" in reason


def test_given_a_date_that_is_no_date_then_the_failure_names_the_field_and_the_value() -> None:
    reason = failure("zendesk", "organizations", {**ZD_ORGANIZATION, "organization_fields": {"renewal_date": "next spring"}})

    assert reason == "renewal_date: 'next spring' is not an ISO 8601 date"


def test_given_a_zendesk_user_without_a_role_then_the_failure_says_no_spec_takes_it() -> None:
    reason = failure("zendesk", "users", {**ZD_USER, "role": None})

    assert reason == "no spec's `where` takes this record (zendesk/agents: role; zendesk/users: role)"


def test_given_an_object_without_a_spec_then_the_failure_says_where_to_add_one() -> None:
    reason = failure("salesforce", "Task", {"Id": "00T5g00000TaSk1AAB", "Subject": "Call"})

    assert reason.startswith("no mapping spec for salesforce Task; add mapping/specs/salesforce/Task.yaml")


def test_given_a_bad_email_when_mapped_then_the_address_is_dropped_with_a_warning_and_the_record_maps() -> None:
    person = mapped("salesforce", "Contact", {**SF_CONTACT, "Email": "priya.raman@"})

    assert isinstance(person, Person)
    assert person.emails == []
    assert person.phones == ["+441215543426", "+447400918273"]
    [warning] = person.warnings
    assert warning.startswith("emails: 'priya.raman@' is not an email address")


def test_given_a_junk_phone_next_to_a_good_one_then_only_the_junk_is_dropped_with_a_warning() -> None:
    person = mapped("salesforce", "Contact", {**SF_CONTACT, "Phone": "ask reception", "MobilePhone": "07400 918273"})

    assert person.phones == ["+447400918273"]  # type: ignore[attr-defined]
    assert person.warnings == ["phones: 'ask reception' is not a phone number (read as GB)"]


# --- match keys ---------------------------------------------------------------------------------


def test_given_any_record_then_its_own_source_ref_is_a_ref_key() -> None:
    for _, system, object_name, payload, _, _ in CASES:
        record = mapped(system, object_name, payload)
        assert Key("ref", f"{system}:{object_name}:{source_id(system, payload)}") in match_keys(record)


def test_given_a_role_address_then_its_email_key_is_weak_and_a_personal_one_is_not() -> None:
    person = mapped("zendesk", "users", {**ZD_USER, "email": "Support@Northwind.co.uk"})
    personal = mapped("zendesk", "users", ZD_USER)

    assert keys_of(person, "email") == {Key("email", "support@northwind.co.uk", is_weak=True)}
    assert keys_of(personal, "email") == {Key("email", "priya.raman@northwind.co.uk", is_weak=False)}


def test_given_a_gmail_address_with_dots_and_a_tag_then_the_email_key_is_the_mailbox() -> None:
    contact = {**HS_CONTACT, "properties": {**HS_CONTACT["properties"], "email": "J.Doe+crm@Gmail.com", "hs_additional_emails": None}}

    person = mapped("hubspot", "contacts", contact)

    assert person.emails == ["j.doe+crm@gmail.com"]  # type: ignore[attr-defined]
    assert keys_of(person, "email") == {Key("email", "jdoe@gmail.com")}


def test_given_a_placeholder_phone_then_its_phone_key_is_weak() -> None:
    person = mapped("salesforce", "Contact", {**SF_CONTACT, "Phone": "+1 212 555 0123", "MobilePhone": "(212) 360-9930 ext. 12",
                                              "MailingCountry": "USA"})  # fmt: skip

    assert person.phones == ["+12125550123", "+12123609930;ext=12"]  # type: ignore[attr-defined]
    assert keys_of(person, "phone") == {Key("phone", "+12125550123", is_weak=True), Key("phone", "+12123609930", is_weak=False)}


def test_given_a_company_on_a_free_mail_domain_then_its_domain_key_is_weak() -> None:
    company = {**HS_COMPANY, "properties": {**HS_COMPANY["properties"], "domain": "gmail.com", "website": None}}

    assert keys_of(mapped("hubspot", "companies", company), "domain") == {Key("domain", "gmail.com", is_weak=True)}
    assert keys_of(mapped("hubspot", "companies", HS_COMPANY), "domain") == {Key("domain", "acme.com", is_weak=False)}


def test_given_one_company_in_three_systems_then_their_company_name_keys_agree() -> None:
    records = [
        mapped("salesforce", "Account", SF_ACCOUNT),
        mapped("zendesk", "organizations", ZD_ORGANIZATION),
        mapped("hubspot", "companies", {**HS_COMPANY, "properties": {**HS_COMPANY["properties"], "name": "NORTHWIND TRADERS LIMITED"}}),
    ]
    keys = [key for record in records for key in keys_of(record, "company_name")]

    assert keys == [Key("company_name", "northwind traders")] * 3


def test_given_a_nickname_then_the_person_name_key_uses_the_canonical_given_name() -> None:
    bob = mapped("salesforce", "Lead", SF_LEAD)
    robert = mapped("zendesk", "users", {**ZD_USER, "name": "Robert Kowalski", "email": "r.kowalski@kowalski-sons.de"})

    assert keys_of(bob, "person_name") == keys_of(robert, "person_name") == {Key("person_name", "robert|kowalski")}


def test_given_only_a_family_name_then_the_person_name_key_is_weak() -> None:
    person = mapped("salesforce", "Contact", {**SF_CONTACT, "FirstName": None, "Name": "Raman"})

    assert keys_of(person, "person_name") == {Key("person_name", "|raman", is_weak=True)}


def test_given_linked_ids_then_each_xref_key_equals_the_ref_key_of_the_record_it_names() -> None:
    pairs = [
        (mapped("hubspot", "contacts", HS_CONTACT), mapped("salesforce", "Contact", SF_CONTACT)),
        (mapped("hubspot", "companies", HS_COMPANY), mapped("salesforce", "Account", SF_ACCOUNT)),
        (mapped("zendesk", "organizations", ZD_ORGANIZATION), mapped("salesforce", "Account", SF_ACCOUNT)),
        (mapped("salesforce", "Lead", SF_LEAD), mapped("salesforce", "Contact", {**SF_CONTACT, "Id": "0035g00000KoWa1AAB"})),
    ]
    for linking, named in pairs:
        [xref] = keys_of(linking, "xref")
        [ref] = keys_of(named, "ref")
        assert xref.value == ref.value, (linking.source, named.source)


def test_given_the_same_address_twice_then_one_email_key() -> None:
    person = mapped("hubspot", "contacts", HS_CONTACT)

    emails = [key.value for key in match_keys(person) if key.kind == "email"]
    assert sorted(emails) == ["jane.doe@acme.com", "jane@acme-old.com", "jdoe@gmail.com"]


def test_given_an_owner_then_only_ref_and_email_keys() -> None:
    owner = mapped("zendesk", "users", ZD_AGENT)

    assert match_keys(owner) == [Key("ref", "zendesk:users:381946200001"), Key("email", "mlk@ourco.com")]


def test_given_deals_tickets_and_their_satellites_then_only_their_ref_key() -> None:
    for system, object_name, payload in [("hubspot", "deals", HS_DEAL), ("zendesk", "tickets", ZD_TICKET), ("zendesk", "ticket_metrics", ZD_METRICS)]:
        assert [key.kind for key in match_keys(mapped(system, object_name, payload))] == ["ref"]
