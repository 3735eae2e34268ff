"""The write-back step: plan → outbox → apply → confirm.

1. **plan** reads golden companies, their records and what the targets held
   when last pulled (or what loophub wrote since), and lists the field
   changes the enabled policies want. Nothing is written: a dry run stops here.
2. **outbox**: the plan becomes the outbox's wish list — one open row per
   target field, superseding what the plan no longer wants.
   Hand-offs go first; when they created deals, the CRM's deal stream is
   pulled and mapped and the field policies planned again
   (`flows.writeback.deal_refresh`), so this run also writes what the new
   deals change (a Zendesk organization's open pipeline) and the next writes
   nothing.
3. **apply**: due rows (new ones, and failed ones whose back-off has passed)
   go to each system's writer, one change per target record, in the vendor's
   batch calls, each carrying the values seen at planning as `expected`: a
   target a person changed since comes back CONFLICT and is left alone.
4. **confirm**: applied rows are marked and their values entered in the echo
   ledger, so the next plan sees them as current and plans nothing; failed
   rows wait `base × 2^(attempts−1)` (capped), and are parked with their
   error after `max_attempts`.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine

from connectors.common import RecordUpdate, WriteOutcome, WriteResult
from connectors.hubspot.endpoints import BATCH_SIZE as HUBSPOT_BATCH
from connectors.salesforce.endpoints import WRITE_BATCH_SIZE as SALESFORCE_BATCH
from flows.sources import connector_package, source_config
from flows.writeback.deal_refresh import DealRefresh, refresh_deals
from flows.writeback.handoff import HANDOFF
from flows.writeback.handoff_apply import HandoffReport, apply_handoffs
from flows.writeback.plan import Plan, PolicyPlan
from flows.writeback.policies import POLICIES
from flows.writeback.settings import OutboxSettings, PolicySettings
from loophub.config import ConnectionConfig, LoophubConfig
from store import session_scope, utc_now
from store.runs import finish_run, start_run
from store.writeback import (
    DueChange,
    due_changes,
    enqueue,
    mark_applied,
    mark_conflict,
    mark_failed,
)


@dataclass
class ApplyReport:
    """What one apply did: outcomes per (system, policy), vendor batches sent, and the rows that need a look."""

    run_id: int
    planned: int = 0
    enqueued: dict[str, int] = field(default_factory=dict)  # added, refreshed, superseded, still_parked
    outcomes: dict[tuple[str, str], Counter[str]] = field(default_factory=dict)
    write_calls: Counter[str] = field(default_factory=Counter)  # per system: writer batches of up to the vendor's limit
    records_sent: Counter[str] = field(default_factory=Counter)
    conflicts: list[dict[str, Any]] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)
    applied: list[DueChange] = field(default_factory=list)  # the field changes written, for summaries
    handoffs: HandoffReport = field(default_factory=HandoffReport)  # deals created from tickets, notes added; failures also in `errors`
    deals: DealRefresh = field(default_factory=DealRefresh)  # the new deals pulled back before the field policies were planned again

    def count(self, outcome: str) -> int:
        return sum(counts[outcome] for counts in self.outcomes.values())

    def as_counts(self) -> dict[str, Any]:
        return {
            "planned": self.planned,
            "enqueued": self.enqueued,
            "outcomes": {f"{system}/{policy}": dict(counts) for (system, policy), counts in sorted(self.outcomes.items())},
            "write_calls": dict(self.write_calls),
            "records_sent": dict(self.records_sent),
            "conflicts": self.conflicts[:50],
            "errors": self.errors[:50],
            "handoffs": dict(self.handoffs.counts),
            "deals_pulled": dict(self.deals.landed),
            "deals_pull_errors": self.deals.errors,  # the field policies then planned without the new deals; the next loop counts them
        }


def policy_settings(config: LoophubConfig) -> PolicySettings:
    """The `policies:` section as settings, whether the config already parsed it or still holds a mapping."""
    section: Any = config.policies
    return section if isinstance(section, PolicySettings) else PolicySettings.model_validate(section or {})


def plan_writeback(
    engine: Engine,
    config: LoophubConfig,
    *,
    now: datetime | None = None,
    blocked: Mapping[str, list[str]] | None = None,
    names: Collection[str] | None = None,
) -> Plan:
    """What the enabled policies (of `names`, if given) want written now (reads only); `blocked` ones (name → missing fields) are left out."""
    settings, now = policy_settings(config), now or utc_now()
    plan = Plan(created_at=now)
    # One read-only session for every policy: they share its memo of target payloads (store.writeback.pulled_targets).
    with session_scope(engine) as session:
        for policy in POLICIES:
            if not policy.enabled(settings) or (names is not None and policy.name not in names):
                continue
            if blocked and policy.name in blocked:
                plan.skipped[policy.name] = blocked[policy.name]
                continue
            _add(plan, policy.name, policy.plan(session, settings, now))
    return plan


def _add(plan: Plan, name: str, part: PolicyPlan) -> None:
    plan.rows.extend(part.rows)
    plan.handoffs.extend(part.handoffs)
    plan.policies.append(name)
    plan.companies += part.companies
    plan.targets += part.targets


def apply_writeback(engine: Engine, config: LoophubConfig, plan: Plan, *, now: datetime | None = None) -> ApplyReport:
    """Put `plan` in the outbox and write every due row; failures are scheduled again or parked."""
    settings, now = policy_settings(config), now or utc_now()
    report = ApplyReport(start_run(engine, "writeback", {"planned": len(plan.rows)}), planned=len(plan.rows))
    try:
        report.handoffs = apply_handoffs(engine, config, settings, plan.handoffs, now)  # first: a deal sales waits for is not held up behind a long field push
        report.errors.extend(report.handoffs.errors)
        if report.handoffs.deal_systems:
            report.deals = refresh_deals(engine, config, report.handoffs.deal_systems)
            report.planned = _replan_fields(engine, config, plan)
        with session_scope(engine) as session:
            counts = enqueue(session, report.run_id, [row.outbox_entry() for row in plan.rows], now)
            report.enqueued = {"added": counts.added, "refreshed": counts.refreshed, "superseded": counts.superseded, "still_parked": counts.still_parked}
            due = due_changes(session, now)
        by_system: dict[str, list[DueChange]] = defaultdict(list)
        for change in due:
            by_system[change.system].append(change)
        for system, changes in sorted(by_system.items()):
            _apply_system(engine, config, system, changes, settings.outbox, now, report)
    except Exception as error:
        finish_run(engine, report.run_id, "failed", report.as_counts(), f"{type(error).__name__}: {error}")
        raise
    status = "succeeded" if not report.errors else "partial"
    finish_run(engine, report.run_id, status, report.as_counts())
    return report


def writeback(engine: Engine, config: LoophubConfig, dry_run: bool = False) -> tuple[Plan, ApplyReport | None]:
    """Check the target fields, plan the policies that can write, and unless `dry_run`, apply."""
    from flows.writeback.targets import blocked_policies  # targets reads this module's settings helper

    plan = plan_writeback(engine, config, blocked=blocked_policies(config))
    return plan, (None if dry_run else apply_writeback(engine, config, plan))


def _replan_fields(engine: Engine, config: LoophubConfig, plan: Plan) -> int:
    """Plan the field policies of `plan` again, in place, now that the store holds the new deals; the new row count."""
    fields = [name for name in plan.policies if name != HANDOFF]
    if fields:
        plan.rows = plan_writeback(engine, config, now=plan.created_at, blocked=plan.skipped, names=fields).rows
    return len(plan.rows)


def _apply_system(
    engine: Engine, config: LoophubConfig, system: str, due: list[DueChange], retry: OutboxSettings, now: datetime, report: ApplyReport
) -> None:
    """One change per target record (all its due fields), through the system's writer; then settle every row."""
    records: dict[tuple[str, str], list[DueChange]] = defaultdict(list)
    for change in due:
        records[(change.object, change.record_id)].append(change)
    updates = [
        RecordUpdate(object_name, record_id, {c.field: c.new_value for c in rows}, {c.field: c.old_value for c in rows})
        for (object_name, record_id), rows in records.items()
    ]
    try:
        writer = connector_package(system).Writer(source_config(_connection(config, system)))
        results = writer.apply(updates)
    except Exception as error:  # noqa: BLE001 — no connection, bad credentials: every row failed this time
        message = getattr(error, "user_message", None) or f"{type(error).__name__}: {error}"
        results = [WriteResult(update, WriteOutcome.FAILED, update.record_id, message) for update in updates]
    else:
        report.write_calls[system] += _batches(system, len(updates))
        report.records_sent[system] += len(updates)
    applied: list[DueChange] = []
    with session_scope(engine) as session:
        for result, rows in zip(results, records.values(), strict=True):
            for change in rows:
                report.outcomes.setdefault((system, change.policy), Counter())[_settled_as(result, change, retry)] += 1
            if result.outcome is WriteOutcome.APPLIED:
                applied.extend(rows)
            else:
                _settle_unapplied(session, result, rows, retry, now, report)
        mark_applied(session, applied, now)  # one statement per few hundred rows, not one per record
    report.applied.extend(applied)


def _settle_unapplied(session: Any, result: WriteResult, rows: list[DueChange], retry: OutboxSettings, now: datetime, report: ApplyReport) -> None:
    """A conflict is recorded and left; a failure is scheduled again with back-off, or parked."""
    if result.outcome is WriteOutcome.CONFLICT:
        mark_conflict(session, rows, result.message, now)
        report.conflicts.extend(_listed(change, result.message) for change in rows)
        return
    for change in rows:
        attempt = change.attempts + 1
        delay = min(retry.retry_base_seconds * 2 ** (attempt - 1), retry.retry_max_seconds)
        mark_failed(session, change, result.message, None if attempt >= retry.max_attempts else now + timedelta(seconds=delay), now)
        report.errors.append(_listed(change, result.message) | {"attempts": attempt, "parked": attempt >= retry.max_attempts})


def _settled_as(result: WriteResult, change: DueChange, retry: OutboxSettings) -> str:
    if result.outcome is WriteOutcome.FAILED and change.attempts + 1 >= retry.max_attempts:
        return "parked"
    return result.outcome.value


def _listed(change: DueChange, message: str | None) -> dict[str, Any]:
    return {"target": f"{change.system}:{change.object}:{change.record_id}", "field": change.field, "new": change.new_value, "message": message}


def _connection(config: LoophubConfig, system: str) -> ConnectionConfig:
    """The connection that writes into `system` (loophub keeps one account per system for now)."""
    for connection in config.connections:
        if connection.system == system:
            return connection
    raise LookupError(f"no connection for {system} in loophub.yaml: add one to write back into it")


def _batches(system: str, records: int) -> int:
    """Vendor update calls a writer makes for `records` updates (besides its compare-before-set reads)."""
    size = {"salesforce": SALESFORCE_BATCH, "hubspot": HUBSPOT_BATCH}.get(system, HUBSPOT_BATCH)
    return -(-records // size)

