"""The `identity:` section of loophub.yaml: thresholds, merge protection, cluster guards and survivorship."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

SurvivorshipRule = Literal["source_priority", "most_recent", "most_complete", "most_frequent"]


class StrictModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Thresholds(StrictModel):
    """Match probabilities: at or above `auto_merge` two records merge; between `review` and it, a person decides."""

    auto_merge: float = Field(default=0.99, gt=0, le=1)
    review: float = Field(default=0.5, gt=0, le=1)

    @model_validator(mode="after")
    def _ordered(self) -> Thresholds:
        if self.review > self.auto_merge:
            raise ValueError("review must not be above auto_merge")
        return self


class MergeProtection(StrictModel):
    """Values that must never merge records on their own (like Segment's merge protection)."""

    # A key (email, phone, domain) seen on records with more distinct names than this is shared, not personal.
    max_names_per_key: int = Field(default=3, ge=1)
    # A cluster larger than this raises an alarm event: chained false merges usually show up as giants.
    max_cluster_size: int = Field(default=25, ge=2)


class Survivorship(StrictModel):
    """Which value a golden profile shows when members disagree; each field may choose its own rule."""

    default_rule: SurvivorshipRule = "most_recent"
    source_priority: list[str] = Field(default_factory=lambda: ["salesforce", "hubspot", "zendesk"])
    fields: dict[str, SurvivorshipRule] = Field(default_factory=dict)


class IdentitySettings(StrictModel):
    """Everything identity resolution can be told; each default is what a new install should use."""

    person: Thresholds = Field(default_factory=Thresholds)
    company: Thresholds = Field(default_factory=Thresholds)
    protection: MergeProtection = Field(default_factory=MergeProtection)
    survivorship: Survivorship = Field(default_factory=Survivorship)

    def thresholds(self, entity: str) -> Thresholds:
        return self.person if entity == "person" else self.company
