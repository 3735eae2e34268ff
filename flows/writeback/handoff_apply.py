"""Applying hand-offs exactly once: the ledger first, then the deal under its idempotency key, then the note.

One run:

1. **register**: each planned create enters the ledger (`planned`) with its
   key and fields, committed before anything is sent;
2. **deals**: every due row without a deal goes to its CRM's writer as a
   `RecordCreate`; the writer looks the key up before creating, so a deal an
   earlier run created but could not record comes back (`existed`) instead of
   a second one. The deal's id and link are committed (`created`);
3. **notes**: `note_sent_at` is committed, then the internal note (and
   `ticket_tag`) goes to the ticket; `noted` is committed when Zendesk
   confirms. Comments carry no idempotency key, so a row that already has
   `note_sent_at` — an earlier run got that far and died — first reads the
   ticket's comments and takes one holding the deal's link as its note.

A SIGKILL anywhere leaves the ledger at one of those commits, and the rerun
goes on from there without a second deal or a second note. Reading comments
only for rows with `note_sent_at` keeps the common path at no extra call.
Zendesk applies a bulk update in a background job, so a note sent just
before a kill may not show yet: such a row waits `note_settle_seconds` after
`note_sent_at` before its note is sent again.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError

from connectors.common import RecordCreate, RecordUpdate, WriteOutcome, WriteResult
from flows.sources import connector_package, source_config
from flows.writeback.handoff import HandoffStep
from flows.writeback.handoff_settings import HandoffPolicy
from flows.writeback.settings import OutboxSettings, PolicySettings
from loophub.config import LoophubConfig
from store import session_scope
from store.handoffs import (
    Handoff,
    due_handoffs,
    mark_created,
    mark_failed,
    mark_note_sent,
    mark_noted,
    register,
)

MAX_COMMENT_PAGES = 50  # a ticket with more than 5,000 comments is read no further


@dataclass
class HandoffReport:
    """What one apply did with hand-offs: counts per outcome, and the failures that need a look."""

    # registered, created, existing (found by key), noted, note_found (an earlier run's note), note_waiting, skipped, failed, parked
    counts: Counter[str] = field(default_factory=Counter)
    errors: list[dict[str, Any]] = field(default_factory=list)
    deal_systems: set[str] = field(default_factory=set)  # CRMs that now hold deals loophub's store has not pulled yet

    def as_json(self) -> dict[str, Any]:
        return {"counts": dict(self.counts), "errors": self.errors[:50]}


def apply_handoffs(engine: Engine, config: LoophubConfig, settings: PolicySettings, steps: Sequence[HandoffStep], now: datetime) -> HandoffReport:
    """Register the planned hand-offs, then create every due deal and add every due note."""
    report = HandoffReport()
    report.counts["skipped"] = sum(1 for step in steps if step.action == "skip")
    if not settings.handoff.enabled:
        return report
    try:
        with session_scope(engine) as session:
            report.counts["registered"] = register(session, [step.entry() for step in steps if step.action == "create"], now)
    except IntegrityError:
        pass  # a run alongside registered some of these tickets first: they are in the ledger, and due below
    with session_scope(engine) as session:
        due = [row for row in due_handoffs(session, now) if row.deal_id is None]
    for system in sorted({row.target_system for row in due}):
        _create_deals(engine, config, settings, [row for row in due if row.target_system == system], now, report)
    with session_scope(engine) as session:
        noting = [row for row in due_handoffs(session, now) if row.deal_id is not None]
    for system in sorted({row.ticket_system for row in noting}):
        _note_tickets(engine, config, settings, [row for row in noting if row.ticket_system == system], now, report)
    return report


def _create_deals(engine: Engine, config: LoophubConfig, settings: PolicySettings, rows: list[Handoff], now: datetime, report: HandoffReport) -> None:
    """One writer call for every due create of one CRM; each result recorded in the ledger."""
    system = rows[0].target_system
    changes = [RecordCreate(row.target_object, row.fields, row.idempotency_key) for row in rows]
    try:
        writer = _writer(config, system)
        results = writer.apply(changes)
    except Exception as error:  # noqa: BLE001 — no connection, bad credentials: every create failed this time
        results = [WriteResult(change, WriteOutcome.FAILED, None, _message(error)) for change in changes]
        writer = None
    link = _deal_link(settings.handoff, system, writer) if writer is not None else None
    with session_scope(engine) as session:
        for row, result in zip(rows, results, strict=True):
            if result.outcome is WriteOutcome.APPLIED and result.record_id:
                mark_created(session, row.id, result.record_id, link.format(deal_id=result.record_id) if link else None, now)
                report.counts["existing" if result.existed else "created"] += 1
                report.deal_systems.add(system)
            else:
                _failed(session, row, f"create {row.target_object}", result.message, settings.outbox, now, report)


def _note_tickets(engine: Engine, config: LoophubConfig, settings: PolicySettings, rows: list[Handoff], now: datetime, report: HandoffReport) -> None:
    """Add the note (and tag) to each ticket whose deal exists, unless an earlier run's note is already there."""
    policy = settings.handoff
    try:
        writer = _writer(config, rows[0].ticket_system)
    except Exception as error:  # noqa: BLE001 — as for creates: every note waits for the next run
        _fail_all(engine, rows, "note on ticket", error, settings.outbox, now, report)
        return
    ready, found, unreadable = _unnoted(writer, policy, rows, now, report)
    with session_scope(engine) as session:
        for row in found:
            mark_noted(session, row.id, now)
        for row, message in unreadable:
            _failed(session, row, "note on ticket", message, settings.outbox, now, report)
        mark_note_sent(session, [row.id for row in ready], now)
    if not ready:
        return
    changes = [RecordUpdate(row.ticket_object, row.ticket_id, _ticket_fields(policy, row)) for row in ready]
    try:
        results = writer.apply(changes)
    except Exception as error:  # noqa: BLE001
        _fail_all(engine, ready, "note on ticket", error, settings.outbox, now, report)
        return
    with session_scope(engine) as session:
        for row, result in zip(ready, results, strict=True):
            if result.outcome is WriteOutcome.APPLIED:
                mark_noted(session, row.id, now)
                report.counts["noted"] += 1
            else:  # a conflict is a ticket that moved while being written: next run
                _failed(session, row, "note on ticket", result.message, settings.outbox, now, report)


def _unnoted(
    writer: Any, policy: HandoffPolicy, rows: list[Handoff], now: datetime, report: HandoffReport
) -> tuple[list[Handoff], list[Handoff], list[tuple[Handoff, str]]]:
    """(rows whose note must be sent now, rows whose note is on the ticket already, rows whose comments could not be read).

    Rows whose earlier note may still be on its way are left out (`note_settle_seconds`).
    """
    ready, found, unreadable = [], [], []
    for row in rows:
        if row.note_sent_at is None:
            ready.append(row)
            continue
        try:
            present = _has_comment(writer, row.ticket_id, row.deal_url or str(row.deal_id))
        except Exception as error:  # noqa: BLE001 — a deleted ticket, an outage: counted as a failed attempt
            unreadable.append((row, _message(error)))
            continue
        if present:
            found.append(row)
            report.counts["note_found"] += 1
        elif now - row.note_sent_at < timedelta(seconds=policy.note_settle_seconds):
            report.counts["note_waiting"] += 1
        else:
            ready.append(row)
    return ready, found, unreadable


def _has_comment(writer: Any, ticket_id: str, needle: str) -> bool:
    return any(needle in body for body in _comment_bodies(writer, ticket_id))


def _comment_bodies(writer: Any, ticket_id: str) -> Iterator[str]:
    """Every comment of a Zendesk ticket, as text, through the Zendesk writer's own client."""
    page = writer.client.get(f"tickets/{ticket_id}/comments.json")
    for _ in range(MAX_COMMENT_PAGES):
        for comment in page.get("comments") or []:
            yield f"{comment.get('body') or ''}\n{comment.get('html_body') or ''}"
        if not page.get("next_page"):
            return
        page = writer.client.get_url(page["next_page"])


def _ticket_fields(policy: HandoffPolicy, row: Handoff) -> dict[str, Any]:
    """The note (a string comment is an internal note) and the tag, added to whatever tags the ticket has."""
    values = {name: "" for name in ("crm", "deal_label", "deal_name", "company", "owner", "signal")} | row.context
    fields: dict[str, Any] = {"comment": policy.note.format_map(values | {"deal_url": row.deal_url or "", "deal_id": row.deal_id or ""})}
    if policy.ticket_tag:
        fields["additional_tags"] = [policy.ticket_tag]
    return fields


def _deal_link(policy: HandoffPolicy, system: str, writer: Any) -> str:
    """The address of a deal in the CRM's app, with `{deal_id}` left to fill."""
    if system == "salesforce":
        base = policy.salesforce_url or f"https://{writer.client.sf.sf_instance}"  # the instance the writer signed in to
        return base.rstrip("/") + "/lightning/r/Opportunity/{deal_id}/view"
    return f"{policy.hubspot_app_url.rstrip('/')}/contacts/{policy.hubspot_portal_id}/record/0-3/{{deal_id}}"


def _writer(config: LoophubConfig, system: str) -> Any:
    connection = next((c for c in config.connections if c.system == system), None)
    if connection is None:
        raise LookupError(f"no connection for {system} in loophub.yaml: add one to hand tickets off through it")
    return connector_package(system).Writer(source_config(connection))


def _fail_all(engine: Engine, rows: list[Handoff], step: str, error: Exception, retry: OutboxSettings, now: datetime, report: HandoffReport) -> None:
    with session_scope(engine) as session:
        for row in rows:
            _failed(session, row, step, _message(error), retry, now, report)


def _message(error: Exception) -> str:
    """What an admin is shown: the connector's user message (never a credential), else the error itself."""
    return getattr(error, "user_message", None) or f"{type(error).__name__}: {error}"


def _failed(session: Any, row: Handoff, step: str, message: str | None, retry: OutboxSettings, now: datetime, report: HandoffReport) -> None:
    """Count a failed step: retried after the outbox's back-off, parked after its last attempt."""
    attempt = row.attempts + 1
    parked = attempt >= retry.max_attempts
    delay = min(retry.retry_base_seconds * 2 ** (attempt - 1), retry.retry_max_seconds)
    mark_failed(session, row, message, None if parked else now + timedelta(seconds=delay), now)
    report.counts["parked" if parked else "failed"] += 1
    failure = {"target": row.ticket_ref, "field": f"({step})", "new": row.idempotency_key, "message": message}
    report.errors.append(failure | {"attempts": attempt, "parked": parked})
