"""The write side: planned updates and creates applied in Zendesk's bulk calls, one result per change.

Updates, per object type and 100 at a time: the targets are re-read with
`show_many`; a target whose `expected` values no longer hold comes back
CONFLICT and is not written; the rest go in one `update_many`, whose job
status is polled until Zendesk has applied it and mapped back item by item.
Tickets also carry `safe_update` with the `updated_at` just read, so a
change between the re-read and the write is refused by Zendesk itself.
Users and organizations have no such guard: a change in that window (well
under a second) is overwritten.

Creates carry `external_id` = the idempotency key. Before creating, the keys
are looked up (`show_many?external_ids=` for users and organizations, the
ticket list's `external_id` filter for tickets); a key found answers
`existed=True`. The rest go in `create_many`; an item refused because its
external id is taken (a retried call that had gone through) is looked up
again and answers `existed=True` too.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from connectors.common import Classification, ConnectorError, RecordCreate, RecordUpdate, Verdict, WriteOutcome, WriteResult
from connectors.zendesk.client import Json, ZendeskClient
from connectors.zendesk.endpoints import WRITE_TARGETS, WriteTarget
from connectors.zendesk.errors import vendor_message
from connectors.zendesk.fields import conflicts, payload
from connectors.zendesk.spec import parse_config

FINISHED = frozenset({"completed", "failed", "killed"})
FIRST_POLL_SECONDS = 0.1
Results = dict[int, WriteResult]  # position in the caller's list -> its result


class Writer:
    """Applies changes to one Zendesk account; `apply` answers in the order of the changes given."""

    def __init__(self, config: Mapping[str, Any], sleep: Callable[[float], None] = time.sleep) -> None:
        self.settings = parse_config(config)
        self.client = ZendeskClient(self.settings, sleep=sleep)
        self._sleep = sleep

    def apply(self, changes: Sequence[RecordUpdate | RecordCreate]) -> list[WriteResult]:
        results: Results = {}
        updates: dict[str, list[tuple[int, RecordUpdate]]] = defaultdict(list)
        creates: dict[str, list[tuple[int, RecordCreate]]] = defaultdict(list)
        for position, change in enumerate(changes):
            if change.object not in WRITE_TARGETS:
                results[position] = _failed(change, f"loophub does not write Zendesk {change.object!r}; it writes {', '.join(WRITE_TARGETS)}.")
            elif isinstance(change, RecordUpdate):
                updates[change.object].append((position, change))
            else:
                creates[change.object].append((position, change))
        for name, batch in updates.items():
            target = WRITE_TARGETS[name]
            for start in range(0, len(batch), target.batch_size):
                results |= self._guarded(self._update_batch, target, batch[start : start + target.batch_size])
        for name, batch in creates.items():
            target = WRITE_TARGETS[name]
            for start in range(0, len(batch), target.batch_size):
                results |= self._guarded(self._create_batch, target, batch[start : start + target.batch_size])
        return [results[position] for position in range(len(changes))]

    def _guarded(self, step: Callable[[WriteTarget, Any], Results], target: WriteTarget, batch: list[Any]) -> Results:
        """Run one batch; a failure of the whole call fails each of its changes with Zendesk's reason."""
        try:
            return step(target, batch)
        except ConnectorError as error:
            return {position: _failed(change, error.user_message) for position, change in batch}

    # --- updates ------------------------------------------------------------------------

    def _update_batch(self, target: WriteTarget, batch: list[tuple[int, RecordUpdate]]) -> Results:
        results: Results = {}
        ids = {position: _zendesk_id(change.record_id) for position, change in batch}
        wanted = sorted({record_id for record_id in ids.values() if record_id is not None})
        current = self._show_many(target, {"ids": ",".join(map(str, wanted))}) if wanted else []
        by_id = {record["id"]: record for record in current}
        items: list[tuple[int, RecordUpdate, Json]] = []
        guarded: set[int] = set()
        for position, change in batch:
            record = by_id.get(ids[position])
            if record is None:
                results[position] = _failed(change, f"Zendesk has no {target.singular} {change.record_id} (deleted, or not an id).")
            elif changed := conflicts(target, record, change.expected, change.fields):
                message = f"changed in Zendesk since it was read: {', '.join(changed)}"
                results[position] = WriteResult(change, WriteOutcome.CONFLICT, change.record_id, message)
            else:
                item = {**payload(target, change.fields), "id": record["id"]}
                if target.name == "tickets" and record["id"] not in guarded:
                    # Zendesk refuses the write (409) if the ticket moved after this read. Only the first change
                    # to a ticket in a batch carries it: the second would otherwise trip over the first.
                    item |= {"safe_update": True, "updated_stamp": record.get("updated_at")}
                    guarded.add(record["id"])
                items.append((position, change, item))
        if items:
            outcomes = self._run_job("PUT", f"{target.name}/update_many.json", {target.name: [item for *_, item in items]})
            for index, (position, change, _) in enumerate(items):
                results[position] = _update_result(change, outcomes.get(index))
        return results

    # --- creates ------------------------------------------------------------------------

    def _create_batch(self, target: WriteTarget, batch: list[tuple[int, RecordCreate]]) -> Results:
        results: Results = {}
        usable = []
        for position, change in batch:
            if not change.idempotency_key or "," in change.idempotency_key:
                results[position] = _failed(change, "An idempotency key must be non-empty and hold no comma (Zendesk lists external ids comma-separated).")
            else:
                usable.append((position, change))
        found = self._existing(target, {change.idempotency_key for _, change in usable})
        to_create: dict[str, tuple[int, RecordCreate]] = {}
        repeats: list[tuple[int, RecordCreate]] = []  # a key given twice in one call is created once
        for position, change in usable:
            key = change.idempotency_key
            if key in found:
                results[position] = WriteResult(change, WriteOutcome.APPLIED, found[key], existed=True)
            elif key in to_create:
                repeats.append((position, change))
            else:
                to_create[key] = (position, change)
        if to_create:
            items = [{**payload(target, change.fields), "external_id": key} for key, (_, change) in to_create.items()]
            outcomes = self._run_job("POST", f"{target.name}/create_many.json", {target.name: items})
            refused = {key for index, key in enumerate(to_create) if _failed_item(outcomes.get(index))}
            found_again = self._existing(target, refused)
            for index, (key, (position, change)) in enumerate(to_create.items()):
                results[position] = _create_result(change, outcomes.get(index), found_again.get(key))
        for position, change in repeats:
            first = results[to_create[change.idempotency_key][0]]
            results[position] = WriteResult(change, first.outcome, first.record_id, first.message, existed=first.outcome is WriteOutcome.APPLIED)
        return results

    def _existing(self, target: WriteTarget, keys: set[str]) -> dict[str, str]:
        """idempotency key -> id of the live record already carrying it as external_id."""
        if not keys:
            return {}
        if target.name == "tickets":  # ticket external ids are not unique: the oldest ticket is the one created first
            found = {}
            for key in sorted(keys):
                tickets = self.client.get("tickets.json", {"external_id": key}).get("tickets") or []
                if tickets:
                    found[key] = str(min(ticket["id"] for ticket in tickets))
            return found
        records = self._show_many(target, {"external_ids": ",".join(sorted(keys))})
        return {str(record["external_id"]): str(record["id"]) for record in records if str(record.get("external_id")) in keys}

    # --- calls --------------------------------------------------------------------------

    def _show_many(self, target: WriteTarget, params: Mapping[str, str]) -> list[Json]:
        return list(self.client.get(f"{target.name}/show_many.json", params).get(target.name) or [])

    def _run_job(self, method: str, path: str, body: Json) -> dict[int, Json]:
        """Submit a bulk write and wait for its job; item index -> that item's result."""
        job = self.client.send(method, path, body).get("job_status") or {}
        deadline = time.monotonic() + self.settings.job_timeout
        wait = min(FIRST_POLL_SECONDS, self.settings.job_poll_interval)
        while job.get("status") not in FINISHED:
            if time.monotonic() > deadline:
                raise ConnectorError(Verdict(Classification.FATAL, "Zendesk did not finish the bulk write in time; its outcome is unknown."), internal=str(job.get("id")))
            self._sleep(wait)
            wait = min(wait * 2, self.settings.job_poll_interval)  # small jobs finish in well under a second
            job = self.client.get(f"job_statuses/{job['id']}.json").get("job_status") or {}
        if job.get("status") != "completed":
            said = vendor_message({"description": job.get("message")})
            raise ConnectorError(Verdict(Classification.FATAL, f"Zendesk's bulk write {job.get('status')}: {said}"), internal=str(job.get("id")))
        results = job.get("results") or []
        return {int(result.get("index", index)): result for index, result in enumerate(results)}


def _update_result(change: RecordUpdate, outcome: Json | None) -> WriteResult:
    if outcome is None:
        return _failed(change, "Zendesk's bulk job reported nothing for this change.")
    if not _failed_item(outcome):
        return WriteResult(change, WriteOutcome.APPLIED, change.record_id)
    said = _item_message(outcome)
    if "UpdateConflict" in said or "outdated" in said:  # safe_update: the ticket changed after the re-read
        return WriteResult(change, WriteOutcome.CONFLICT, change.record_id, f"changed in Zendesk while writing: {said}")
    return WriteResult(change, WriteOutcome.FAILED, change.record_id, said)


def _create_result(change: RecordCreate, outcome: Json | None, found_id: str | None) -> WriteResult:
    if found_id is not None:
        return WriteResult(change, WriteOutcome.APPLIED, found_id, existed=True)
    if outcome is None:
        return _failed(change, "Zendesk's bulk job reported nothing for this create.")
    if _failed_item(outcome):
        return _failed(change, _item_message(outcome))
    return WriteResult(change, WriteOutcome.APPLIED, str(outcome["id"]))


def _failed_item(outcome: Json | None) -> bool:
    if outcome is None:
        return True
    return outcome.get("success") is False or outcome.get("status") == "Failed" or "error" in outcome or outcome.get("id") is None


def _item_message(outcome: Json) -> str:
    return vendor_message({"description": outcome.get("details"), "error": outcome.get("error")})


def _failed(change: RecordUpdate | RecordCreate, message: str) -> WriteResult:
    record_id = change.record_id if isinstance(change, RecordUpdate) else None
    return WriteResult(change, WriteOutcome.FAILED, record_id, message)


def _zendesk_id(record_id: str) -> int | None:
    text = str(record_id).strip()
    return int(text) if text.isdigit() else None
