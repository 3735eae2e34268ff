"""The probabilistic tier: Fellegi-Sunter match probabilities for pairs of canonical records.

Settings per entity (PERSON_SETTINGS / COMPANY_SETTINGS) are tuned for CRM
and helpdesk data. People: given and family name keys (nicknames already
folded into given_key; typos, folded accents and case noise caught by
Jaro-Winkler levels; a swapped first/last name has its own comparison),
email key, phone (term-frequency weighted: switchboard numbers are shared
by colleagues), the person's company domain and country. Blocking adds the
email local part, phonetic keys and company name key. Left out on purpose,
from measurement on the sandbox:
- the email local part as a comparison: "first.last" at two companies
  agrees for namesakes, doubling the name evidence (164 namesake pairs
  merged at 10,000 people with it, 0 without);
- the company name key and the city next to the company domain: all three
  say "same company", so colleagues sharing a family name scored as one person.
Companies: name key (term-frequency weighted), domain (or, for a record
listing none, the domain its people write from), phone, city, country.

Same-dataset pairs. A CRM object rarely holds a true duplicate, and
namesakes in one object are common, yet HubSpot and Zendesk do hold
duplicates (a second contact created from a personal address), about 3 % of
true person pairs, and more through transitivity. Linking across datasets
only would lose those for good, so every pair is compared and a
`same_dataset` comparison (same dataset / different) learns how many more
bits a within-dataset pair needs (about 3). Inside HubSpot contacts and
Zendesk users, which refuse a second record with an address in use, emails
cannot agree, so their disagreement is weighed as missing (0) for such
pairs. Rows carry `same_dataset` so a caller clustering with the
one-record-per-dataset guard can pin within-dataset pairs at or above
auto-merge and guard the rest (as bench.identity_accuracy does).

m is floored at M_FLOOR per level after training, so no single disagreement
(a company's city typed differently) becomes a -30 bit veto.

    model = train_entity_model(records, "person", settings)
    edges = probabilistic_edges(records, model, "person", settings)
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
import pandas as pd

from identity.matching import MatchSettings, TrainedModel, score_new_records, score_table, train_model
from identity.matching.comparisons import level_column
from identity.matching.scoring import weight_column
from identity.settings import IdentitySettings

Entity = Literal["person", "company"]
SAME_DATASET_COLUMN = "same_dataset_group"
M_FLOOR = 1e-3
# Systems that refuse a second record with an address already in use: two records of one of these
# datasets cannot share an email, so their emails disagreeing says nothing.
UNIQUE_EMAIL_DATASETS = frozenset({"hubspot:contacts", "zendesk:users"})
EMAIL_COMPARISONS = ("email", "email_local")
EDGE_COLUMNS = ["left_id", "right_id", "rule", "score", "match_weight", "same_dataset", "details"]


def _name_levels(tf: bool = True) -> list[dict[str, Any]]:
    return [
        {"kind": "null"},
        {"kind": "exact", "term_frequency": tf},
        {"kind": "jaro_winkler", "threshold": 0.92},
        {"kind": "jaro_winkler", "threshold": 0.8},
        {"kind": "else"},
    ]


_SAME_DATASET = {"name": "same_dataset", "columns": [SAME_DATASET_COLUMN], "levels": [{"kind": "exact"}, {"kind": "else"}]}

PERSON_SETTINGS = MatchSettings.model_validate(
    {
        "unique_id_column": "record_id",
        "dataset_column": "dataset",
        "link_type": "dedupe_only",
        "blocking_rules": [
            ["email_key"],
            ["email_local"],
            ["given_key", "family_key"],
            ["phone"],
            ["family_key", "company_key"],
            ["given_key", "company_key"],
            ["given_phonetic", "family_phonetic"],
            ["family_phonetic", "company_name_key"],
        ],
        "comparisons": [
            {"name": "given_name", "columns": ["given_key"], "levels": _name_levels()},
            {"name": "family_name", "columns": ["family_key"], "levels": _name_levels()},
            {
                "name": "email",
                "columns": ["email_key"],
                "levels": [{"kind": "null"}, {"kind": "exact"}, {"kind": "else"}],
            },
            {
                "name": "phone",
                "columns": ["phone"],
                "levels": [{"kind": "null"}, {"kind": "exact", "term_frequency": True}, {"kind": "else"}],
            },
            {
                "name": "company_domain",
                "columns": ["company_key"],
                "levels": [{"kind": "null"}, {"kind": "exact"}, {"kind": "else"}],
            },
            {"name": "country", "columns": ["country"], "levels": [{"kind": "null"}, {"kind": "exact"}, {"kind": "else"}]},
            {
                "name": "name_swapped",
                "columns": ["given_key", "family_key"],
                "levels": [{"kind": "null"}, {"kind": "swapped"}, {"kind": "else"}],
            },
            _SAME_DATASET,
        ],
    }
)

COMPANY_SETTINGS = MatchSettings.model_validate(
    {
        "unique_id_column": "record_id",
        "dataset_column": "dataset",
        "link_type": "dedupe_only",
        "blocking_rules": [
            ["domain_evidence"],
            ["name_key"],
            ["phone"],
            [{"column": "name_key", "first_chars": 5}, "country"],
            [{"column": "name_key", "first_chars": 4}, "city"],
        ],
        "comparisons": [
            {"name": "name", "columns": ["name_key"], "levels": _name_levels()},
            {"name": "domain", "columns": ["domain_evidence"], "levels": [{"kind": "null"}, {"kind": "exact"}, {"kind": "else"}]},
            {
                "name": "phone",
                "columns": ["phone"],
                "levels": [{"kind": "null"}, {"kind": "exact", "term_frequency": True}, {"kind": "else"}],
            },
            {"name": "city", "columns": ["city"], "levels": [{"kind": "null"}, {"kind": "exact"}, {"kind": "else"}]},
            {"name": "country", "columns": ["country"], "levels": [{"kind": "null"}, {"kind": "exact"}, {"kind": "else"}]},
            _SAME_DATASET,
        ],
    }
)


def match_settings(entity: Entity, settings: IdentitySettings) -> MatchSettings:
    """The entity's MatchSettings with the identity section's thresholds."""
    base = PERSON_SETTINGS if entity == "person" else COMPANY_SETTINGS
    thresholds = settings.thresholds(entity)
    return base.model_copy(update={"auto_merge_threshold": thresholds.auto_merge, "review_threshold": thresholds.review})


def _prepared(records: pd.DataFrame, entity: Entity) -> pd.DataFrame:
    base = PERSON_SETTINGS if entity == "person" else COMPANY_SETTINGS
    frame = records.copy()
    frame[SAME_DATASET_COLUMN] = frame["dataset"]
    if entity == "company":
        # A record listing no domain is known by the domain its people write from.
        frame["domain_evidence"] = frame["domain"].combine_first(frame["member_domain"])
    columns = dict.fromkeys(["record_id", "dataset", *base.compared_columns(), *base.blocking_columns()])
    return frame[list(columns)]


def train_entity_model(records: pd.DataFrame, entity: Entity, settings: IdentitySettings, **training: Any) -> TrainedModel:
    """Train m, u and the prior on `records` (from `identity.records.load_records`).

    EM drives m of a level it never sees among matches to ~1e-9, which turns one
    disagreement (a company's city typed differently, a renamed account) into a
    veto of -30 bits; m is floored at M_FLOOR per level so no single comparison
    outweighs all the others.
    """
    model = train_model(_prepared(records, entity), match_settings(entity, settings), **training)
    return _floor_m(model)


def _floor_m(model: TrainedModel) -> TrainedModel:
    comparisons = []
    for parameters in model.comparisons:
        informative = [level for level in parameters.levels if level.m is not None]
        total = sum(max(level.m, M_FLOOR) for level in informative)
        levels = [
            level if level.m is None else level.model_copy(update={"m": max(level.m, M_FLOOR) / total})
            for level in parameters.levels
        ]
        comparisons.append(parameters.model_copy(update={"levels": levels}))
    return model.model_copy(update={"comparisons": comparisons})


def probabilistic_edges(
    records: pd.DataFrame,
    model: TrainedModel,
    entity: Entity,
    settings: IdentitySettings,
    changed_ids: set[int] | None = None,
) -> pd.DataFrame:
    """Scored pairs at or above the entity's review threshold: left_id < right_id, rule "probabilistic",
    score (match probability), match_weight, same_dataset, details {comparison: {"level", "weight"}}.

    With `changed_ids`, only the changed records are scored, against all records and each other.
    """
    threshold = settings.thresholds(entity).review
    prepared = _prepared(records, entity)
    # Scored without a floor: unique-email pairs are re-weighted below before the threshold applies.
    floor = None if entity == "person" else threshold
    if changed_ids is None:
        scored = score_table(prepared, model, min_match_probability=floor)
    else:
        new = prepared[prepared["record_id"].isin(list(changed_ids))]
        scored = score_new_records(new, prepared, model, min_match_probability=floor)
    if entity == "person":
        scored = _unique_email_pairs_neutral(scored, model)
        scored = scored[scored["match_probability"] >= threshold]
    return _edges(scored, model)


def _unique_email_pairs_neutral(scored: pd.DataFrame, model: TrainedModel) -> pd.DataFrame:
    """Within a unique-email dataset, email disagreement is forced by the system: weigh it as missing (0)."""
    if scored.empty:
        return scored
    same = (scored["dataset_l"].astype(str) == scored["dataset_r"].astype(str)) & scored["dataset_l"].astype(str).isin(UNIQUE_EMAIL_DATASETS)
    if not same.any():
        return scored
    scored = scored.copy()
    total = scored["match_weight"].to_numpy(dtype=np.float64).copy()
    mask = same.to_numpy()
    for name in EMAIL_COMPARISONS:
        column = weight_column(name)
        if column not in scored:
            continue
        weights = scored[column].to_numpy(dtype=np.float64).copy()
        negative = mask & (weights < 0)
        total[negative] -= weights[negative]
        weights[negative] = 0.0
        scored[column] = weights
    scored["match_weight"] = total
    scored["match_probability"] = 1.0 / (1.0 + np.exp2(-total))
    return scored


def _edges(scored: pd.DataFrame, model: TrainedModel) -> pd.DataFrame:
    if scored.empty:
        return pd.DataFrame(columns=EDGE_COLUMNS)
    left = scored["id_l"].to_numpy(dtype=np.int64)
    right = scored["id_r"].to_numpy(dtype=np.int64)
    labels = {p.name: [level.label for level in p.levels] for p in model.comparisons}
    level_arrays = {c.name: scored[level_column(c)].to_numpy() for c in model.settings.comparisons}
    weight_arrays = {c.name: scored[weight_column(c.name)].to_numpy() for c in model.settings.comparisons}
    details = [
        {name: {"level": labels[name][int(level_arrays[name][i])], "weight": round(float(weight_arrays[name][i]), 3)} for name in labels}
        for i in range(len(scored))
    ]
    return pd.DataFrame(
        {
            "left_id": np.minimum(left, right),
            "right_id": np.maximum(left, right),
            "rule": "probabilistic",
            "score": scored["match_probability"].to_numpy(dtype=np.float64),
            "match_weight": scored["match_weight"].to_numpy(dtype=np.float64),
            "same_dataset": (scored["dataset_l"].astype(str) == scored["dataset_r"].astype(str)).to_numpy(),
            "details": details,
        }
    )
