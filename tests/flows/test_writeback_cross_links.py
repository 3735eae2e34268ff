"""Cross-links: every record carries its golden id and its counterparts' ids, read back through the vendors' APIs."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from flows.writeback.cross_links import (
    CROSS_LINKS,
    counterpart_ids,
    plan_cross_links,
    target_fields,
)
from flows.writeback.cross_links_settings import CrossLinksPolicy
from flows.writeback.run import apply_writeback, plan_writeback
from flows.writeback.settings import PolicySettings
from identity.overrides import add_override
from identity.resolve import resolve
from loophub.config import ConfigError, parse_config
from mapping import load_catalog
from sandbox.server import SandboxServer
from sandbox.world import World
from store import session_scope
from store.canonical import CompanyRow, PersonRow
from store.identity import GoldenMember, GoldenRecord
from store.links import LinkedMember
from store.models import RawRecord
from store.writeback import PulledTarget
from tests.flows.links_support import (
    HS_LINK_FIELDS,
    OBJECTS,
    SF_LINK_FIELDS,
    ZD_LINK_KEYS,
    hubspot_rows,
    only,
    prepared_links_loop,
    resync,
    rows_of,
    salesforce_rows,
    zendesk_rows,
)
from tests.flows.writeback_support import Loop, write_calls

Ref = tuple[str, str, str]
SYSTEMS = ("salesforce", "hubspot", "zendesk")


@pytest.fixture
def loop(start_sandbox: Callable[[World], SandboxServer], database_url: str) -> Iterator[Loop]:
    with prepared_links_loop(start_sandbox, database_url) as prepared:
        yield prepared


def golden_groups(loop: Loop, entity: str) -> dict[str, list[Ref]]:
    """Golden id → its live member records, straight from the store's membership table."""
    table = PersonRow if entity == "person" else CompanyRow
    query = (
        select(GoldenMember.golden_id, table.system, table.object, table.source_id)
        .join(table, table.id == GoldenMember.record_id)
        .where(GoldenMember.entity == entity, table.is_deleted.is_(False))
    )
    groups: dict[str, list[Ref]] = defaultdict(list)
    with session_scope(loop.engine) as session:
        for golden_id, system, object_name, source_id in session.execute(query):
            groups[golden_id].append((system, object_name, source_id))
    return groups


def stands_for(entity: str, ref: Ref, open_leads: set[str], end_users: set[str]) -> bool:
    """Whether a record is its golden profile's record in its system: the entity's object (Zendesk people: end users), or an open lead."""
    system, object_name, source_id = ref
    if entity == "person" and object_name == "Lead":
        return source_id in open_leads
    if object_name != OBJECTS[entity][system]:
        return False
    return (system, entity) != ("zendesk", "person") or source_id in end_users


def expected_links(loop: Loop) -> dict[Ref, dict[str, str | None]]:
    """Each target record → the value of each link field, from the membership and the world's leads and user roles."""
    open_leads = {lead["Id"] for lead in loop.world.salesforce["Lead"] if not lead.get("ConvertedContactId")}
    end_users = {str(user["id"]) for user in loop.world.zendesk["users"] if user["role"] == "end-user"}
    expected: dict[Ref, dict[str, str | None]] = {}
    for entity, objects in OBJECTS.items():
        for golden_id, refs in golden_groups(loop, entity).items():
            standing = [ref for ref in refs if stands_for(entity, ref, open_leads, end_users)]
            ids = {system: ",".join(sorted(ref[2] for ref in standing if ref[0] == system)) or None for system in SYSTEMS}
            for ref in standing:
                if ref[1] == objects[ref[0]]:
                    expected[ref] = {"golden_id": golden_id} | {other: ids[other] for other in SYSTEMS if other != ref[0]}
    return expected


def read_links(loop: Loop, wanted: dict[Ref, Any]) -> dict[Ref, dict[str, str | None]]:
    """The link fields of every wanted record as each vendor answers for it now (blank as None)."""
    found: dict[Ref, dict[str, Any]] = {}
    for objects in OBJECTS.values():
        for source_id, row in salesforce_rows(loop.vendors, objects["salesforce"], list(SF_LINK_FIELDS.values())).items():
            found[("salesforce", objects["salesforce"], source_id)] = {link: row[name] for link, name in SF_LINK_FIELDS.items()}
        for source_id, row in hubspot_rows(loop.vendors, objects["hubspot"], list(HS_LINK_FIELDS.values())).items():
            found[("hubspot", objects["hubspot"], source_id)] = {link: row.get(name) for link, name in HS_LINK_FIELDS.items()}
        custom = "organization_fields" if objects["zendesk"] == "organizations" else "user_fields"
        ids = [source_id for system, object_name, source_id in wanted if object_name == objects["zendesk"]]
        for source_id, record in zendesk_rows(loop.vendors, objects["zendesk"], ids).items():
            found[("zendesk", objects["zendesk"], source_id)] = {link: (record.get(custom) or {}).get(key) for link, key in ZD_LINK_KEYS.items()}
    return {ref: {link: value or None for link, value in found[ref].items()} for ref in wanted if ref in found}


def test_given_a_resolved_sandbox_when_cross_links_are_written_then_every_record_carries_its_golden_id_and_counterparts(loop: Loop) -> None:
    config = only(loop.config, CROSS_LINKS)
    plan = plan_writeback(loop.engine, config)
    report = apply_writeback(loop.engine, config, plan)

    assert plan.rows and report.count("applied") == len(plan.rows) and not report.errors
    expected = expected_links(loop)
    actual = read_links(loop, expected)
    assert actual.keys() == expected.keys()
    wrong = {ref: (actual[ref], value) for ref, value in expected.items() if actual[ref] != value}
    assert not wrong, f"{len(wrong)} records differ, e.g. {next(iter(wrong.items()))}"
    assert {(system, object_name) for system, object_name, _ in expected} == {(s, o) for objects in OBJECTS.values() for s, o in objects.items()}
    assert any("," in (value or "") for links in expected.values() for value in links.values()), "the world has duplicates: some field lists two ids"
    assert all(row.reason for row in plan.rows)


def pulled_value(payload: dict[str, Any], system: str, field: str) -> Any:
    """A field as the last pull landed it: under `properties` (HubSpot), under its custom group (Zendesk), or flat."""
    if system == "hubspot":
        return payload["properties"].get(field)
    group, _, key = field.partition(".")
    return (payload.get(group) or {}).get(key) if system == "zendesk" else payload.get(field)


def test_given_links_written_when_the_loop_runs_again_then_the_plan_is_empty_and_nothing_is_written(loop: Loop) -> None:
    config = only(loop.config, CROSS_LINKS)
    first = plan_writeback(loop.engine, config)
    apply_writeback(loop.engine, config, first)
    resync(loop, config)
    calls_before = write_calls(loop.server)

    plan = plan_writeback(loop.engine, config)
    report = apply_writeback(loop.engine, config, plan)

    assert rows_of(plan, CROSS_LINKS) == []
    assert write_calls(loop.server) == calls_before and not report.outcomes
    with session_scope(loop.engine) as session:  # the values came back with the pull, not only from the echo ledger
        raw = {(r.system, r.object, r.source_id): r.payload for r in session.scalars(select(RawRecord))}
    assert all(pulled_value(raw[(row.system, row.object, row.record_id)], row.system, row.field) == row.new for row in first.rows)
    assert {row.system for row in first.rows} == set(SYSTEMS)


def two_system_company(loop: Loop) -> tuple[str, Ref, Ref]:
    """A golden company of exactly one Salesforce account and one HubSpot company."""
    for golden_id, refs in sorted(golden_groups(loop, "company").items()):
        if sorted(ref[0] for ref in refs) == ["hubspot", "salesforce"]:
            account = next(ref for ref in refs if ref[0] == "salesforce")
            company = next(ref for ref in refs if ref[0] == "hubspot")
            return golden_id, account, company
    raise AssertionError("the world has no company in exactly Salesforce and HubSpot")


def golden_of(loop: Loop, ref: Ref) -> str:
    return next(golden_id for golden_id, refs in golden_groups(loop, "company").items() if ref in refs)


def test_given_a_split_then_a_merge_when_written_back_then_ids_follow_the_golden_records(loop: Loop) -> None:
    config = only(loop.config, CROSS_LINKS)
    apply_writeback(loop.engine, config, plan_writeback(loop.engine, config))
    golden_id, account, company = two_system_company(loop)
    with session_scope(loop.engine) as session:
        add_override(session, "company", "cannot_link", ":".join(account), ":".join(company), "two companies of one name")
    resolve(loop.engine, config.identity)

    split = plan_writeback(loop.engine, config)
    apply_writeback(loop.engine, config, split)

    apart = golden_of(loop, account), golden_of(loop, company)
    assert apart[0] != apart[1] and golden_id in apart
    now = read_links(loop, {account: None, company: None})
    assert now[account] == {"golden_id": apart[0], "hubspot": None, "zendesk": None}
    assert now[company] == {"golden_id": apart[1], "salesforce": None, "zendesk": None}
    assert any(row.record_id == account[2] and row.new is None and "any more" in row.reason for row in split.rows)

    with session_scope(loop.engine) as session:
        add_override(session, "company", "must_link", ":".join(account), ":".join(company), "one company after all")
    resolve(loop.engine, config.identity)
    merged = plan_writeback(loop.engine, config)
    apply_writeback(loop.engine, config, merged)

    survivor = golden_of(loop, account)
    (alias,) = set(apart) - {survivor}
    with session_scope(loop.engine) as session:
        record = session.get(GoldenRecord, alias)
        assert record is not None and (record.status, record.merged_into) == ("merged", survivor)
    now = read_links(loop, {account: None, company: None})
    assert now[account] == {"golden_id": survivor, "hubspot": company[2], "zendesk": None}
    assert now[company] == {"golden_id": survivor, "salesforce": account[2], "zendesk": None}
    assert any(row.current == alias and row.new == survivor for row in merged.rows)


def test_given_the_policy_or_a_target_switched_off_when_planning_then_nothing_is_planned_there(loop: Loop) -> None:
    off = plan_writeback(loop.engine, only(loop.config, CROSS_LINKS, {"enabled": False}))
    partial = plan_writeback(loop.engine, only(loop.config, CROSS_LINKS, {
        "people": {"zendesk": {"enabled": False}},
        "companies": {"salesforce": {"zendesk": {"mode": "never"}, "golden_id": "Golden_Record__c"}},
    }))  # fmt: skip

    assert CROSS_LINKS not in off.policies and rows_of(off, CROSS_LINKS) == []
    rows = rows_of(partial, CROSS_LINKS)
    assert not [row for row in rows if (row.system, row.object) == ("zendesk", "users")]
    account_fields = {row.field for row in rows if row.object == "Account"}
    assert account_fields == {"Golden_Record__c", "Loophub_HubSpot_Id__c"}
    assert {row.object for row in rows} == {"Account", "companies", "organizations", "Contact", "contacts"}


# -- without a sandbox ------------------------------------------------------------------------------------------------

NOW = datetime.now(UTC).replace(microsecond=0)


def pulled(payload: dict[str, Any]) -> PulledTarget:
    return PulledTarget(payload, NOW, {})


def test_given_duplicates_leads_and_agents_then_counterparts_are_sorted_comma_joined_and_only_records_that_stand_for_the_person() -> None:
    members = [
        LinkedMember("per_1", "hubspot", "contacts", "9", "contact"),
        LinkedMember("per_1", "hubspot", "contacts", "10", "contact"),
        LinkedMember("per_1", "salesforce", "Lead", "00Q2", "lead", {"salesforce:Contact": "0031"}),  # converted: its contact stands for it
        LinkedMember("per_1", "salesforce", "Lead", "00Q1", "lead"),
        LinkedMember("per_1", "salesforce", "Contact", "0031", "contact"),
        LinkedMember("per_1", "zendesk", "users", "77", "agent"),
    ]

    assert counterpart_ids("people", members) == {"hubspot": "10,9", "salesforce": "0031,00Q1"}


def test_given_an_alias_a_vanished_counterpart_and_a_settled_record_when_planning_then_only_what_differs_is_written() -> None:
    members = [
        LinkedMember("com_new", "salesforce", "Account", "001A"),
        LinkedMember("com_new", "zendesk", "organizations", "5"),
        LinkedMember("com_b", "hubspot", "companies", "20"),
    ]
    targets = {
        ("salesforce", "001A"): pulled({"Loophub_Golden_Id__c": "com_old", "Loophub_HubSpot_Id__c": "20", "Loophub_Zendesk_Id__c": "5"}),
        ("zendesk", "5"): pulled({"organization_fields": {"loophub_golden_id": "com_new", "loophub_salesforce_id": "001A"}}),
        ("hubspot", "20"): pulled({"properties": {"loophub_golden_id": "com_b", "loophub_salesforce_id": "", "loophub_zendesk_id": None}}),
    }

    rows = plan_cross_links("companies", CrossLinksPolicy.model_validate({}).companies, members, targets)

    assert {(row.record_id, row.field, row.current, row.new) for row in rows} == {
        ("001A", "Loophub_Golden_Id__c", "com_old", "com_new"),  # merged away: the survivor's id replaces it
        ("001A", "Loophub_HubSpot_Id__c", "20", None),  # HubSpot's company left the profile: cleared
    }
    assert all(row.golden_id == "com_new" and row.mode == "overwrite" for row in rows)
    assert "any more" in next(row.reason for row in rows if row.new is None)


def test_given_fill_if_blank_or_an_agent_when_planning_then_set_fields_and_agents_are_left_alone() -> None:
    members = [LinkedMember("per_1", "zendesk", "users", "7", "agent"), LinkedMember("per_1", "hubspot", "contacts", "8", "contact")]
    targets = {
        ("zendesk", "7"): pulled({"user_fields": {}}),
        ("hubspot", "8"): pulled({"properties": {"loophub_golden_id": "per_0"}}),
    }
    policy = CrossLinksPolicy.model_validate({"people": {"hubspot": {"golden_id": {"mode": "fill_if_blank"}}}})

    rows = plan_cross_links("people", policy.people, members, targets)

    assert rows == []


def test_given_the_shipped_mapping_specs_then_no_cross_link_field_is_read_as_identity_evidence() -> None:
    catalog = load_catalog()

    fields = target_fields(PolicySettings())
    assert len(fields) == 18
    for field in fields:
        read = {source for loaded in catalog.for_object(field.system, field.object) for rule in loaded.spec.fields.values() for source in rule.sources}
        path = f"properties.{field.name}" if field.system == "hubspot" else field.name
        assert path not in read, f"{field.system}/{field.object} spec maps {path}: loophub would read its own links as evidence"


@pytest.mark.parametrize(
    ("section", "fragments"),
    [
        ("    companies:\n      zendesk:\n        golden_id: external_id\n", ["loophub.yaml:5", "policies.cross_links.companies.zendesk", "organization_fields.<key>"]),
        ("    people:\n      salesforce:\n        golden_id: Name\n", ["loophub.yaml:5", "not a custom field"]),
        ("    people:\n      hubspot:\n        hubspot: my_id\n", ["loophub.yaml:5", "not its own"]),
        ("    companies:\n      salesforce:\n        golden: Golden__c\n", ["loophub.yaml:6", "unknown key 'golden'", "did you mean 'golden_id'"]),
        ("    people:\n      hubspot:\n        golden_id: {mode: always}\n", ["loophub.yaml:6", "policies.cross_links.people.hubspot.golden_id.mode"]),
    ],
)
def test_given_a_bad_cross_links_section_when_loading_then_the_error_names_line_field_and_fix(section: str, fragments: list[str]) -> None:
    text = "version: 1\npolicies:\n  cross_links:\n" + section

    with pytest.raises(ConfigError) as raised:
        parse_config(text, Path("loophub.yaml"), environ={})

    for fragment in fragments:
        assert fragment in str(raised.value), str(raised.value)
