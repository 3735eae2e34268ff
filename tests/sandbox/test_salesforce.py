"""The Salesforce stand-in, driven by the unmodified simple-salesforce 1.12 over HTTPS on a real socket."""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from datetime import timedelta
from email.utils import format_datetime

import pytest
import requests
from requests.adapters import HTTPAdapter
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import (
    SalesforceExpiredSession,
    SalesforceGeneralError,
    SalesforceMalformedRequest,
    SalesforceRefusedRequest,
    SalesforceResourceNotFound,
)
from urllib3.util.retry import Retry

from sandbox.control import FaultSettings
from sandbox.salesforce.seeds import SEED_START, small_world
from sandbox.server import SandboxServer
from sandbox.world import World

Start = Callable[[World], SandboxServer]
CLIENT = {"client_id": "loophub-connected-app", "client_secret": "s3cret"}


_OPEN_SESSIONS: list[requests.Session] = []


@pytest.fixture
def start(start_sandbox: Start) -> Iterator[Start]:
    """`start_sandbox`, closing the test's HTTPS sessions before the sandbox stops.

    uvicorn waits for open connections when it stops, and an idle TLS
    keep-alive socket (some are only reachable through garbage cycles) holds it
    until its 10-second join gives up.
    """
    yield start_sandbox
    gc.collect()
    while _OPEN_SESSIONS:
        _OPEN_SESSIONS.pop().close()


def https_session(server: SandboxServer) -> requests.Session:
    session = requests.Session()
    _OPEN_SESSIONS.append(session)
    session.verify = str(server.ca_path)
    # requests lets REQUESTS_CA_BUNDLE from the environment override session.verify; ignore the environment.
    session.trust_env = False
    return session


def token_for(server: SandboxServer, **form: str) -> requests.Response:
    fields = {"grant_type": "password", "username": "user0@acme-sandbox.example", "password": "pw", **CLIENT, **form}
    return https_session(server).post(f"{server.url('salesforce')}/services/oauth2/token", data=fields)


def connect(server: SandboxServer, session: requests.Session | None = None) -> Salesforce:
    token = token_for(server).json()["access_token"]
    return Salesforce(
        instance_url=server.url("salesforce"),
        session_id=token,
        version="62.0",
        session=session or https_session(server),
    )


def sandbox_calls(server: SandboxServer) -> dict:
    return https_session(server).get(f"{server.url('salesforce')}/_sandbox/calls").json()


# -- auth ----------------------------------------------------------------------------------------


def test_given_password_grant_when_requesting_a_token_then_instance_url_is_the_host_the_client_used(
    start: Start,
) -> None:
    server = start(small_world(accounts=1))

    answer = token_for(server).json()

    assert answer["token_type"] == "Bearer"
    assert answer["instance_url"] == server.url("salesforce")
    assert answer["access_token"].startswith("00D") and "!" in answer["access_token"]
    assert {"id", "issued_at", "signature"} <= set(answer)


def test_given_an_allow_listed_client_when_secret_or_password_is_wrong_then_oauth_errors(start: Start) -> None:
    server = start(small_world(accounts=1))
    settings = {
        "clients": {CLIENT["client_id"]: CLIENT["client_secret"]},
        "passwords": {"user0@acme-sandbox.example": "pw"},
    }
    https_session(server).put(f"{server.url('salesforce')}/_sandbox/auth", json=settings).raise_for_status()

    wrong_secret = token_for(server, client_secret="nope")
    wrong_password = token_for(server, password="nope")
    good = token_for(server)

    assert (wrong_secret.status_code, wrong_secret.json()["error"]) == (400, "invalid_client")
    assert wrong_password.status_code == 400
    assert wrong_password.json() == {"error": "invalid_grant", "error_description": "authentication failure"}
    assert good.status_code == 200


def test_given_no_bearer_token_when_calling_the_data_api_then_401_invalid_session_id(start: Start) -> None:
    server = start(small_world(accounts=1))
    sf = Salesforce(
        instance_url=server.url("salesforce"), session_id="made-up", version="62.0", session=https_session(server)
    )

    with pytest.raises(SalesforceExpiredSession) as raised:
        sf.query("SELECT Id FROM Account")

    assert raised.value.content == [{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}]


def test_given_session_expiry_after_3_calls_when_the_4th_call_is_made_then_expired_session_and_a_new_token_works(
    start: Start,
) -> None:
    server = start(small_world(accounts=3))
    server.control("salesforce").set_faults(FaultSettings(session_expiry_after_calls=3))
    sf = connect(server)

    for _ in range(3):
        assert sf.query("SELECT Id FROM Account")["totalSize"] == 3
    with pytest.raises(SalesforceExpiredSession):
        sf.query("SELECT Id FROM Account")

    assert connect(server).query("SELECT Id FROM Account")["totalSize"] == 3
    assert sandbox_calls(server)["outcomes"]["session_expired"] == 1


# -- SOQL over REST --------------------------------------------------------------------------------


def test_given_2500_accounts_when_query_all_then_two_pages_bring_every_account_once(start: Start) -> None:
    server = start(small_world(accounts=2500, contacts_per_account=0))
    sf = connect(server)

    first = sf.query("SELECT Id, Name FROM Account")
    everything = sf.query_all("SELECT Id, Name, CreatedDate, BillingAddress FROM Account ORDER BY Name")

    assert (first["totalSize"], first["done"], len(first["records"])) == (2500, False, 2000)
    assert first["nextRecordsUrl"].startswith("/services/data/v62.0/query/01g") and first["nextRecordsUrl"].endswith(
        "-2000"
    )
    records = everything["records"]
    assert len(records) == 2500 and len({r["Id"] for r in records}) == 2500
    assert records[0]["Name"] == "Account 0" and records[1]["Name"] == "Account 1"  # ORDER BY Name, text order
    assert records[0]["attributes"] == {
        "type": "Account",
        "url": f"/services/data/v62.0/sobjects/Account/{records[0]['Id']}",
    }
    assert records[0]["CreatedDate"] == "2024-01-01T00:00:00.000+0000"
    assert records[0]["BillingAddress"]["city"] == "Springfield" and records[0]["BillingAddress"]["latitude"] is None
    by_route = sandbox_calls(server)["by_route"]
    assert by_route["GET /services/data/{version}/query/{locator}"] == {"calls": 1}
    assert by_route["GET /services/data/{version}/query"] == {"calls": 2}


def test_given_a_batch_size_header_when_querying_then_pages_have_that_size(start: Start) -> None:
    server = start(small_world(accounts=1100, contacts_per_account=0))
    sf = connect(server)

    records = sf.query_all("SELECT Id FROM Account", headers={"Sforce-Query-Options": "batchSize=500"})["records"]

    assert len(records) == 1100
    assert sandbox_calls(server)["by_route"]["GET /services/data/{version}/query/{locator}"] == {"calls": 2}


def test_given_a_deleted_contact_when_querying_then_only_query_all_with_deleted_returns_it(start: Start) -> None:
    server = start(small_world(accounts=5))
    sf = connect(server)
    victim = sf.query("SELECT Id FROM Contact WHERE Email = 'person2@example.com'")["records"][0]["Id"]

    assert sf.Contact.delete(victim) == 204
    live = sf.query_all("SELECT Id FROM Contact")["records"]
    everything = sf.query_all("SELECT Id, IsDeleted FROM Contact", include_deleted=True)["records"]

    assert victim not in {r["Id"] for r in live} and len(live) == 4
    assert {r["Id"]: r["IsDeleted"] for r in everything}[victim] is True and len(everything) == 5
    with pytest.raises(SalesforceResourceNotFound) as raised:
        sf.Contact.get(victim)
    assert raised.value.content[0]["errorCode"] == "ENTITY_IS_DELETED"


def test_given_malformed_soql_when_querying_then_400_malformed_query_pointing_at_the_token(start: Start) -> None:
    server = start(small_world(accounts=1))
    sf = connect(server)

    with pytest.raises(SalesforceMalformedRequest) as malformed:
        sf.query("SELECT Id FORM Account")
    with pytest.raises(SalesforceMalformedRequest) as unknown_field:
        sf.query("SELECT Id, Helath__c FROM Account")

    error = malformed.value.content[0]
    assert error["errorCode"] == "MALFORMED_QUERY"
    assert error["message"].endswith("ERROR at Row:1:Column:11\nunexpected token: FORM")
    assert unknown_field.value.content[0]["errorCode"] == "INVALID_FIELD"
    assert "No such column 'Helath__c' on entity 'Account'" in unknown_field.value.content[0]["message"]


def test_given_an_incremental_filter_on_systemmodstamp_when_a_human_edits_then_only_the_edit_is_returned(
    start: Start,
) -> None:
    server = start(small_world(accounts=20))
    sf = connect(server)
    base = server.url("salesforce")
    target = sf.query("SELECT Id FROM Account WHERE Name = 'account 7'")["records"][0][
        "Id"
    ]  # text compares ignore case
    cursor = (SEED_START + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%S.000+00:00")

    edited = (
        https_session(server).patch(f"{base}/_sandbox/records/Account/{target}", json={"Industry": "Banking"}).json()
    )
    changed = sf.query_all(f"SELECT Id, Industry FROM Account WHERE SystemModstamp >= {cursor} ORDER BY SystemModstamp")

    assert [r["Id"] for r in changed["records"]] == [target]
    assert changed["records"][0]["Industry"] == "Banking"
    assert edited["LastModifiedDate"] == edited["SystemModstamp"] > "2024-01-02"


def test_given_a_system_update_when_reading_then_only_systemmodstamp_moved(start: Start) -> None:
    server = start(small_world(accounts=2))
    base = server.url("salesforce")
    target = connect(server).query("SELECT Id FROM Account LIMIT 1")["records"][0]["Id"]

    edited = https_session(server).patch(f"{base}/_sandbox/records/Account/{target}?system=true", json={}).json()

    assert edited["LastModifiedDate"] == "2024-01-01T00:00:00.000+0000"
    assert edited["SystemModstamp"] > edited["LastModifiedDate"]


def test_given_changes_in_a_window_when_asking_for_updated_and_deleted_ids_then_both_lists_come_back(
    start: Start,
) -> None:
    server = start(small_world(accounts=3))
    sf = connect(server)
    begin = server.clock.now()
    created = sf.Account.create({"Name": "Newcomer"})["id"]
    removed = sf.query("SELECT Id FROM Account WHERE Name = 'Account 1'")["records"][0]["Id"]
    sf.Account.delete(removed)
    end = server.clock.now() + timedelta(minutes=1)

    updated = sf.Account.updated(begin, end)
    deleted = sf.Account.deleted(begin, end)

    assert updated["ids"] == [created]
    assert [d["id"] for d in deleted["deletedRecords"]] == [removed]


# -- describe ------------------------------------------------------------------------------------


def test_given_the_catalogue_when_describing_then_objects_and_fields_match_the_readme(start: Start) -> None:
    server = start(small_world(accounts=1))
    sf = connect(server)

    objects = {o["name"]: o for o in sf.describe()["sobjects"]}
    account = {f["name"]: f for f in sf.Account.describe()["fields"]}
    contact = {f["name"]: f for f in sf.Contact.describe()["fields"]}

    assert set(objects) == {"User", "Account", "Contact", "Lead", "Opportunity", "Case"}
    assert objects["Account"]["keyPrefix"] == "001" and objects["Account"]["queryable"] is True
    assert (
        account["BillingAddress"]["type"] == "address"
        and account["BillingCity"]["compoundFieldName"] == "BillingAddress"
    )
    assert account["ARR__c"]["custom"] is True and account["ARR__c"]["type"] == "currency"
    assert account["Renewal_Date__c"]["type"] == "date"
    assert [v["value"] for v in account["Type"]["picklistValues"]][:2] == ["Prospect", "Customer - Direct"]
    assert account["Id"]["updateable"] is False and account["Name"]["nillable"] is False
    assert contact["AccountId"]["referenceTo"] == ["Account"] and contact["AccountId"]["relationshipName"] == "Account"
    assert contact["MailingAddress"]["type"] == "address" and contact["Name"]["createable"] is False


def test_given_a_custom_field_created_with_the_tooling_api_when_writing_then_it_is_described_and_queryable(
    start: Start,
) -> None:
    server = start(small_world(accounts=2))
    sf = connect(server)
    definition = {
        "FullName": "Account.Support_Health__c",
        "Metadata": {"type": "Number", "label": "Support Health", "precision": 5, "scale": 2},
    }

    created = sf.restful("tooling/sobjects/CustomField", method="POST", json=definition)
    target = sf.query("SELECT Id FROM Account LIMIT 1")["records"][0]["Id"]
    sf.Account.update(target, {"Support_Health__c": 87.5})
    described = {f["name"]: f for f in sf.Account.describe()["fields"]}["Support_Health__c"]
    found = sf.query("SELECT Id, Support_Health__c FROM Account WHERE Support_Health__c > 50")["records"]

    assert created["success"] is True and created["id"].startswith("00N")
    assert (described["type"], described["custom"], described["precision"], described["scale"]) == (
        "double",
        True,
        5,
        2,
    )
    assert found == [{"attributes": found[0]["attributes"], "Id": target, "Support_Health__c": 87.5}]


# -- single-record writes ------------------------------------------------------------------------


def test_given_a_new_contact_when_created_and_updated_then_name_is_derived_and_stamps_move(start: Start) -> None:
    server = start(small_world(accounts=1))
    sf = connect(server)
    account = sf.query("SELECT Id FROM Account")["records"][0]["Id"]

    created = sf.Contact.create(
        {"FirstName": "Ada", "LastName": "Lovelace", "AccountId": account, "Email": "ada@example.com"}
    )
    before = sf.Contact.get(created["id"])
    server.clock.advance(5)
    status = sf.Contact.update(created["id"], {"LastName": "Byron"})
    after = sf.Contact.get(created["id"])

    assert created["success"] is True and created["id"].startswith("003") and len(created["id"]) == 18
    assert before["Name"] == "Ada Lovelace" and before["IsDeleted"] is False and before["OwnerId"].startswith("005")
    assert status == 204 and after["Name"] == "Ada Byron"
    assert after["LastModifiedDate"] > before["LastModifiedDate"] and after["CreatedDate"] == before["CreatedDate"]


def test_given_a_record_changed_after_the_clients_read_when_patching_with_if_unmodified_since_then_412(
    start: Start,
) -> None:
    server = start(small_world(accounts=1))
    sf = connect(server)
    target = sf.query("SELECT Id FROM Account")["records"][0]["Id"]
    read_at = server.clock.now()
    server.clock.advance(60)
    https_session(server).patch(
        f"{server.url('salesforce')}/_sandbox/records/Account/{target}", json={"Phone": "+1 555 0199"}
    )

    with pytest.raises(SalesforceGeneralError) as stale:
        sf.Account.update(
            target, {"Phone": "+1 555 0000"}, headers={"If-Unmodified-Since": format_datetime(read_at, usegmt=True)}
        )
    fresh = sf.Account.update(
        target,
        {"Phone": "+1 555 0000"},
        headers={"If-Unmodified-Since": format_datetime(server.clock.now(), usegmt=True)},
    )

    assert stale.value.status == 412 and stale.value.content[0]["errorCode"] == "PRECONDITION_FAILED"
    assert fresh == 204
    assert sf.Account.get(target)["Phone"] == "+1 555 0000"


def test_given_cases_and_opportunities_when_written_then_salesforce_computed_fields_follow(start: Start) -> None:
    server = start(small_world(accounts=1))
    sf = connect(server)
    account = sf.query("SELECT Id FROM Account")["records"][0]["Id"]

    case = sf.Case.create({"Subject": "Login fails", "AccountId": account})["id"]
    opened = sf.Case.get(case)
    sf.Case.update(case, {"Status": "Closed"})
    closed = sf.Case.get(case)
    deal = sf.Opportunity.create(
        {"Name": "Upsell", "StageName": "Closed Won", "CloseDate": "2025-03-31", "AccountId": account}
    )
    won = sf.Opportunity.get(deal["id"])

    assert (opened["CaseNumber"], opened["Status"], opened["Priority"], opened["IsClosed"]) == (
        "00001001",
        "New",
        "Medium",
        False,
    )
    assert closed["IsClosed"] is True and closed["ClosedDate"] is not None
    assert (won["IsClosed"], won["IsWon"], won["Probability"], won["CloseDate"]) == (True, True, 100.0, "2025-03-31")


@pytest.mark.parametrize(
    ("sobject", "body", "code", "fields"),
    [
        ("Contact", {"FirstName": "No last name"}, "REQUIRED_FIELD_MISSING", ["LastName"]),
        ("Account", {"Industry": "Banking"}, "REQUIRED_FIELD_MISSING", ["Name"]),
        ("Opportunity", {"Name": "Deal"}, "REQUIRED_FIELD_MISSING", ["StageName", "CloseDate"]),
        ("Account", {"Name": "X", "Helath__c": 1}, "INVALID_FIELD", None),
        (
            "Account",
            {"Name": "X", "CreatedDate": "2024-01-01T00:00:00Z"},
            "INVALID_FIELD_FOR_INSERT_UPDATE",
            ["CreatedDate"],
        ),
        ("Account", {"Name": "X", "NumberOfEmployees": "many"}, "JSON_PARSER_ERROR", None),
        ("Contact", {"LastName": "X", "AccountId": "0035g0000000001AAA"}, "FIELD_INTEGRITY_EXCEPTION", ["AccountId"]),
        ("Account", {"Name": "X" * 256}, "STRING_TOO_LONG", ["Name"]),
    ],
)
def test_given_an_invalid_record_when_creating_then_400_with_the_salesforce_error_code(
    start: Start, sobject: str, body: dict, code: str, fields: list[str] | None
) -> None:
    server = start(small_world(accounts=1))
    sf = connect(server)

    with pytest.raises(SalesforceMalformedRequest) as refused:
        getattr(sf, sobject).create(body)

    error = refused.value.content[0]
    assert error["errorCode"] == code
    assert error.get("fields") == fields


# -- limits and faults -----------------------------------------------------------------------------


def test_given_calls_when_reading_counters_then_each_route_template_is_counted_and_usage_is_in_every_answer(
    start: Start,
) -> None:
    server = start(small_world(accounts=3))
    sf = connect(server)
    ids = [r["Id"] for r in sf.query("SELECT Id FROM Account")["records"]]

    for record_id in ids:
        sf.Account.get(record_id)
    limits = sf.limits()
    counters = sandbox_calls(server)

    assert counters["by_route"]["GET /services/data/{version}/sobjects/{sobject}/{record_id}"] == {"calls": 3}
    assert counters["by_route"]["GET /services/data/{version}/query"] == {"calls": 1}
    assert counters["by_route"]["POST /services/oauth2/token"] == {"calls": 1}
    assert sf.api_usage["api-usage"].used == 5 and sf.api_usage["api-usage"].total == 100_000
    assert limits["DailyApiRequests"] == {"Max": 100_000, "Remaining": 100_000 - 5}


def test_given_enforced_limits_when_the_daily_allocation_is_spent_then_403_request_limit_exceeded(start: Start) -> None:
    server = start(small_world(accounts=1))
    https_session(server).put(f"{server.url('salesforce')}/_sandbox/limits", json={"daily_api_requests": 3, "used": 0})
    server.control("salesforce").set_faults(FaultSettings(enforce_limits=True))
    sf = connect(server)

    for _ in range(3):
        sf.query("SELECT Id FROM Account")
    with pytest.raises(SalesforceRefusedRequest) as refused:
        sf.query("SELECT Id FROM Account")

    assert refused.value.content == [
        {"message": "TotalRequests Limit exceeded.", "errorCode": "REQUEST_LIMIT_EXCEEDED"}
    ]
    assert sandbox_calls(server)["outcomes"]["limit_exceeded"] == 1
    server.clock.advance(24 * 3600 + 1)  # the allocation is a rolling 24-hour window
    assert sf.query("SELECT Id FROM Account")["totalSize"] == 1


def test_given_20_percent_injected_faults_when_the_session_retries_then_the_read_completes_and_counters_show_the_faults(
    start: Start,
) -> None:
    server = start(small_world(accounts=3000, contacts_per_account=0))
    session = https_session(server)
    # simple-salesforce has no retry of its own: a retrying transport adapter on its session is the SDK's retry path.
    retry = Retry(total=30, status_forcelist=[403, 503], allowed_methods=None, backoff_factor=0, raise_on_status=False)
    session.mount("https://", HTTPAdapter(max_retries=retry))
    sf = connect(server, session=session)
    server.control("salesforce").set_faults(FaultSettings(rate_limit_ratio=0.1, server_error_ratio=0.1, seed=11))

    records = sf.query_all("SELECT Id FROM Account", headers={"Sforce-Query-Options": "batchSize=200"})["records"]

    assert len({r["Id"] for r in records}) == 3000
    counters = sandbox_calls(server)
    outcomes = counters["outcomes"]
    assert outcomes["rate_limited"] >= 1 and outcomes["server_error"] >= 1
    pages = counters["by_route"]["GET /services/data/{version}/query/{locator}"]
    assert pages["calls"] - pages.get("rate_limited", 0) - pages.get("server_error", 0) == 14  # 15 pages of 200


# -- the generated world ---------------------------------------------------------------------------


def test_given_the_generated_world_when_reading_every_field_of_every_object_then_counts_and_values_match_the_seed(
    start: Start,
) -> None:
    from sandbox.population import generate_world

    world = generate_world(1000, seed=5)
    server = start(world)
    sf = connect(server)

    for sobject, seeded in world.salesforce.items():
        fields = [f["name"] for f in getattr(sf, sobject).describe()["fields"]]
        everything = sf.query_all(f"SELECT {', '.join(fields)} FROM {sobject}", include_deleted=True)["records"]
        live = sf.query(f"SELECT COUNT() FROM {sobject}")["totalSize"]
        assert {r["Id"] for r in everything} == {row["Id"] for row in seeded}, sobject
        assert live == sum(1 for row in seeded if not row.get("IsDeleted")), sobject
    emails = {r["Email"] for r in sf.query_all("SELECT Email FROM Contact", include_deleted=True)["records"]}
    assert emails == {row["Email"] for row in world.salesforce["Contact"]}
