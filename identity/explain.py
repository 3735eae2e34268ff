"""Why is each record in this golden profile: the chain of evidence, member by member.

The stored edges of a cluster form a graph; a spanning tree grown from the
seed (Prim's algorithm), always taking the strongest edge that reaches a new
member — must-link overrides, then deterministic rules, then probabilistic
edges by score — gives each member the one edge that brought it in. The
member's other direct edges are listed beside it, so a weak link backed by a
strong one is visible. Edges are dicts shaped like `identity_edges` rows:
left_id, right_id, rule, score, match_weight, details.

Probabilistic edge details are read in any of these shapes: `{name: {"level": label,
"weight"}}` (identity.probabilistic), `{"comparisons": [{"name", "level", "label", "m",
"u", "match_weight"}, …]}` (`pair_details`), or score_table's `weight_<name>`, `level_<name>`.
"""

from __future__ import annotations

import heapq
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from rich.text import Text
from rich.tree import Tree

from identity.survivorship import json_value, member_ref, ref_dict

if TYPE_CHECKING:
    from identity.matching.scoring import PairExplanation

# Smaller is stronger: an admin's word beats a rule, a rule beats a probability.
KIND_STRENGTH = {"must_link": 0, "deterministic": 1, "probabilistic": 2}
PROBABILISTIC_RULES = frozenset({"probabilistic"})
NOT_EVIDENCE_RULES = frozenset({"cannot_link"})


@dataclass(frozen=True)
class Edge:
    """One piece of evidence between two members, with its place in the strength order."""

    left: Any
    right: Any
    rule: str
    kind: str
    score: float | None
    match_weight: float | None
    details: Mapping[str, Any]

    @property
    def strength(self) -> tuple[Any, ...]:
        # Score, then weight, then the ids and rule: a total order, so the tree never depends on input order.
        return (KIND_STRENGTH[self.kind], -(self.score or 0.0), -(self.match_weight or 0.0), id_key(self.left), id_key(self.right), self.rule)

    def other(self, member_id: Any) -> Any:
        return self.right if self.left == member_id else self.left


def explain_cluster(
    golden_id: str,
    members: Sequence[Mapping[str, Any]],
    edges: Sequence[Mapping[str, Any]],
    *,
    entity: str | None = None,
    seed_id: Any = None,
) -> dict[str, Any]:
    """Each member of `golden_id` with the edge that brought it in and its other direct edges.

    `members` are canonical rows (record_id or id, system, object, source_id, names…).
    The seed is `seed_id`, else the smallest record id (the profile's first record).
    Edges touching a record outside `members` and cannot-link edges are ignored.
    """
    by_id = {member_id(m): m for m in members}
    if not by_id:
        raise ValueError(f"{golden_id} has no members to explain")
    seed = min(by_id, key=id_key) if seed_id is None else seed_id
    if seed not in by_id:
        raise ValueError(f"seed {seed!r} is not a member of {golden_id}")
    usable = _usable_edges(edges, by_id)
    adjacency: dict[Any, list[Edge]] = {m: [] for m in by_id}
    for edge in usable:
        adjacency[edge.left].append(edge)
        adjacency[edge.right].append(edge)
    tree = spanning_tree(seed, sorted(by_id, key=id_key), adjacency)
    tree_edges = {id(via) for _, via, _ in tree if via is not None}
    explained = [_member_entry(m, via, depth, adjacency[m], by_id, seed, tree_edges) for m, via, depth in tree]
    return {
        "golden_id": golden_id,
        "entity": entity,
        "seed": seed,
        "member_count": len(by_id),
        "connected": all(entry["reason"] != "unlinked" for entry in explained),
        "edge_count": len(usable),
        "ignored_edges": len(edges) - len(usable),
        "members": explained,
    }


def spanning_tree(seed: Any, ids: Sequence[Any], adjacency: Mapping[Any, Sequence[Edge]]) -> list[tuple[Any, Edge | None, int]]:
    """(member, edge that reached it, depth) in the order Prim's algorithm reaches them.

    Each component is grown from its first member (the seed first); a member
    no edge reaches starts a component of its own with no edge.
    """
    reached: dict[Any, int] = {}
    order: list[tuple[Any, Edge | None, int]] = []
    for root in [seed, *ids]:
        if root in reached:
            continue
        reached[root] = 0
        order.append((root, None, 0))
        frontier: list[tuple[tuple[Any, ...], Any, Edge]] = []
        _push(frontier, root, adjacency)
        while frontier:
            _, source, edge = heapq.heappop(frontier)
            target = edge.other(source)
            if target in reached:
                continue
            reached[target] = reached[source] + 1
            order.append((target, edge, reached[target]))
            _push(frontier, target, adjacency)
    return order


def _push(frontier: list[tuple[tuple[Any, ...], Any, Edge]], member: Any, adjacency: Mapping[Any, Sequence[Edge]]) -> None:
    for edge in adjacency[member]:
        # The edge's strength is unique per edge (ids and rule), so the Edge itself is never compared.
        heapq.heappush(frontier, ((*edge.strength, id_key(member)), member, edge))


def _member_entry(
    member: Any, via: Edge | None, depth: int, incident: Sequence[Edge], by_id: Mapping[Any, Mapping[str, Any]], seed: Any,
    tree_edges: set[int],
) -> dict[str, Any]:  # fmt: skip
    reason = via.kind if via else ("seed" if member == seed else "unlinked")
    return {
        "record_id": member,
        "source": ref_dict(member_ref(by_id[member])),
        "label": member_label(by_id[member]),
        "reason": reason,
        "parent": via.other(member) if via else None,
        "depth": depth,
        "via": evidence(via, member, by_id) if via else None,
        # `in_tree`: the edge brought in the other member; the renderer shows it there, not twice.
        "other_edges": [evidence(e, member, by_id) | {"in_tree": id(e) in tree_edges} for e in incident if e is not via],
    }


def evidence(edge: Edge, member: Any, by_id: Mapping[Any, Mapping[str, Any]]) -> dict[str, Any]:
    """One edge as seen from `member`: which record it links to, and why."""
    other = edge.other(member)
    entry: dict[str, Any] = {
        "kind": edge.kind,
        "rule": edge.rule,
        "with": other,
        "with_source": ref_dict(member_ref(by_id[other])),
        "score": edge.score,
        "match_weight": edge.match_weight,
    }
    if edge.kind == "probabilistic":
        entry["prior_weight"] = edge.details.get("prior_weight")
        entry["comparisons"] = comparison_weights(edge.details)
    else:
        entry["details"] = dict(edge.details)  # the shared key or the override's reason
    return entry


def comparison_weights(details: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The per-comparison weights stored with a probabilistic edge, most decisive first."""
    raw = details.get("comparisons", details)
    if isinstance(raw, Sequence) and not isinstance(raw, str):
        items = [dict(c) for c in raw if isinstance(c, Mapping)]
    elif any(str(k).startswith("weight_") for k in raw):
        items = [{"name": k[7:], "match_weight": v, "level": raw.get("level_" + k[7:])} for k, v in raw.items() if k.startswith("weight_")]
    else:
        items = [{"name": n, **(v if isinstance(v, Mapping) else {"match_weight": v})} for n, v in raw.items() if n != "prior_weight"]
    # JSONB does not keep key order, so the order is rebuilt: biggest contribution first, by name on ties.
    return sorted(map(_comparison, items), key=lambda c: (-abs(c["match_weight"] or 0.0), str(c["name"])))


def _comparison(item: Mapping[str, Any]) -> dict[str, Any]:
    """One comparison in one shape; identity.probabilistic stores the level's label as "level" and "weight"."""
    weight = item.get("match_weight", item.get("weight"))
    level, label = item.get("level"), item.get("label")
    if isinstance(level, str) and label is None:
        level, label = None, level
    return {"name": item.get("name"), "level": level, "label": label, "m": item.get("m"), "u": item.get("u"),
            "match_weight": float(weight) if weight is not None else None}  # fmt: skip


def pair_details(explanation: PairExplanation) -> dict[str, Any]:
    """Edge details for a scored pair, in the shape `explain_cluster` reads best."""
    return {
        "prior_weight": explanation.prior_weight,
        "comparisons": [
            {
                "name": c.name,
                "level": c.level,
                "label": c.label,
                "m": c.m,
                "u": c.u,
                "match_weight": c.match_weight,
                "left": [json_value(v) for v in c.left_values],
                "right": [json_value(v) for v in c.right_values],
            }
            for c in explanation.comparisons
        ],
    }


def member_id(member: Mapping[str, Any]) -> Any:
    return member["record_id"] if "record_id" in member else member["id"]


def member_label(member: Mapping[str, Any]) -> str | None:
    """A human handle for a member: its name, else its first email or domain."""
    first_last = " ".join(str(member.get(k) or "").strip() for k in ("first_name", "last_name")).strip()
    for value in (member.get("full_name"), first_last, member.get("name")):
        if value and str(value).strip():
            return str(value).strip()
    for key in ("emails", "domains", "phones"):
        if member.get(key):
            return str(member[key][0])
    return None


def id_key(value: Any) -> tuple[int, Any]:
    """Record ids sort numerically when they are numbers, as text otherwise."""
    return (0, value) if isinstance(value, int) and not isinstance(value, bool) else (1, str(value))


def _edge(row: Mapping[str, Any]) -> Edge | None:
    rule = str(row["rule"])
    if rule in NOT_EVIDENCE_RULES or row["left_id"] == row["right_id"]:
        return None
    kind = "must_link" if rule == "must_link" else "probabilistic" if rule in PROBABILISTIC_RULES else "deterministic"
    left, right = sorted((row["left_id"], row["right_id"]), key=id_key)
    score, weight = row.get("score"), row.get("match_weight")
    return Edge(
        left=left,
        right=right,
        rule=rule,
        kind=kind,
        score=float(score) if score is not None else None,
        match_weight=float(weight) if weight is not None else None,
        details=row.get("details") or {},
    )


def _usable_edges(rows: Sequence[Mapping[str, Any]], by_id: Mapping[Any, Any]) -> list[Edge]:
    """The evidence edges between members, strongest first, one per (pair, rule)."""
    edges = sorted((e for e in map(_edge, rows) if e is not None and e.left in by_id and e.right in by_id), key=lambda e: e.strength)
    unique: dict[tuple[Any, Any, str], Edge] = {}
    for edge in edges:
        unique.setdefault((edge.left, edge.right, edge.rule), edge)
    return list(unique.values())


# Rendering for the CLI ---------------------------------------------------------------------------


def render_explanation(explanation: Mapping[str, Any]) -> Tree:
    """A Rich tree: each member hangs under the member that brought it in, with its evidence."""
    title = Text.assemble((str(explanation["golden_id"]), "bold"), f" {explanation.get('entity') or ''}".rstrip())
    title.append(f" · {explanation['member_count']} members")
    root = Tree(title)
    nodes: dict[Any, Tree] = {}
    for entry in explanation["members"]:
        parent = nodes.get(entry["parent"], root)
        node = parent.add(_member_text(entry))
        nodes[entry["record_id"]] = node
        if entry["via"] and entry["via"]["kind"] == "probabilistic":
            _add_comparisons(node, entry["via"])
        for other in (e for e in entry["other_edges"] if not e.get("in_tree")):
            node.add(Text.assemble(("also ", "dim"), _evidence_text(other), (f" with #{other['with']}", "dim")))
    return root


def _member_text(entry: Mapping[str, Any]) -> Text:
    source = entry["source"]
    text = Text.assemble((f"#{entry['record_id']} ", "bold"), f"{source['system']}:{source['object']}:{source['id']}")
    if entry["label"]:
        text.append(f" {entry['label']}", "cyan")
    text.append(" — ")
    if entry["reason"] == "seed":
        text.append("seed (the profile's first record)", "green")
    elif entry["reason"] == "unlinked":
        text.append("no stored evidence links this record to the others", "bold red")
    else:
        text.append_text(_evidence_text(entry["via"]))
    return text


def _evidence_text(item: Mapping[str, Any]) -> Text:
    if item["kind"] == "probabilistic":
        score = f"p={item['score']:.4f}" if item["score"] is not None else "p=?"
        weight = f", weight {item['match_weight']:+.2f}" if item["match_weight"] is not None else ""
        return Text(f"probabilistic {score}{weight}", "yellow")
    details = dict(item.get("details") or {})
    shared = f" shared {details.pop('key', item['rule'])} {details.pop('value')}" if "value" in details else ""
    shown = ", ".join(f"{k}={v}" for k, v in sorted(details.items(), key=lambda kv: str(kv[0])))
    label = "must-link override" if item["kind"] == "must_link" else f"{item['rule']} rule{shared}"
    return Text(f"{label}" + (f" ({shown})" if shown else ""), "magenta" if item["kind"] == "must_link" else "green")


def _add_comparisons(node: Tree, item: Mapping[str, Any]) -> None:
    for comparison in item["comparisons"]:
        weight = comparison.get("match_weight")
        label = comparison.get("label") or f"level {comparison.get('level')}"
        node.add(Text(f"{comparison.get('name')}: {label} ({float(weight or 0.0):+.2f})", "dim"))
