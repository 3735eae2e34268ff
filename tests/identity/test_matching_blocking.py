"""Candidate pairs from the union of blocking rules, on a hand-built table."""

from __future__ import annotations

import pandas as pd

from identity.matching import MatchSettings
from identity.matching.blocking import candidate_pairs
from identity.matching.records import connect, prepare_records

PEOPLE = pd.DataFrame(
    {
        "id": ["p1", "p2", "p3", "p4", "p5", "p6"],
        "source": ["crm", "crm", "helpdesk", "helpdesk", "crm", "helpdesk"],
        "surname": ["smith", "smith", "smith", "jones", None, None],
        "first_name": ["anna", "annabel", "bob", "anne", "anna", "anna"],
        "city": ["oslo", "bergen", "oslo", "oslo", "oslo", "oslo"],
    }
)


def settings(link_type: str = "dedupe_only") -> MatchSettings:
    return MatchSettings.model_validate(
        {
            "unique_id_column": "id",
            "dataset_column": "source",
            "link_type": link_type,
            "blocking_rules": [["surname"], [{"column": "first_name", "first_chars": 3}, "city"]],
            "comparisons": [
                {"name": "first_name", "columns": ["first_name"], "levels": [{"kind": "exact"}, {"kind": "else"}]}
            ],
        }
    )


def pairs_of(match_settings: MatchSettings) -> list[tuple[str, str]]:
    prepared = prepare_records(PEOPLE, match_settings)
    rows = candidate_pairs(connect(), match_settings, prepared).to_pydict()
    ids = PEOPLE["id"].tolist()
    return sorted(zip((ids[i] for i in rows["row_l"]), (ids[i] for i in rows["row_r"])))


def test_given_dedupe_when_blocking_then_union_of_rules_each_pair_once() -> None:
    # surname: p1-p2, p1-p3, p2-p3 (nulls never block); "ann" + oslo: p1-p4, p1-p5, p1-p6, p4-p5, p4-p6, p5-p6
    assert pairs_of(settings()) == [
        ("p1", "p2"), ("p1", "p3"), ("p1", "p4"), ("p1", "p5"), ("p1", "p6"),
        ("p2", "p3"), ("p4", "p5"), ("p4", "p6"), ("p5", "p6"),
    ]  # fmt: skip


def test_given_link_only_when_blocking_then_pairs_only_cross_datasets() -> None:
    assert pairs_of(settings("link_only")) == [("p1", "p3"), ("p1", "p4"), ("p1", "p6"), ("p2", "p3"), ("p4", "p5"), ("p5", "p6")]
