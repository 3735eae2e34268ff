"""Explanations: every member once, the strongest evidence first, weights shown, a lone record is the seed."""

from __future__ import annotations

import json
import random
from typing import Any

import pytest
from rich.console import Console

from identity.explain import explain_cluster, render_explanation


def member(record_id: int, system: str, source_id: str, **fields: Any) -> dict[str, Any]:
    return {"record_id": record_id, "system": system, "object": "contact", "source_id": source_id, "emails": []} | fields


def edge(left: int, right: int, rule: str, score: float | None = None, weight: float | None = None, **details: Any) -> dict[str, Any]:
    return {"left_id": left, "right_id": right, "rule": rule, "score": score, "match_weight": weight, "details": details}


def probabilistic(left: int, right: int, score: float, weight: float) -> dict[str, Any]:
    comparisons = [
        {"name": "name", "level": 2, "label": "jaro_winkler >= 0.9", "m": 0.6, "u": 0.01, "match_weight": 5.9},
        {"name": "email", "level": 1, "label": "exact", "m": 0.8, "u": 0.0001, "match_weight": 12.97},
        {"name": "city", "level": 3, "label": "else", "m": 0.1, "u": 0.9, "match_weight": -3.17},
    ]
    return edge(left, right, "probabilistic", score, weight, prior_weight=-9.0, comparisons=comparisons)


ANN = member(1, "salesforce", "003A", full_name="Ann Lee", emails=["ann@acme.com"])
ANNE = member(2, "hubspot", "101", first_name="Anne", last_name="Lee")
LEE = member(3, "zendesk", "9", emails=["lee@gmail.com"])
MEMBERS = [ANN, ANNE, LEE]
EDGES = [
    probabilistic(1, 2, 0.999, 6.7),
    edge(1, 3, "email", key="email", value="ann@acme.com"),
    edge(2, 3, "xref", key="xref:hubspot", value="101"),
]


def by_record(explanation: dict[str, Any]) -> dict[int, dict[str, Any]]:
    return {entry["record_id"]: entry for entry in explanation["members"]}


def test_given_cluster_when_explained_then_every_member_appears_exactly_once() -> None:
    explanation = explain_cluster("per_1", MEMBERS, EDGES, entity="person")

    assert sorted(entry["record_id"] for entry in explanation["members"]) == [1, 2, 3]
    assert explanation["member_count"] == 3 and explanation["connected"]
    json.dumps(explanation)


def test_given_deterministic_and_probabilistic_paths_when_explained_then_deterministic_brings_member_in() -> None:
    entries = by_record(explain_cluster("per_1", MEMBERS, EDGES))

    assert entries[1]["reason"] == "seed" and entries[1]["via"] is None
    assert (entries[3]["reason"], entries[3]["parent"], entries[3]["via"]["rule"]) == ("deterministic", 1, "email")
    # 2 is reachable from the seed by a 0.999 probability, but a rule through 3 is stronger evidence.
    assert (entries[2]["reason"], entries[2]["parent"], entries[2]["via"]["rule"]) == ("deterministic", 3, "xref")
    assert entries[2]["depth"] == 2
    assert entries[3]["via"]["details"] == {"key": "email", "value": "ann@acme.com"}


def test_given_member_when_explained_then_its_other_direct_edges_are_listed() -> None:
    entries = by_record(explain_cluster("per_1", MEMBERS, EDGES))

    others = entries[2]["other_edges"]
    assert [(o["rule"], o["with"], o["in_tree"]) for o in others] == [("probabilistic", 1, False)]
    assert [(o["rule"], o["with"], o["in_tree"]) for o in entries[3]["other_edges"]] == [("xref", 2, True)]


def test_given_probabilistic_edge_when_explained_then_score_and_weights_are_shown_most_decisive_first() -> None:
    entries = by_record(explain_cluster("per_1", [ANN, ANNE], [probabilistic(1, 2, 0.999, 6.7)]))

    via = entries[2]["via"]
    assert (via["kind"], via["score"], via["match_weight"], via["prior_weight"]) == ("probabilistic", 0.999, 6.7, -9.0)
    assert [(c["name"], c["match_weight"]) for c in via["comparisons"]] == [("email", 12.97), ("name", 5.9), ("city", -3.17)]
    assert via["comparisons"][0]["label"] == "exact"


def test_given_score_table_style_details_when_explained_then_weights_are_read() -> None:
    row = edge(1, 2, "probabilistic", 0.97, 5.0, weight_name=4.0, level_name=2, weight_email=-1.5, level_email=0)

    via = by_record(explain_cluster("per_1", [ANN, ANNE], [row]))[2]["via"]

    assert [(c["name"], c["match_weight"], c["level"]) for c in via["comparisons"]] == [("name", 4.0, 2), ("email", -1.5, 0)]


def test_given_probabilistic_module_details_when_explained_then_labels_and_weights_are_read() -> None:
    details = {"email": {"level": "exact", "weight": 11.2}, "name": {"level": "else", "weight": -4.0}}
    row = {"left_id": 2, "right_id": 1, "rule": "probabilistic", "score": 0.98, "match_weight": 5.5, "details": details}

    via = by_record(explain_cluster("per_1", [ANN, ANNE], [row]))[2]["via"]

    assert [(c["name"], c["label"], c["match_weight"]) for c in via["comparisons"]] == [("email", "exact", 11.2), ("name", "else", -4.0)]


def test_given_two_probabilistic_paths_when_explained_then_higher_score_wins() -> None:
    edges = [probabilistic(1, 3, 0.91, 3.3), probabilistic(2, 3, 0.995, 7.6), probabilistic(1, 2, 0.999, 9.9)]

    entries = by_record(explain_cluster("per_1", MEMBERS, edges))

    assert (entries[2]["parent"], entries[3]["parent"]) == (1, 2)


def test_given_must_link_override_when_explained_then_it_is_the_evidence() -> None:
    edges = [probabilistic(1, 2, 0.6, 0.5), edge(1, 2, "must_link", reason="same person, confirmed by CSM")]

    entry = by_record(explain_cluster("per_1", [ANN, ANNE], edges))[2]

    assert (entry["reason"], entry["via"]["rule"]) == ("must_link", "must_link")
    assert entry["via"]["details"]["reason"] == "same person, confirmed by CSM"
    assert [o["rule"] for o in entry["other_edges"]] == ["probabilistic"]


def test_given_lone_member_when_explained_then_it_is_the_seed() -> None:
    explanation = explain_cluster("per_9", [LEE], [])

    assert explanation["seed"] == 3
    assert explanation["members"] == [
        {"record_id": 3, "source": {"system": "zendesk", "object": "contact", "id": "9"}, "label": "lee@gmail.com",
         "reason": "seed", "parent": None, "depth": 0, "via": None, "other_edges": []},
    ]  # fmt: skip


def test_given_member_without_edges_in_larger_cluster_when_explained_then_flagged_unlinked() -> None:
    explanation = explain_cluster("per_1", MEMBERS, [EDGES[1]])

    assert by_record(explanation)[2]["reason"] == "unlinked"
    assert not explanation["connected"]


def test_given_edges_to_outsiders_and_cannot_links_when_explained_then_ignored() -> None:
    edges = [*EDGES, edge(1, 99, "email", value="x"), edge(2, 3, "cannot_link")]

    explanation = explain_cluster("per_1", MEMBERS, edges)

    assert explanation["ignored_edges"] == 2 and explanation["edge_count"] == 3


def test_given_shuffled_inputs_when_explained_then_explanation_is_identical() -> None:
    edges = [*EDGES, probabilistic(2, 3, 0.999, 6.7), edge(1, 2, "phone", value="+44")]
    expected = explain_cluster("per_1", MEMBERS, edges)

    for seed in range(10):
        rng = random.Random(seed)
        members, shuffled_edges = rng.sample(MEMBERS, len(MEMBERS)), rng.sample(edges, len(edges))
        assert explain_cluster("per_1", members, shuffled_edges) == expected


def test_given_seed_id_when_explained_then_tree_grows_from_it() -> None:
    entries = by_record(explain_cluster("per_1", MEMBERS, EDGES, seed_id=2))

    assert entries[2]["reason"] == "seed"
    assert entries[1]["parent"] == 3


def test_given_unknown_seed_when_explained_then_error() -> None:
    with pytest.raises(ValueError, match="seed"):
        explain_cluster("per_1", MEMBERS, EDGES, seed_id=42)


def test_given_explanation_when_rendered_then_tree_shows_members_evidence_and_weights() -> None:
    edges = [*EDGES[1:], probabilistic(1, 4, 0.98, 5.5)]
    fourth = member(4, "hubspot", "[b]102[/b]", full_name="Ann [red]L[/red]")
    console = Console(record=True, width=160, color_system=None)

    console.print(render_explanation(explain_cluster("per_1", [*MEMBERS, fourth], edges, entity="person")))
    text = console.export_text()

    assert "per_1 person · 4 members" in text
    assert "seed" in text and "email rule shared email ann@acme.com" in text and "xref rule shared xref:hubspot 101" in text
    assert "probabilistic p=0.9800, weight +5.50" in text and "email: exact (+12.97)" in text
    assert "hubspot:contact:[b]102[/b] Ann [red]L[/red]" in text  # source values are shown as text, not markup
