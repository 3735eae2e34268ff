"""The HubSpot stand-in, driven by the unmodified hubspot-api-client 12 over a real socket."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import timedelta

import httpx
import hubspot
import pytest
from hubspot.crm.associations.v4 import (
    AssociationSpec,
    BatchInputPublicAssociationMultiPost,
    BatchInputPublicFetchAssociationsBatchRequest,
    PublicAssociationMultiPost,
    PublicFetchAssociationsBatchRequest,
    PublicObjectId,
)
from hubspot.crm.contacts import (
    BatchInputSimplePublicObjectBatchInput,
    BatchInputSimplePublicObjectBatchInputForCreate,
    BatchInputSimplePublicObjectBatchInputUpsert,
    BatchReadInputSimplePublicObjectId,
    Filter,
    FilterGroup,
    PublicMergeInput,
    PublicObjectSearchRequest,
    SimplePublicObjectBatchInput,
    SimplePublicObjectBatchInputUpsert,
    SimplePublicObjectId,
    SimplePublicObjectInput,
    SimplePublicObjectInputForCreate,
)
from hubspot.crm.contacts.exceptions import ApiException
from hubspot.crm.properties import PropertyCreate

from sandbox.hubspot.seeds import SEED_START, small_world
from sandbox.control import CallLog
from sandbox.server import SandboxServer
from sandbox.world import World

TOKEN = "pat-na1-sandbox"
Start = Callable[[World], SandboxServer]


def settled_calls(server: SandboxServer) -> CallLog:
    """The HubSpot call log once the last call is recorded.

    SandboxMiddleware records a call after its answer has gone out, so a
    client can read the log a moment too early; wait until the count holds.
    """
    log = server.control("hubspot").calls
    previous = -1
    while log.snapshot()["total"] != previous:
        previous = log.snapshot()["total"]
        time.sleep(0.05)
    return log


def client_for(server: SandboxServer) -> hubspot.Client:
    return hubspot.Client.create(access_token=TOKEN, host=server.url("hubspot"))


def raw(server: SandboxServer) -> httpx.Client:
    return httpx.Client(base_url=server.url("hubspot"), headers={"Authorization": f"Bearer {TOKEN}"})


def epoch_ms(moment) -> str:  # noqa: ANN001 - a datetime
    return str(int(moment.timestamp() * 1000))


def test_given_250_contacts_when_paging_with_get_page_then_every_contact_arrives_once_over_several_pages(start_sandbox: Start) -> None:
    server = start_sandbox(small_world(contacts=250))
    contacts = client_for(server).crm.contacts.basic_api

    seen, after, pages = [], None, 0
    while True:
        page = contacts.get_page(limit=100, after=after, properties=["email", "city"], archived=False)
        pages += 1
        seen.extend(page.results)
        if page.paging is None:
            break
        after = page.paging.next.after

    assert pages == 3
    assert len({record.id for record in seen}) == 250
    first = seen[0].properties
    assert first["email"] == "person0@example.com" and "city" in first and first["city"] is None
    assert {"hs_object_id", "createdate", "lastmodifieddate"} <= set(first)
    assert "firstname" not in first  # only what was asked, plus the system properties
    assert settled_calls(server).calls("/crm/v3/objects/{object_type}", "GET") == 3


def test_given_no_properties_asked_when_listing_then_hubspot_defaults_come_back_with_iso_stamps(start_sandbox: Start) -> None:
    server = start_sandbox(small_world(contacts=1, companies=1))
    with raw(server) as http:
        contact = http.get("/crm/v3/objects/contacts").json()["results"][0]
        company = http.get("/crm/v3/objects/company", params={"limit": 5}).json()["results"][0]

    assert set(contact["properties"]) == {"createdate", "email", "firstname", "hs_object_id", "lastmodifieddate", "lastname"}
    assert set(company["properties"]) == {"createdate", "domain", "hs_lastmodifieddate", "hs_object_id", "name"}
    assert contact["createdAt"] == "2024-01-01T00:00:00.000Z" and contact["archived"] is False


def test_given_contacts_when_get_all_then_all_arrive_with_the_requested_properties(start_sandbox: Start) -> None:
    server = start_sandbox(small_world(contacts=130))

    everything = client_for(server).crm.contacts.get_all(properties=["email", "lifecyclestage"])

    assert len(everything) == 130
    assert {record.properties["lifecyclestage"] for record in everything} == {"lead", "customer"}


def test_given_recent_modifications_when_searching_lastmodifieddate_gte_sorted_then_only_recent_ones_in_order(start_sandbox: Start) -> None:
    server = start_sandbox(small_world(contacts=40))
    search = client_for(server).crm.contacts.search_api
    since = SEED_START + timedelta(hours=30)
    request = PublicObjectSearchRequest(
        filter_groups=[FilterGroup(filters=[Filter(property_name="lastmodifieddate", operator="GTE", value=epoch_ms(since))])],
        sorts=[{"propertyName": "lastmodifieddate", "direction": "DESCENDING"}],
        properties=["email", "lastmodifieddate"],
        limit=4,
    )

    first = search.do_search(public_object_search_request=request)
    request.after = first.paging.next.after
    second = search.do_search(public_object_search_request=request)
    request.after = second.paging.next.after
    last = search.do_search(public_object_search_request=request)

    assert first.total == 10
    emails = [record.properties["email"] for record in first.results + second.results + last.results]
    assert emails == [f"person{number}@example.com" for number in range(39, 29, -1)]
    assert last.paging is None


def test_given_filter_groups_and_iso_values_when_searching_then_groups_are_ored_and_filters_anded(start_sandbox: Start) -> None:
    server = start_sandbox(small_world(contacts=20))
    body = {
        "filterGroups": [
            {"filters": [{"propertyName": "lifecyclestage", "operator": "EQ", "value": "lead"},
                         {"propertyName": "createdate", "operator": "LT", "value": (SEED_START + timedelta(hours=6)).isoformat()}]},
            {"filters": [{"propertyName": "email", "operator": "IN", "values": ["PERSON10@example.com"]}]},
        ],
        "sorts": ["-createdate"],
        "properties": ["email"],
    }  # fmt: skip
    with raw(server) as http:
        answer = http.post("/crm/v3/objects/contacts/search", json=body).json()

    assert [record["properties"]["email"] for record in answer["results"]] == [
        "person10@example.com", "person5@example.com", "person3@example.com", "person1@example.com",
    ]  # fmt: skip


def test_given_an_unknown_property_in_a_filter_when_searching_then_the_sdk_raises_400_naming_it(start_sandbox: Start) -> None:
    server = start_sandbox(small_world(contacts=3))
    request = PublicObjectSearchRequest(
        filter_groups=[FilterGroup(filters=[Filter(property_name="favourite_colour", operator="EQ", value="green")])]
    )

    with pytest.raises(ApiException) as raised:
        client_for(server).crm.contacts.search_api.do_search(public_object_search_request=request)

    body = json.loads(raised.value.body)
    assert raised.value.status == 400
    assert body["category"] == "VALIDATION_ERROR" and "favourite_colour" in body["message"] and body["correlationId"]


def test_given_a_search_when_paging_past_10000_results_then_400_like_hubspot(start_sandbox: Start) -> None:
    server = start_sandbox(small_world(contacts=3))
    with raw(server) as http:
        answer = http.post("/crm/v3/objects/contacts/search", json={"after": "10000", "limit": 100})
        too_big = http.post("/crm/v3/objects/contacts/search", json={"limit": 201})

    assert answer.status_code == 400 and answer.json()["category"] == "VALIDATION_ERROR"
    assert "10,000" in answer.json()["message"]
    assert too_big.status_code == 400


def test_given_new_contacts_when_batch_creating_then_201_and_readable_by_email(start_sandbox: Start) -> None:
    server = start_sandbox(small_world(contacts=2))
    batch = client_for(server).crm.contacts.batch_api
    inputs = [SimplePublicObjectInputForCreate(properties={"email": f"New{n}@Example.com", "firstname": f"New{n}"}) for n in range(3)]

    created = batch.create(batch_input_simple_public_object_batch_input_for_create=BatchInputSimplePublicObjectBatchInputForCreate(inputs=inputs))
    read = batch.read(
        batch_read_input_simple_public_object_id=BatchReadInputSimplePublicObjectId(
            id_property="email", properties=["firstname"], inputs=[SimplePublicObjectId(id="new1@example.com")]
        )
    )

    assert created.status == "COMPLETE" and len(created.results) == 3
    assert {record.properties["email"] for record in created.results} == {"new0@example.com", "new1@example.com", "new2@example.com"}
    assert read.results[0].properties["firstname"] == "New1"
    assert int(created.results[0].id) > 10_000_000_002  # ids continue after the seeded ones


def test_given_some_unknown_ids_when_batch_reading_and_updating_then_207_reports_them_and_the_rest_succeed(start_sandbox: Start) -> None:
    server = start_sandbox(small_world(contacts=3))
    contacts = client_for(server).crm.contacts
    known = [record.id for record in contacts.basic_api.get_page(limit=3).results]

    read = contacts.batch_api.read(
        batch_read_input_simple_public_object_id=BatchReadInputSimplePublicObjectId(
            properties=["email"], inputs=[SimplePublicObjectId(id=known[0]), SimplePublicObjectId(id="999")]
        )
    )
    updated = contacts.batch_api.update(
        batch_input_simple_public_object_batch_input=BatchInputSimplePublicObjectBatchInput(
            inputs=[
                SimplePublicObjectBatchInput(id=known[1], properties={"city": "Lisbon"}),
                SimplePublicObjectBatchInput(id="12345", properties={"city": "Porto"}),
            ]
        )
    )

    assert [record.id for record in read.results] == [known[0]]
    assert read.num_errors == 1 and read.errors[0].category == "OBJECT_NOT_FOUND" and read.errors[0].context == {"ids": ["999"]}
    assert updated.results[0].properties["city"] == "Lisbon" and updated.errors[0].context == {"ids": ["12345"]}
    calls = settled_calls(server).snapshot()["by_route"]
    assert calls["POST /crm/v3/objects/{object_type}/batch/update"] == {"calls": 1}  # a 207 is not an error


def test_given_an_existing_email_when_batch_creating_then_409_names_the_existing_contact_and_nothing_is_created(start_sandbox: Start) -> None:
    server = start_sandbox(small_world(contacts=2))
    contacts = client_for(server).crm.contacts
    existing = contacts.basic_api.get_by_id("person1@example.com", id_property="email")
    inputs = [
        SimplePublicObjectInputForCreate(properties={"email": "fresh@example.com"}),
        SimplePublicObjectInputForCreate(properties={"email": "PERSON1@example.com"}),
    ]

    with pytest.raises(ApiException) as raised:
        contacts.batch_api.create(batch_input_simple_public_object_batch_input_for_create=BatchInputSimplePublicObjectBatchInputForCreate(inputs=inputs))

    body = json.loads(raised.value.body)
    assert raised.value.status == 409 and body["category"] == "CONFLICT"
    assert body["message"] == f"Contact already exists. Existing ID: {existing.id}"
    assert len(contacts.get_all()) == 2


def test_given_two_contacts_when_one_is_updated_to_the_others_email_then_409(start_sandbox: Start) -> None:
    server = start_sandbox(small_world(contacts=2))
    basic = client_for(server).crm.contacts.basic_api
    first, second = basic.get_page(limit=2).results

    with pytest.raises(ApiException) as raised:
        basic.update(second.id, SimplePublicObjectInput(properties={"email": first.properties["email"]}))

    assert raised.value.status == 409 and json.loads(raised.value.body)["context"] == {"id": [first.id]}


def test_given_bad_values_when_creating_then_400_lists_every_invalid_property(start_sandbox: Start) -> None:
    server = start_sandbox(small_world())
    basic = client_for(server).crm.contacts.basic_api

    with pytest.raises(ApiException) as raised:
        basic.create(SimplePublicObjectInputForCreate(properties={"shoe_size": "44", "lifecyclestage": "champion", "email": "a@b.c"}))

    message = json.loads(raised.value.body)["message"]
    assert raised.value.status == 400 and "PROPERTY_DOESNT_EXIST" in message and "INVALID_OPTION" in message


def test_given_emails_when_upserting_by_email_then_existing_ones_update_and_new_ones_are_created(start_sandbox: Start) -> None:
    server = start_sandbox(small_world(contacts=1))
    batch = client_for(server).crm.contacts.batch_api
    inputs = [
        SimplePublicObjectBatchInputUpsert(id="person0@example.com", id_property="email", properties={"jobtitle": "CTO"}),
        SimplePublicObjectBatchInputUpsert(id="brand.new@example.com", id_property="email", properties={"firstname": "Brand"}),
    ]

    answer = batch.upsert(batch_input_simple_public_object_batch_input_upsert=BatchInputSimplePublicObjectBatchInputUpsert(inputs=inputs))

    by_email = {record.properties["email"]: record for record in answer.results}
    assert by_email["person0@example.com"].new is False and by_email["person0@example.com"].properties["jobtitle"] == "CTO"
    assert by_email["brand.new@example.com"].new is True


def test_given_seeded_associations_when_batch_reading_v4_both_ways_then_type_ids_follow_the_direction(start_sandbox: Start) -> None:
    server = start_sandbox(small_world(contacts=4, companies=2))
    client = client_for(server)
    contact_ids = [record.id for record in client.crm.contacts.basic_api.get_page(limit=4).results]
    company_ids = [record.id for record in client.crm.companies.basic_api.get_page(limit=2).results]
    v4 = client.crm.associations.v4.batch_api

    forward = v4.get_page("contacts", "companies", BatchInputPublicFetchAssociationsBatchRequest(inputs=[PublicFetchAssociationsBatchRequest(id=contact_ids[0])]))
    backward = v4.get_page("companies", "contacts", BatchInputPublicFetchAssociationsBatchRequest(inputs=[PublicFetchAssociationsBatchRequest(id=company_ids[0])]))

    assert [str(target.to_object_id) for target in forward.results[0].to] == [company_ids[0]]
    assert forward.results[0].to[0].association_types[0].type_id == 1
    assert sorted(str(target.to_object_id) for target in backward.results[0].to) == [contact_ids[0], contact_ids[2]]
    assert backward.results[0].to[0].association_types[0].type_id == 2


def test_given_a_new_association_when_batch_creating_v4_then_it_is_listed_inline_on_the_contact(start_sandbox: Start) -> None:
    server = start_sandbox(small_world(contacts=1, companies=2))
    client = client_for(server)
    contact_id = client.crm.contacts.basic_api.get_page(limit=1).results[0].id
    second_company = client.crm.companies.basic_api.get_page(limit=2).results[1].id
    post = PublicAssociationMultiPost(
        _from=PublicObjectId(id=contact_id),
        to=PublicObjectId(id=second_company),
        types=[AssociationSpec(association_category="HUBSPOT_DEFINED", association_type_id=1)],
    )

    created = client.crm.associations.v4.batch_api.create("contacts", "companies", BatchInputPublicAssociationMultiPost(inputs=[post]))
    listed = client.crm.contacts.basic_api.get_page(limit=1, associations=["companies"])

    assert created.status == "COMPLETE" and str(created.results[0].to_object_id) == second_company
    inline = listed.results[0].associations["companies"].results
    assert second_company in {item.id for item in inline} and {item.type for item in inline} == {"contact_to_company"}


def test_given_a_custom_property_when_created_then_listed_writable_searchable_and_a_second_create_is_409(start_sandbox: Start) -> None:
    server = start_sandbox(small_world(contacts=2))
    client = client_for(server)
    definition = PropertyCreate(name="loophub_golden_id", label="Golden ID", type="string", field_type="text", group_name="contactinformation")

    created = client.crm.properties.core_api.create("contacts", definition)
    names = {prop.name for prop in client.crm.properties.core_api.get_all("contacts").results}
    target = client.crm.contacts.basic_api.get_page(limit=1).results[0]
    client.crm.contacts.basic_api.update(target.id, SimplePublicObjectInput(properties={"loophub_golden_id": "g-1"}))
    found = client.crm.contacts.search_api.do_search(
        public_object_search_request=PublicObjectSearchRequest(
            filter_groups=[FilterGroup(filters=[Filter(property_name="loophub_golden_id", operator="HAS_PROPERTY")])]
        )
    )
    with pytest.raises(hubspot.crm.properties.ApiException) as raised:
        client.crm.properties.core_api.create("contacts", definition)

    assert created.name == "loophub_golden_id" and created.hubspot_defined is False
    assert {"email", "lifecyclestage", "hs_object_id", "loophub_golden_id"} <= names
    assert [record.id for record in found.results] == [target.id]
    assert raised.value.status == 409


def test_given_owners_when_paging_and_filtering_by_email_then_the_sdk_reads_them(start_sandbox: Start) -> None:
    server = start_sandbox(small_world(owners=3))
    owners = client_for(server).crm.owners.owners_api

    first = owners.get_page(limit=2)
    rest = owners.get_page(limit=2, after=first.paging.next.after)
    by_email = owners.get_page(email="owner2@sandbox.example")
    one = owners.get_by_id(first.results[0].id)

    assert len(first.results) + len(rest.results) == 3 and rest.paging is None
    assert [owner.first_name for owner in by_email.results] == ["Owner2"]
    assert one.email == "owner0@sandbox.example" and one.user_id == 9_000


def test_given_any_object_name_when_reading_legacy_v2_properties_then_a_non_empty_list_answers(start_sandbox: Start) -> None:
    server = start_sandbox(small_world())
    with raw(server) as http:
        answers = {name: http.get(f"/properties/v2/{name}/properties") for name in ("contact", "companies", "deal", "ticket", "line_items", "engagements")}

    for name, answer in answers.items():
        assert answer.status_code == 200, name
        assert isinstance(answer.json(), list) and answer.json(), name
    contact_types = {row["name"]: row["type"] for row in answers["contact"].json()}
    assert contact_types["email"] == "string" and contact_types["lastmodifieddate"] == "datetime"


def test_given_deal_and_ticket_pipelines_when_read_then_stage_ids_match_the_seed_catalogue(start_sandbox: Start) -> None:
    server = start_sandbox(small_world())
    pipelines = client_for(server).crm.pipelines.pipelines_api

    deals = pipelines.get_all("deals").results
    tickets = pipelines.get_all("tickets").results

    assert [stage.id for stage in deals[0].stages][-2:] == ["closedwon", "closedlost"]
    assert [(stage.id, stage.metadata["ticketState"]) for stage in tickets[0].stages][-1] == ("4", "CLOSED")


def test_given_two_contacts_when_merged_then_the_old_id_resolves_to_the_survivor_and_is_listed_archived(start_sandbox: Start) -> None:
    server = start_sandbox(small_world(contacts=2, companies=1))
    contacts = client_for(server).crm.contacts
    survivor_id, merged_id = (record.id for record in contacts.basic_api.get_page(limit=2).results)

    merged = contacts.basic_api.merge(PublicMergeInput(primary_object_id=survivor_id, object_id_to_merge=merged_id))
    via_old_id = contacts.basic_api.get_by_id(merged_id, properties=["hs_merged_object_ids", "hs_additional_emails"])
    live = contacts.get_all()
    archived = contacts.basic_api.get_page(archived=True)

    assert merged.id == survivor_id and via_old_id.id == survivor_id
    assert via_old_id.properties["hs_merged_object_ids"] == merged_id
    assert via_old_id.properties["hs_additional_emails"] == "person1@example.com"
    assert [record.id for record in live] == [survivor_id]
    assert [record.id for record in archived.results] == [merged_id] and archived.results[0].archived is True
    assert contacts.basic_api.get_by_id("person1@example.com", id_property="email").id == survivor_id


def test_given_a_person_edits_a_record_in_the_ui_when_searching_since_before_then_it_shows_up_modified(start_sandbox: Start) -> None:
    server = start_sandbox(small_world(contacts=5))
    server.clock.advance(3600)
    before_edit = server.clock.now()
    with raw(server) as http:
        target = http.get("/crm/v3/objects/contacts", params={"limit": 1}).json()["results"][0]
        edited = httpx.patch(f"{server.url('hubspot')}/_sandbox/records/contacts/{target['id']}", json={"city": "Oslo"}).json()
        found = http.post(
            "/crm/v3/objects/contacts/search",
            json={"filters": [{"propertyName": "lastmodifieddate", "operator": "GT", "value": epoch_ms(before_edit)}], "properties": ["city"]},
        ).json()

    assert edited["properties"]["city"] == "Oslo" and edited["updatedAt"] > target["updatedAt"]
    assert [record["id"] for record in found["results"]] == [target["id"]]
    assert server.control("hubspot").calls.calls("/_sandbox") == 0  # human actions are not API calls


def test_given_an_archived_contact_when_reading_then_only_the_archived_listing_has_it(start_sandbox: Start) -> None:
    server = start_sandbox(small_world(contacts=3))
    basic = client_for(server).crm.contacts.basic_api
    doomed = basic.get_page(limit=1).results[0].id

    basic.archive(doomed)

    assert doomed not in {record.id for record in basic.get_page(limit=10).results}
    archived = basic.get_page(archived=True).results
    assert [record.id for record in archived] == [doomed] and archived[0].archived_at is not None
    with pytest.raises(ApiException) as raised:
        basic.get_by_id(doomed)
    assert raised.value.status == 404


def test_given_the_generated_population_when_reading_everything_with_the_sdk_then_counts_and_associations_match_the_world(
    start_sandbox: Start,
) -> None:
    from sandbox.population import generate_world

    world = generate_world(300, seed=5)
    server = start_sandbox(world)
    client = client_for(server)
    expected = world.record_counts()["hubspot"]
    seeded_links = {(row["from_id"], row["to_id"]) for row in world.hubspot["associations"] if row["from_type"] == "contacts" and row["to_type"] == "companies"}
    linked_contacts = sorted({contact_id for contact_id, _ in seeded_links})[:100]

    counts = {name: len(getattr(client.crm, name).get_all()) for name in ("contacts", "companies", "deals", "tickets")}
    owners = client.crm.owners.owners_api.get_page(limit=100).results
    read = client.crm.associations.v4.batch_api.get_page(
        "contacts", "companies", BatchInputPublicFetchAssociationsBatchRequest(inputs=[PublicFetchAssociationsBatchRequest(id=i) for i in linked_contacts])
    )
    email = world.hubspot["contacts"][0]["properties"]["email"]
    found = client.crm.contacts.search_api.do_search(
        public_object_search_request=PublicObjectSearchRequest(filter_groups=[FilterGroup(filters=[Filter(property_name="email", operator="EQ", value=email)])])
    )

    assert counts == {name: expected[name] for name in counts} and len(owners) == expected["owners"]
    served_links = {(result._from.id, str(target.to_object_id)) for result in read.results for target in result.to}
    assert served_links == {link for link in seeded_links if link[0] in linked_contacts}
    assert [record.properties["email"] for record in found.results] == [email]
