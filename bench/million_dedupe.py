"""Deduplicating 1,000,000 synthetic person records with identity.matching, then resolving 1,000 changes.

The records are generated here with numpy and pyarrow (no faker): 700k
people plus 300k noisy duplicates (typos in names, swapped first/last names,
nicknames, missing or changed emails, phone format changes, company name
variants, moved cities, date-of-birth slips). The run trains a model once,
saves it, scores and clusters the whole table, then loads the saved model and
resolves 1,000 new or changed records against the million without retraining.
Prints pairs, precision, recall, F1, wall time per phase and peak RSS.

    .venv/bin/python -m bench.million_dedupe [--records 1000000]
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from identity.matching import (
    MatchSettings,
    cluster_pairs,
    load_model,
    save_model,
    score_new_records,
    score_table,
    train_model,
)

CONSONANTS = list("bcdfghjklmnprstvz")
VOWELS = list("aeiou")
COMPANY_SUFFIXES = ["inc", "llc", "ltd", "corp", "gmbh", "group"]
FREE_MAIL = ["mailbox.test", "post.test", "inbox.test", "webmail.test", "fastmail.test"]


# --- generation -------------------------------------------------------------------------------


def vocabulary(rng: np.random.Generator, count: int, syllables: tuple[int, int], width: int = 16) -> np.ndarray:
    """`count` distinct made-up words of 2-4 syllables, as fixed-width bytes."""
    pieces = np.array([c + v for c in CONSONANTS for v in VOWELS] + [c + v + "n" for c in CONSONANTS for v in VOWELS[:3]], dtype="S3")
    draws = count * 3
    lengths = rng.integers(syllables[0], syllables[1] + 1, size=draws)
    parts = pieces[rng.integers(0, len(pieces), size=(draws, syllables[1]))]
    words = parts[:, 0]
    for j in range(1, syllables[1]):
        words = np.where(lengths > j, np.char.add(words, parts[:, j]), words)
    unique, first_seen = np.unique(words.astype(f"S{width}"), return_index=True)
    return unique[np.argsort(first_seen)][:count]


def zipf_indices(rng: np.random.Generator, size: int, vocabulary_size: int, exponent: float) -> np.ndarray:
    weights = 1.0 / np.arange(1, vocabulary_size + 1) ** exponent
    return rng.choice(vocabulary_size, size=size, p=weights / weights.sum())


def typo(rng: np.random.Generator, words: np.ndarray) -> np.ndarray:
    """One substitution, deletion or transposition per word, all rows at once on a byte matrix."""
    width = words.dtype.itemsize
    matrix = words.view(np.uint8).reshape(-1, width).copy()
    n = len(words)
    lengths = (matrix != 0).sum(axis=1)
    position = (rng.random(n) * np.maximum(lengths - 1, 1)).astype(np.int64)
    kind = rng.integers(0, 3, size=n)
    rows = np.arange(n)
    sub = rows[kind == 0]
    matrix[sub, position[sub]] = rng.integers(97, 123, size=len(sub)).astype(np.uint8)
    swap = rows[kind == 2]
    first = matrix[swap, position[swap]].copy()
    matrix[swap, position[swap]] = matrix[swap, position[swap] + 1]
    matrix[swap, position[swap] + 1] = first
    delete = rows[kind == 1]
    columns = np.arange(width)[None, :]
    source = np.minimum(columns + (columns >= position[delete][:, None]), width - 1)
    shifted = np.take_along_axis(matrix[delete], source, axis=1)
    shifted[:, -1] = 0
    matrix[delete] = shifted
    return matrix.view(f"S{width}").ravel()


def nickname(rng: np.random.Generator, words: np.ndarray) -> np.ndarray:
    """The first 3-4 letters, as "alexander" becomes "alex"."""
    width = words.dtype.itemsize
    matrix = words.view(np.uint8).reshape(-1, width).copy()
    keep = rng.integers(3, 5, size=len(words))
    matrix[np.arange(width)[None, :] >= keep[:, None]] = 0
    return matrix.view(f"S{width}").ravel()


def text(values: np.ndarray, missing: np.ndarray | None = None) -> pa.Array:
    return pa.array(values, mask=missing).cast(pa.string())


def phone_text(rng: np.random.Generator, numbers: np.ndarray, styled: np.ndarray) -> pa.Array:
    """Ten digits, written plainly or as "(555) 123-4567" / "+1 555.123.4567" where `styled`."""
    area, exchange, line = numbers // 10_000_000, numbers // 10_000 % 1000, numbers % 10_000
    area_s, exchange_s = pc.cast(pa.array(area), pa.string()), pc.utf8_lpad(pc.cast(pa.array(exchange), pa.string()), 3, "0")
    line_s = pc.utf8_lpad(pc.cast(pa.array(line), pa.string()), 4, "0")
    plain = pc.binary_join_element_wise(area_s, exchange_s, line_s, "")
    dashed = pc.binary_join_element_wise("(", area_s, ") ", exchange_s, "-", line_s, "")
    dotted = pc.binary_join_element_wise("+1 ", area_s, ".", exchange_s, ".", line_s, "")
    style = np.where(styled, rng.integers(1, 3, size=len(numbers)), 0)
    return pc.if_else(pa.array(style == 1), dashed, pc.if_else(pa.array(style == 2), dotted, plain))


def generate_people(records: int, seed: int = 7) -> tuple[pa.Table, np.ndarray]:
    """`records` person rows, 70 % distinct people and 30 % noisy duplicates; returns (table, person id per row)."""
    rng = np.random.default_rng(seed)
    people = int(records * 0.7)
    first_names = vocabulary(rng, 4_000, (2, 3))
    surnames = vocabulary(rng, 60_000, (2, 4))
    companies = vocabulary(rng, 40_000, (2, 3))
    cities = vocabulary(rng, 3_000, (2, 3))

    # Each duplicate copies a random person; noise is then applied to duplicates only.
    person = np.concatenate([np.arange(people), rng.integers(0, people, size=records - people)])
    is_duplicate = np.arange(records) >= people

    def chance(p: float) -> np.ndarray:
        return is_duplicate & (rng.random(records) < p)

    true_first = first_names[zipf_indices(rng, people, len(first_names), 0.9)]
    true_last = surnames[zipf_indices(rng, people, len(surnames), 0.7)]
    first, last = true_first[person], true_last[person]
    hit = chance(0.2)
    first[hit] = typo(rng, first[hit])
    hit = chance(0.2)
    last[hit] = typo(rng, last[hit])
    hit = chance(0.1)
    first[hit] = nickname(rng, first[hit])
    hit = chance(0.05)
    first[hit], last[hit] = last[hit].astype(first.dtype), first[hit].astype(last.dtype)

    company_index = zipf_indices(rng, people, len(companies), 0.6)[person]
    suffix = np.array(COMPANY_SUFFIXES)[np.where(chance(0.15), rng.integers(0, 6, size=records), company_index % 6)]
    stem = companies[company_index]
    hit = chance(0.1)
    stem[hit] = typo(rng, stem[hit])
    company = pc.if_else(pa.array(chance(0.15)), text(stem), pc.binary_join_element_wise(text(stem), pa.array(suffix), " "))

    days = rng.integers(0, 60 * 365, size=people)[person]
    days = days + np.where(chance(0.06), rng.choice([-3, -2, -1, 1, 2, 3, 365, -365], size=records), 0)
    dob = pc.cast(pa.array(days - 365 * 35, pa.int32()).cast(pa.date32()), pa.string())

    numbers = rng.integers(2_000_000_000, 9_999_999_999, size=people)[person]
    numbers = np.where(chance(0.04), numbers + rng.integers(1, 9, size=records), numbers)
    phone = phone_text(rng, numbers, chance(0.5))

    # Emails come from the true names plus a number that keeps two namesakes' addresses apart;
    # a duplicate may lack it or use a new work address.
    local = pc.binary_join_element_wise(
        text(true_first[person]), text(true_last[person]), pc.cast(pa.array(person), pa.string()), "."
    )
    domain = pa.array(np.array(FREE_MAIL)[rng.integers(0, len(FREE_MAIL), size=people)[person]])
    moved = chance(0.1)
    work_domain = pc.binary_join_element_wise(text(companies[rng.integers(0, len(companies), size=records)]), "example", ".")
    email = pc.binary_join_element_wise(local, pc.if_else(pa.array(moved), work_domain, domain), "@")

    city_index = zipf_indices(rng, people, len(cities), 0.8)[person]
    city_index = np.where(chance(0.1), rng.integers(0, len(cities), size=records), city_index)

    order = rng.permutation(records)
    table = pa.table(
        {
            "record_id": np.arange(records, dtype=np.int64),
            "first_name": text(first),
            "surname": text(last),
            "date_of_birth": _with_missing(dob, chance(0.05)),
            "email": _with_missing(email, (rng.random(records) < 0.1) | chance(0.3)),
            "phone": _with_missing(phone, chance(0.2)),
            "company": _with_missing(company, chance(0.1)),
            "city": text(cities[city_index]),
        }
    )
    shuffled = table.take(pa.array(order)).set_column(0, "record_id", pa.array(np.arange(records, dtype=np.int64)))
    return shuffled, person[order]


def _with_missing(values: pa.Array, missing: np.ndarray) -> pa.Array:
    return pc.if_else(pa.array(missing), pa.scalar(None, values.type), values)


# --- matching ---------------------------------------------------------------------------------


def canonical(records: pa.Table) -> pa.Table:
    """What loophub's mapping layer would hand over: phones as digits only."""
    digits = pc.replace_substring_regex(records.column("phone"), r"\D", "")
    digits = pc.if_else(pc.equal(pc.utf8_length(digits), 11), pc.utf8_slice_codeunits(digits, 1), digits)
    return records.set_column(records.column_names.index("phone"), "phone", digits)


def people_settings() -> MatchSettings:
    def names(name: str) -> dict:
        return {"name": name, "columns": [name], "levels": [
            {"kind": "null"}, {"kind": "exact", "term_frequency": True},
            {"kind": "jaro_winkler", "threshold": 0.92}, {"kind": "jaro_winkler", "threshold": 0.8}, {"kind": "else"}]}

    return MatchSettings.model_validate({
        "unique_id_column": "record_id",
        "blocking_rules": [
            ["email"],
            ["phone"],
            ["date_of_birth", {"column": "surname", "first_chars": 2}],
            ["date_of_birth", {"column": "first_name", "first_chars": 2}],
            ["first_name", "surname", "city"],
        ],
        "comparisons": [
            names("first_name"),
            names("surname"),
            {"name": "swapped_names", "columns": ["first_name", "surname"], "levels": [
                {"kind": "null"}, {"kind": "swapped"}, {"kind": "else"}]},
            {"name": "date_of_birth", "columns": ["date_of_birth"], "levels": [
                {"kind": "null"}, {"kind": "exact"},
                {"kind": "within", "distance": 3, "unit": "days", "date_format": "%Y-%m-%d"},
                {"kind": "levenshtein", "max_distance": 1}, {"kind": "else"}]},
            {"name": "email", "columns": ["email"], "levels": [
                {"kind": "null"}, {"kind": "exact"}, {"kind": "jaro_winkler", "threshold": 0.88}, {"kind": "else"}]},
            {"name": "phone", "columns": ["phone"], "levels": [
                {"kind": "null"}, {"kind": "exact"}, {"kind": "levenshtein", "max_distance": 1}, {"kind": "else"}]},
            {"name": "company", "columns": ["company"], "levels": [
                {"kind": "null"}, {"kind": "exact", "term_frequency": True},
                {"kind": "jaro_winkler", "threshold": 0.9}, {"kind": "else"}]},
            {"name": "city", "columns": ["city"], "levels": [
                {"kind": "null"}, {"kind": "exact", "term_frequency": True}, {"kind": "else"}]},
        ],
        "auto_merge_threshold": 0.95,
        "review_threshold": 0.5,
    })  # fmt: skip


def pairwise_accuracy(predicted_pairs: int, true_positive_pairs: int, true_pairs: int) -> str:
    precision = true_positive_pairs / predicted_pairs if predicted_pairs else 1.0
    recall = true_positive_pairs / true_pairs if true_pairs else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return f"predicted {predicted_pairs:,}  TP {true_positive_pairs:,}  P {precision:.4f}  R {recall:.4f}  F1 {f1:.4f}"


def pairs_within(groups: pd.Series) -> int:
    sizes = groups.value_counts().to_numpy()
    return int((sizes * (sizes - 1) // 2).sum())


def changed_and_new_records(records: pa.Table, person: np.ndarray, count: int, seed: int = 11) -> tuple[pa.Table, np.ndarray]:
    """Half changed existing records (email removed), half new records of existing people (a typo in the first name).

    Returns the records and the person of each new one (changed records keep their id and person).
    """
    rng = np.random.default_rng(seed)
    changed_rows = rng.choice(records.num_rows, size=count // 2, replace=False)
    changed = records.take(pa.array(changed_rows))
    changed = changed.set_column(changed.column_names.index("email"), "email", pa.nulls(len(changed_rows), pa.string()))
    source_rows = rng.choice(records.num_rows, size=count - count // 2, replace=False)
    fresh = records.take(pa.array(source_rows))
    first = np.array(fresh.column("first_name").to_pylist(), dtype="S16")
    fresh = fresh.set_column(1, "first_name", text(typo(rng, first)))
    fresh = fresh.set_column(0, "record_id", pa.array(np.arange(records.num_rows, records.num_rows + len(source_rows))))
    return pa.concat_tables([changed, fresh]), person[source_rows]


def run(records_count: int, changes: int) -> None:
    phases: dict[str, float] = {}
    clock = time.perf_counter()
    raw, person = generate_people(records_count)
    phases["generate"] = time.perf_counter() - clock
    settings = people_settings()

    process_started = clock = time.perf_counter()
    records = canonical(raw)
    del raw
    phases["load"] = time.perf_counter() - clock
    clock = time.perf_counter()
    model = train_model(records, settings, u_sample_pairs=1_000_000)
    phases["train"] = time.perf_counter() - clock
    clock = time.perf_counter()
    pairs = score_table(records, model, min_match_probability=settings.review_threshold)
    phases["predict"] = time.perf_counter() - clock
    clock = time.perf_counter()
    result = cluster_pairs(pairs, records.column("record_id").to_numpy(), threshold=settings.auto_merge_threshold, size_alarm=10)
    phases["cluster"] = time.perf_counter() - clock
    dedupe_seconds = time.perf_counter() - process_started

    same_person = person[pairs.id_l.to_numpy()] == person[pairs.id_r.to_numpy()]
    merged = pairs.match_probability.to_numpy() >= settings.auto_merge_threshold
    true_pairs = pairs_within(pd.Series(person))
    cluster_of = result.clusters.cluster_id.to_numpy()
    clustered_predicted = pairs_within(pd.Series(cluster_of))
    clustered_true = pairs_within(pd.Series(cluster_of.astype(np.int64) * (person.max() + 1) + person))
    print(f"records {records.num_rows:,}  true duplicate pairs {true_pairs:,}  "
          f"blocked pairs {model.training.blocked_pairs:,} ({model.training.distinct_patterns:,} patterns)  "
          f"pairs >= review {len(pairs):,}")
    print(f"training: EM {model.training.em_iterations} iterations (converged {model.training.em_converged}), "
          f"prior {model.prior_match_probability:.3g}, steps {model.training.seconds}")
    print(f"pairs >= auto-merge        {pairwise_accuracy(int(merged.sum()), int((merged & same_person).sum()), true_pairs)}")
    print(f"clusters (pairwise)        {pairwise_accuracy(clustered_predicted, clustered_true, true_pairs)}")
    print(f"clusters above 10 records {len(result.oversized):,}  largest {int(result.oversized['size'].max()) if len(result.oversized) else 0}")
    print("wall time: " + "  ".join(f"{k} {v:.2f} s" for k, v in phases.items())
          + f"  | dedupe (load+train+predict+cluster) {dedupe_seconds:.2f} s")
    print(f"peak RSS after dedupe {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")

    with tempfile.TemporaryDirectory() as folder:
        model_path = save_model(model, Path(folder) / "people-model.json")
        new_records, new_person = changed_and_new_records(records, person, changes)
        clock = time.perf_counter()
        saved = load_model(model_path, settings)
        new_pairs = score_new_records(new_records, records, saved, min_match_probability=settings.auto_merge_threshold)
        involved = pd.unique(np.concatenate([new_pairs.id_l.to_numpy(), new_pairs.id_r.to_numpy(), new_records.column("record_id").to_numpy()]))
        cluster_pairs(new_pairs, involved, threshold=settings.auto_merge_threshold)
        incremental_seconds = time.perf_counter() - clock
    every_person = np.concatenate([person, new_person])
    correct = every_person[new_pairs.id_l.to_numpy()] == every_person[new_pairs.id_r.to_numpy()]
    print(f"incremental: {new_records.num_rows:,} changed/new records resolved against {records.num_rows:,} with the saved model "
          f"in {incremental_seconds:.2f} s; {len(new_pairs):,} merge pairs, {int(correct.sum()):,} correct")
    print(f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--changes", type=int, default=1_000)
    args = parser.parse_args()
    run(args.records, args.changes)


if __name__ == "__main__":
    main()
