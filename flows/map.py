"""The map step: raw records that changed since they were last mapped become canonical records.

Incremental and idempotent: the store's ledger says which raw records have
an outcome for their current payload under the current specs; only the rest
are read, in batches, each batch committed with its outcomes. A record that
cannot be mapped is quarantined with its reason and the run goes on. A
field that still holds what loophub wrote into it is mapped as blank.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, select

from mapping import CanonicalRecord, MappingFailure, SourceRef, SpecCatalog, map_record, match_keys
from store import RawRecord, session_scope
from store.echoes import as_left_by_owners, written_values
from store.mapped import CanonicalWrite, PendingRaw, pending_raw, record_outcomes, write_canonical
from store.runs import finish_run, start_run

BATCH_SIZE = 500  # rows per upsert: ~40 columns each stays under SQLite's and PostgreSQL's parameter limits
NO_SPEC_VERSION = "no-spec"
QUOTED_VALUE = re.compile(r"'[^']*'")


@dataclass
class ObjectCounts:
    """What one map run did with one system/object."""

    read: int = 0
    inserted: int = 0
    changed: int = 0
    unchanged: int = 0
    quarantined: int = 0
    warnings: int = 0
    reasons: Counter[str] = field(default_factory=Counter)

    @property
    def mapped(self) -> int:
        return self.inserted + self.changed + self.unchanged


@dataclass
class MapReport:
    run_id: int
    objects: dict[tuple[str, str], ObjectCounts] = field(default_factory=dict)

    @property
    def read(self) -> int:
        return sum(counts.read for counts in self.objects.values())

    @property
    def quarantined(self) -> int:
        return sum(counts.quarantined for counts in self.objects.values())

    def as_counts(self) -> dict[str, Any]:
        return {
            f"{system}/{object_name}": {
                "read": counts.read,
                "inserted": counts.inserted,
                "changed": counts.changed,
                "unchanged": counts.unchanged,
                "quarantined": counts.quarantined,
                "warnings": counts.warnings,
                "reasons": dict(counts.reasons.most_common(10)),
            }
            for (system, object_name), counts in sorted(self.objects.items())
        }


ProgressCallback = Callable[[str, str, ObjectCounts], None]


def map_records(
    engine: Engine, catalog: SpecCatalog, *, full: bool = False, on_progress: ProgressCallback | None = None
) -> MapReport:
    """Map every raw record that has no outcome for its current payload and specs (`full`: every record)."""
    report = MapReport(start_run(engine, "map", {"full": full}))
    try:
        for system, object_name in _landed_objects(engine):
            counts = report.objects.setdefault((system, object_name), ObjectCounts())
            _map_object(engine, catalog, system, object_name, counts, full=full, on_progress=on_progress)
    except Exception as error:
        finish_run(engine, report.run_id, "failed", report.as_counts(), f"{type(error).__name__}: {error}")
        raise
    finish_run(engine, report.run_id, "succeeded", report.as_counts())
    return report


def _landed_objects(engine: Engine) -> list[tuple[str, str]]:
    with session_scope(engine) as session:
        return sorted(session.execute(select(RawRecord.system, RawRecord.object).distinct()).all())


def _map_object(
    engine: Engine,
    catalog: SpecCatalog,
    system: str,
    object_name: str,
    counts: ObjectCounts,
    *,
    full: bool,
    on_progress: ProgressCallback | None,
) -> None:
    version = catalog.object_version(system, object_name) if catalog.for_object(system, object_name) else NO_SPEC_VERSION
    after_id = 0
    while True:
        with session_scope(engine) as session:
            batch = pending_raw(session, system, object_name, version, after_id=after_id, limit=BATCH_SIZE, everything=full)
            if not batch:
                return
            after_id = batch[-1].id
            _map_batch(session, catalog, system, object_name, version, batch, counts)
        if on_progress is not None:
            on_progress(system, object_name, counts)


def _map_batch(session: Any, catalog: SpecCatalog, system: str, object_name: str, version: str, batch: list[PendingRaw], counts: ObjectCounts) -> None:
    writes: dict[str, list[CanonicalWrite]] = {}
    failures: list[tuple[PendingRaw, str | None, int | None, str | None]] = []
    written = written_values(session, system, object_name, [raw.source_id for raw in batch])
    for raw in batch:
        counts.read += 1
        # What loophub wrote there is its own copy of golden values, not the owners' data: read as blank (store.echoes says why).
        payload = as_left_by_owners(raw.payload, written[raw.source_id]) if raw.source_id in written else raw.payload
        try:
            record = map_record(
                catalog, SourceRef(system=system, object=object_name, id=raw.source_id), payload,
                source_updated_at=raw.source_updated_at, is_deleted=raw.is_deleted,
            )
        except MappingFailure as failure:
            failures.append((raw, None, None, str(failure)))
            counts.quarantined += 1
            counts.reasons[_reason_kind(str(failure))] += 1
            continue
        counts.warnings += len(record.warnings)
        writes.setdefault(record.entity, []).append(CanonicalWrite(raw, row_values(record), [(k.kind, k.value, k.is_weak) for k in match_keys(record)]))
    for entity, group in writes.items():
        written = write_canonical(session, entity, group, version)
        counts.inserted += written.inserted
        counts.changed += written.changed
        counts.unchanged += written.unchanged
    record_outcomes(session, failures, version)


def row_values(record: CanonicalRecord) -> dict[str, Any]:
    """A canonical record as table columns: the source ref spread into system, object and source_id."""
    values = record.model_dump(mode="python", exclude={"source"})
    values.update(system=record.source.system, object=record.source.object, source_id=record.source.id)
    return values


def _reason_kind(reason: str) -> str:
    """A quarantine reason without the record's own values, so counts group by cause."""
    return QUOTED_VALUE.sub("…", reason.split(" (got ", 1)[0])[:160]
