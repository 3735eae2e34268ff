"""Must-link and cannot-link: an admin's word, persisted, audited, and applied on every run (`--full` too).

A side of an override is a record ("system:object:id") or a golden ID. A
golden ID stands for its members at the time the run applies it, so a
cannot-link between two profiles keeps them apart whatever they gain later,
and a must-link holds every member of both sides in one profile.
The review queue feeds the same mechanism: accept is a must-link, reject a
cannot-link.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session

from identity.clusters import CannotLink
from identity.persist import resolve_golden_id
from loophub.errors import ErrorKind, LoopError
from store.base import utc_now
from store.canonical import CANONICAL_TABLES
from store.identity import GoldenMember, IdentityEvent, IdentityOverride, ReviewItem


class OverrideError(LoopError):
    """An override or review decision that cannot be applied as asked."""

    kind = ErrorKind.CONFIG


def record_ids_of(session: Session, entity: str, ref: str) -> list[int]:
    """The canonical record ids a reference stands for now; raises OverrideError if it names nothing."""
    if ref.startswith(("per_", "com_")):
        resolved = resolve_golden_id(session, ref)
        if resolved is None:
            raise OverrideError(f"no golden record {ref!r}")
        query = select(GoldenMember.record_id).where(GoldenMember.entity == entity, GoldenMember.golden_id == resolved[0])
        return list(session.scalars(query))
    system, _, rest = ref.partition(":")
    object_name, _, source_id = rest.partition(":")
    if not (system and object_name and source_id):
        raise OverrideError(f"{ref!r} is neither a golden id (per_…, com_…) nor a record reference system:object:id")
    table = CANONICAL_TABLES[entity].__table__  # type: ignore[attr-defined]
    query = select(table.c.id).where(table.c.system == system, table.c.object == object_name, table.c.source_id == source_id)
    ids = list(session.scalars(query))
    if not ids:
        raise OverrideError(f"no {entity} record {ref}; check the reference or run `loophub map` first")
    return ids


def add_override(session: Session, entity: str, kind: str, left_ref: str, right_ref: str, reason: str, actor: str = "cli") -> IdentityOverride:
    """Persist a must_link or cannot_link (the opposite override for the same pair is switched off)."""
    left, right = set(record_ids_of(session, entity, left_ref)), set(record_ids_of(session, entity, right_ref))
    if left_ref == right_ref:
        raise OverrideError("an override needs two different references")
    if kind == "cannot_link" and left & right:
        raise OverrideError(f"{left_ref} and {right_ref} name the same records today; unlink the records (system:object:id) that should part")
    opposite = "cannot_link" if kind == "must_link" else "must_link"
    same_pair = or_(
        and_(IdentityOverride.left_ref == left_ref, IdentityOverride.right_ref == right_ref),
        and_(IdentityOverride.left_ref == right_ref, IdentityOverride.right_ref == left_ref),
    )
    session.execute(update(IdentityOverride).where(IdentityOverride.entity == entity, IdentityOverride.kind == opposite, same_pair).values(active=False))
    override = IdentityOverride(entity=entity, kind=kind, left_ref=left_ref, right_ref=right_ref, reason=reason, actor=actor)
    session.add(override)
    event_kind = "link" if kind == "must_link" else "unlink"
    session.add(IdentityEvent(entity=entity, kind=event_kind, other_ids=[left_ref, right_ref], reason=reason or f"{event_kind} by {actor}", details={"actor": actor}))
    return override


def decide_review(session: Session, item_id: int, accept: bool, actor: str = "cli") -> ReviewItem:
    """Accept (must-link) or reject (cannot-link) an open review item."""
    item = session.get(ReviewItem, item_id)
    if item is None or item.status != "open":
        raise OverrideError(f"review item {item_id} is not open; `loophub review list` shows the open ones")
    table = CANONICAL_TABLES[item.entity].__table__  # type: ignore[attr-defined]
    refs = dict(session.execute(select(table.c.id, table.c.system + ":" + table.c.object + ":" + table.c.source_id).where(table.c.id.in_([item.left_id, item.right_id]))).all())
    kind = "must_link" if accept else "cannot_link"
    add_override(session, item.entity, kind, refs[item.left_id], refs[item.right_id], f"review {item_id} {'accepted' if accept else 'rejected'}", actor)
    item.status, item.decided_at = ("accepted" if accept else "rejected"), utc_now()
    return item


def constraints(session: Session, entity: str, present: Mapping[int, str]) -> tuple[pd.DataFrame, list[CannotLink]]:
    """The active overrides as must-link edges and cannot-link groups over the records `present`."""
    query = select(IdentityOverride).where(IdentityOverride.entity == entity, IdentityOverride.active).order_by(IdentityOverride.id)
    must: list[tuple[int, int]] = []
    cannot: list[CannotLink] = []
    for override in session.scalars(query):
        try:
            left = [i for i in record_ids_of(session, entity, override.left_ref) if i in present]
            right = [i for i in record_ids_of(session, entity, override.right_ref) if i in present]
        except OverrideError:
            continue  # its records are gone; nothing left to hold together or apart
        if not left or not right:
            continue
        if override.kind == "must_link":
            # Every record of both sides, not one of each: linking two profiles makes one, and a side's
            # other members must not be left to evidence that the link itself may now refuse as a chain.
            together = sorted(set(left) | set(right))
            must += [(together[0], other) for other in together[1:]]
        else:
            cannot.append(CannotLink(frozenset(left), frozenset(right)))
    nan = float("nan")
    edges = pd.DataFrame([(a, b, "must_link", nan, nan, {}) for a, b in must], columns=["left_id", "right_id", "rule", "score", "match_weight", "details"])
    return edges, cannot
