"""`loophub targets check|apply`: do the fields the enabled write-back policies write into exist, with a fitting type?

A write into a field that does not exist is refused by the vendor, retried,
then parked — found out only after the first run, one row at a time. The
check asks each vendor up front (one describe or field list per object) and
gives every field one state:

- `present`: it exists and can hold what the policy writes;
- `missing`: `apply` can create it;
- `wrong_type`: it exists but cannot hold the values (text where a number is
  needed, whole numbers where one decimal is, read-only, inactive);
- `no_connection`: loophub.yaml has no connection for its system, so nothing
  is written there (not a problem: add one to write there);
- `unreachable`: the vendor could not be asked (credentials, network); the
  connector's message says which.

`apply` creates what is missing — HubSpot properties and Zendesk user and
organization fields through their APIs, Salesforce custom fields through the
Tooling API — and never changes a field that exists (it may hold data): a
wrong type stays for an admin. Salesforce fields are printed for an admin to
add in Setup instead when asked (`salesforce_mode="print"`) or when the org
refuses the Tooling API, as an integration user without "Customize
Application" does. Each created field is looked up again afterwards with a
fresh describe; a Salesforce field the integration user cannot see yet needs
field-level security (Edit) for that user before loophub can write it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, replace
from typing import Any, Literal

from connectors.common import Classification, ConnectorError
from flows.sources import source_config
from flows.writeback.plan import TargetField
from flows.writeback.policies import POLICIES
from flows.writeback.run import policy_settings
from flows.writeback.target_vendors import (
    NotCreatable,
    VendorTargets,
    tooling_refused,
    vendor_targets,
)
from loophub.config import ConnectionConfig, LoophubConfig
from loophub.errors import ErrorKind, LoopError

State = Literal["present", "missing", "wrong_type", "no_connection", "unreachable"]
Outcome = Literal["present", "created", "printed", "failed", "skipped"]
SalesforceMode = Literal["tooling", "print"]
PROBLEMS: frozenset[str] = frozenset({"missing", "wrong_type", "unreachable"})


@dataclass(frozen=True, slots=True)
class FieldCheck:
    """One target field and what its system holds under that name."""

    field: TargetField
    state: State
    detail: str = ""

    def as_json(self) -> dict[str, Any]:
        return asdict(self.field) | {"state": self.state, "detail": self.detail}


@dataclass
class TargetReport:
    """Every required field's state, grouped by system."""

    checks: list[FieldCheck]

    @property
    def problems(self) -> list[FieldCheck]:
        return [check for check in self.checks if check.state in PROBLEMS]

    def as_json(self) -> dict[str, Any]:
        counts = Counter(check.state for check in self.checks)
        return {"ok": not self.problems, "counts": dict(counts), "fields": [check.as_json() for check in self.checks]}


@dataclass(frozen=True, slots=True)
class FieldApplied:
    """What `apply` did about one field; `definition` is what was sent, or what an admin must add."""

    check: FieldCheck
    outcome: Outcome
    detail: str
    definition: dict[str, Any] | None = None

    def as_json(self) -> dict[str, Any]:
        return asdict(self.check.field) | {"before": self.check.state, "outcome": self.outcome, "detail": self.detail, "definition": self.definition}


@dataclass
class ApplyTargetsReport:
    results: list[FieldApplied]

    def count(self, outcome: Outcome) -> int:
        return sum(1 for result in self.results if result.outcome == outcome)

    def with_outcome(self, outcome: Outcome) -> list[FieldApplied]:
        return [result for result in self.results if result.outcome == outcome]

    def as_json(self) -> dict[str, Any]:
        counts = Counter(result.outcome for result in self.results)
        return {"counts": dict(counts), "fields": [result.as_json() for result in self.results]}


def required_fields(config: LoophubConfig) -> list[TargetField]:
    """The fields the enabled policies write into, each once (whichever systems have a connection)."""
    settings = policy_settings(config)
    return merge_fields(field for policy in POLICIES if policy.enabled(settings) for field in policy.target_fields(settings))


def merge_fields(fields: Iterable[TargetField]) -> list[TargetField]:
    """One entry per (system, object, name); two policies sharing a field must agree on its kind."""
    merged: dict[tuple[str, str, str], TargetField] = {}
    for field in fields:
        key = (field.system, field.object, field.name.lower() if field.system == "salesforce" else field.name)
        earlier = merged.get(key)
        if earlier is None:
            merged[key] = field
            continue
        if earlier.kind != field.kind:
            raise LoopError(
                f"policies {earlier.policy} and {field.policy} both write {field.system} {field.object}.{field.name}, as {earlier.kind} "
                f"and as {field.kind}: give one of them another field in the policies: section of loophub.yaml",
                kind=ErrorKind.CONFIG,
            )
        policies = earlier.policy if field.policy in earlier.policy.split(", ") else f"{earlier.policy}, {field.policy}"
        merged[key] = replace(earlier, policy=policies, unique=earlier.unique or field.unique)
    return list(merged.values())


def check_targets(config: LoophubConfig, fields: Sequence[TargetField] | None = None) -> TargetReport:
    """Each field's state in its system (`fields` defaults to the enabled policies' `required_fields`)."""
    return _inspect(config, required_fields(config) if fields is None else list(fields))[0]


def blocked_policies(config: LoophubConfig) -> dict[str, list[str]]:
    """Enabled policies that cannot write yet, each with the fields that stop it (the write-back skips them).

    A policy writing into a missing field would have every write refused and
    parked — or, in Zendesk, silently dropped, so it would plan the same
    changes for ever. Skipping it until `loophub targets apply` is the
    honest answer.
    """
    blocked: dict[str, list[str]] = {}
    for check in check_targets(config).problems:
        for policy in check.field.policy.split(", "):
            blocked.setdefault(policy, []).append(f"{check.field.system} {check.field.object}.{check.field.name} ({check.state})")
    return blocked


def _inspect(config: LoophubConfig, fields: list[TargetField]) -> tuple[TargetReport, dict[str, VendorTargets]]:
    """The report, and the vendor clients that answered it (apply creates through the same ones)."""
    checks: list[FieldCheck] = []
    vendors: dict[str, VendorTargets] = {}
    for system in dict.fromkeys(field.system for field in fields):
        group = [field for field in fields if field.system == system]
        connection = _connection(config, system)
        if connection is None:
            why = f"no {system} connection in loophub.yaml: nothing is written there"
            checks += [FieldCheck(field, "no_connection", why) for field in group]
            continue
        try:
            vendors[system] = vendor_targets(system, source_config(connection))
        except ConnectorError as error:
            checks += [FieldCheck(field, "unreachable", error.user_message) for field in group]
            continue
        checks += _check_system(vendors[system], group)
    return TargetReport(checks), vendors


def _check_system(vendor: VendorTargets, fields: list[TargetField]) -> list[FieldCheck]:
    checks: list[FieldCheck] = []
    failed: dict[str | None, str] = {}  # object (None: the whole connection) → why it could not be asked
    for field in fields:
        known = failed.get(None) or failed.get(field.object)
        if known is not None:
            checks.append(FieldCheck(field, "unreachable", known))
            continue
        try:
            finding = vendor.inspect(field)
        except ConnectorError as error:
            # An unknown object fails alone; credentials, network and budgets fail every later call too.
            why = f"could not look up {field.object}: {error.user_message}"
            failed[field.object if error.classification is Classification.FATAL and not error.verdict.budget_exhausted else None] = why
            checks.append(FieldCheck(field, "unreachable", why))
            continue
        checks.append(FieldCheck(field, finding.state, finding.detail))
    return checks


def apply_targets(config: LoophubConfig, salesforce_mode: SalesforceMode = "tooling", fields: Sequence[TargetField] | None = None) -> ApplyTargetsReport:
    """Create every missing field the vendor lets loophub create; print Salesforce's when asked or refused."""
    before, vendors = _inspect(config, required_fields(config) if fields is None else list(fields))
    done: dict[int, FieldApplied] = {}
    for system, vendor in vendors.items():
        indexed = [(index, check) for index, check in enumerate(before.checks) if check.field.system == system and check.state == "missing"]
        results = _create_missing(vendor, system, [check for _, check in indexed], salesforce_mode)
        done.update(zip((index for index, _ in indexed), results, strict=True))
    results = [done.get(index) or _unchanged(check) for index, check in enumerate(before.checks)]
    return ApplyTargetsReport(_confirmed(config, results))


def _create_missing(vendor: VendorTargets, system: str, checks: list[FieldCheck], salesforce_mode: SalesforceMode) -> list[FieldApplied]:
    """Create one field after another; once Salesforce refuses the Tooling API, print the rest instead."""
    printing = system == "salesforce" and salesforce_mode == "print"
    why_printed = "asked to print: an admin adds it in Setup (Object Manager → Fields & Relationships)"
    results: list[FieldApplied] = []
    for check in checks:
        definition = None
        try:
            definition = vendor.definition(check.field)
            if printing:
                results.append(FieldApplied(check, "printed", why_printed, definition))
                continue
            results.append(FieldApplied(check, "created", vendor.create(check.field), definition))
        except NotCreatable as error:
            results.append(FieldApplied(check, "failed", str(error)))
        except ConnectorError as error:
            if system == "salesforce" and tooling_refused(error):
                printing = True
                why_printed = f"the org refused the Tooling API ({error.user_message}); an admin adds it in Setup"
                results.append(FieldApplied(check, "printed", why_printed, definition))
            else:
                results.append(FieldApplied(check, "failed", error.user_message, definition))
    return results


def _unchanged(check: FieldCheck) -> FieldApplied:
    """What apply says about a field it leaves alone."""
    if check.state == "present":
        return FieldApplied(check, "present", check.detail)
    if check.state == "no_connection":
        return FieldApplied(check, "skipped", check.detail)
    if check.state == "wrong_type":
        return FieldApplied(check, "failed", f"{check.detail}; loophub does not change an existing field: change its type, or name another field in loophub.yaml")
    return FieldApplied(check, "failed", check.detail)


def _confirmed(config: LoophubConfig, results: list[FieldApplied]) -> list[FieldApplied]:
    """Look every attempted create up again through fresh clients (describes are cached per client).

    A created field the integration user cannot see is no use yet; a create whose answer was lost
    (a retried POST that then hears "already exists") did happen.
    """
    attempted = [r.check.field for r in results if r.outcome == "created" or (r.outcome == "failed" and r.check.state == "missing" and r.definition)]
    if not attempted:
        return results
    after = {check.field: check for check in check_targets(config, attempted).checks}
    return [_settled(result, after.get(result.check.field)) for result in results]


def _settled(result: FieldApplied, after: FieldCheck | None) -> FieldApplied:
    if after is None or (after.state == "present") == (result.outcome == "created"):
        return result
    if after.state == "present":
        return replace(result, outcome="created", detail=f"created (a fresh look finds it: {after.detail}) although the vendor answered: {result.detail}")
    hint = "; grant the integration user Edit access to it (field-level security)" if result.check.field.system == "salesforce" else ""
    return replace(result, outcome="failed", detail=f"{result.detail}, but a fresh look finds it {after.state.replace('_', ' ')}: {after.detail}{hint}")


def _connection(config: LoophubConfig, system: str) -> ConnectionConfig | None:
    """The connection write-back uses for `system` (one account per system for now, as in `run`)."""
    return next((connection for connection in config.connections if connection.system == system), None)
