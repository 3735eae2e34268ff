"""check_against_schemas: spec source paths and types against small hand-written stream schemas."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

from loophub.config import parse_config
from mapping import MappingSettings, SpecCatalog, SpecProblem, load_catalog
from mapping.check import check_against_schemas, resolve, schema_kinds, unchecked_specs

TEXT = {"type": ["null", "string"]}
INSTANT = {"type": ["null", "string"], "format": "date-time"}
DAY = {"type": ["null", "string"], "format": "date"}

# Shaped like the Salesforce connector's: every field declared, the object left open.
CRM_CONTACT = {
    "type": "object",
    "additionalProperties": True,
    "properties": {
        "Id": {"type": "string"},
        "Name": TEXT,
        "Email": TEXT,
        "Amount": {"type": ["null", "number"]},
        "IsActive": {"type": ["null", "boolean"]},
        "CreatedDate": INSTANT,
        "CloseDate": DAY,
        "Tags": {"type": ["null", "array"], "items": {"type": "string"}},
        "Scores": {"type": ["null", "array"], "items": {"type": "integer"}},
        "Via": {"type": ["null", "object"], "additionalProperties": True},
    },
}
# Shaped like the HubSpot connector's: properties are nullable strings whatever HubSpot's own type.
HUB_CONTACT = {
    "type": "object",
    "additionalProperties": True,
    "properties": {
        "id": {"type": "string"},
        "properties": {
            "type": "object",
            "additionalProperties": True,
            "properties": {
                "email": {**TEXT, "x-hubspot-type": "string"},
                "annualrevenue": {**TEXT, "x-hubspot-type": "number"},
                "createdate": {**INSTANT, "x-hubspot-type": "datetime"},
            },
        },
    },
}
SCHEMAS = {("crm", "contacts"): CRM_CONTACT, ("hub", "contacts"): HUB_CONTACT}


def write_spec(root: Path, name: str, text: str) -> Path:
    path = root / f"{name}.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def line_of(path: Path, needle: str) -> int:
    return next(number for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if needle in line)


def crm_spec(root: Path, fields: str, *, entity: str = "person") -> tuple[SpecCatalog, Path]:
    """A catalog of the shipped specs plus `crm/contacts` mapping `fields` (indented YAML lines) onto `entity`."""
    body = textwrap.indent(textwrap.dedent(fields).strip("\n"), "  ")
    path = write_spec(root, "crm/contacts", f"system: crm\nobject: contacts\nentity: {entity}\nfields:\n{body}\n")
    return load_catalog(MappingSettings(files=[root])), path


def hub_spec(root: Path, fields: str) -> tuple[SpecCatalog, Path]:
    body = textwrap.indent(textwrap.dedent(fields).strip("\n"), "  ")
    path = write_spec(root, "hub/contacts", f"system: hub\nobject: contacts\nentity: company\nfields:\n{body}\n")
    return load_catalog(MappingSettings(files=[root])), path


def problems_about(catalog: SpecCatalog, path: Path) -> list[SpecProblem]:
    return [problem for problem in check_against_schemas(catalog, SCHEMAS) if problem.file == path]


def test_given_a_misspelt_field_when_checked_then_it_is_unknown_with_a_suggestion_at_its_line(tmp_path: Path) -> None:
    catalog, path = crm_spec(tmp_path, "first_name: Name\nemails: {from: Emial, transforms: [email]}\n")

    problems = problems_about(catalog, path)

    assert len(problems) == 1
    assert problems[0].line == line_of(path, "Emial")
    assert problems[0].where == "fields.emails"
    assert "unknown source field 'Emial'" in problems[0].message and "did you mean 'Email'?" in problems[0].message


def test_given_a_misspelt_nested_property_when_checked_then_the_suggestion_keeps_the_path(tmp_path: Path) -> None:
    catalog, path = hub_spec(tmp_path, "name: properties.emial\n")

    (problem,) = problems_about(catalog, path)

    assert "properties has no 'emial'" in problem.message
    assert "did you mean 'properties.email'?" in problem.message


def test_given_a_field_nothing_resembles_when_checked_then_the_known_fields_are_listed(tmp_path: Path) -> None:
    catalog, path = crm_spec(tmp_path, "title: Xyzzy\n")

    (problem,) = problems_about(catalog, path)

    assert "did you mean" not in problem.message
    assert "(it has Amount, CloseDate," in problem.message


def test_given_an_open_object_without_declared_fields_when_a_path_enters_it_then_it_is_taken_on_trust(tmp_path: Path) -> None:
    catalog, path = crm_spec(tmp_path, "title: Via.channel\n")

    assert problems_about(catalog, path) == []


def test_given_a_path_into_a_text_field_when_checked_then_it_is_reported(tmp_path: Path) -> None:
    catalog, path = crm_spec(tmp_path, "title: Name.first\n")

    (problem,) = problems_about(catalog, path)

    assert "Name is string, not an object with fields" in problem.message


def test_given_a_path_through_a_list_when_checked_then_it_is_reported(tmp_path: Path) -> None:
    catalog, path = crm_spec(tmp_path, "title: Tags.first\n")

    (problem,) = problems_about(catalog, path)

    assert "Tags is a list; a path cannot step into it" in problem.message


def test_given_a_text_source_for_a_number_field_when_checked_then_the_type_mismatch_names_the_fix(tmp_path: Path) -> None:
    catalog, path = crm_spec(tmp_path, "amount: Name\n", entity="deal")

    (problem,) = problems_about(catalog, path)

    assert problem.where == "fields.amount"
    assert problem.message == "type mismatch: the field holds number, the rule gives string; add the number transform"


def test_given_a_boolean_source_for_a_text_transform_when_checked_then_the_transform_is_named(tmp_path: Path) -> None:
    catalog, path = crm_spec(tmp_path, "first_name: {from: IsActive, transforms: [strip]}\n")

    (problem,) = problems_about(catalog, path)

    assert problem.where == "fields.first_name.transforms[0]"
    assert "strip takes integer or number or string, gets boolean" in problem.message


def test_given_date_time_and_date_sources_when_parsed_or_copied_then_no_problem(tmp_path: Path) -> None:
    catalog, path = crm_spec(
        tmp_path,
        """
        name: Name
        created_at: {from: CreatedDate, transforms: [datetime]}
        close_date: CloseDate
        amount: Amount
        """,
        entity="deal",
    )

    assert problems_about(catalog, path) == []


def test_given_hubspot_text_properties_when_parsed_by_transforms_then_no_problem(tmp_path: Path) -> None:
    catalog, path = hub_spec(
        tmp_path,
        """
        annual_revenue: {from: properties.annualrevenue, transforms: [number]}
        created_at: {from: properties.createdate, transforms: [datetime]}
        """,
    )

    assert problems_about(catalog, path) == []


def test_given_a_date_time_copied_into_a_text_field_when_checked_then_it_is_a_mismatch(tmp_path: Path) -> None:
    catalog, path = crm_spec(tmp_path, "title: CreatedDate\n")

    (problem,) = problems_about(catalog, path)

    assert "the field holds string, the rule gives datetime" in problem.message


def test_given_lists_when_checked_then_their_items_kind_counts(tmp_path: Path) -> None:
    catalog, path = crm_spec(tmp_path, "emails: {from: Scores, transforms: [email]}\nphones: Tags\n")

    (problem,) = problems_about(catalog, path)

    assert problem.where == "fields.emails.transforms[0]"
    assert "email takes string, gets integer" in problem.message


def test_given_a_region_path_that_does_not_exist_when_checked_then_the_transform_is_named(tmp_path: Path) -> None:
    catalog, path = crm_spec(tmp_path, "phones: {from: Name, transforms: [{to_e164: {region_from: [Emial]}}]}\n")

    (problem,) = problems_about(catalog, path)

    assert problem.where == "fields.phones.transforms[0]"
    assert "did you mean 'Email'?" in problem.message


def test_given_an_override_in_loophub_yaml_when_checked_then_the_problem_names_that_file_and_line(tmp_path: Path) -> None:
    text = "mapping:\n  specs:\n    zendesk/users:\n      fields:\n        attributes.plan: user_fields.plann\n"
    config = parse_config(text, Path("loophub.yaml"), environ={})
    catalog = load_catalog(config.mapping, config.origin())
    users = {"type": "object", "properties": {**{name: TEXT for name in ("name", "email", "phone", "role", "time_zone")},
             "organization_id": {"type": ["null", "integer"]}, "created_at": INSTANT,
             "tags": {"type": ["null", "array"], "items": {"type": "string"}},
             "user_fields": {"type": ["null", "object"], "additionalProperties": True, "properties": {"plan_tier": TEXT}}}}  # fmt: skip

    problems = [problem for problem in check_against_schemas(catalog, {("zendesk", "users"): users}) if "plann" in problem.message]

    assert [(problem.file, problem.line) for problem in problems] == [(Path("loophub.yaml"), 5)]
    assert "did you mean 'user_fields.plan_tier'?" in problems[0].message


def test_given_objects_without_a_schema_when_checked_then_they_are_listed_and_skipped(tmp_path: Path) -> None:
    catalog, path = crm_spec(tmp_path, "title: Xyzzy\n")

    unchecked = unchecked_specs(catalog, {("crm", "contacts"): CRM_CONTACT})

    assert "crm/contacts" not in unchecked and "zendesk/users" in unchecked
    assert all(problem.file == path for problem in check_against_schemas(catalog, {("crm", "contacts"): CRM_CONTACT}))


def test_given_schemas_when_resolved_then_kinds_follow_type_format_and_items() -> None:
    kinds: dict[str, Any] = {path: schema_kinds(resolve(CRM_CONTACT, path)) for path in ("Name", "CreatedDate", "CloseDate", "Tags", "Scores", "Via.x")}

    assert kinds == {
        "Name": {"string"}, "CreatedDate": {"datetime"}, "CloseDate": {"date"}, "Tags": {"string"}, "Scores": {"integer"}, "Via.x": {"any"},
    }  # fmt: skip
