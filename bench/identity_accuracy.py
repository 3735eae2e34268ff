"""Identity evidence accuracy on the seeded sandbox: deterministic + probabilistic edges, clustered, against the truth.

Starts the seeded sandbox in-process, syncs the three connections into a
fresh SQLite store and maps them (as bench.mapping_throughput does), then for
people and for companies: loads the records, gathers deterministic edges
(shared strong email/domain, xref↔ref) and probabilistic edges (trained
Fellegi-Sunter model), clusters them and prints pairwise precision, recall
and F1 against the sandbox truth per tier (deterministic only;
deterministic + probabilistic), wall time per phase, pairs scored, the
guards' held-back counts and two adversarial checks: merged pairs whose only
shared evidence is a role address (must be 0) and namesakes (same given and
family key, different true companies) merged (must be 0).

The clustering step (`cluster_evidence`) is a stand-in for the golden-ID
pipeline: `load_truth` and `pairwise_scores` take record_id → label
mappings, so the real pipeline's assignment can be scored the same way.

    .venv/bin/python -m bench.identity_accuracy [--people 10000] [--seed 42] [--store-dir DIR] [--show-errors 10]

`--store-dir DIR` keeps the synced and mapped store (DIR/loophub.db, the truth in
DIR/truth.csv) and reuses it on the next run, to iterate on matching without syncing again.
"""

from __future__ import annotations

import argparse
import csv
import resource
import tempfile
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Engine, delete, select

from identity.deterministic import DeterministicReport, deterministic_edges
from identity.matching import cluster_pairs
from identity.probabilistic import probabilistic_edges, train_entity_model
from identity.records import load_records
from identity.resolve import resolve
from identity.settings import IdentitySettings
from store import create_store_engine, session_scope, upgrade_database
from store.canonical import MatchKey
from store.identity import GoldenMember, GoldenRecord, IdentityEdge, IdentityEvent, MatchModelRow, ReviewItem

TRUTH_COLUMN = {"person": "person_id", "company": "company_id"}


@dataclass(frozen=True)
class Scores:
    precision: float
    recall: float
    f1: float
    true_positives: int
    false_positives: int
    false_negatives: int
    true_pairs: int
    predicted_pairs: int


# ---------------------------------------------------------------- the store


def build_store(people: int, seed: int, folder: Path) -> tuple[Engine, float]:
    """Sync a fresh sandbox world into folder/loophub.db and map it; the truth goes to folder/truth.csv."""
    from bench.mapping_throughput import quiet_connector_logs
    from flows.map import map_records
    from flows.sync import sync_connection
    from loophub.config import parse_config
    from mapping import load_catalog
    from sandbox.config import sandbox_config_yaml
    from sandbox.population import generate_world
    from sandbox.server import SandboxServer

    quiet_connector_logs()
    started = time.perf_counter()
    world = generate_world(people, seed)
    world.write_truth(folder / "truth.csv")
    database_url = f"sqlite:///{folder / 'loophub.db'}"
    with tempfile.TemporaryDirectory(prefix="loophub-bench-identity-") as workdir, SandboxServer(
        world, certificate_dir=Path(workdir) / "certs"
    ) as server:
        engine = create_store_engine(database_url)
        upgrade_database(engine)
        for connection in parse_config(sandbox_config_yaml(server, database_url), Path("bench.yaml"), environ={}).connections:
            report = sync_connection(engine, connection)
            if report.status != "succeeded":
                raise SystemExit(f"sync of {connection.name} did not succeed: {report.error}")
        map_records(engine, load_catalog())
    return engine, time.perf_counter() - started


# ---------------------------------------------------------------- truth and scores


def read_truth(path: Path) -> dict[str, tuple[str | None, str | None]]:
    """source_ref ("system:object:source_id") → (person_id, company_id) from a world's truth CSV."""
    with path.open(newline="") as handle:
        return {
            f"{row['system']}:{row['object']}:{row['source_id']}": (row["person_id"] or None, row["company_id"] or None)
            for row in csv.DictReader(handle)
        }


def load_truth(records: pd.DataFrame, entity: str, truth: Mapping[str, tuple[str | None, str | None]]) -> dict[int, str]:
    """record_id → true person_id (people) or company_id (companies); records without one are left out."""
    position = 0 if entity == "person" else 1
    labels = {}
    for record_id, ref in zip(records["record_id"], records["source_ref"]):
        label = truth.get(ref, (None, None))[position]
        if label is not None:
            labels[int(record_id)] = label
    return labels


def _pair_count(labels: pd.Series) -> int:
    sizes = labels.value_counts().to_numpy(dtype=np.int64)
    return int((sizes * (sizes - 1) // 2).sum())


def pairwise_scores(assigned: Mapping[int, Any], truth: Mapping[int, Any]) -> Scores:
    """Pairwise precision / recall / F1 of a record_id → cluster assignment against record_id → true label.

    Only records present in both mappings count.
    """
    ids = [record_id for record_id in truth if record_id in assigned]
    frame = pd.DataFrame({"cluster": [assigned[i] for i in ids], "truth": [truth[i] for i in ids]})
    predicted = _pair_count(frame["cluster"])
    true_pairs = _pair_count(frame["truth"])
    both = frame.groupby(["cluster", "truth"]).size().to_numpy(dtype=np.int64)
    tp = int((both * (both - 1) // 2).sum())
    precision = tp / predicted if predicted else 1.0
    recall = tp / true_pairs if true_pairs else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Scores(precision, recall, f1, tp, predicted - tp, true_pairs - tp, true_pairs, predicted)


def error_pairs(assigned: Mapping[int, Any], truth: Mapping[int, Any], limit: int | None = None) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """(false positive pairs, false negative pairs) as (record_id, record_id)."""
    ids = [record_id for record_id in truth if record_id in assigned]
    frame = pd.DataFrame({"id": ids, "cluster": [assigned[i] for i in ids], "truth": [truth[i] for i in ids]})
    false_pos: list[tuple[int, int]] = []
    false_neg: list[tuple[int, int]] = []
    for key, other, out in (("cluster", "truth", false_pos), ("truth", "cluster", false_neg)):
        for _, group in frame.groupby(key):
            if len(group) < 2:
                continue
            members = group.to_numpy()
            for i in range(len(members)):
                for j in range(i + 1, len(members)):
                    if members[i][2 if other == "truth" else 1] != members[j][2 if other == "truth" else 1]:
                        out.append((int(members[i][0]), int(members[j][0])))
    return (false_pos[:limit], false_neg[:limit]) if limit else (false_pos, false_neg)


# ---------------------------------------------------------------- clustering stand-in


def cluster_evidence(
    records: pd.DataFrame,
    deterministic: pd.DataFrame,
    probabilistic: pd.DataFrame | None,
    settings: IdentitySettings,
    entity: str,
) -> tuple[dict[int, int], int]:
    """record_id → cluster id, and the number of edges the dataset guard dropped.

    Deterministic edges are pinned; probabilistic ones at or above auto-merge are
    clustered under the one-record-per-dataset guard, except pairs within one dataset
    (a HubSpot or Zendesk duplicate) at or above auto-merge, which are pinned too.
    """
    auto_merge = settings.thresholds(entity).auto_merge
    frames = [pd.DataFrame({"id_l": deterministic["left_id"], "id_r": deterministic["right_id"], "match_probability": 1.0, "pinned": True})]
    if probabilistic is not None and len(probabilistic):
        pinned = probabilistic["same_dataset"].to_numpy(dtype=bool) & (probabilistic["score"].to_numpy() >= auto_merge)
        frames.append(pd.DataFrame({
            "id_l": probabilistic["left_id"], "id_r": probabilistic["right_id"],
            "match_probability": probabilistic["score"], "pinned": pinned,
        }))
    pairs = pd.concat(frames, ignore_index=True)
    result = cluster_pairs(
        pairs, records["record_id"], threshold=auto_merge, datasets=records["dataset"],
        one_record_per_dataset=True, pinned_column="pinned", size_alarm=settings.protection.max_cluster_size,
    )
    mapping = dict(zip(result.clusters["record_id"].astype(int), result.clusters["cluster_id"].astype(int)))
    return mapping, len(result.dropped_edges)


# ---------------------------------------------------------------- adversarial checks


def role_address_merges(engine: Engine, assigned: Mapping[int, Any], truth: Mapping[int, Any]) -> tuple[int, int]:
    """(pairs sharing a role address, of which merged although truly different people)."""
    with session_scope(engine) as session:
        rows = session.execute(
            select(MatchKey.record_id, MatchKey.value).where(MatchKey.entity == "person", MatchKey.kind == "email", MatchKey.is_weak.is_(True))
        ).all()
    frame = pd.DataFrame(rows, columns=["record_id", "value"])
    pairs = frame.merge(frame, on="value", suffixes=("_l", "_r"))
    pairs = pairs[pairs["record_id_l"] < pairs["record_id_r"]]
    wrong = 0
    for left, right in zip(pairs["record_id_l"], pairs["record_id_r"]):
        if left in assigned and right in assigned and assigned[left] == assigned[right] and truth.get(left) != truth.get(right):
            wrong += 1
    return len(pairs), wrong


def namesake_merges(records: pd.DataFrame, assigned: Mapping[int, Any], person_truth: Mapping[int, Any],
                    company_truth: Mapping[int, Any]) -> tuple[int, int]:
    """(record pairs with the same given+family key at different true companies, of which merged)."""
    frame = records[["record_id", "given_key", "family_key"]].dropna()
    frame = frame[frame["record_id"].isin(list(company_truth))]
    pairs = frame.merge(frame, on=["given_key", "family_key"], suffixes=("_l", "_r"))
    pairs = pairs[pairs["record_id_l"] < pairs["record_id_r"]]
    total = merged = 0
    for left, right in zip(pairs["record_id_l"], pairs["record_id_r"]):
        if company_truth.get(left) == company_truth.get(right) or person_truth.get(left) == person_truth.get(right):
            continue
        total += 1
        merged += assigned.get(left) == assigned.get(right)
    return total, merged


# ---------------------------------------------------------------- main


@contextmanager
def phase(timings: dict[str, float], name: str) -> Iterator[None]:
    started = time.perf_counter()
    yield
    timings[name] = time.perf_counter() - started


def print_scores(label: str, scores: Scores) -> None:
    print(
        f"  {label:<34} P {scores.precision:.4f}  R {scores.recall:.4f}  F1 {scores.f1:.4f}"
        f"   (true pairs {scores.true_pairs:,}, predicted {scores.predicted_pairs:,}, FP {scores.false_positives:,}, FN {scores.false_negatives:,})"
    )


def describe(records: pd.DataFrame, record_id: int, columns: list[str]) -> str:
    row = records.loc[records["record_id"] == record_id].iloc[0]
    return f"{row['dataset']}#{record_id} " + " ".join(f"{c}={row[c]}" for c in columns)


def run_entity(engine: Engine, entity: str, settings: IdentitySettings, truth_rows: Mapping[str, tuple[str | None, str | None]],
               show_errors: int) -> dict[str, Any]:
    timings: dict[str, float] = {}
    with phase(timings, "load records"), session_scope(engine) as session:
        records = load_records(session, entity)  # type: ignore[arg-type]
    report = DeterministicReport()
    with phase(timings, "deterministic edges"), session_scope(engine) as session:
        deterministic = deterministic_edges(session, entity, settings, report=report)  # type: ignore[arg-type]
    with phase(timings, "train model"):
        model = train_entity_model(records, entity, settings)  # type: ignore[arg-type]
    with phase(timings, "score pairs"):
        probabilistic = probabilistic_edges(records, model, entity, settings)  # type: ignore[arg-type]
    truth = load_truth(records, entity, truth_rows)
    company_truth = load_truth(records, "company", truth_rows)
    with phase(timings, "cluster (deterministic)"):
        det_only, _ = cluster_evidence(records, deterministic, None, settings, entity)
    with phase(timings, "cluster (all)"):
        combined, dropped = cluster_evidence(records, deterministic, probabilistic, settings, entity)

    print(f"\n{entity}: {len(records):,} records ({', '.join(f'{k} {v:,}' for k, v in records['dataset'].value_counts().items())}),"
          f" {len(truth):,} with a truth label")
    print(f"  deterministic edges {len(deterministic):,} ({', '.join(f'{k} {v:,}' for k, v in deterministic['rule'].value_counts().items())});"
          f" held back by the names guard: {report.held_back} e.g. {report.examples}; weak values ignored: {report.weak_values:,}")
    auto = settings.thresholds(entity).auto_merge
    print(f"  model: prior {model.prior_match_probability:.2e}, blocked pairs (training) {model.training.blocked_pairs:,};"
          f" probabilistic edges >= review {len(probabilistic):,}, >= auto-merge {int((probabilistic['score'] >= auto).sum()):,}"
          f" (same dataset {int(probabilistic['same_dataset'].sum()):,}); dataset guard dropped {dropped:,}")
    for parameters in model.comparisons:
        print(f"    {parameters.name:<15} " + "  ".join(f"{level.label}: {level.match_weight:+.1f}" for level in parameters.levels if level.m is not None))
    det_scores = pairwise_scores(det_only, truth)
    all_scores = pairwise_scores(combined, truth)
    print_scores("deterministic only", det_scores)
    print_scores("deterministic + probabilistic", all_scores)
    result: dict[str, Any] = {"records": records, "assigned": combined, "truth": truth, "scores": all_scores}
    if entity == "person":
        sharing, wrong = role_address_merges(engine, combined, truth)
        print(f"  role addresses: {sharing:,} record pairs share one; merged although different people: {wrong}")
        total, merged = namesake_merges(records, combined, truth, company_truth)
        print(f"  namesakes at different companies: {total:,} record pairs; merged: {merged}")
    print("  time: " + ", ".join(f"{name} {seconds:.2f} s" for name, seconds in timings.items()))
    if show_errors:
        columns = ["given_key", "family_key", "email_key", "phone", "company_key", "company_name_key", "city", "country"] if entity == "person" \
            else ["name_key", "domain", "phone", "city", "country"]
        false_pos, false_neg = error_pairs(combined, truth)
        rng = np.random.default_rng(0)
        for label, pairs in (("false positive", false_pos), ("false negative", false_neg)):
            chosen = [pairs[i] for i in rng.permutation(len(pairs))[:show_errors]]
            for left, right in chosen:
                print(f"  {label}: {describe(records, left, columns)}\n  {' ' * len(label)}  {describe(records, right, columns)}")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--store-dir", type=Path, help="keep (and reuse) the synced, mapped store and truth here")
    parser.add_argument("--show-errors", type=int, default=0, help="print this many false positive and false negative pairs")
    args = parser.parse_args()

    settings = IdentitySettings()
    with tempfile.TemporaryDirectory(prefix="loophub-bench-identity-") as scratch:
        folder = args.store_dir or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        if (folder / "loophub.db").exists() and (folder / "truth.csv").exists():
            engine = create_store_engine(f"sqlite:///{folder / 'loophub.db'}")
            print(f"reusing the store in {folder}")
        else:
            engine, seconds = build_store(args.people, args.seed, folder)
            print(f"{args.people:,} people (seed {args.seed}): world, sandbox, sync and map in {seconds:.1f} s")
        truth_rows = read_truth(folder / "truth.csv")
        started = time.perf_counter()
        for entity in ("person", "company"):
            run_entity(engine, entity, settings, truth_rows, args.show_errors)
        print(f"\nidentity evidence, both entities: {time.perf_counter() - started:.1f} s; peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MiB")
        run_pipeline(engine, settings, truth_rows)
        engine.dispose()


def run_pipeline(engine: Engine, settings: IdentitySettings, truth_rows: Mapping[str, tuple[str | None, str | None]]) -> None:
    """The same accuracy measured on what `loophub resolve` stores: golden records with persistent IDs."""
    with session_scope(engine) as session:
        for table in (GoldenMember, GoldenRecord, IdentityEdge, IdentityEvent, ReviewItem, MatchModelRow):
            session.execute(delete(table))  # a reused store starts from no golden records
    runs = []
    for label, full in (("first resolve", False), ("rerun, no change", False), ("full rerun", True)):
        started = time.perf_counter()
        report = resolve(engine, settings, full=full)
        runs.append(f"{label} {time.perf_counter() - started:.1f} s (IDs kept {report.entities['person'].unchanged_share:.1%})")
    print("\ngolden records (loophub resolve): " + "; ".join(runs))
    for entity in ("person", "company"):
        with session_scope(engine) as session:
            records = load_records(session, entity)  # type: ignore[arg-type]
            assigned = dict(session.execute(select(GoldenMember.record_id, GoldenMember.golden_id).where(GoldenMember.entity == entity)).all())
        truth = load_truth(records, entity, truth_rows)
        counts = report.entities[entity]
        print(f"{entity}: {len(set(assigned.values())):,} golden records from {len(assigned):,}; review queue {counts.review_open:,};"
              f" chains refused {counts.refused_same_dataset:,}; oversized {len(counts.oversized)}")
        print_scores("golden records", pairwise_scores(assigned, truth))
        if entity == "person":
            company_truth = load_truth(records, "company", truth_rows)
            sharing, wrong = role_address_merges(engine, assigned, truth)
            total, merged = namesake_merges(records, assigned, truth, company_truth)
            print(f"  role addresses: {sharing:,} pairs share one, {wrong} merged wrongly; namesakes at different companies: {total:,} pairs, {merged} merged")


if __name__ == "__main__":
    main()
