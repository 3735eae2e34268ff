"""The Salesforce connector's rules without a network: error verdicts, cursor clauses, one record shape for REST and Bulk."""

from __future__ import annotations

import pytest
from simple_salesforce.exceptions import SalesforceGeneralError, SalesforceMalformedRequest, SalesforceRefusedRequest

from connectors.common import DELETED_AT_FIELD, Classification, ConnectorError
from connectors.salesforce.errors import TokenRequestFailed, classify
from connectors.salesforce.reader import Position, RecordShape
from connectors.salesforce.spec import parse_config

URL = "https://na1.my.salesforce.com/services/data/v62.0/query/?q=SELECT"


def refused(message: str) -> SalesforceRefusedRequest:
    return SalesforceRefusedRequest(URL, 403, "query", [{"message": message, "errorCode": "REQUEST_LIMIT_EXCEEDED"}])


def test_given_concurrent_requests_403_when_classified_then_retriable() -> None:
    verdict = classify(refused("ConcurrentRequests (Concurrent API Requests) Limit exceeded."))
    assert verdict.classification is Classification.RETRIABLE
    assert not verdict.budget_exhausted


def test_given_total_requests_403_when_classified_then_budget_exhausted_not_retried() -> None:
    verdict = classify(refused("TotalRequests Limit exceeded."))
    assert verdict.budget_exhausted
    assert verdict.classification is not Classification.RETRIABLE


def test_given_503_or_locked_row_when_classified_then_retriable() -> None:
    unavailable = SalesforceGeneralError(URL, 503, "query", [{"message": "down", "errorCode": "SERVER_UNAVAILABLE"}])
    locked = SalesforceMalformedRequest(URL, 400, "x", [{"message": "locked", "errorCode": "UNABLE_TO_LOCK_ROW"}])
    assert classify(unavailable).classification is Classification.RETRIABLE
    assert classify(locked).classification is Classification.RETRIABLE


def test_given_malformed_query_when_classified_then_fatal_with_vendor_message_and_no_url() -> None:
    error = SalesforceMalformedRequest(URL, 400, "query", [{"message": "unexpected token: FROM", "errorCode": "MALFORMED_QUERY"}])
    verdict = classify(error)
    assert verdict.classification is Classification.FATAL
    assert "MALFORMED_QUERY" in verdict.user_message and "unexpected token" in verdict.user_message
    assert "http" not in verdict.user_message


@pytest.mark.parametrize(
    ("code", "grant", "names"),
    [
        ("invalid_client_id", "password", "client_id"),
        ("invalid_client", "password", "client_secret"),
        ("invalid_grant", "password", "password"),
        ("invalid_grant", "refresh_token", "refresh_token"),
    ],
)
def test_given_refused_sign_in_when_classified_then_configuration_naming_the_setting(code: str, grant: str, names: str) -> None:
    verdict = classify(TokenRequestFailed(400, {"error": code, "error_description": "nope"}, grant))
    assert verdict.classification is Classification.CONFIGURATION
    assert names in verdict.user_message


def test_given_token_endpoint_503_when_classified_then_retriable() -> None:
    body = [{"message": "Server temporarily unavailable", "errorCode": "SERVER_UNAVAILABLE"}]
    assert classify(TokenRequestFailed(503, body, "password")).classification is Classification.RETRIABLE


def test_given_no_grant_when_parsing_config_then_configuration_error_without_secret() -> None:
    with pytest.raises(ConnectorError) as raised:
        parse_config({"client_id": "app", "client_secret": "s3cr3t-value"})
    assert raised.value.classification is Classification.CONFIGURATION
    assert "refresh_token" in raised.value.user_message and "s3cr3t-value" not in raised.value.user_message


def test_given_position_with_id_when_building_where_then_strictly_after_the_pair() -> None:
    where = Position("2025-01-02T03:04:05.678+0000", "0035g0000000001AAA").where("SystemModstamp", None)
    assert where == (
        " WHERE SystemModstamp > 2025-01-02T03:04:05.678Z OR "
        "(SystemModstamp = 2025-01-02T03:04:05.678Z AND Id > '0035g0000000001AAA')"
    )


def test_given_tampered_state_when_reading_then_configuration_error_instead_of_soql() -> None:
    with pytest.raises(ConnectorError):
        Position.from_state({"SystemModstamp": "2025-01-01T00:00:00Z", "Id": "x' OR Name != '"}, "SystemModstamp")


DESCRIBE = {
    "fields": [
        {"name": "Id", "type": "id"},
        {"name": "IsDeleted", "type": "boolean"},
        {"name": "Name", "type": "string"},
        {"name": "AnnualRevenue", "type": "currency"},
        {"name": "NumberOfEmployees", "type": "int"},
        {"name": "Renewal_Date__c", "type": "date"},
        {"name": "BillingAddress", "type": "address"},
        {"name": "SystemModstamp", "type": "datetime"},
    ]
}


def test_given_the_same_record_from_rest_and_bulk_when_shaped_then_identical() -> None:
    shape = RecordShape(DESCRIBE, "SystemModstamp")
    rest = shape.from_rest(
        [
            {
                "attributes": {"type": "Account", "url": "/services/data/v62.0/sobjects/Account/001"},
                "Id": "0015g0000000001AAA", "IsDeleted": True, "Name": 'Acme, "Ltd"\nNL', "AnnualRevenue": 50000,
                "NumberOfEmployees": 12, "Renewal_Date__c": None, "SystemModstamp": "2025-01-02T03:04:05.000+0000",
            }
        ]
    )
    bulk = list(shape.from_csv(
        '"Id","IsDeleted","Name","AnnualRevenue","NumberOfEmployees","Renewal_Date__c","SystemModstamp"\n'
        '"0015g0000000001AAA","true","Acme, ""Ltd""\nNL","50000.0","12","","2025-01-02T03:04:05.000Z"\n'
    ))
    assert rest == bulk
    assert bulk[0][DELETED_AT_FIELD] == "2025-01-02T03:04:05.000+0000"
    assert "BillingAddress" not in shape.names  # Bulk cannot select compound fields: neither path does
