"""Probabilistic record matching (Fellegi-Sunter, in the Splink style, on in-process DuckDB).

Generic over a table of records: settings describe the columns, blocking
rules and comparisons; `train_model` learns m/u; the scoring functions give
pairwise match weights and probabilities; `cluster_pairs` groups records.

    settings = MatchSettings.model_validate(config)
    model = train_model(records, settings)
    pairs = score_table(records, model, min_match_probability=settings.review_threshold)
    clusters = cluster_pairs(pairs, records[settings.unique_id_column], threshold=settings.auto_merge_threshold)
"""

from .clustering import ClusterResult, cluster_pairs
from .model import ComparisonParameters, LevelParameters, TrainedModel
from .model_store import ModelMismatchError, ModelStoreError, load_model, save_model
from .records import RecordsError
from .scoring import (
    ComparisonExplanation,
    PairExplanation,
    explain_pair,
    score_new_records,
    score_table,
)
from .settings import BlockingKey, BlockingRule, Comparison, MatchSettings
from .training import TrainingError, train_model

__all__ = [
    "BlockingKey",
    "BlockingRule",
    "ClusterResult",
    "Comparison",
    "ComparisonExplanation",
    "ComparisonParameters",
    "LevelParameters",
    "MatchSettings",
    "ModelMismatchError",
    "ModelStoreError",
    "PairExplanation",
    "RecordsError",
    "TrainedModel",
    "TrainingError",
    "cluster_pairs",
    "explain_pair",
    "load_model",
    "save_model",
    "score_new_records",
    "score_table",
    "train_model",
]
