"""Enrichment: a phone, title or domain the golden profile holds fills the records of that profile that lack it."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import phonenumbers
import pytest
from sqlalchemy import select

from flows.writeback.enrichment import ENRICHMENT, golden_value, plan_enrichment, shaped
from flows.writeback.enrichment_settings import EnrichmentPolicy
from flows.writeback.run import apply_writeback, plan_writeback
from identity.survivorship import build_profile
from loophub.config import ConfigError, parse_config
from sandbox.server import SandboxServer
from sandbox.world import World
from store import session_scope
from store.canonical import CompanyRow, PersonRow
from store.identity import GoldenMember, GoldenRecord
from store.links import LinkedMember
from store.writeback import PulledTarget
from tests.flows.links_support import (
    hubspot_rows,
    only,
    prepared_links_loop,
    resync,
    rows_of,
    salesforce_rows,
    zendesk_rows,
)
from tests.flows.writeback_support import Loop

Ref = tuple[str, str, str]
PHONE_FIELDS = {"Contact": ("Phone", "MobilePhone"), "Lead": ("Phone", "MobilePhone"), "contacts": ("phone", "mobilephone"), "users": ("phone",)}
TARGET_PHONE = {"Contact": "Phone", "contacts": "phone", "users": "phone"}
TITLE_FIELDS = {"Contact": "Title", "Lead": "Title", "contacts": "jobtitle"}


@pytest.fixture
def loop(start_sandbox: Callable[[World], SandboxServer], database_url: str) -> Iterator[Loop]:
    with prepared_links_loop(start_sandbox, database_url) as prepared:
        yield prepared


def world_records(world: World) -> dict[Ref, dict[str, Any]]:
    """Every seeded record by (system, object, id), HubSpot's properties lifted to the top."""
    found = {}
    for system, objects in (("salesforce", world.salesforce), ("hubspot", world.hubspot), ("zendesk", world.zendesk)):
        for object_name, records in objects.items():
            for record in records:
                found[(system, object_name, str(record.get("Id") or record.get("id")))] = {**record, **(record.get("properties") or {})}
    return found


def golden_groups(loop: Loop, entity: str) -> dict[str, list[Ref]]:
    table = PersonRow if entity == "person" else CompanyRow
    query = select(GoldenMember.golden_id, table.system, table.object, table.source_id).join(table, table.id == GoldenMember.record_id)
    groups: dict[str, list[Ref]] = defaultdict(list)
    with session_scope(loop.engine) as session:
        for golden_id, system, object_name, source_id in session.execute(query.where(GoldenMember.entity == entity, table.is_deleted.is_(False))):
            groups[golden_id].append((system, object_name, source_id))
    return groups


def international(raw: str) -> str | None:
    """A phone typed with its country code, as E.164 with any extension after ` ext. `; None when it has no country code."""
    if not raw.strip().startswith("+"):
        return None
    number = phonenumbers.parse(raw, None)
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return f"{e164} ext. {number.extension}" if number.extension else e164


def bare_domain(raw: str) -> str:
    host = urlsplit(raw if "//" in raw else f"//{raw}").hostname or ""
    return host.lower().removeprefix("www.")


def phones_of(ref: Ref, record: dict[str, Any]) -> list[str]:
    return [record[name] for name in PHONE_FIELDS.get(ref[1], ()) if record.get(name)]


def expected_person_phones(loop: Loop) -> dict[Ref, str]:
    """Person records with no phone whose profile's other records agree on one phone typed with a country code → that phone."""
    records, expected = world_records(loop.world), {}
    for refs in golden_groups(loop, "person").values():
        for ref in refs:
            if ref[1] not in TARGET_PHONE or records[ref].get("role", "end-user") != "end-user" or phones_of(ref, records[ref]):
                continue
            others = {international(phone) for other in refs if other != ref for phone in phones_of(other, records[other])}
            if len(others) == 1 and None not in others:
                expected[ref] = others.pop()
    return expected


def expected_account_values(loop: Loop) -> dict[tuple[Ref, str], str]:
    """Accounts with no Phone / Website whose HubSpot companies agree on one → (account, field) → the value as written."""
    records, expected = world_records(loop.world), {}
    for refs in golden_groups(loop, "company").values():
        companies = [records[ref] for ref in refs if ref[1] == "companies"]
        for ref in (ref for ref in refs if ref[1] == "Account"):
            phones = {international(c["phone"]) for c in companies if c.get("phone")}
            if not records[ref].get("Phone") and len(phones) == 1 and None not in phones:
                expected[(ref, "Phone")] = phones.pop()
            domains = {bare_domain(c[name]) for c in companies for name in ("domain", "website") if c.get(name)}
            zendesk = {bare_domain(d) for other in refs if other[1] == "organizations" for d in records[other]["domain_names"]}
            if not records[ref].get("Website") and len(domains | zendesk) == 1:
                expected[(ref, "Website")] = f"https://{domains.pop()}"
    return expected


def expected_titles(loop: Loop) -> dict[Ref, str]:
    """CRM contacts with no title whose profile's other records agree on one → that title."""
    records, expected = world_records(loop.world), {}

    def title(ref: Ref) -> str:
        return str(records[ref].get(TITLE_FIELDS.get(ref[1], "")) or "").strip()

    for refs in golden_groups(loop, "person").values():
        for ref in (ref for ref in refs if ref[1] in ("Contact", "contacts") and not title(ref)):
            others = {title(other) for other in refs if other != ref and title(other)}
            if len(others) == 1:
                expected[ref] = others.pop()
    return expected


def read_titles(loop: Loop) -> dict[Ref, Any]:
    now: dict[Ref, Any] = {("salesforce", "Contact", i): row["Title"] for i, row in salesforce_rows(loop.vendors, "Contact", ["Title"]).items()}
    return now | {("hubspot", "contacts", i): row.get("jobtitle") for i, row in hubspot_rows(loop.vendors, "contacts", ["jobtitle"]).items()}


def read_phones(loop: Loop) -> dict[Ref, Any]:
    now: dict[Ref, Any] = {}
    for record_id, row in salesforce_rows(loop.vendors, "Contact", ["Phone"]).items():
        now[("salesforce", "Contact", record_id)] = row["Phone"]
    for record_id, row in hubspot_rows(loop.vendors, "contacts", ["phone"]).items():
        now[("hubspot", "contacts", record_id)] = row.get("phone")
    user_ids = [str(user["id"]) for user in loop.world.zendesk["users"]]
    for record_id, record in zendesk_rows(loop.vendors, "users", user_ids).items():
        now[("zendesk", "users", record_id)] = record.get("phone")
    return now


def test_given_phones_only_some_systems_know_when_enriched_then_empty_phones_are_filled_and_set_ones_kept(loop: Loop) -> None:
    config = only(loop.config, ENRICHMENT)
    expected, accounts, titles, records = expected_person_phones(loop), expected_account_values(loop), expected_titles(loop), world_records(loop.world)
    plan = plan_writeback(loop.engine, config)
    report = apply_writeback(loop.engine, config, plan)

    assert plan.rows and report.count("applied") == len(plan.rows) and not report.errors
    now = read_phones(loop)
    assert {ref[0] for ref in expected} == {"salesforce", "hubspot", "zendesk"} and len(expected) >= 20
    assert {ref: now[ref] for ref in expected} == expected
    only_zendesk = [ref for ref in expected if ref[1] == "Contact" and any(row.record_id == ref[2] and "zendesk:users" in row.reason for row in plan.rows)]
    assert only_zendesk, "a phone only Zendesk knows fills an empty Salesforce phone"
    kept = {ref: records[ref][TARGET_PHONE[ref[1]]] for ref in now if records[ref].get(TARGET_PHONE[ref[1]])}
    assert {ref: now[ref] for ref in kept} == kept  # fill_if_blank: a phone already there is never replaced
    account_rows = salesforce_rows(loop.vendors, "Account", ["Phone", "Website"])
    assert {field for _, field in accounts} == {"Phone", "Website"}
    assert {key: account_rows[key[0][2]][key[1]] for key in accounts} == accounts
    now_titles = read_titles(loop)
    assert {ref[0] for ref in titles} == {"salesforce", "hubspot"} and {ref: now_titles[ref] for ref in titles} == titles


def golden_phones(loop: Loop, golden_ids: set[str]) -> dict[str, list[str]]:
    """The phones each golden person shows, as stored."""
    with session_scope(loop.engine) as session:
        rows = session.execute(select(GoldenRecord.golden_id, GoldenRecord.profile).where(GoldenRecord.golden_id.in_(golden_ids)))
        return {golden_id: [entry["value"] for entry in profile["phones"]] for golden_id, profile in rows}


def surviving_phones(loop: Loop, golden_ids: set[str]) -> dict[str, list[dict[str, Any]]]:
    """The phones survivorship gives each golden person from its members as they are now in the store."""
    members: dict[str, list[dict[str, Any]]] = defaultdict(list)
    query = select(GoldenMember.golden_id, PersonRow.__table__).join(PersonRow, PersonRow.id == GoldenMember.record_id)
    with session_scope(loop.engine) as session:
        for row in session.execute(query.where(GoldenMember.entity == "person", GoldenMember.golden_id.in_(golden_ids))).mappings():
            members[row["golden_id"]].append({**row, "record_id": row["id"]})
    return {golden_id: build_profile("person", rows, loop.config.identity)["phones"] for golden_id, rows in members.items()}


def test_given_enriched_records_when_the_loop_runs_again_then_the_phones_come_back_the_golden_value_holds_and_nothing_is_planned(loop: Loop) -> None:
    config = only(loop.config, ENRICHMENT)
    first = plan_writeback(loop.engine, config)
    phone_rows = [row for row in first.rows if "person_phone" in row.reason]
    mapped_before = canonical_phones(loop, [(row.system, row.object, row.record_id) for row in phone_rows])
    apply_writeback(loop.engine, config, first)
    before = golden_phones(loop, {str(row.golden_id) for row in phone_rows})

    resync(loop, config)
    plan = plan_writeback(loop.engine, config)

    assert rows_of(plan, ENRICHMENT) == [] and len(phone_rows) >= 20
    assert golden_phones(loop, set(before)) == before
    # The pull brought the written phones back (the vendors hold them), but a copy loophub made is no evidence:
    # the written records map with a blank phone, and the golden phone keeps only its real holders.
    assert all(read_phones(loop)[(row.system, row.object, row.record_id)] == row.new for row in phone_rows)
    assert canonical_phones(loop, list(mapped_before)) == mapped_before
    surviving = surviving_phones(loop, set(before))
    assert {golden_id: [entry["value"] for entry in phones] for golden_id, phones in surviving.items()} == before
    holders = {golden_id: {(s["system"], s["object"], s["id"]) for s in phones[0]["sources"]} for golden_id, phones in surviving.items()}
    assert not any((row.system, row.object, row.record_id) in holders[str(row.golden_id)] for row in phone_rows)


def canonical_phones(loop: Loop, refs: list[Ref]) -> dict[Ref, list[str]]:
    """The phones of these records as mapped into the store."""
    with session_scope(loop.engine) as session:
        rows = session.execute(select(PersonRow.system, PersonRow.object, PersonRow.source_id, PersonRow.phones))
        phones = {(system, object_name, source_id): list(found) for system, object_name, source_id, found in rows}
    return {ref: phones[ref] for ref in refs}


def test_given_rules_switched_off_when_planning_then_their_fields_are_left_alone(loop: Loop) -> None:
    off = plan_writeback(loop.engine, only(loop.config, ENRICHMENT, {"enabled": False}))
    partial = plan_writeback(loop.engine, only(loop.config, ENRICHMENT, {"rules": [{"name": "person_phone", "targets": {"zendesk": None}}, {"name": "person_title", "mode": "never"}]}))

    assert ENRICHMENT not in off.policies and rows_of(off, ENRICHMENT) == []
    written = {(row.object, row.field) for row in rows_of(partial, ENRICHMENT)}
    assert written == {("Contact", "Phone"), ("contacts", "phone"), ("Account", "Phone"), ("companies", "phone"), ("Account", "Website")}


# -- without a sandbox ------------------------------------------------------------------------------------------------

NOW = datetime.now(UTC).replace(microsecond=0)
PROFILE = {
    "fields": {"title": {"value": "CTO", "source": {"system": "hubspot", "object": "contacts", "id": "8"}, "rule": "most_recent"}},
    "phones": [{"value": "+4930123456;ext=12", "sources": [{"system": "zendesk", "object": "users", "id": "5"}, {"system": "salesforce", "object": "Contact", "id": "003B"}]}],
}
TWO_PHONES = PROFILE | {"phones": [*PROFILE["phones"], {"value": "+4930999999", "sources": [{"system": "hubspot", "object": "contacts", "id": "9"}]}]}


def test_given_a_profile_then_the_golden_value_comes_with_the_records_holding_it_and_two_phones_give_none() -> None:
    phone, title = golden_value(PROFILE, "phones"), golden_value(PROFILE, "title")

    assert phone is not None and phone.value == "+4930123456;ext=12"
    assert phone.holders == {("zendesk", "users", "5"), ("salesforce", "Contact", "003B")}
    assert title is not None and (title.value, title.holders) == ("CTO", {("hubspot", "contacts", "8")})
    assert golden_value(TWO_PHONES, "phones") is None  # a mobile and an office line: no telling which a Phone field means
    assert golden_value(PROFILE, "domains") is None and golden_value({"fields": {"title": {"value": None}}}, "title") is None


def test_given_a_phone_with_an_extension_or_a_domain_for_a_url_field_then_each_is_shaped_as_the_field_takes_it() -> None:
    rules = {rule.name: rule for rule in EnrichmentPolicy.model_validate({}).rules}
    phone, domain = rules["person_phone"], rules["company_domain"]

    assert shaped("+4930123456;ext=12", phone, phone.targets.salesforce, "salesforce") == "+4930123456 ext. 12"  # type: ignore[arg-type]
    assert shaped("acme.io", domain, domain.targets.salesforce, "salesforce") == "https://acme.io"  # type: ignore[arg-type]
    assert shaped("acme.io", domain, domain.targets.hubspot, "hubspot") == "acme.io"  # type: ignore[arg-type]


def test_given_holders_blank_and_set_fields_when_planning_then_only_blank_fields_of_records_without_the_value_are_filled() -> None:
    members = [
        LinkedMember("per_1", "zendesk", "users", "5", "end_user"),  # where the phone came from
        LinkedMember("per_1", "salesforce", "Contact", "003A", "contact"),  # blank: filled
        LinkedMember("per_1", "salesforce", "Contact", "003B", "contact"),  # holds the phone (as its mobile): spared
        LinkedMember("per_1", "hubspot", "contacts", "8", "contact"),  # phone set to something loophub could not read: kept
        LinkedMember("per_2", "salesforce", "Contact", "003C", "contact"),  # its profile has two phones: left alone
    ]
    pulled = {
        ("zendesk", "5"): PulledTarget({"phone": "030 123456 x12"}, NOW, {}),
        ("salesforce", "003A"): PulledTarget({"Phone": None, "Title": "VP"}, NOW, {}),
        ("salesforce", "003B"): PulledTarget({"Phone": None, "MobilePhone": "+4930123456 x12"}, NOW, {}),
        ("hubspot", "8"): PulledTarget({"properties": {"phone": "call reception", "jobtitle": "CTO"}}, NOW, {}),
        ("salesforce", "003C"): PulledTarget({"Phone": None, "Title": "CTO"}, NOW, {}),
    }
    policy = EnrichmentPolicy.model_validate({"rules": [{"name": "person_title", "mode": "overwrite"}]})
    rules = [rule for rule in policy.active_rules() if rule.entity == "person"]

    rows = plan_enrichment(rules, members, {"per_1": PROFILE, "per_2": TWO_PHONES}, pulled)

    assert {(row.record_id, row.field, row.current, row.new, row.mode) for row in rows} == {
        ("003A", "Phone", None, "+4930123456 ext. 12", "fill_if_blank"),
        ("003A", "Title", "VP", "CTO", "overwrite"),
        ("003B", "Title", None, "CTO", "overwrite"),
    }
    assert all("zendesk:users:5" in row.reason for row in rows if row.field == "Phone")


def test_given_partial_rules_then_shipped_rules_keep_their_defaults_and_the_admins_come_first() -> None:
    policy = EnrichmentPolicy.model_validate({"rules": [
        {"name": "person_city", "entity": "person", "golden_field": "city", "targets": {"salesforce": "MailingCity"}},
        {"name": "company_domain", "targets": {"hubspot": None, "salesforce": {"format": "as_is"}}},
    ]})  # fmt: skip

    names = [rule.name for rule in policy.rules]
    assert names == ["person_city", "company_domain", "person_phone", "person_title", "company_phone"]
    domain = policy.rules[1]
    assert domain.targets.hubspot is None and domain.targets.salesforce is not None
    assert (domain.targets.salesforce.field, domain.targets.salesforce.format, domain.mode) == ("Website", "as_is", "fill_if_blank")


@pytest.mark.parametrize(
    ("rules", "fragments"),
    [
        ("      - name: person_email\n        entity: person\n        golden_field: emails\n", ["loophub.yaml:4", "rules[0]", "golden_field 'emails'", "use one of"]),
        ("      - name: person_phone\n        mode: always\n", ["loophub.yaml:5", "rules[0].mode"]),
        ("      - name: mobile\n        entity: person\n        golden_field: phones\n        targets: {salesforce: Phone}\n", ["loophub.yaml:2", "both write salesforce person field 'Phone'"]),
        ("      - name: person_phone\n        targets: {hubspot: {field: phone, format: https_url}}\n", ["loophub.yaml:4", "https_url"]),
        ("      - name: person_title\n        golden: title\n", ["loophub.yaml:5", "unknown key 'golden'"]),
    ],
)
def test_given_a_bad_enrichment_rule_when_loading_then_the_error_names_line_field_and_fix(rules: str, fragments: list[str]) -> None:
    text = "policies:\n  enrichment:\n    rules:\n" + rules

    with pytest.raises(ConfigError) as raised:
        parse_config(text, Path("loophub.yaml"), environ={})

    for fragment in fragments:
        assert fragment in str(raised.value), str(raised.value)
