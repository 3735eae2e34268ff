"""The SOQL subset of the Salesforce stand-in: parsing, binding and running, without a network."""

from __future__ import annotations

import pytest

from sandbox.clock import SandboxClock
from sandbox.salesforce.errors import SalesforceError
from sandbox.salesforce.query import json_renderer, like_regex, plan_soql
from sandbox.salesforce.seeds import small_world
from sandbox.salesforce.soql import SoqlError, parse
from sandbox.salesforce.store import SalesforceStore


@pytest.fixture(scope="module")
def store() -> SalesforceStore:
    # Accounts 0..9: Industry "Technology" on even ones, NumberOfEmployees 10+i, Type cycles through 5 values,
    # stamps one minute apart from 2024-01-01T00:00Z; one Contact and one Opportunity per account.
    return SalesforceStore(
        small_world(accounts=10, contacts_per_account=1, opportunities_per_account=1), SandboxClock()
    )


def run(store: SalesforceStore, text: str, include_deleted: bool = False) -> list[dict]:
    return plan_soql(store, text).run(store, include_deleted)


def refusal(store: SalesforceStore, text: str) -> dict:
    with pytest.raises(SalesforceError) as refused:
        plan_soql(store, text)
    assert refused.value.status == 400
    return refused.value.errors[0].rest_body()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("SELECT Id FROM Account", 10),
        ("select id from account where name = 'ACCOUNT 3'", 1),  # keywords, names and text values ignore case
        ("SELECT Id FROM Account WHERE Industry = null", 5),
        ("SELECT Id FROM Account WHERE Industry != null", 5),
        ("SELECT Id FROM Account WHERE Industry <> 'Technology'", 5),  # != keeps the nulls, as SOQL does
        ("SELECT Id FROM Account WHERE NumberOfEmployees >= 15 AND NumberOfEmployees < 18", 3),
        ("SELECT Id FROM Account WHERE Type IN ('Prospect', 'Partner')", 4),
        ("SELECT Id FROM Account WHERE Type NOT IN ('Prospect')", 8),
        ("SELECT Id FROM Account WHERE Name LIKE 'Account 1%'", 1),
        ("SELECT Id FROM Account WHERE Name LIKE 'account _'", 10),
        ("SELECT Id FROM Account WHERE NOT (Industry = 'Technology' OR NumberOfEmployees > 15)", 3),
        ("SELECT Id FROM Account WHERE (Industry = 'Technology' OR Type = 'Partner') AND NumberOfEmployees < 14", 3),
        ("SELECT Id FROM Account WHERE CreatedDate >= 2024-01-01T00:05:00Z", 5),
        ("SELECT Id FROM Account WHERE SystemModstamp < 2024-01-01T00:05:00.000+00:00", 5),
        ("SELECT Id FROM Account WHERE CreatedDate > 2024-01-01T01:02:00+01:00", 7),
        ("SELECT Id FROM Account WHERE Renewal_Date__c <= 2024-12-31", 1),
        ("SELECT Id FROM Account WHERE AnnualRevenue > 1000004.5", 5),
        ("SELECT Id FROM Opportunity WHERE IsWon = true", 2),
        ("SELECT Id FROM Contact WHERE Account.Name = 'Account 4'", 1),
        ("SELECT Id FROM Account LIMIT 3 OFFSET 8", 2),
        ("SELECT Id,Name FROM Account WHERE Name='Account 1'", 1),
    ],
)
def test_given_a_supported_query_when_run_then_it_matches_the_expected_rows(
    store: SalesforceStore, text: str, expected: int
) -> None:
    assert len(run(store, text)) == expected


def test_given_order_by_two_keys_with_nulls_last_when_run_then_rows_follow_both_keys(store: SalesforceStore) -> None:
    rows = run(store, "SELECT Name FROM Account ORDER BY Industry ASC NULLS LAST, Name DESC")
    default_nulls = run(store, "SELECT Name FROM Account ORDER BY Industry, Name")

    assert [r["Name"] for r in rows] == [f"Account {i}" for i in (8, 6, 4, 2, 0, 9, 7, 5, 3, 1)]
    assert [r["Name"] for r in default_nulls][:2] == ["Account 1", "Account 3"]  # ascending puts nulls first


def test_given_a_15_char_id_when_filtering_then_it_matches_the_18_char_id(store: SalesforceStore) -> None:
    full_id = run(store, "SELECT Id FROM Account WHERE Name = 'Account 2'")[0]["Id"]

    assert [r["Id"] for r in run(store, f"SELECT Id FROM Account WHERE Id = '{full_id[:15]}'")] == [full_id]


def test_given_count_when_planned_then_only_the_total_is_asked_for(store: SalesforceStore) -> None:
    plan = plan_soql(store, "SELECT COUNT() FROM Contact WHERE Email LIKE '%@example.com'")

    assert plan.count_only and plan.columns == [] and len(plan.run(store, False)) == 10


def test_given_a_parent_field_when_rendering_then_it_is_nested_under_the_relationship(store: SalesforceStore) -> None:
    plan = plan_soql(
        store, "SELECT Id, Account.Name, Account.Industry FROM Contact WHERE Email = 'person0@example.com'"
    )
    row = json_renderer(plan.sobject, plan.columns, "v62.0")(plan.run(store, False)[0])

    assert list(row) == ["attributes", "Id", "Account"]
    assert row["Account"]["Name"] == "Account 0" and row["Account"]["Industry"] == "Technology"
    assert row["Account"]["attributes"]["type"] == "Account"


@pytest.mark.parametrize(
    ("text", "code", "detail"),
    [
        ("SELECT Id FORM Account", "MALFORMED_QUERY", "unexpected token: FORM"),
        ("SELECT FROM Account", "MALFORMED_QUERY", "unexpected token: FROM"),
        ("SELECT Id FROM Account WHERE", "MALFORMED_QUERY", "unexpected token: <EOF>"),
        (
            "SELECT Id FROM Account WHERE Name = 'x' AND Type = 'y' OR Phone = null",
            "MALFORMED_QUERY",
            "unexpected token: OR",
        ),
        ("SELECT Id FROM Account WHERE Name = 'unterminated", "MALFORMED_QUERY", "expecting '''"),
        ("SELECT Id FROM Account LIMIT ten", "MALFORMED_QUERY", "unexpected token: ten"),
        ("SELECT * FROM Account", "MALFORMED_QUERY", "unexpected token: *"),
        ("SELECT Id FROM Account WHERE CreatedDate > 2024-01-01T00:00:00", "MALFORMED_QUERY", "no viable alternative"),
        ("SELECT Id, Id FROM Account", "MALFORMED_QUERY", "duplicate field selected: Id"),
        ("SELECT Id FROM Acount", "INVALID_TYPE", "sObject type 'Acount' is not supported."),
        ("SELECT Id, Nmae FROM Account", "INVALID_FIELD", "No such column 'Nmae' on entity 'Account'."),
        (
            "SELECT Id FROM Account WHERE CreatedDate > '2024-01-01'",
            "INVALID_FIELD",
            "must be of type dateTime and should not be enclosed in quotes",
        ),
        ("SELECT Id FROM Account WHERE CreatedDate > 2024-01-01", "INVALID_FIELD", "must be of type dateTime"),
        (
            "SELECT Id FROM Account WHERE Name = 5",
            "INVALID_FIELD",
            "must be of type string and should be enclosed in quotes",
        ),
        ("SELECT Id FROM Account WHERE NumberOfEmployees = '5'", "INVALID_FIELD", "must be of type integer"),
        ("SELECT Id FROM Account WHERE Description = 'x'", "INVALID_FIELD", "field 'Description' can not be filtered"),
        ("SELECT Id FROM Account ORDER BY BillingAddress", "INVALID_FIELD", "field 'BillingAddress' can not be sorted"),
        ("SELECT Id FROM Contact WHERE Acount.Name = 'x'", "INVALID_FIELD", "Didn't understand relationship 'Acount'"),
        (
            "SELECT Id FROM Account WHERE NumberOfEmployees LIKE '1%'",
            "INVALID_FIELD",
            "invalid operator on int field: LIKE",
        ),
        ("SELECT Id FROM Account WHERE Id = 'abc'", "INVALID_QUERY_FILTER_OPERATOR", "invalid ID field: abc"),
        ("SELECT Id FROM Account OFFSET 2001", "NUMBER_OUTSIDE_VALID_RANGE", "Maximum SOQL offset allowed is 2000"),
    ],
)
def test_given_a_bad_query_when_planned_then_salesforce_refuses_it_with_its_error_code(
    store: SalesforceStore, text: str, code: str, detail: str
) -> None:
    error = refusal(store, text)

    assert error["errorCode"] == code
    assert detail in error["message"]


def test_given_an_unknown_field_when_refused_then_the_message_points_at_row_and_column(store: SalesforceStore) -> None:
    one_line = refusal(store, "SELECT Id, Nmae FROM Account")["message"]
    multi_line = refusal(store, "SELECT Id\nFROM Account\nWHERE Nmae = 'x'")["message"]

    assert one_line.startswith(
        "\nSELECT Id, Nmae FROM Account\n           ^\nERROR at Row:1:Column:12\nNo such column 'Nmae'"
    )
    assert multi_line.startswith("\nWHERE Nmae = 'x'\n      ^\nERROR at Row:3:Column:7\n")


def test_given_escaped_wildcards_when_matching_like_then_they_are_literal() -> None:
    pattern = parse(r"SELECT Id FROM Account WHERE Name LIKE '50\% off\_%'").where

    assert pattern is not None
    matcher = like_regex(pattern.pattern.value)  # type: ignore[union-attr]
    assert (
        matcher.fullmatch("50% OFF_today")
        and not matcher.fullmatch("500 off_x")
        and not matcher.fullmatch("50% offXtoday")
    )


def test_given_quoted_escapes_when_parsing_then_the_literal_is_decoded() -> None:
    where = parse(r"SELECT Id FROM Account WHERE Name = 'O\'Brien \\ Sons'").where

    assert where.value.value == "O'Brien \\ Sons"  # type: ignore[union-attr]


def test_given_syntax_errors_when_parsing_then_the_offset_is_kept() -> None:
    with pytest.raises(SoqlError) as raised:
        parse("SELECT Id FROM Account ORDER Name")

    assert raised.value.code == "MALFORMED_QUERY" and raised.value.pos == len("SELECT Id FROM Account ORDER ")
