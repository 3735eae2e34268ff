"""The spec catalog: the shipped specs, extra spec files and loophub.yaml overrides, and every problem with its file and line."""

from __future__ import annotations

import textwrap
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from connectors.hubspot.endpoints import CRM_OBJECTS, OWNERS
from connectors.salesforce.endpoints import DEFAULT_OBJECTS as SALESFORCE_OBJECTS
from connectors.zendesk.endpoints import ENDPOINTS as ZENDESK_ENDPOINTS
from loophub.config import ConfigError, parse_config
from mapping import (
    MappingSettings,
    MappingSpecError,
    Owner,
    Person,
    SourceRef,
    SpecCatalog,
    SpecProblem,
    load_catalog,
    map_record,
    select_spec,
)
from mapping.catalog import SHIPPED_SPECS
from mapping.transforms import TRANSFORMS
from mapping.vocabulary import TicketStatus

STREAMED_OBJECTS = sorted(
    [("salesforce", name) for name in SALESFORCE_OBJECTS]
    + [("hubspot", crm.name) for crm in CRM_OBJECTS]
    + [("hubspot", OWNERS.name)]
    + [("zendesk", endpoint.name) for endpoint in ZENDESK_ENDPOINTS]
)


@cache
def shipped() -> SpecCatalog:
    """The shipped specs, loaded once (a catalog is not changed by mapping with it)."""
    return load_catalog()


def write_spec(root: Path, name: str, text: str) -> Path:
    """`<root>/<system>/<object>.yaml` holding `text` (dedented); returns the file."""
    path = root / f"{name}.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def line_of(path_or_text: Path | str, needle: str) -> int:
    """The 1-based line of the first line holding `needle`."""
    text = path_or_text.read_text(encoding="utf-8") if isinstance(path_or_text, Path) else path_or_text
    return next(number for number, line in enumerate(text.splitlines(), 1) if needle in line)


def problems_of(root: Path) -> list[SpecProblem]:
    with pytest.raises(MappingSpecError) as raised:
        load_catalog(MappingSettings(files=[root]))
    return raised.value.problems


def config_of(text: str) -> Any:
    return parse_config(textwrap.dedent(text).lstrip("\n"), Path("loophub.yaml"), environ={})


def catalog_with(text: str) -> SpecCatalog:
    config = config_of(text)
    return load_catalog(config.mapping, config.origin())


def override_problems(text: str) -> list[SpecProblem]:
    config = config_of(text)
    with pytest.raises(MappingSpecError) as raised:
        load_catalog(config.mapping, config.origin())
    return raised.value.problems


ZENDESK_USER = {
    "id": 381946207513, "name": "Priya Raman", "email": "priya.raman@northwind.co.uk", "phone": "0121 554 3426",
    "role": "end-user", "organization_id": 360044128833, "tags": ["vip"], "time_zone": "London",
    "user_fields": {"plan_tier": "enterprise", "csm": None}, "active": True, "created_at": "2026-03-02T09:12:44Z",
}  # fmt: skip
SALESFORCE_CONTACT = {
    "Id": "0035g00000XyZ12AAB", "FirstName": "Dana", "LastName": "Whitfield", "Name": "Dana Whitfield", "Title": "VP Sales",
    "Email": "dana.whitfield@acme.com", "Phone": "(212) 360-9930", "MailingCountry": "United States", "AccountId": "0015g00000AbCdEAAZ",
}  # fmt: skip


# --- the shipped specs --------------------------------------------------------------------------


def test_given_the_shipped_specs_when_loaded_then_every_streamed_object_has_a_spec_and_nothing_else() -> None:
    catalog = load_catalog()

    assert catalog.objects() == STREAMED_OBJECTS
    assert catalog.default_region == "US"


def test_given_the_shipped_specs_then_each_file_sits_under_its_system() -> None:
    for loaded in load_catalog().specs.values():
        assert loaded.origin.file.is_relative_to(SHIPPED_SPECS)
        assert loaded.origin.file.parent.name == loaded.spec.system
        assert loaded.name == f"{loaded.spec.system}/{loaded.origin.file.stem}"


def test_given_zendesk_users_then_two_specs_split_them_by_role_into_people_and_owners() -> None:
    catalog = load_catalog()
    specs = {loaded.name: loaded.spec for loaded in catalog.for_object("zendesk", "users")}

    assert set(specs) == {"zendesk/users", "zendesk/agents"}
    assert specs["zendesk/users"].entity == "person"
    assert specs["zendesk/agents"].entity == "owner"
    for role, name in [("end-user", "zendesk/users"), ("agent", "zendesk/agents"), ("admin", "zendesk/agents")]:
        assert select_spec(catalog, "zendesk", "users", {"role": role}).name == name


def test_given_zendesk_users_then_the_object_version_covers_both_specs_and_the_default_region() -> None:
    catalog = load_catalog()
    british = load_catalog(MappingSettings(default_region="GB"))
    agents_changed = load_catalog(MappingSettings.model_validate({"specs": {"zendesk/agents": {"fields": {"title": "details"}}}}))

    assert catalog.object_version("zendesk", "users") == load_catalog().object_version("zendesk", "users")
    assert british.object_version("zendesk", "users") != catalog.object_version("zendesk", "users")
    assert agents_changed.object_version("zendesk", "users") != catalog.object_version("zendesk", "users")
    assert agents_changed.object_version("zendesk", "tickets") == catalog.object_version("zendesk", "tickets")


# --- malformed spec files -----------------------------------------------------------------------


def test_given_an_unknown_transform_when_loaded_then_the_problem_names_file_line_and_the_known_transforms(tmp_path: Path) -> None:
    path = write_spec(tmp_path, "acme/people", """
        system: acme
        object: people
        entity: person
        fields:
          first_name: first
          last_name: {from: last, transforms: [strip, upper]}
    """)

    [problem] = problems_of(tmp_path)

    assert problem.file == path
    assert problem.line == line_of(path, "last_name:")
    assert problem.where == "fields.last_name.transforms"
    assert "unknown transform 'upper'" in problem.message
    assert "known: " + ", ".join(sorted(TRANSFORMS)) in problem.message


def test_given_an_unknown_canonical_field_when_loaded_then_the_problem_names_its_line_and_the_fields_there_are(tmp_path: Path) -> None:
    path = write_spec(tmp_path, "acme/people", """
        system: acme
        object: people
        entity: person
        fields:
          first_name: first
          last_name: last
          nickname: alias
          emails: {from: mail, transforms: [email]}
    """)

    [problem] = problems_of(tmp_path)

    assert (problem.file, problem.line, problem.where) == (path, line_of(path, "nickname:"), "fields.nickname")
    assert "person has no field 'nickname'" in problem.message
    assert "first_name" in problem.message and "emails" in problem.message
    assert "attributes.<name>" in problem.message


def test_given_a_ticket_status_mapped_to_a_word_outside_the_vocabulary_then_the_problem_lists_the_vocabulary(tmp_path: Path) -> None:
    path = write_spec(tmp_path, "acme/tickets", """
        system: acme
        object: tickets
        entity: ticket
        fields:
          subject: title
          status:
            from: state
            transforms:
              - strip
              - map_values: {values: {open: open, resolved: done, closed: closed}}
    """)

    [problem] = problems_of(tmp_path)

    assert (problem.file, problem.line) == (path, line_of(path, "map_values"))
    assert problem.where == "fields.status.transforms[1]"
    assert "'done' not in the shared vocabulary" in problem.message
    assert "use one of: " + ", ".join(sorted(status.value for status in TicketStatus)) in problem.message


def test_given_a_map_values_default_outside_the_vocabulary_then_a_problem(tmp_path: Path) -> None:
    path = write_spec(tmp_path, "acme/deals", """
        system: acme
        object: deals
        entity: deal
        fields:
          stage:
            from: phase
            transforms: [{map_values: {values: {won: won}, default: pending}}]
    """)

    [problem] = problems_of(tmp_path)

    assert (problem.line, problem.where) == (line_of(path, "map_values"), "fields.stage.transforms[0]")
    assert "'pending' not in the shared vocabulary; use one of: lost, open, won" in problem.message


def test_given_text_into_a_number_field_when_loaded_then_the_problem_suggests_the_number_transform(tmp_path: Path) -> None:
    path = write_spec(tmp_path, "acme/deals", """
        system: acme
        object: deals
        entity: deal
        fields:
          stage: {value: open}
          amount: {from: x, transforms: [lower]}
    """)

    [problem] = problems_of(tmp_path)

    assert (problem.file, problem.line, problem.where) == (path, line_of(path, "amount:"), "fields.amount")
    assert problem.message == "type mismatch: the field holds number, the rule gives string; add the number transform"


def test_given_a_number_into_a_datetime_field_when_loaded_then_the_problem_suggests_datetime_or_epoch(tmp_path: Path) -> None:
    write_spec(tmp_path, "acme/deals", """
        system: acme
        object: deals
        entity: deal
        fields:
          stage: {value: open}
          created_at: {from: createdate, transforms: [number]}
    """)

    [problem] = problems_of(tmp_path)

    assert "the field holds datetime, the rule gives number; add the datetime (or epoch_ms / epoch_s) transform" in problem.message


def test_given_a_constant_a_transform_cannot_take_when_loaded_then_the_problem_names_the_transform(tmp_path: Path) -> None:
    path = write_spec(tmp_path, "acme/people", """
        system: acme
        object: people
        entity: person
        fields:
          first_name: first
          emails:
            value: 42
            transforms: [email]
    """)

    [problem] = problems_of(tmp_path)

    assert (problem.line, problem.where) == (line_of(path, "transforms: [email]"), "fields.emails.transforms[0]")
    assert problem.message == "type mismatch: email takes string, gets integer"


def test_given_both_from_and_value_when_loaded_then_the_problem_says_to_give_one(tmp_path: Path) -> None:
    path = write_spec(tmp_path, "acme/people", """
        system: acme
        object: people
        entity: person
        fields:
          first_name: first
          kind: {from: type, value: contact}
    """)

    [problem] = problems_of(tmp_path)

    assert (problem.file, problem.line, problem.where) == (path, line_of(path, "kind:"), "fields.kind")
    assert problem.message == "give either `from` or `value`, not both"


def test_given_neither_from_nor_value_when_loaded_then_the_problem_says_what_a_field_needs(tmp_path: Path) -> None:
    path = write_spec(tmp_path, "acme/people", """
        system: acme
        object: people
        entity: person
        fields:
          first_name: {transforms: [strip]}
    """)

    [problem] = problems_of(tmp_path)

    assert problem.line == line_of(path, "first_name:")
    assert "a field needs `from` (source paths) or `value` (a constant)" in problem.message


def test_given_invalid_yaml_when_loaded_then_the_problem_names_the_line_of_the_error(tmp_path: Path) -> None:
    path = write_spec(tmp_path, "acme/people", """
        system: acme
        object: people
        entity: person
        fields:
          first_name: first
           last_name: last
    """)

    [problem] = problems_of(tmp_path)

    assert (problem.file, problem.line) == (path, line_of(path, "last_name"))
    assert problem.message.startswith("not valid YAML: ")


def test_given_an_unknown_entity_when_loaded_then_the_problem_lists_the_entities(tmp_path: Path) -> None:
    path = write_spec(tmp_path, "acme/gizmos", """
        system: acme
        object: gizmos
        entity: gizmo
        fields:
          name: title
    """)

    [problem] = problems_of(tmp_path)

    assert (problem.line, problem.where) == (line_of(path, "entity:"), "entity")
    assert "unknown entity 'gizmo'; one of: person, company, deal, ticket" in problem.message


def test_given_a_misspelt_top_level_key_when_loaded_then_both_the_unknown_and_the_missing_key_are_named(tmp_path: Path) -> None:
    path = write_spec(tmp_path, "acme/people", """
        system: acme
        object: people
        entity: person
        feilds:
          first_name: first
    """)

    problems = problems_of(tmp_path)

    assert {(problem.where, problem.message) for problem in problems} == {
        ("feilds", "unknown key 'feilds'"),
        ("fields", "required key 'fields' is missing"),
    }
    assert next(problem.line for problem in problems if problem.where == "feilds") == line_of(path, "feilds:")


def test_given_several_broken_files_when_loaded_then_every_problem_is_reported_at_once_each_with_its_file(tmp_path: Path) -> None:
    people = write_spec(tmp_path, "acme/people", """
        system: acme
        object: people
        entity: person
        fields:
          first_name: {from: first, transforms: [shout]}
          kind: {from: type, value: contact}
    """)
    deals = write_spec(tmp_path, "acme/deals", """
        system: acme
        object: deals
        entity: deal
        fields:
          stage: {value: open}
          amount: {from: x, transforms: [lower]}
          probability: p
    """)
    tickets = write_spec(tmp_path, "acme/tickets", """
        system: acme
        object: tickets
        entity: ticket
        fields:
          status: {from: s, transforms: [{map_values: {values: {x: done}}}]}
    """)

    with pytest.raises(MappingSpecError) as raised:
        load_catalog(MappingSettings(files=[tmp_path]))

    found = {(problem.file, problem.line) for problem in raised.value.problems}
    assert found == {
        (people, line_of(people, "first_name:")),
        (people, line_of(people, "kind:")),
        (deals, line_of(deals, "amount:")),
        (deals, line_of(deals, "probability:")),
        (tickets, line_of(tickets, "status:")),
    }
    message = str(raised.value)
    assert message.startswith("the mapping has 5 problems:")
    assert f"{deals}:{line_of(deals, 'amount:')}: fields.amount: type mismatch" in message


def test_given_two_specs_for_one_object_without_where_then_each_is_told_to_add_one(tmp_path: Path) -> None:
    for name in ("acme/customers", "acme/staff"):
        write_spec(tmp_path, name, """
            system: acme
            object: users
            entity: person
            fields:
              first_name: first
        """)

    problems = problems_of(tmp_path)

    assert len(problems) == 2
    assert all("acme users has several specs (acme/customers, acme/staff); each needs a `where`" in problem.message for problem in problems)


def test_given_an_extra_spec_file_named_like_a_shipped_one_then_it_replaces_the_shipped_spec(tmp_path: Path) -> None:
    write_spec(tmp_path, "zendesk/tickets", """
        system: zendesk
        object: tickets
        entity: ticket
        fields:
          subject: subject
          status:
            from: status
            transforms: [{map_values: {values: {open: open, solved: solved, deleted: closed}}}]
    """)

    catalog = load_catalog(MappingSettings(files=[tmp_path]))

    [loaded] = catalog.for_object("zendesk", "tickets")
    assert loaded.origin.file == tmp_path / "zendesk" / "tickets.yaml"
    assert set(loaded.spec.fields) == {"subject", "status"}
    ticket = map_record(catalog, SourceRef(system="zendesk", object="tickets", id="1"), {"id": 1, "subject": "Gone", "status": "deleted"})
    assert ticket.status == "closed"  # type: ignore[attr-defined]


# --- overrides in loophub.yaml ------------------------------------------------------------------

PLAN_TIER_OVERRIDE = """
    version: 1
    mapping:
      specs:
        zendesk/users:
          fields:
            attributes.plan_tier: user_fields.plan_tier
"""


def test_given_an_override_adding_an_attribute_when_a_user_is_mapped_then_the_attribute_is_carried() -> None:
    source = SourceRef(system="zendesk", object="users", id="381946207513")

    before = map_record(shipped(), source, ZENDESK_USER)
    after = map_record(catalog_with(PLAN_TIER_OVERRIDE), source, ZENDESK_USER)

    assert "plan_tier" not in before.attributes
    assert after.attributes == {**before.attributes, "plan_tier": "enterprise"}


def test_given_an_override_setting_a_field_to_null_then_the_field_is_no_longer_mapped() -> None:
    catalog = catalog_with("""
        mapping:
          specs:
            salesforce/Contact:
              fields:
                title: null
    """)
    source = SourceRef(system="salesforce", object="Contact", id=SALESFORCE_CONTACT["Id"])

    assert "title" not in catalog.specs["salesforce/Contact"].spec.fields
    assert map_record(shipped(), source, SALESFORCE_CONTACT).title == "VP Sales"  # type: ignore[attr-defined]
    assert map_record(catalog, source, SALESFORCE_CONTACT).title is None  # type: ignore[attr-defined]


def test_given_an_override_replacing_a_rule_then_the_new_rule_is_used_and_the_others_stay() -> None:
    catalog = catalog_with("""
        mapping:
          specs:
            salesforce/Contact:
              fields:
                title: {from: Title, transforms: [lower]}
    """)

    contact = map_record(catalog, SourceRef(system="salesforce", object="Contact", id="1"), SALESFORCE_CONTACT)

    assert contact.title == "vp sales"  # type: ignore[attr-defined]
    assert contact.emails == ["dana.whitfield@acme.com"]  # type: ignore[attr-defined]
    assert set(catalog.specs["salesforce/Contact"].spec.fields) == set(shipped().specs["salesforce/Contact"].spec.fields)


def test_given_an_override_of_a_spec_that_does_not_exist_then_a_problem_in_loophub_yaml_at_its_line() -> None:
    text = """
        version: 1
        mapping:
          specs:
            zendesk/userz:
              fields:
                title: x
    """

    [problem] = override_problems(text)

    assert problem.file == Path("loophub.yaml")
    assert problem.line == line_of(textwrap.dedent(text).lstrip("\n"), "zendesk/userz")
    assert "no mapping spec is named 'zendesk/userz'" in problem.message
    assert "zendesk/users" in problem.message and "salesforce/Contact" in problem.message


# An override whose problems are reported on the line of the field written in loophub.yaml.
BAD_FIELD_OVERRIDES = """
    version: 1
    mapping:
      default_region: GB
      specs:
        hubspot/deals:
          fields:
            pipeline: properties.pipeline
            deal_type: properties.dealtype
            amount: {from: properties.amount, transforms: [lower]}
            probability: properties.hs_probability
"""


def test_given_overrides_with_an_unknown_field_and_a_type_mismatch_then_problems_name_loophub_yaml() -> None:
    problems = override_problems(BAD_FIELD_OVERRIDES)

    assert {problem.file for problem in problems} == {Path("loophub.yaml")}
    assert {problem.where for problem in problems} == {"fields.probability", "fields.amount"}
    messages = {problem.where: problem.message for problem in problems}
    assert "deal has no field 'probability'" in messages["fields.probability"]
    assert "add the number transform" in messages["fields.amount"]


def test_given_overrides_with_an_unknown_field_and_a_type_mismatch_then_each_problem_is_on_its_fields_line() -> None:
    text = textwrap.dedent(BAD_FIELD_OVERRIDES).lstrip("\n")

    problems = override_problems(BAD_FIELD_OVERRIDES)

    lines = {problem.where: problem.line for problem in problems}
    assert lines == {"fields.probability": line_of(text, "probability:"), "fields.amount": line_of(text, "amount:")}


def test_given_a_malformed_override_when_the_config_is_parsed_then_a_config_error_at_its_line() -> None:
    text = """
        version: 1
        mapping:
          specs:
            zendesk/users:
              fields:
                full_name: {from: name, transforms: 5}
    """

    with pytest.raises(ConfigError) as raised:
        config_of(text)

    [problem] = raised.value.problems
    assert problem.line == line_of(textwrap.dedent(text).lstrip("\n"), "full_name:")
    assert problem.path == "mapping.specs.zendesk/users.fields.full_name.transforms"
    assert "transforms is a list" in problem.message


def test_given_an_unknown_transform_in_an_override_when_the_config_is_parsed_then_a_config_error_listing_transforms() -> None:
    text = """
        mapping:
          specs:
            salesforce/Contact:
              fields:
                title: {from: Title, transforms: [titlecase]}
    """

    with pytest.raises(ConfigError) as raised:
        config_of(text)

    [problem] = raised.value.problems
    assert problem.line == line_of(textwrap.dedent(text).lstrip("\n"), "title:")
    assert "unknown transform 'titlecase'; known: boolean" in problem.message


def test_given_an_override_removing_a_field_the_spec_does_not_have_then_a_problem_names_it() -> None:
    config = config_of("""
        mapping:
          specs:
            salesforce/Contact:
              fields:
                titel: null
    """)

    with pytest.raises(MappingSpecError, match="titel"):
        load_catalog(config.mapping, config.origin())


# --- spec versions ------------------------------------------------------------------------------


def test_given_an_override_changing_a_field_then_that_specs_version_changes_and_no_other() -> None:
    before, overridden = shipped(), catalog_with(PLAN_TIER_OVERRIDE)

    changed = {name for name in before.specs if before.specs[name].spec.version != overridden.specs[name].spec.version}
    assert changed == {"zendesk/users"}
    assert before.object_version("zendesk", "users") != overridden.object_version("zendesk", "users")
    assert before.object_version("zendesk", "tickets") == overridden.object_version("zendesk", "tickets")


def test_given_an_override_changing_only_a_transform_argument_then_the_version_changes() -> None:
    overridden = catalog_with("""
        mapping:
          specs:
            zendesk/users:
              fields:
                phones: {from: phone, transforms: [{to_e164: {region_from: email, default_region: GB}}]}
    """)

    assert overridden.specs["zendesk/users"].spec.version != shipped().specs["zendesk/users"].spec.version


def test_given_an_override_restating_the_shipped_rule_then_the_version_is_unchanged() -> None:
    overridden = catalog_with("""
        mapping:
          specs:
            salesforce/Contact:
              fields:
                title: {from: Title, transforms: [strip]}
                emails: {from: [Email], transforms: [email]}
    """)

    assert overridden.specs["salesforce/Contact"].spec.version == shipped().specs["salesforce/Contact"].spec.version


def test_given_a_copy_of_a_shipped_spec_with_only_a_description_added_then_the_version_is_unchanged(tmp_path: Path) -> None:
    shipped_text = (SHIPPED_SPECS / "salesforce" / "Contact.yaml").read_text(encoding="utf-8")
    write_spec(tmp_path, "salesforce/Contact", "description: people at customer accounts, with our notes\n" + shipped_text)

    copied = load_catalog(MappingSettings(files=[tmp_path]))

    assert copied.specs["salesforce/Contact"].origin.file.is_relative_to(tmp_path)
    assert copied.specs["salesforce/Contact"].spec.version == shipped().specs["salesforce/Contact"].spec.version


def test_given_another_default_region_then_every_object_version_changes_but_no_spec_version() -> None:
    us, gb = shipped(), load_catalog(MappingSettings(default_region="gb"))

    assert gb.default_region == "GB"
    assert all(us.specs[name].spec.version == gb.specs[name].spec.version for name in us.specs)
    assert all(us.object_version(*key) != gb.object_version(*key) for key in us.objects())


def test_given_an_override_adding_a_null_default_to_map_values_then_the_version_changes() -> None:
    overridden = catalog_with("""
        mapping:
          specs:
            zendesk/tickets:
              fields:
                priority:
                  from: priority
                  transforms:
                    - map_values: {values: {low: low, normal: normal, high: high, urgent: urgent}, default: null}
    """)

    ticket = {"id": 7, "status": "open", "priority": "critical"}
    assert map_record(overridden, SourceRef(system="zendesk", object="tickets", id="7"), ticket).priority is None  # type: ignore[attr-defined]
    assert overridden.specs["zendesk/tickets"].spec.version != shipped().specs["zendesk/tickets"].spec.version


def test_given_four_specs_for_one_object_when_the_default_region_changes_then_the_object_version_changes(tmp_path: Path) -> None:
    for role in ("end-user", "agent", "admin", "light-agent"):
        write_spec(tmp_path, f"zendesk/role-{role}", f"""
            system: zendesk
            object: users
            entity: person
            where: {{field: role, in: [{role}]}}
            fields:
              full_name: name
        """)
    write_spec(tmp_path, "zendesk/users", """
        system: zendesk
        object: ignored
        entity: person
        fields:
          full_name: name
    """)
    write_spec(tmp_path, "zendesk/agents", """
        system: zendesk
        object: ignored_too
        entity: owner
        fields:
          full_name: name
    """)

    us = load_catalog(MappingSettings(files=[tmp_path]))
    gb = load_catalog(MappingSettings(files=[tmp_path], default_region="GB"))

    assert len(us.for_object("zendesk", "users")) == 4
    assert us.object_version("zendesk", "users") != gb.object_version("zendesk", "users")


def test_given_the_shipped_owner_and_person_specs_then_users_map_to_the_matching_model() -> None:
    catalog = shipped()
    source = SourceRef(system="zendesk", object="users", id="1")

    assert isinstance(map_record(catalog, source, ZENDESK_USER), Person)
    assert isinstance(map_record(catalog, source, {**ZENDESK_USER, "role": "agent"}), Owner)
