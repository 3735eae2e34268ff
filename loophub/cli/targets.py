"""`loophub targets check|apply`: the fields the write-back policies write into — do they exist, and create what is missing."""

from __future__ import annotations

import json
from collections import Counter
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape
from rich.table import Table

from loophub.cli.context import console, state

if TYPE_CHECKING:
    from flows.writeback.targets import ApplyTargetsReport, FieldApplied, TargetReport

app = typer.Typer(help="The fields write-back writes into: check they exist with a fitting type, create what is missing.", no_args_is_help=True)
STATE_STYLES = {"present": "green", "missing": "red", "wrong_type": "red", "unreachable": "red", "no_connection": "yellow"}
OUTCOME_STYLES = {"present": "green", "created": "green", "printed": "yellow", "skipped": "yellow", "failed": "red"}


@app.command("check")
def check_command(ctx: typer.Context, as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False) -> None:
    """List every field the enabled policies write into and its state; exit 1 when one is missing or of the wrong type."""
    from flows.writeback.targets import check_targets

    config = state(ctx).config()
    with console.status("looking up target fields…"):
        report = check_targets(config)
    if as_json:
        console.print_json(json.dumps(report.as_json()))
    else:
        console.print(_check_table(report))
        _print_summary(report)
    if report.problems:
        raise typer.Exit(1)


@app.command("apply")
def apply_command(
    ctx: typer.Context,
    print_salesforce: Annotated[bool, typer.Option("--print-salesforce", help="Print the Salesforce field definitions for an admin instead of creating them.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Create the missing fields (HubSpot properties, Zendesk fields, Salesforce fields through the Tooling API); exit 1 when one failed."""
    from flows.writeback.targets import apply_targets

    config = state(ctx).config()
    with console.status("creating missing target fields…"):
        report = apply_targets(config, "print" if print_salesforce else "tooling")
    if as_json:
        console.print_json(json.dumps(report.as_json()))
    else:
        console.print(_apply_table(report))
        _print_definitions(report.with_outcome("printed"))
        counts = ", ".join(f"{report.count(outcome):,} {outcome}" for outcome in ("created", "printed", "failed", "present", "skipped") if report.count(outcome))
        console.print(counts or "no field is required: every write-back policy is off.")
    if report.count("failed"):
        raise typer.Exit(1)


def _print_summary(report: TargetReport) -> None:
    counts = Counter(check.state for check in report.checks)
    console.print(", ".join(f"{counts[state]:,} {state.replace('_', ' ')}" for state in STATE_STYLES if counts[state]) or "no field is required.")
    if report.problems:
        console.print("`loophub targets apply` creates what is missing; a field of the wrong type is for an admin to change (or name another in loophub.yaml).")
    if counts["no_connection"]:
        console.print("Nothing is written into a system without a connection: `loophub connections add` to write there, or take it out of the policy's targets.")


def _check_table(report: TargetReport) -> Table:
    table = Table(title="write-back target fields")
    for column in ("system", "object", "field", "kind", "policy", "state", "detail"):
        table.add_column(column, overflow="fold")
    for check in report.checks:
        field, style = check.field, STATE_STYLES.get(check.state, "")
        table.add_row(field.system, field.object, escape(field.name), _kind(field.kind, field.unique), field.policy, f"[{style}]{check.state.replace('_', ' ')}[/]", escape(check.detail))
    if not report.checks:
        table.caption = "no field is required: every write-back policy is off"
    return table


def _apply_table(report: ApplyTargetsReport) -> Table:
    table = Table(title="write-back target fields: apply")
    for column in ("system", "object", "field", "kind", "before", "outcome", "detail"):
        table.add_column(column, overflow="fold")
    for result in report.results:
        field, style = result.check.field, OUTCOME_STYLES.get(result.outcome, "")
        table.add_row(field.system, field.object, escape(field.name), _kind(field.kind, field.unique), result.check.state.replace("_", " "), f"[{style}]{result.outcome}[/]", escape(result.detail))
    return table


def _print_definitions(printed: list[FieldApplied]) -> None:
    """The Salesforce fields an admin must add, one line each, in the words of Setup's New Field wizard."""
    from flows.writeback.target_vendors import salesforce_type_text

    if not printed:
        return
    console.print("\n[bold]Add these fields in Salesforce Setup[/] (Object Manager → object → Fields & Relationships → New), then give the integration user Edit access:")
    for result in printed:
        definition = result.definition or {}
        label = (definition.get("metadata") or {}).get("label", "")
        console.print(f"  {definition.get('object')} · {escape(str(definition.get('api_name')))} · {salesforce_type_text(definition)} · label “{escape(label)}”", highlight=False)


def _kind(kind: str, unique: bool) -> str:
    return f"{kind}, unique" if unique else kind
