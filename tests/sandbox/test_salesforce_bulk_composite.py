"""Bulk API 2.0 query jobs and composite writes on the Salesforce stand-in, through unmodified simple-salesforce."""

from __future__ import annotations

import csv
import gc
import io
from collections.abc import Callable, Iterator

import pytest
import requests
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import SalesforceMalformedRequest

from sandbox.salesforce.seeds import small_world
from sandbox.server import SandboxServer
from sandbox.world import World

Start = Callable[[World], SandboxServer]
_OPEN_SESSIONS: list[requests.Session] = []


@pytest.fixture
def start(start_sandbox: Start) -> Iterator[Start]:
    """`start_sandbox`, closing the test's HTTPS sessions first (an idle TLS connection stalls uvicorn's shutdown)."""
    yield start_sandbox
    gc.collect()
    while _OPEN_SESSIONS:
        _OPEN_SESSIONS.pop().close()


def https_session(server: SandboxServer) -> requests.Session:
    session = requests.Session()
    _OPEN_SESSIONS.append(session)
    session.verify = str(server.ca_path)
    session.trust_env = False  # REQUESTS_CA_BUNDLE in the environment would override session.verify
    return session


def connect(server: SandboxServer) -> Salesforce:
    form = {"grant_type": "client_credentials", "client_id": "app", "client_secret": "secret"}
    token = (
        https_session(server)
        .post(f"{server.url('salesforce')}/services/oauth2/token", data=form)
        .json()["access_token"]
    )
    return Salesforce(
        instance_url=server.url("salesforce"), session_id=token, version="62.0", session=https_session(server)
    )


def by_route(server: SandboxServer) -> dict[str, dict[str, int]]:
    return https_session(server).get(f"{server.url('salesforce')}/_sandbox/calls").json()["by_route"]


def rows(page: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(page)))


JOB = "/services/data/{version}/jobs/query/{job_id}"


# -- Bulk API 2.0 ----------------------------------------------------------------------------------


def test_given_2500_accounts_when_bulk2_queries_1000_per_page_then_three_csv_pages_hold_every_account(
    start: Start,
) -> None:
    server = start(small_world(accounts=2500, contacts_per_account=0))
    sf = connect(server)

    pages = list(
        sf.bulk2.Account.query(
            "SELECT Id, Name, Industry, AnnualRevenue, CreatedDate FROM Account", max_records=1000, wait=0
        )
    )

    assert len(pages) == 3
    assert pages[0].startswith('"Id","Name","Industry","AnnualRevenue","CreatedDate"\n"001')
    parsed = [row for page in pages for row in rows(page)]
    assert len({row["Id"] for row in parsed}) == 2500
    assert parsed[0] == {
        "Id": parsed[0]["Id"],
        "Name": "Account 0",
        "Industry": "Technology",
        "AnnualRevenue": "1000000.0",
        "CreatedDate": "2024-01-01T00:00:00.000Z",
    }
    assert parsed[1]["Industry"] == ""  # null is an empty cell
    calls = by_route(server)
    assert calls[f"GET {JOB}/results"] == {"calls": 3}
    assert calls["POST /services/data/{version}/jobs/query"] == {"calls": 1}


def test_given_jobs_that_report_in_progress_twice_when_bulk2_waits_then_it_polls_until_job_complete(
    start: Start,
) -> None:
    server = start(small_world(accounts=5))
    https_session(server).put(
        f"{server.url('salesforce')}/_sandbox/bulk", json={"in_progress_polls": 2}
    ).raise_for_status()
    sf = connect(server)

    pages = list(sf.bulk2.Contact.query("SELECT Id, Email FROM Contact", wait=0))

    assert [row["Email"] for row in rows(pages[0])] == [f"person{i}@example.com" for i in range(5)]
    assert by_route(server)[f"GET {JOB}"] == {"calls": 3}


def test_given_a_deleted_contact_when_bulk2_query_all_then_the_csv_carries_it_with_is_deleted_true(
    start: Start,
) -> None:
    server = start(small_world(accounts=3))
    sf = connect(server)
    victim = sf.query("SELECT Id FROM Contact LIMIT 1")["records"][0]["Id"]
    sf.Contact.delete(victim)

    live = [row for page in sf.bulk2.Contact.query("SELECT Id, IsDeleted FROM Contact", wait=0) for row in rows(page)]
    everything = [
        row for page in sf.bulk2.Contact.query_all("SELECT Id, IsDeleted FROM Contact", wait=0) for row in rows(page)
    ]

    assert victim not in {row["Id"] for row in live} and len(live) == 2
    assert {row["Id"]: row["IsDeleted"] for row in everything}[victim] == "true"
    assert {row["IsDeleted"] for row in everything} == {"true", "false"}


def test_given_a_compound_address_field_when_creating_a_bulk_job_then_400_compound_data_not_supported(
    start: Start,
) -> None:
    server = start(small_world(accounts=1))
    sf = connect(server)

    with pytest.raises(SalesforceMalformedRequest) as refused:
        list(sf.bulk2.Account.query("SELECT Id, BillingAddress FROM Account", wait=0))

    assert refused.value.content[0]["message"] == "Selecting compound data not supported in Bulk Query"


def test_given_a_query_job_when_aborted_and_deleted_then_results_are_refused_and_the_job_is_gone(start: Start) -> None:
    server = start(small_world(accounts=2))
    sf = connect(server)
    session, base = sf.session, f"{server.url('salesforce')}/services/data/v62.0/jobs/query"
    headers = sf.headers

    created = session.post(base, json={"operation": "query", "query": "SELECT Id FROM Account"}, headers=headers).json()
    aborted = session.patch(f"{base}/{created['id']}", json={"state": "Aborted"}, headers=headers).json()
    refused = session.get(f"{base}/{created['id']}/results", headers=headers)
    listed = session.get(base, headers=headers).json()
    deleted = session.delete(f"{base}/{created['id']}", headers=headers)
    gone = session.get(f"{base}/{created['id']}", headers=headers)

    assert created["state"] == "UploadComplete" and created["id"].startswith("750") and created["object"] == "Account"
    assert aborted["state"] == "Aborted"
    assert refused.status_code == 400
    assert [job["id"] for job in listed["records"]] == [created["id"]] and listed["done"] is True
    assert deleted.status_code == 204 and gone.status_code == 404


# -- sObject Collections and Composite -----------------------------------------------------------


def test_given_all_or_none_and_one_invalid_record_when_posting_a_collection_then_nothing_is_written(
    start: Start,
) -> None:
    server = start(small_world(accounts=2))
    sf = connect(server)
    body = {
        "allOrNone": True,
        "records": [
            {"attributes": {"type": "Account"}, "Name": "Fresh Account"},
            {"attributes": {"type": "Contact"}, "FirstName": "No last name"},
        ],
    }

    results = sf.restful("composite/sobjects", method="POST", json=body)

    assert results[0] == {"success": False, "errors": [{
        "statusCode": "ALL_OR_NONE_OPERATION_ROLLED_BACK",
        "message": "Record rolled back because not all records were valid and the request was using AllOrNone header",
        "fields": [],
    }]}  # fmt: skip
    assert results[1]["errors"][0]["statusCode"] == "REQUIRED_FIELD_MISSING" and results[1]["errors"][0]["fields"] == [
        "LastName"
    ]
    assert sf.query("SELECT COUNT() FROM Account")["totalSize"] == 2


def test_given_no_all_or_none_when_posting_a_collection_then_valid_records_land_and_the_invalid_one_reports(
    start: Start,
) -> None:
    server = start(small_world(accounts=1))
    sf = connect(server)
    records = [{"attributes": {"type": "Account"}, "Name": f"Batch {i}"} for i in range(3)]
    records.insert(1, {"attributes": {"type": "Account"}, "Name": "Bad", "NumberOfEmployees": "lots"})

    results = sf.restful("composite/sobjects", method="POST", json={"allOrNone": False, "records": records})

    assert [r["success"] for r in results] == [True, False, True, True]
    assert results[1]["errors"][0]["statusCode"] == "JSON_PARSER_ERROR" and "id" not in results[1]
    assert sf.query("SELECT COUNT() FROM Account WHERE Name LIKE 'Batch %'")["totalSize"] == 3


def test_given_existing_accounts_when_updating_reading_and_deleting_as_collections_then_each_record_reports(
    start: Start,
) -> None:
    server = start(small_world(accounts=3))
    sf = connect(server)
    ids = [r["Id"] for r in sf.query("SELECT Id FROM Account ORDER BY Name")["records"]]
    updates = [{"attributes": {"type": "Account"}, "id": record_id, "Industry": "Energy"} for record_id in ids[:2]]
    updates.append({"attributes": {"type": "Account"}, "id": "001000000000000AAA", "Industry": "Energy"})

    updated = sf.restful("composite/sobjects", method="PATCH", json={"records": updates})
    read = sf.restful("composite/sobjects/Account", params={"ids": ",".join(ids), "fields": "Id,Industry"})
    deleted = sf.restful("composite/sobjects", method="DELETE", params={"ids": ids[2]})

    assert [r["success"] for r in updated] == [True, True, False]
    assert updated[2]["errors"][0]["statusCode"] == "NOT_FOUND" and updated[2]["id"] == "001000000000000AAA"
    assert [r["Industry"] for r in read] == ["Energy", "Energy", "Technology"]  # the third was left alone
    assert deleted == [{"id": ids[2], "success": True, "errors": []}]
    assert sf.query("SELECT COUNT() FROM Account")["totalSize"] == 2


def test_given_201_records_when_posting_a_collection_then_400_exceeded_id_limit(start: Start) -> None:
    server = start(small_world(accounts=1))
    sf = connect(server)
    records = [{"attributes": {"type": "Account"}, "Name": f"N{i}"} for i in range(201)]

    with pytest.raises(SalesforceMalformedRequest) as refused:
        sf.restful("composite/sobjects", method="POST", json={"records": records})

    assert refused.value.content[0]["errorCode"] == "EXCEEDED_ID_LIMIT"


def test_given_a_composite_request_with_references_when_posting_then_later_subrequests_use_earlier_ids_in_one_call(
    start: Start,
) -> None:
    server = start(small_world(accounts=1))
    sf = connect(server)
    body = {
        "allOrNone": True,
        "compositeRequest": [
            {
                "method": "POST",
                "url": "/services/data/v62.0/sobjects/Account",
                "referenceId": "acct",
                "body": {"Name": "Parent"},
            },
            {
                "method": "POST",
                "url": "/services/data/v62.0/sobjects/Contact",
                "referenceId": "person",
                "body": {"LastName": "Child", "AccountId": "@{acct.id}"},
            },
            {
                "method": "GET",
                "url": "/services/data/v62.0/sobjects/Contact/@{person.id}?fields=AccountId",
                "referenceId": "check",
            },
        ],
    }

    answers = sf.restful("composite", method="POST", json=body)["compositeResponse"]

    assert [a["httpStatusCode"] for a in answers] == [201, 201, 200]
    assert answers[2]["body"]["AccountId"] == answers[0]["body"]["id"]
    calls = by_route(server)
    assert calls["POST /services/data/{version}/composite"] == {"calls": 1}
    assert not any("sobjects" in route for route in calls)  # subrequests are not separate API calls


def test_given_all_or_none_composite_with_a_failing_subrequest_when_posting_then_earlier_writes_are_rolled_back(
    start: Start,
) -> None:
    server = start(small_world(accounts=1))
    sf = connect(server)
    body = {
        "allOrNone": True,
        "compositeRequest": [
            {
                "method": "POST",
                "url": "/services/data/v62.0/sobjects/Account",
                "referenceId": "ok",
                "body": {"Name": "Gone"},
            },
            {
                "method": "POST",
                "url": "/services/data/v62.0/sobjects/Contact",
                "referenceId": "bad",
                "body": {"Title": "x"},
            },
            {"method": "GET", "url": "/services/data/v62.0/sobjects/Account/@{ok.id}", "referenceId": "never"},
        ],
    }

    answers = sf.restful("composite", method="POST", json=body)["compositeResponse"]

    assert [a["httpStatusCode"] for a in answers] == [400, 400, 400]
    assert answers[0]["body"][0]["errorCode"] == "PROCESSING_HALTED"
    assert answers[1]["body"][0]["errorCode"] == "REQUIRED_FIELD_MISSING"
    assert sf.query("SELECT COUNT() FROM Account WHERE Name = 'Gone'")["totalSize"] == 0
