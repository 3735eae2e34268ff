"""Resolution: canonical people and companies into golden records, incrementally.

For each entity (companies first, so people can point at golden companies):

1. find the records that are new, changed or gone since the last run;
2. re-gather the evidence touching them — deterministic rules and
   probabilistic scores against every record — and store it;
3. cluster over all stored evidence plus the admin's overrides;
4. carry golden IDs over (merges keep one ID, splits keep it on the largest
   part), rebuild the profiles that changed, record the events;
5. refresh the review queue with the uncertain pairs that remain apart.

`full=True` re-gathers all evidence; the clustering, the ID rules and the
overrides are the same, so a full run agrees with the incremental one.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from identity.clusters import cluster_records
from identity.deterministic import deterministic_edges
from identity.golden_ids import assign_golden_ids, new_golden_id
from identity.matching import TrainedModel
from identity.overrides import constraints
from identity.persist import active_model, previous_members, record_events, replace_edges, save_model, stored_edges, write_assignment
from identity.probabilistic import probabilistic_edges, train_entity_model
from identity.records import load_records
from identity.settings import IdentitySettings
from identity.survivorship import build_profile
from store import session_scope
from store.canonical import CANONICAL_TABLES
from store.identity import GoldenMember, IdentityEvent, ReviewItem

ENTITIES = ("company", "person")
# The object a person's company_source_id points at, per system.
COMPANY_OBJECTS = {"salesforce": "Account", "hubspot": "companies", "zendesk": "organizations"}
# A model trained on far fewer records than there are now has drifted: retrain.
DRIFT_GROWTH = 2.0


@dataclass
class EntityReport:
    records: int = 0
    changed: int = 0
    removed: int = 0
    edges: Counter[str] = field(default_factory=Counter)
    golden: int = 0
    created: int = 0
    merged: int = 0
    split: int = 0
    retired: int = 0
    unchanged_share: float = 1.0
    review_open: int = 0
    refused_same_dataset: int = 0
    refused_cannot_link: int = 0
    oversized: list[str] = field(default_factory=list)
    model_version: str | None = None


@dataclass
class ResolveReport:
    full: bool
    entities: dict[str, EntityReport] = field(default_factory=dict)


def resolve(engine: Engine, settings: IdentitySettings, *, full: bool = False, retrain: bool = False) -> ResolveReport:
    """Bring golden people and companies up to date with the canonical records."""
    report = ResolveReport(full=full)
    for entity in ENTITIES:
        with session_scope(engine) as session:
            report.entities[entity] = _resolve_entity(session, entity, settings, full=full, retrain=retrain)
    return report


def _resolve_entity(session: Session, entity: str, settings: IdentitySettings, *, full: bool, retrain: bool) -> EntityReport:
    records = load_records(session, entity)
    hashes = dict(zip(records["record_id"].astype(int), records["content_hash"], strict=True))
    previous = previous_members(session, entity)
    changed = {record_id for record_id, digest in hashes.items() if previous.get(record_id, ("", ""))[1] != digest}
    removed = set(previous) - set(hashes)
    report = EntityReport(records=len(records), changed=len(changed), removed=len(removed))
    # A full run reuses the model too: retraining would change the evidence and the two could disagree.
    model = _model(session, entity, records, settings, retrain=retrain, report=report)
    if full or changed or removed:
        touching = None if full else changed | removed
        edges = _evidence(session, entity, records, model, settings, None if full else changed)
        replace_edges(session, entity, edges, touching)
    datasets = dict(zip(records["record_id"].astype(int), records["dataset"], strict=True))
    must_links, cannot_links = constraints(session, entity, datasets)
    evidence = pd.concat([frame for frame in (stored_edges(session, entity), must_links) if not frame.empty] or [stored_edges(session, entity)])
    report.edges.update(evidence["rule"].value_counts().to_dict())
    thresholds = settings.thresholds(entity)
    clustering = cluster_records(datasets, evidence, thresholds.auto_merge, cannot_links)
    report.refused_same_dataset, report.refused_cannot_link = clustering.refused_same_dataset, clustering.refused_cannot_link
    golden_before = {record_id: golden_id for record_id, (golden_id, _) in previous.items()}
    assignment = assign_golden_ids(clustering.clusters(), golden_before, lambda: new_golden_id(entity))
    profiles = _profiles(session, entity, assignment.record_golden, assignment.touched | _golden_of(changed, assignment.record_golden), settings)
    write_assignment(session, entity, assignment, hashes, profiles)
    record_events(session, entity, assignment, {})
    report.oversized = _alarm_oversized(session, entity, assignment.record_golden, settings.protection.max_cluster_size)
    report.golden = len(set(assignment.record_golden.values()))
    report.created, report.merged, report.split, report.retired = len(assignment.created), len(assignment.merged), len(assignment.split), len(assignment.retired)
    report.unchanged_share = assignment.unchanged_share(golden_before)
    report.review_open = _refresh_review_queue(session, entity, evidence, assignment.record_golden, thresholds.auto_merge)
    return report


def _model(session: Session, entity: str, records: pd.DataFrame, settings: IdentitySettings, *, retrain: bool, report: EntityReport) -> TrainedModel | None:
    """The stored model; trained and stored first when there is none, on request, or when it has drifted.

    Drift: the settings changed (another fingerprint) or the records grew past DRIFT_GROWTH times
    what it was trained on.
    """
    stored = None if retrain else active_model(session, entity)
    if stored is not None:
        model, trained_on, version = stored
        if model.settings_fingerprint == _fingerprint(entity, settings) and len(records) <= DRIFT_GROWTH * max(trained_on, 1):
            report.model_version = version
            return model
    if len(records) < 2:
        return None
    model = train_entity_model(records, entity, settings)
    report.model_version = save_model(session, entity, model, len(records))
    return model


def _fingerprint(entity: str, settings: IdentitySettings) -> str:
    from identity.probabilistic import match_settings

    return match_settings(entity, settings).model_fingerprint()


def _evidence(session: Session, entity: str, records: pd.DataFrame, model: TrainedModel | None, settings: IdentitySettings, changed: set[int] | None) -> pd.DataFrame:
    frames = [deterministic_edges(session, entity, settings, changed_ids=changed)]
    if model is not None and (changed is None or changed):
        frames.append(probabilistic_edges(records, model, entity, settings, changed_ids=changed))
    frames = [frame for frame in frames if not frame.empty]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=["left_id", "right_id", "rule", "score", "match_weight", "details"])


def _golden_of(record_ids: set[int], record_golden: dict[int, str]) -> set[str]:
    return {record_golden[record_id] for record_id in record_ids if record_id in record_golden}


def _profiles(session: Session, entity: str, record_golden: dict[int, str], golden_ids: set[str], settings: IdentitySettings) -> dict[str, dict[str, Any]]:
    """Survivorship for the golden records whose members or member content changed."""
    wanted = {record_id for record_id, golden_id in record_golden.items() if golden_id in golden_ids}
    table = CANONICAL_TABLES[entity].__table__  # type: ignore[attr-defined]
    members: dict[str, list[dict[str, Any]]] = {}
    ids = sorted(wanted)
    for start in range(0, len(ids), 5_000):
        for row in session.execute(select(table).where(table.c.id.in_(ids[start : start + 5_000]))).mappings():
            member = {**row, "record_id": row["id"]}
            members.setdefault(record_golden[row["id"]], []).append(member)
    profiles = {golden_id: build_profile(entity, rows, settings) for golden_id, rows in members.items()}
    if entity == "person":
        for golden_id, rows in members.items():
            profiles[golden_id]["company"] = _company_links(session, rows)
    return profiles


def _alarm_oversized(session: Session, entity: str, record_golden: dict[int, str], limit: int) -> list[str]:
    sizes = Counter(record_golden.values())
    oversized = sorted(golden_id for golden_id, size in sizes.items() if size > limit)
    session.add_all(
        IdentityEvent(entity=entity, kind="alarm", golden_id=golden_id, reason=f"{sizes[golden_id]} records, above the limit of {limit}: check for chained merges")
        for golden_id in oversized
    )
    return oversized


def _refresh_review_queue(session: Session, entity: str, evidence: pd.DataFrame, record_golden: dict[int, str], auto_merge: float) -> int:
    """Open items for uncertain pairs still apart; items whose records now share a profile are resolved."""
    uncertain = evidence[(evidence["rule"] == "probabilistic") & (evidence["score"] < auto_merge)]
    known = {(item.left_id, item.right_id): item for item in session.scalars(select(ReviewItem).where(ReviewItem.entity == entity))}
    for left_id, right_id, score, weight in uncertain[["left_id", "right_id", "score", "match_weight"]].itertuples(index=False):
        key = (int(left_id), int(right_id))
        apart = record_golden.get(key[0]) != record_golden.get(key[1])
        if key not in known and apart:
            session.add(ReviewItem(entity=entity, left_id=key[0], right_id=key[1], score=float(score), match_weight=None if pd.isna(weight) else float(weight)))
    for key, item in known.items():
        if item.status == "open" and record_golden.get(key[0]) == record_golden.get(key[1]):
            item.status = "resolved"
    session.flush()
    return len(list(session.scalars(select(ReviewItem.id).where(ReviewItem.entity == entity, ReviewItem.status == "open"))))


def _company_links(session: Session, members: list[dict[str, Any]]) -> dict[str, Any] | None:
    """A golden person's company: the golden company holding most of its records' companies."""
    refs = [(row["system"], COMPANY_OBJECTS.get(row["system"]), row.get("company_source_id")) for row in members]
    refs = [(system, object_name, source_id) for system, object_name, source_id in refs if object_name and source_id]
    if not refs:
        return None
    table = CANONICAL_TABLES["company"].__table__  # type: ignore[attr-defined]
    votes: Counter[str] = Counter()
    for system, object_name, source_id in refs:
        query = (
            select(GoldenMember.golden_id)
            .join(table, (table.c.id == GoldenMember.record_id) & (GoldenMember.entity == "company"))
            .where(table.c.system == system, table.c.object == object_name, table.c.source_id == source_id)
        )
        golden_id = session.scalars(query).first()
        if golden_id:
            votes[golden_id] += 1
    if not votes:
        return None
    golden_id, count = min(votes.items(), key=lambda item: (-item[1], item[0]))
    return {"golden_id": golden_id, "records": count, "of": len(refs)}
