"""The deterministic tier: pairs of records that share an exact, trustworthy key.

People: the same non-weak email key ("email"), or one record naming the other
by id ("xref": HubSpot's salesforcecontactid, a converted Lead's
ConvertedContactId — an xref match key of one record equal to the ref key of
another). Companies: the same non-weak domain ("domain"), or an xref to
another's ref (a HubSpot company's salesforceaccountid, a Zendesk
organization's external_id holding an Account id).

Guards (merge protection):
- a weak key (role address, free-mail domain, placeholder) never yields an edge;
- an email or domain value carried by records with more than
  `settings.protection.max_names_per_key` distinct names (family_key of the
  person_name key; company name key) is shared, not personal: it yields no
  edge, and is counted in `held_back`. xrefs are ids the sources set
  themselves and are not name-guarded;
- an xref yields an edge only when the record it names is present (not deleted).

Edges per key: a key shared by n <= 4 records gives all n(n-1)/2 pairs (each
pair then carries its own evidence for explanations); a larger group gives a
spanning star, every record to the group's smallest id — connectivity is what
clustering needs, and a group of 200 would otherwise give 19,900 rows. With
`changed_ids`, only edges touching a changed record are returned (against all
records): in a star, a changed record gets its edge to the smallest id, or,
when it is the smallest, the whole star.

Everything runs on one bulk query of the entity's match keys (joined to the
canonical table to drop deleted records) and pandas grouping.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd
from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from identity.settings import IdentitySettings
from store.canonical import CompanyRow, MatchKey, PersonRow

Entity = Literal["person", "company"]
ALL_PAIRS_UP_TO = 4
EDGE_COLUMNS = ["left_id", "right_id", "rule", "details"]
# Per entity: the shared-value key kind and the match-key kind holding the record's name.
_VALUE_KIND = {"person": "email", "company": "domain"}
_NAME_KIND = {"person": "person_name", "company": "company_name"}


@dataclass
class DeterministicReport:
    """What the guards did: values held back per key kind, with a few examples."""

    held_back: dict[str, int] = field(default_factory=dict)
    examples: dict[str, list[str]] = field(default_factory=dict)
    weak_values: int = 0


def deterministic_edges(
    session: Session,
    entity: Entity,
    settings: IdentitySettings,
    changed_ids: set[int] | None = None,
    *,
    report: DeterministicReport | None = None,
) -> pd.DataFrame:
    """Edges (left_id < right_id, rule, details) from shared strong keys and cross-references; see the module doc.

    The returned frame's `attrs["held_back"]` (and `report`, when given) says how many
    key values the names guard held back.
    """
    if entity not in _VALUE_KIND:
        raise ValueError(f"entity must be 'person' or 'company', not {entity!r}")
    report = report if report is not None else DeterministicReport()
    keys = _keys(session, entity)
    value_kind = _VALUE_KIND[entity]

    weak = keys[(keys["kind"] == value_kind) & keys["is_weak"]]
    report.weak_values = int(weak["value"].nunique())
    shared = keys[(keys["kind"] == value_kind) & ~keys["is_weak"]][["record_id", "value"]].drop_duplicates()
    shared = _names_guard(shared, _names(keys, entity), settings.protection.max_names_per_key, value_kind, report)
    groups = [_groups(shared, value_kind)]

    refs = keys[keys["kind"] == "ref"][["record_id", "value"]]
    xrefs = keys[keys["kind"] == "xref"][["record_id", "value"]]
    named = xrefs[xrefs["value"].isin(refs["value"])]
    xref_members = pd.concat([refs[refs["value"].isin(named["value"])], named]).drop_duplicates()
    groups.append(_groups(xref_members, "xref"))

    members = pd.concat(groups, ignore_index=True)
    edges = _edges(members, changed_ids)
    edges.attrs["held_back"] = dict(report.held_back)
    return edges


def _keys(session: Session, entity: Entity) -> pd.DataFrame:
    table = PersonRow if entity == "person" else CompanyRow
    kinds = (_VALUE_KIND[entity], _NAME_KIND[entity], "ref", "xref")
    query = (
        select(MatchKey.record_id, MatchKey.kind, MatchKey.value, MatchKey.is_weak)
        .join(table, and_(table.id == MatchKey.record_id, table.is_deleted.is_(False)))
        .where(MatchKey.entity == entity, MatchKey.kind.in_(kinds))
    )
    frame = pd.DataFrame(session.execute(query).all(), columns=["record_id", "kind", "value", "is_weak"])
    frame["record_id"] = frame["record_id"].astype("int64")
    frame["is_weak"] = frame["is_weak"].astype(bool)
    return frame


def _names(keys: pd.DataFrame, entity: Entity) -> pd.DataFrame:
    """record_id, name: the family key of a person ("given|family" → family), a company's name key."""
    names = keys[keys["kind"] == _NAME_KIND[entity]][["record_id", "value"]].copy()
    if entity == "person":
        names["value"] = names["value"].str.split("|", n=1).str[-1]
    return names.rename(columns={"value": "name"}).drop_duplicates()


def _names_guard(shared: pd.DataFrame, names: pd.DataFrame, limit: int, kind: str, report: DeterministicReport) -> pd.DataFrame:
    holders = shared.merge(names, on="record_id", how="left")
    distinct = holders.groupby("value")["name"].nunique()
    held = distinct[distinct > limit].index
    report.held_back[kind] = report.held_back.get(kind, 0) + len(held)
    report.examples.setdefault(kind, []).extend(sorted(held)[:5])
    return shared[~shared["value"].isin(held)]


def _groups(members: pd.DataFrame, rule: str) -> pd.DataFrame:
    """record_id, value, rule for values held by two records or more."""
    counts = members.groupby("value")["record_id"].transform("size")
    out = members[counts >= 2][["record_id", "value"]].copy()
    out["rule"] = rule
    return out


def _edges(members: pd.DataFrame, changed_ids: set[int] | None) -> pd.DataFrame:
    if members.empty:
        return pd.DataFrame(columns=EDGE_COLUMNS)
    members = members.sort_values(["rule", "value", "record_id"])
    sizes = members.groupby(["rule", "value"])["record_id"].transform("size")

    small = members[sizes <= ALL_PAIRS_UP_TO]
    pairs = small.merge(small, on=["rule", "value"], suffixes=("_l", "_r"))
    pairs = pairs[pairs["record_id_l"] < pairs["record_id_r"]]

    large = members[sizes > ALL_PAIRS_UP_TO].copy()
    large["hub"] = large.groupby(["rule", "value"])["record_id"].transform("min")
    star = large[large["record_id"] != large["hub"]]
    star = pd.DataFrame({"rule": star["rule"], "value": star["value"], "record_id_l": star["hub"], "record_id_r": star["record_id"]})

    edges = pd.concat([pairs[["rule", "value", "record_id_l", "record_id_r"]], star], ignore_index=True)
    if changed_ids is not None:
        changed = np.fromiter(changed_ids, dtype=np.int64, count=len(changed_ids))
        edges = edges[edges["record_id_l"].isin(changed) | edges["record_id_r"].isin(changed)]
    edges = edges.drop_duplicates(["record_id_l", "record_id_r", "rule"])
    key_name = {"email": "email", "domain": "domain", "xref": "ref"}
    return pd.DataFrame(
        {
            "left_id": edges["record_id_l"].astype("int64").to_numpy(),
            "right_id": edges["record_id_r"].astype("int64").to_numpy(),
            "rule": edges["rule"].to_numpy(),
            "details": [{"key": key_name[rule], "value": value} for rule, value in zip(edges["rule"], edges["value"])],
        }
    )
