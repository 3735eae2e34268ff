"""A trained model: per comparison level the m and u probabilities and the match weight they give.

Everything needed to explain a score lives here and is saved with the model:
the settings, the prior, m/u/weight per level and the term-frequency tables.
"""

from __future__ import annotations

import math

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from .settings import MatchSettings

MODEL_FORMAT_VERSION = "1.0"


# The smallest m or u a level is given when its weight is computed (about ±20 bits at most).
PROBABILITY_FLOOR = 1e-6

class LevelParameters(BaseModel):
    """One level of a comparison. The null level has no m/u and weighs 0."""

    model_config = ConfigDict(frozen=True)

    label: str
    m: float | None = None
    u: float | None = None

    @property
    def match_weight(self) -> float:
        """log2(m / u): how much this level moves a pair towards (or away from) a match."""
        if self.m is None or self.u is None:
            return 0.0
        # A level never seen among sampled non-matches (or matches) has u (or m) of 0; a small
        # sample must not turn that into an infinite weight or a division by zero.
        return math.log2(max(self.m, PROBABILITY_FLOOR) / max(self.u, PROBABILITY_FLOOR))


class TermFrequencies(BaseModel):
    """Share of records carrying each value of a column, for values seen at least twice.

    Values missing from `shares` take `default_share` (one record's share).
    """

    model_config = ConfigDict(frozen=True)

    level: int
    shares: dict[str, float]
    default_share: float


class ComparisonParameters(BaseModel):
    """Trained parameters of one comparison, levels in the settings' order."""

    model_config = ConfigDict(frozen=True)

    name: str
    levels: list[LevelParameters]
    term_frequencies: TermFrequencies | None = None

    def weights(self) -> np.ndarray:
        """Match weight per level index."""
        return np.array([level.match_weight for level in self.levels], dtype=np.float64)


class TrainingSummary(BaseModel):
    """What training saw, for judging how far to trust the model."""

    model_config = ConfigDict(frozen=True)

    records: int
    u_sample_pairs: int
    blocked_pairs: int
    distinct_patterns: int
    em_iterations: int
    em_converged: bool
    prior_estimated: bool
    seconds: dict[str, float] = Field(default_factory=dict)


class TrainedModel(BaseModel):
    """Settings plus the parameters learnt for them."""

    model_config = ConfigDict(frozen=True)

    format_version: str = MODEL_FORMAT_VERSION
    settings: MatchSettings
    settings_fingerprint: str
    prior_match_probability: float = Field(gt=0, lt=1)
    comparisons: list[ComparisonParameters]
    training: TrainingSummary

    @property
    def prior_weight(self) -> float:
        """log2 of the prior odds: the match weight of a pair before any evidence."""
        p = self.prior_match_probability
        return math.log2(p / (1 - p))

    def parameters(self, name: str) -> ComparisonParameters:
        return next(c for c in self.comparisons if c.name == name)


def probability_from_weight(weight: np.ndarray | float) -> np.ndarray | float:
    """Match probability from a total match weight (log2 odds)."""
    return 1.0 / (1.0 + np.exp2(-np.asarray(weight, dtype=np.float64)))
