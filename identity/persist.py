"""Reading and writing identity state in the store: members, edges, models, golden records, events."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd
from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session

from identity.golden_ids import Assignment
from identity.matching import TrainedModel
from store.base import utc_now
from store.identity import GoldenMember, GoldenRecord, IdentityEdge, IdentityEvent, MatchModelRow

EDGE_COLUMNS = ["left_id", "right_id", "rule", "score", "match_weight", "details"]


def previous_members(session: Session, entity: str) -> dict[int, tuple[str, str]]:
    """record id → (golden id, content hash when last resolved)."""
    query = select(GoldenMember.record_id, GoldenMember.golden_id, GoldenMember.content_hash).where(GoldenMember.entity == entity)
    return {record_id: (golden_id, digest) for record_id, golden_id, digest in session.execute(query)}


def replace_edges(session: Session, entity: str, edges: pd.DataFrame, touching: set[int] | None) -> None:
    """Drop the stored edges of `touching` records (all when None) and store `edges` in their place."""
    statement = delete(IdentityEdge).where(IdentityEdge.entity == entity)
    if touching is not None:
        ids = list(touching)
        for start in range(0, len(ids), 10_000):
            chunk = ids[start : start + 10_000]
            session.execute(statement.where(or_(IdentityEdge.left_id.in_(chunk), IdentityEdge.right_id.in_(chunk))))
    else:
        session.execute(statement)
    if edges.empty:
        return
    rows = edges.reindex(columns=EDGE_COLUMNS).astype(object).where(edges.reindex(columns=EDGE_COLUMNS).notna(), None)
    values = [{"entity": entity, **row, "details": row["details"] or {}} for row in rows.to_dict("records")]
    session.execute(IdentityEdge.__table__.insert(), _deduplicated(values))


def _deduplicated(values: list[dict[str, Any]]) -> list[dict[str, Any]]:
    seen: dict[tuple[int, int, str], dict[str, Any]] = {}
    for value in values:
        seen.setdefault((int(value["left_id"]), int(value["right_id"]), value["rule"]), value)
    return list(seen.values())


def stored_edges(session: Session, entity: str) -> pd.DataFrame:
    query = select(IdentityEdge.left_id, IdentityEdge.right_id, IdentityEdge.rule, IdentityEdge.score, IdentityEdge.match_weight).where(
        IdentityEdge.entity == entity
    )
    frame = pd.DataFrame(session.execute(query).all(), columns=EDGE_COLUMNS[:-1])
    frame["score"] = frame["score"].astype(float)
    return frame


def edges_of(session: Session, entity: str, record_ids: Iterable[int]) -> list[dict[str, Any]]:
    ids = list(record_ids)
    query = select(IdentityEdge).where(IdentityEdge.entity == entity, IdentityEdge.left_id.in_(ids), IdentityEdge.right_id.in_(ids))
    return [
        {"left_id": e.left_id, "right_id": e.right_id, "rule": e.rule, "score": e.score, "match_weight": e.match_weight, "details": e.details}
        for e in session.scalars(query)
    ]


def active_model(session: Session, entity: str) -> tuple[TrainedModel, int, str] | None:
    """The active model, the number of records it was trained on, and its version."""
    query = select(MatchModelRow).where(MatchModelRow.entity == entity, MatchModelRow.active).order_by(MatchModelRow.id.desc())
    row = session.scalars(query).first()
    return (TrainedModel.model_validate(row.model), row.record_count, row.version) if row else None


def save_model(session: Session, entity: str, model: TrainedModel, record_count: int) -> str:
    """Store a newly trained model as the active one; the previous ones stay, inactive, as history."""
    session.execute(update(MatchModelRow).where(MatchModelRow.entity == entity).values(active=False))
    version = f"{entity}-{utc_now():%Y%m%dT%H%M%S}-{model.settings_fingerprint[:8]}"
    session.add(
        MatchModelRow(
            entity=entity, version=version, fingerprint=model.settings_fingerprint, model=model.model_dump(mode="json"), record_count=record_count
        )
    )
    return version


def write_assignment(session: Session, entity: str, assignment: Assignment, hashes: Mapping[int, str], profiles: Mapping[str, dict[str, Any]]) -> None:
    """Members, golden records (new, updated, merged away, retired) for one resolution."""
    now = utc_now()
    members = [
        {"entity": entity, "record_id": record_id, "golden_id": golden_id, "content_hash": hashes[record_id], "resolved_at": now}
        for record_id, golden_id in assignment.record_golden.items()
    ]
    # Rewritten whole: simpler than diffing, and members are small rows.
    session.execute(delete(GoldenMember).where(GoldenMember.entity == entity))
    if members:
        session.execute(GoldenMember.__table__.insert(), members)
    counts: dict[str, int] = {}
    for golden_id in assignment.record_golden.values():
        counts[golden_id] = counts.get(golden_id, 0) + 1
    existing = set(session.scalars(select(GoldenRecord.golden_id).where(GoldenRecord.golden_id.in_(list(counts)))))
    new_rows = [
        {"golden_id": golden_id, "entity": entity, "status": "active", "profile": profiles.get(golden_id, {}), "member_count": count, "created_at": now, "updated_at": now}
        for golden_id, count in counts.items()
        if golden_id not in existing
    ]
    if new_rows:
        session.execute(GoldenRecord.__table__.insert(), new_rows)
    for golden_id in (assignment.touched | set(profiles)) & existing:  # members changed, or their content did
        values: dict[str, Any] = {"member_count": counts.get(golden_id, 0), "updated_at": now, "status": "active", "merged_into": None}
        if golden_id in profiles:
            values["profile"] = profiles[golden_id]
        session.execute(update(GoldenRecord).where(GoldenRecord.golden_id == golden_id).values(**values))
    for absorbed, keeper in assignment.merged.items():
        session.execute(update(GoldenRecord).where(GoldenRecord.golden_id == absorbed).values(status="merged", merged_into=keeper, member_count=0, updated_at=now))
        # Earlier aliases of the absorbed ID now point straight at the survivor: one hop to redirect.
        session.execute(update(GoldenRecord).where(GoldenRecord.merged_into == absorbed).values(merged_into=keeper))
    if assignment.retired:
        session.execute(update(GoldenRecord).where(GoldenRecord.golden_id.in_(assignment.retired)).values(status="retired", member_count=0, updated_at=now))


def record_events(session: Session, entity: str, assignment: Assignment, reasons: Mapping[str, str]) -> int:
    """One identity event per creation, merge, split and retirement; returns how many."""
    events = [IdentityEvent(entity=entity, kind="created", golden_id=golden_id, reason=reasons.get(golden_id, "new records")) for golden_id in assignment.created]
    events += [
        IdentityEvent(entity=entity, kind="merged", golden_id=keeper, other_ids=[absorbed], reason=reasons.get(keeper, f"{absorbed} merged into {keeper}"))
        for absorbed, keeper in assignment.merged.items()
    ]
    events += [
        IdentityEvent(entity=entity, kind="split", golden_id=kept, other_ids=carved, reason=f"records of {kept} no longer match it; they moved to {', '.join(carved)}")
        for kept, carved in assignment.split.items()
    ]
    events += [IdentityEvent(entity=entity, kind="retired", golden_id=golden_id, reason="all its records were deleted") for golden_id in assignment.retired]
    session.add_all(events)
    return len(events)


def resolve_golden_id(session: Session, golden_id: str) -> tuple[str, str | None] | None:
    """(the active ID, the alias asked for if it was merged away) — None when unknown."""
    row = session.get(GoldenRecord, golden_id)
    if row is None:
        return None
    if row.status == "merged" and row.merged_into:
        return row.merged_into, golden_id
    return golden_id, None
