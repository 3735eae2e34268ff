"""Survivorship: each rule picks the right value and says where it came from, in any member order."""

from __future__ import annotations

import json
import random
import zlib
from datetime import date, datetime
from typing import Any

import pytest

from identity.settings import IdentitySettings
from identity.survivorship import build_profile


def person(system: str, source_id: str, updated: str | None, **fields: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "record_id": zlib.crc32(f"{system}:{source_id}".encode()),
        "system": system,
        "object": {"salesforce": "Contact", "hubspot": "contact", "zendesk": "user"}.get(system, "record"),
        "source_id": source_id,
        "source_updated_at": datetime.fromisoformat(updated) if updated else None,
        "is_deleted": False,
        "attributes": {},
        "emails": [],
        "phones": [],
        "linked_ids": {},
    }
    return row | fields


def company(system: str, source_id: str, updated: str | None, **fields: Any) -> dict[str, Any]:
    return person(system, source_id, updated, **({"domains": []} | fields)) | {"object": "Account"}


def settings(default: str = "most_recent", **fields: str) -> IdentitySettings:
    return IdentitySettings.model_validate({"survivorship": {"default_rule": default, "fields": fields}})


def ref(system: str, source_id: str) -> dict[str, str]:
    return {"system": system, "object": {"salesforce": "Contact", "hubspot": "contact", "zendesk": "user"}[system], "id": source_id}


SF = person("salesforce", "003A", "2024-01-01T00:00:00", title="VP Sales", city="London", first_name="Ann")
HS = person("hubspot", "101", "2024-03-01T00:00:00", title="Chief Revenue Officer", city="london", first_name="Ann")
ZD = person("zendesk", "9", "2024-02-01T00:00:00", title="CRO", city="Paris", first_name="Anne")
ALL = [SF, HS, ZD]


def test_given_most_recent_when_built_then_latest_member_wins_with_its_source_and_time() -> None:
    title = build_profile("person", ALL, settings("most_recent"))["fields"]["title"]

    assert title == {
        "value": "Chief Revenue Officer",
        "source": ref("hubspot", "101"),
        "rule": "most_recent",
        "updated_at": "2024-03-01T00:00:00+00:00",
        "candidates": 3,
    }


def test_given_source_priority_when_built_then_first_listed_system_wins() -> None:
    fields = build_profile("person", ALL, settings("source_priority"))["fields"]

    assert fields["title"]["value"] == "VP Sales"
    assert fields["title"]["source"] == ref("salesforce", "003A")


def test_given_source_priority_and_two_records_of_one_system_when_built_then_most_recent_of_them_wins() -> None:
    older = person("salesforce", "003B", "2023-01-01T00:00:00", title="Sales Rep")

    title = build_profile("person", [older, SF, ZD], settings("source_priority"))["fields"]["title"]

    assert title["source"] == ref("salesforce", "003A")


def test_given_system_missing_from_priority_list_when_built_then_it_ranks_last() -> None:
    other = person("intercom", "u1", "2025-01-01T00:00:00", title="Founder")

    title = build_profile("person", [other, ZD], settings("source_priority"))["fields"]["title"]

    assert title["value"] == "CRO"


def test_given_most_complete_when_built_then_longest_value_wins() -> None:
    title = build_profile("person", ALL, settings("most_complete"))["fields"]["title"]

    assert (title["value"], title["source"]) == ("Chief Revenue Officer", ref("hubspot", "101"))


def test_given_most_complete_tie_when_built_then_most_recent_wins() -> None:
    a = person("salesforce", "1", "2024-01-01T00:00:00", city="Oslo")
    b = person("hubspot", "2", "2024-06-01T00:00:00", city="Rome")

    assert build_profile("person", [a, b], settings("most_complete"))["fields"]["city"]["value"] == "Rome"


def test_given_most_frequent_when_built_then_value_held_by_most_members_wins_case_insensitively() -> None:
    city = build_profile("person", ALL, settings("most_frequent"))["fields"]["city"]

    # "London" and "london" are one value held by two members; the most recent holder's spelling is shown.
    assert (city["value"], city["source"], city["candidates"]) == ("london", ref("hubspot", "101"), 3)


def test_given_most_frequent_tie_when_built_then_most_recent_wins() -> None:
    first_name = build_profile("person", [SF, ZD], settings("most_frequent"))["fields"]["first_name"]

    assert (first_name["value"], first_name["source"]) == ("Anne", ref("zendesk", "9"))


def test_given_identical_timestamps_when_built_then_source_ref_breaks_tie_in_any_order() -> None:
    a = person("salesforce", "1", "2024-01-01T00:00:00", title="A")
    b = person("hubspot", "2", "2024-01-01T00:00:00", title="B")

    picks = {build_profile("person", members, settings())["fields"]["title"]["value"] for members in ([a, b], [b, a])}

    assert picks == {"B"}  # ("hubspot", …) sorts before ("salesforce", …)


@pytest.mark.parametrize("rule", ["source_priority", "most_recent", "most_complete", "most_frequent"])
def test_given_shuffled_members_when_built_then_profile_is_identical(rule: str) -> None:
    members = [*ALL, person("hubspot", "102", None, title="CRO", emails=["b@x.io", "a@x.io"], phones=["+1"]),
               person("salesforce", "003C", "2024-03-01T00:00:00", title="Head of Sales", emails=["a@x.io"])]  # fmt: skip
    expected = build_profile("person", members, settings(rule))

    for seed in range(10):
        shuffled = members[:]
        random.Random(seed).shuffle(shuffled)
        assert build_profile("person", shuffled, settings(rule)) == expected


@pytest.mark.parametrize("rule", ["source_priority", "most_recent", "most_complete", "most_frequent"])
def test_given_null_and_empty_values_when_built_then_they_never_win(rule: str) -> None:
    newest_blank = person("salesforce", "1", "2025-01-01T00:00:00", title="  ", city=None)
    also_blank = person("hubspot", "2", "2025-01-01T00:00:00", title="", city=None)
    old = person("zendesk", "3", "2020-01-01T00:00:00", title="CTO", city="Oslo")

    fields = build_profile("person", [newest_blank, also_blank, old], settings(rule))["fields"]

    assert (fields["title"]["value"], fields["title"]["candidates"]) == ("CTO", 1)
    assert fields["city"]["source"] == ref("zendesk", "3")


def test_given_no_member_with_a_value_when_built_then_field_is_null() -> None:
    assert build_profile("person", [SF], settings())["fields"]["country"] == {
        "value": None, "source": None, "rule": "most_recent", "updated_at": None, "candidates": 0,
    }  # fmt: skip


def test_given_undated_member_when_most_recent_then_dated_member_wins() -> None:
    undated = person("salesforce", "1", None, title="Undated")
    dated = person("zendesk", "2", "2001-01-01T00:00:00", title="Dated")

    assert build_profile("person", [undated, dated], settings())["fields"]["title"]["value"] == "Dated"


def test_given_per_field_rule_when_built_then_field_uses_it_and_others_use_default() -> None:
    fields = build_profile("person", ALL, settings("most_recent", title="source_priority"))["fields"]

    assert (fields["title"]["value"], fields["title"]["rule"]) == ("VP Sales", "source_priority")
    assert (fields["city"]["value"], fields["city"]["rule"]) == ("london", "most_recent")


def test_given_shared_email_when_built_then_every_holder_is_listed_once() -> None:
    a = person("salesforce", "1", "2024-01-01T00:00:00", emails=["ann@acme.com"])
    b = person("hubspot", "2", "2024-02-01T00:00:00", emails=["Ann@Acme.com", "ann@gmail.com"])
    c = person("zendesk", "3", None, emails=["ann@gmail.com", "ann@gmail.com", ""])

    emails = build_profile("person", [a, b, c], settings())["emails"]

    assert sorted(e["value"].lower() for e in emails) == ["ann@acme.com", "ann@gmail.com"]
    by_value = {e["value"].lower(): e["sources"] for e in emails}
    assert by_value["ann@acme.com"] == [ref("hubspot", "2"), ref("salesforce", "1")]  # most recent holder first
    assert by_value["ann@gmail.com"] == [ref("hubspot", "2"), ref("zendesk", "3")]


def test_given_owner_ids_when_built_then_owner_carries_its_system() -> None:
    a = person("salesforce", "1", "2024-01-01T00:00:00", owner_source_id="005X")
    b = person("hubspot", "2", "2023-01-01T00:00:00", owner_source_id="77")

    owner = build_profile("person", [a, b], settings())["fields"]["owner"]

    assert owner["value"] == {"system": "salesforce", "id": "005X"}


def test_given_company_when_built_then_typed_values_are_json_and_domains_kept() -> None:
    a = company("salesforce", "001", "2024-01-01T00:00:00", name="Acme", domains=["acme.com"], employees=120,
                renewal_date=date(2025, 3, 1), annual_revenue=None)
    b = company("hubspot", "55", "2024-05-01T00:00:00", name="Acme Inc", domains=["acme.com", "acme.co.uk"],
                employees=None, annual_revenue=5e6)  # fmt: skip

    profile = build_profile("company", [a, b], settings())

    assert profile["fields"]["name"]["value"] == "Acme Inc"
    assert profile["fields"]["employees"]["value"] == 120
    assert profile["fields"]["renewal_date"]["value"] == "2025-03-01"
    # Both come from the newer member; equal recency falls back to the value.
    assert [d["value"] for d in profile["domains"]] == ["acme.co.uk", "acme.com"]
    assert {d["value"]: len(d["sources"]) for d in profile["domains"]} == {"acme.com": 2, "acme.co.uk": 1}
    assert "emails" not in profile
    json.dumps(profile)


def test_given_members_when_built_then_sources_and_linked_ids_are_merged() -> None:
    a = person("salesforce", "1", "2024-01-01T00:00:00", linked_ids={"hubspot:contact": "2", "zendesk:user": "old"})
    b = person("hubspot", "2", "2024-02-01T00:00:00", linked_ids={"zendesk:user": "3"})

    profile = build_profile("person", [b, a], settings())

    assert profile["sources"] == [ref("hubspot", "2"), ref("salesforce", "1")]
    assert profile["linked_ids"] == {"hubspot:contact": "2", "zendesk:user": "3"}  # the newer member's claim wins


def test_given_deleted_member_when_built_then_its_values_do_not_survive_but_it_is_listed() -> None:
    deleted = person("salesforce", "1", "2025-01-01T00:00:00", title="Gone", emails=["gone@x.io"], is_deleted=True)
    live = person("hubspot", "2", "2020-01-01T00:00:00", title="Here")

    profile = build_profile("person", [deleted, live], settings())

    assert profile["fields"]["title"]["value"] == "Here"
    assert profile["emails"] == []
    assert ref("salesforce", "1") in profile["sources"]


def test_given_iso_string_timestamps_when_built_then_they_compare_like_datetimes() -> None:
    a = person("salesforce", "1", None, title="Old") | {"source_updated_at": "2024-01-01T10:00:00+02:00"}
    b = person("hubspot", "2", None, title="New") | {"source_updated_at": "2024-01-01T09:00:00Z"}

    assert build_profile("person", [a, b], settings())["fields"]["title"]["value"] == "New"


def test_given_unknown_entity_when_built_then_error() -> None:
    with pytest.raises(ValueError, match="deal"):
        build_profile("deal", [SF], settings())
