"""`flows.writeback.targets` against the sandbox: fields found, judged, created through the vendors' APIs, read back with their SDKs."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests
from hubspot.crm.properties import PropertyCreate
from sandbox_support import sandbox_loophub_config
from simple_salesforce.exceptions import (
    SalesforceMalformedRequest,
    SalesforceRefusedRequest,
)

from connectors.common import ConnectorError, RetryPolicy, call_with_retry
from connectors.salesforce.errors import classify
from flows.writeback import support_context
from flows.writeback.plan import TargetField
from flows.writeback.run import apply_writeback, plan_writeback
from flows.writeback.settings import PolicySettings
from flows.writeback.target_vendors import tooling_refused
from flows.writeback.targets import (
    apply_targets,
    check_targets,
    merge_fields,
    required_fields,
)
from loophub.config import LoophubConfig
from loophub.errors import ErrorKind, LoopError
from sandbox.population import generate_world
from sandbox.server import SandboxServer
from sandbox.world import World
from tests.flows.writeback_support import Vendors, loop_once, vendors

SUPPORT_FIELDS = support_context.target_fields(PolicySettings())
ZENDESK_LOGIN = ("integration@sandbox.example/token", "sandbox-api-token")
TOOLING = "POST /services/data/{version}/tooling/sobjects/CustomField"
CREATES = {"salesforce": TOOLING, "hubspot": "POST /crm/v3/properties/{object_type}"}


def field(system: str, object_name: str, name: str, kind: Any, unique: bool = False) -> TargetField:
    return TargetField(system, object_name, name, kind, name.removesuffix("__c").replace("_", " ").lower(), "test", unique)


# Kinds, objects and systems support_context does not use, as the other policies declare them.
OTHER_FIELDS = [
    field("zendesk", "organizations", "organization_fields.loophub_golden_id", "text"),
    field("zendesk", "organizations", "organization_fields.loophub_last_seen_at", "datetime"),
    field("zendesk", "organizations", "organization_fields.loophub_open_deals", "count"),
    field("zendesk", "users", "user_fields.loophub_suppressed", "boolean"),
    field("salesforce", "Contact", "Loophub_Suppressed__c", "boolean"),
    field("salesforce", "Opportunity", "Loophub_Renewal_Date__c", "date"),
    field("salesforce", "Opportunity", "Loophub_Key__c", "text", unique=True),
    field("hubspot", "contacts", "loophub_suppressed", "boolean"),
    field("hubspot", "deals", "loophub_renewal_date", "date"),
    field("hubspot", "deals", "loophub_key", "text", unique=True),
]
STANDARD_FIELDS = [field("salesforce", "Contact", "Phone", "text"), field("hubspot", "contacts", "phone", "text"), field("zendesk", "users", "notes", "text")]
ALL_FIELDS = SUPPORT_FIELDS + OTHER_FIELDS + STANDARD_FIELDS


@pytest.fixture
def server(start_sandbox: Callable[[World], SandboxServer]) -> SandboxServer:
    return start_sandbox(generate_world(40, seed=11))


@pytest.fixture
def config(server: SandboxServer, database_url: str) -> LoophubConfig:
    return sandbox_loophub_config(server, database_url)


@pytest.fixture
def access(server: SandboxServer) -> Iterator[Vendors]:
    with vendors(server) as opened:
        yield opened


def creates(server: SandboxServer) -> dict[str, int]:
    """Field-creating calls so far, per system (Zendesk: organization and user fields together)."""
    counted = {system: server.control(system).calls.calls(route.split(" ", 1)[1], "POST") for system, route in CREATES.items()}
    zendesk = server.control("zendesk").calls
    counted["zendesk"] = zendesk.calls("/api/v2/organization_fields", "POST") + zendesk.calls("/api/v2/user_fields", "POST")
    return counted


def zendesk_fields(server: SandboxServer, group: str) -> dict[str, dict[str, Any]]:
    answer = requests.get(f"{server.url('zendesk')}/api/v2/{group}.json", auth=ZENDESK_LOGIN, timeout=30)
    answer.raise_for_status()
    return {entry["key"]: entry for entry in answer.json()[group]}


def salesforce_fields(access: Vendors, sobject: str) -> dict[str, dict[str, Any]]:
    return {entry["name"]: entry for entry in getattr(access.sf, sobject).describe()["fields"]}


def hubspot_properties(access: Vendors, object_type: str) -> dict[str, Any]:
    return {prop.name: prop for prop in access.hs.crm.properties.core_api.get_all(object_type).results}


def test_given_a_fresh_sandbox_when_checked_then_every_support_context_field_is_missing_and_standard_fields_are_present(config: LoophubConfig) -> None:
    defaults = {(check.field.system, check.field.name): check.state for check in check_targets(config).checks if check.field.policy == "support_context"}
    assert defaults == {(f.system, f.name): "missing" for f in SUPPORT_FIELDS} and len(defaults) == 14

    report = check_targets(config, ALL_FIELDS)

    states = {check.field.name: check.state for check in report.checks}
    assert {name for name, state in states.items() if state == "present"} == {"Phone", "phone", "notes"}
    assert len(report.problems) == len(ALL_FIELDS) - 3 and all(check.state == "missing" for check in report.problems)


def test_given_missing_fields_when_applied_then_the_vendors_hold_them_with_fitting_types_and_a_second_apply_creates_nothing(
    config: LoophubConfig, server: SandboxServer, access: Vendors
) -> None:
    report = apply_targets(config, fields=ALL_FIELDS)

    assert report.count("created") == len(ALL_FIELDS) - 3 and report.count("present") == 3, report.as_json()
    assert creates(server) == {"salesforce": 10, "hubspot": 10, "zendesk": 4}
    account = salesforce_fields(access, "Account")
    assert {(account[f.name]["type"], account[f.name]["scale"]) for f in SUPPORT_FIELDS if f.system == "salesforce" and f.kind == "count"} == {("double", 0)}
    assert {(account[f.name]["type"], account[f.name]["scale"]) for f in SUPPORT_FIELDS if f.system == "salesforce" and f.kind == "number"} == {("double", 1)}
    assert account["Loophub_Last_Ticket_At__c"]["type"] == "datetime"
    assert salesforce_fields(access, "Contact")["Loophub_Suppressed__c"]["type"] == "boolean"
    opportunity = salesforce_fields(access, "Opportunity")
    assert opportunity["Loophub_Renewal_Date__c"]["type"] == "date"
    assert (opportunity["Loophub_Key__c"]["type"], opportunity["Loophub_Key__c"]["length"]) == ("string", 255)
    companies, contacts, deals = (hubspot_properties(access, name) for name in ("companies", "contacts", "deals"))
    assert (companies["loophub_last_ticket_at"].type, companies["loophub_support_health"].type, companies["loophub_csat_90d"].type) == ("datetime", "number", "number")
    assert (contacts["loophub_suppressed"].type, contacts["loophub_suppressed"].field_type) == ("bool", "booleancheckbox")
    assert deals["loophub_renewal_date"].type == "date" and deals["loophub_key"].has_unique_value and not deals["loophub_renewal_date"].has_unique_value
    organization, user = zendesk_fields(server, "organization_fields"), zendesk_fields(server, "user_fields")
    assert [organization[key]["type"] for key in ("loophub_golden_id", "loophub_last_seen_at", "loophub_open_deals")] == ["text", "text", "integer"]
    assert user["loophub_suppressed"]["type"] == "checkbox"

    assert check_targets(config, ALL_FIELDS).problems == []
    again = apply_targets(config, fields=ALL_FIELDS)
    assert again.count("present") == len(ALL_FIELDS) and creates(server) == {"salesforce": 10, "hubspot": 10, "zendesk": 4}


def test_given_fields_of_the_wrong_type_when_checked_and_applied_then_they_are_reported_and_left_alone(
    config: LoophubConfig, server: SandboxServer, access: Vendors
) -> None:
    for name, metadata in (("Loophub_Support_Health__c", {"type": "Text", "length": 40}), ("Loophub_CSAT_90d__c", {"type": "Number", "precision": 5, "scale": 0})):
        access.sf.restful("tooling/sobjects/CustomField", method="POST", json={"FullName": f"Account.{name}", "Metadata": {"label": name, **metadata}})
    access.hs.crm.properties.core_api.create("companies", PropertyCreate(name="loophub_open_tickets", label="Open", type="string", field_type="text", group_name="companyinformation"))
    tier = field("zendesk", "organizations", "organization_fields.account_tier", "count")  # the world's own text field

    report = check_targets(config, [*SUPPORT_FIELDS, tier])

    wrong = {check.field.name: check.detail for check in report.checks if check.state == "wrong_type"}
    assert set(wrong) == {"Loophub_Support_Health__c", "Loophub_CSAT_90d__c", "loophub_open_tickets", "organization_fields.account_tier"}
    assert "string (40)" in wrong["Loophub_Support_Health__c"] and "Number(18, 0)" in wrong["Loophub_Support_Health__c"]
    assert "double (5, 0)" in wrong["Loophub_CSAT_90d__c"] and "one decimal" in wrong["Loophub_CSAT_90d__c"]
    assert "string (text)" in wrong["loophub_open_tickets"] and "text" in wrong["organization_fields.account_tier"]
    applied = apply_targets(config, fields=[*SUPPORT_FIELDS, tier])
    assert {result.check.field.name for result in applied.with_outcome("failed")} == set(wrong)
    assert all("does not change an existing field" in result.detail for result in applied.with_outcome("failed"))
    assert applied.count("created") == len(SUPPORT_FIELDS) - 3
    assert salesforce_fields(access, "Account")["Loophub_Support_Health__c"]["type"] == "string"
    assert hubspot_properties(access, "companies")["loophub_open_tickets"].type == "string"


def test_given_print_mode_when_applied_then_salesforce_definitions_are_printed_and_only_the_others_are_created(config: LoophubConfig, server: SandboxServer) -> None:
    report = apply_targets(config, "print", fields=ALL_FIELDS)

    printed = {result.check.field.name: result.definition for result in report.with_outcome("printed")}
    assert set(printed) == {f.name for f in ALL_FIELDS if f.system == "salesforce" and f.name != "Phone"}
    assert printed["Loophub_Open_Tickets__c"] == {
        "object": "Account", "api_name": "Loophub_Open_Tickets__c",
        "metadata": {"label": "loophub open tickets", "description": "Written by loophub (support_context).", "type": "Number", "precision": 18, "scale": 0},
    }  # fmt: skip
    assert {"type": "Text", "length": 255, "externalId": True, "unique": True}.items() <= printed["Loophub_Key__c"]["metadata"].items()
    assert printed["Loophub_Suppressed__c"]["metadata"]["defaultValue"] == "false"
    assert creates(server) == {"salesforce": 0, "hubspot": 10, "zendesk": 4}
    after = check_targets(config, ALL_FIELDS)
    assert {check.field.name for check in after.problems} == set(printed)


def test_given_fields_loophub_cannot_create_when_applied_then_each_fails_with_the_reason(config: LoophubConfig, server: SandboxServer) -> None:
    fields = [
        field("salesforce", "Account", "Loophub_Tier", "text"),  # no __c: a standard field that does not exist
        field("salesforce", "Invoice", "Loophub_Total__c", "number"),  # an object the org does not have
        field("zendesk", "tickets", "custom_fields.990001", "text"),  # ticket fields are numbered by Zendesk
        field("hubspot", "companies", "Loophub Tier", "text"),
    ]

    report = apply_targets(config, fields=fields)

    by_name = {result.check.field.name: result for result in report.results}
    assert {name: (result.check.state, result.outcome) for name, result in by_name.items()} == {
        "Loophub_Tier": ("missing", "failed"), "Loophub_Total__c": ("unreachable", "failed"),
        "custom_fields.990001": ("missing", "failed"), "Loophub Tier": ("missing", "failed"),
    }  # fmt: skip
    assert "standard field cannot be created" in by_name["Loophub_Tier"].detail
    assert "Invoice" in by_name["Loophub_Total__c"].detail
    assert "Zendesk numbers ticket fields itself" in by_name["custom_fields.990001"].detail
    assert "lower-case" in by_name["Loophub Tier"].detail
    assert creates(server) == {"salesforce": 0, "hubspot": 0, "zendesk": 0}


def test_given_no_connection_for_a_system_when_checked_then_its_fields_say_so_and_are_not_problems(config: LoophubConfig) -> None:
    without_hubspot = config.model_copy(update={"connections": [c for c in config.connections if c.system != "hubspot"]})

    report = check_targets(without_hubspot, SUPPORT_FIELDS)

    states = {(check.field.system, check.state) for check in report.checks}
    assert states == {("hubspot", "no_connection"), ("salesforce", "missing")}
    assert {check.field.system for check in report.problems} == {"salesforce"}
    assert all("no hubspot connection" in check.detail for check in report.checks if check.field.system == "hubspot")


def test_given_the_tooling_api_refused_for_permissions_then_it_counts_as_refused_but_a_bad_field_does_not() -> None:
    def failure(error: Exception) -> ConnectorError:
        def operation() -> None:
            raise error

        with pytest.raises(ConnectorError) as raised:
            call_with_retry(operation, classify, RetryPolicy(max_attempts=1))
        return raised.value

    url = "https://org.example/services/data/v62.0/tooling/sobjects/CustomField"
    permission = [{"errorCode": "INSUFFICIENT_ACCESS", "message": "insufficient access rights on cross-reference id"}]
    duplicate = [{"errorCode": "DUPLICATE_DEVELOPER_NAME", "message": "There is already a field named X__c on Account."}]
    spent = [{"errorCode": "REQUEST_LIMIT_EXCEEDED", "message": "TotalRequests Limit exceeded."}]

    assert tooling_refused(failure(SalesforceRefusedRequest(url, 403, "CustomField", permission)))
    assert not tooling_refused(failure(SalesforceMalformedRequest(url, 400, "CustomField", duplicate)))
    assert not tooling_refused(failure(SalesforceRefusedRequest(url, 403, "CustomField", spent)))


def test_given_two_policies_sharing_a_field_then_it_is_required_once_and_conflicting_kinds_are_a_config_error(config: LoophubConfig) -> None:
    key = field("hubspot", "deals", "loophub_key", "text")
    fields = [
        key, TargetField("hubspot", "deals", "loophub_key", "text", "loophub key", "other", unique=True),
        TargetField("salesforce", "Account", "loophub_x__c", "count", "x", "a"), TargetField("salesforce", "Account", "Loophub_X__c", "count", "x", "b"),
    ]  # fmt: skip

    merged = merge_fields(fields)

    assert [(f.system, f.name, f.policy, f.unique) for f in merged] == [("hubspot", "loophub_key", "test, other", True), ("salesforce", "loophub_x__c", "a, b", False)]
    with pytest.raises(LoopError) as raised:
        merge_fields([key, field("hubspot", "deals", "loophub_key", "date")])
    assert raised.value.kind is ErrorKind.CONFIG and "as text and as date" in raised.value.user_message
    disabled = config.model_copy(update={"policies": PolicySettings.model_validate({"support_context": {"enabled": False}})})
    assert not [f for f in required_fields(disabled) if f.policy == "support_context"]
    assert {(f.system, f.name) for f in SUPPORT_FIELDS} <= {(f.system, f.name) for f in required_fields(config)}


def test_given_applied_fields_when_the_loop_writes_back_then_every_write_into_them_is_applied(
    start_sandbox: Callable[[World], SandboxServer], database_url: str
) -> None:
    from store import create_store_engine, upgrade_database

    server = start_sandbox(generate_world(120, seed=7))
    config = sandbox_loophub_config(server, database_url)
    applied = apply_targets(config)
    created = {(result.check.field.system, result.check.field.name) for result in applied.with_outcome("created")}
    assert {(f.system, f.name) for f in SUPPORT_FIELDS} <= created
    engine = create_store_engine(database_url)
    try:
        upgrade_database(engine)
        loop_once(engine, config)
        plan = plan_writeback(engine, config)
        report = apply_writeback(engine, config, plan)
    finally:
        engine.dispose()

    into_created = [row for row in plan.rows if (row.system, row.field) in created]
    support_rows = [row for row in into_created if row.policy == "support_context"]
    assert support_rows and {row.system for row in support_rows} == {"salesforce", "hubspot"}
    failed = [error for error in report.errors if (error["target"].split(":")[0], error["field"]) in created]
    assert failed == [] and report.count("applied") >= len(into_created)
    with vendors(server) as access:
        assert access.sf.query("SELECT COUNT() FROM Account WHERE Loophub_Support_Health__c != null")["totalSize"] > 0
