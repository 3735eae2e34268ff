"""`loophub writeback`: plan what the policies want written into the CRMs, show it, or apply it."""

from __future__ import annotations

import json
from collections import Counter
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from loophub.cli.context import console, error_console, state

if TYPE_CHECKING:
    from flows.writeback.plan import Plan
    from flows.writeback.run import ApplyReport

MAX_TABLE_ROWS = 500  # a plan of thousands of rows is for --json, not for the terminal


def writeback_command(
    ctx: typer.Context,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show the plan (target, field, current → new, policy, reason); write nothing.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    retry_parked: Annotated[
        bool, typer.Option("--retry-parked", help="Try parked changes again (after fixing what refused them), then apply.")
    ] = False,
) -> None:
    """Write merged context back into the CRMs and Zendesk: plan → outbox → apply → confirm."""
    from flows.writeback.run import apply_writeback, plan_writeback
    from flows.writeback.targets import blocked_policies
    from store import session_scope, utc_now
    from store.handoffs import requeue_parked_handoffs
    from store.writeback import requeue_parked

    cli = state(ctx)
    engine, config = cli.engine(), cli.config()
    if retry_parked and not dry_run:
        with session_scope(engine) as session:
            requeued = requeue_parked(session, utc_now()) + requeue_parked_handoffs(session, utc_now())
        console.print(f"{requeued:,} parked change(s) queued again")
    with console.status("checking target fields…"):
        blocked = blocked_policies(config)
    for policy, fields in blocked.items():
        shown = ", ".join(fields[:3]) + (f" and {len(fields) - 3} more" if len(fields) > 3 else "")
        error_console.print(f"[yellow]{policy} skipped: its target fields are not ready ({shown}); `loophub targets apply` creates them[/]", soft_wrap=True)
    with console.status("planning write-back…"):
        plan = plan_writeback(engine, config, blocked=blocked)
    if dry_run:
        if as_json:
            console.print_json(json.dumps(plan.as_json(), default=str))
        else:
            console.print(_plan_table(plan))
            if plan.handoffs:
                console.print(_handoff_table(plan))
                actions = Counter(step.action for step in plan.handoffs)
                console.print(f"hand-offs: {actions['create']:,} deal(s) to create, {actions['resume']:,} to finish, {actions['skip']:,} ticket(s) skipped")
            console.print(f"{len(plan.rows):,} change(s) planned for {plan.companies:,} companies; nothing written (dry run).")
        return
    with console.status(f"applying {len(plan.rows):,} planned change(s)…"):
        report = apply_writeback(engine, config, plan)
    if as_json:
        console.print_json(json.dumps({"plan": plan.as_json(), "report": {"run_id": report.run_id, **report.as_counts()}}, default=str))
        return
    console.print(_report_table(report))
    if any(report.handoffs.counts.values()):
        console.print("hand-offs: " + ", ".join(f"{count:,} {outcome}" for outcome, count in sorted(report.handoffs.counts.items()) if count))
    _print_attention(report)


def _plan_table(plan: Plan) -> Table:
    table = Table(title=f"write-back plan ({', '.join(plan.policies) or 'no policy enabled'})")
    for column in ("target", "field", "current → new", "mode", "policy", "reason"):
        table.add_column(column, overflow="fold")
    for row in plan.rows[:MAX_TABLE_ROWS]:
        table.add_row(row.target, row.field, f"{_shown(row.current)} → {_shown(row.new)}", row.mode, row.policy, row.reason)
    if len(plan.rows) > MAX_TABLE_ROWS:
        table.caption = f"first {MAX_TABLE_ROWS:,} of {len(plan.rows):,} rows; --json prints them all"
    return table


def _handoff_table(plan: Plan) -> Table:
    table = Table(title="hand-offs: tickets with a sales signal → CRM deals")
    for column in ("ticket", "action", "into", "reason"):
        table.add_column(column, overflow="fold")
    for step in plan.handoffs[:MAX_TABLE_ROWS]:
        table.add_row(step.ticket, step.action, f"{step.target_system}:{step.account_id or step.deal_id or '—'}", step.reason)
    return table


def _report_table(report: ApplyReport) -> Table:
    table = Table(title=f"write-back run {report.run_id}: {report.planned:,} planned")
    for column in ("system", "policy", "applied", "conflict", "failed", "parked", "update calls", "records sent"):
        table.add_column(column, justify="left" if column in ("system", "policy") else "right")
    for (system, policy), counts in sorted(report.outcomes.items()):
        table.add_row(
            system, policy, *(f"{counts[name]:,}" for name in ("applied", "conflict", "failed", "parked")),
            f"{report.write_calls[system]:,}", f"{report.records_sent[system]:,}",
        )  # fmt: skip
    if not report.outcomes:
        table.caption = "nothing to write: every target already holds what the policies want"
    return table


def _print_attention(report: ApplyReport) -> None:
    for conflict in report.conflicts[:20]:
        console.print(f"[yellow]conflict:[/] {conflict['target']} {conflict['field']} was changed since planning; kept ({conflict['message']})")
    for error in report.errors[:20]:
        verb = "parked after" if error["parked"] else "failed, will retry; attempt"
        console.print(f"[red]{verb} {error['attempts']}:[/] {error['target']} {error['field']}: {error['message']}")
    hidden = max(0, len(report.conflicts) - 20) + max(0, len(report.errors) - 20)
    if hidden:
        console.print(f"… and {hidden:,} more; `--json` lists them")


def _shown(value: Any) -> str:
    return "∅" if value is None or value == "" else str(value)
