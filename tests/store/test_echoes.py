"""The echo ledger read by mapping: a field that still holds loophub's write is read as blank, whatever the vendor's shape."""

from __future__ import annotations

import copy

from store.echoes import as_left_by_owners


def test_given_hubspot_properties_written_by_loophub_then_those_still_holding_the_write_read_blank() -> None:
    pulled = {"id": "7", "properties": {"phone": "+49 30 1234", "jobtitle": "CFO", "city": "Berlin"}}
    kept = copy.deepcopy(pulled)

    left = as_left_by_owners(pulled, {"phone": "+49 30 1234", "jobtitle": "CTO"})

    # jobtitle moved on from what loophub wrote: a person's value, read as it is.
    assert left == {"id": "7", "properties": {"phone": None, "jobtitle": "CFO", "city": "Berlin"}}
    assert pulled == kept  # the caller's payload is not touched


def test_given_zendesk_custom_fields_and_flat_fields_then_each_is_found_where_zendesk_puts_it() -> None:
    pulled = {"id": 3, "phone": "+1 555 0100", "organization_fields": {"loophub_renewal_date": "2027-01-31", "tier": "gold"}}

    left = as_left_by_owners(pulled, {"phone": "+1 555 0100", "organization_fields.loophub_renewal_date": "2027-01-31", "organization_fields.gone": 1})

    assert left == {"id": 3, "phone": None, "organization_fields": {"loophub_renewal_date": None, "tier": "gold"}}
    assert pulled["organization_fields"]["loophub_renewal_date"] == "2027-01-31"


def test_given_values_echoed_in_another_type_then_they_still_count_as_the_write() -> None:
    # Salesforce answers a written 3 as 3.0; HubSpot answers every number as text.
    assert as_left_by_owners({"Open__c": 3.0, "Name": "Acme"}, {"Open__c": 3}) == {"Open__c": None, "Name": "Acme"}
    assert as_left_by_owners({"properties": {"open": "3"}}, {"open": 3}) == {"properties": {"open": None}}


def test_given_nothing_written_there_then_the_payload_is_read_as_pulled() -> None:
    pulled = {"Phone": "+44 20 7946 0000", "Website": None}

    assert as_left_by_owners(pulled, {"Fax": "1", "Website": "https://acme.example"}) == pulled
