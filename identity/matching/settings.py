"""The matching model described as data: columns, blocking rules, comparisons, prior, thresholds.

Settings know nothing about DuckDB; `blocking` and `comparisons` turn them
into SQL at the end. A `MatchSettings` is validated as a whole: every problem
found (a bad threshold, a comparison without an "else" level, a link without a
dataset column) is reported in one `pydantic.ValidationError`.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class NullLevel(_Frozen):
    """Either side is null: carries no evidence (Bayes factor 1)."""

    kind: Literal["null"] = "null"

    def label(self) -> str:
        return "null"


class ExactLevel(_Frozen):
    """All compared columns equal; optionally weighted by how common the value is."""

    kind: Literal["exact"] = "exact"
    term_frequency: bool = False

    def label(self) -> str:
        return "exact (term frequency adjusted)" if self.term_frequency else "exact"


class JaroWinklerLevel(_Frozen):
    """Jaro-Winkler similarity of every compared column at least `threshold`."""

    kind: Literal["jaro_winkler"] = "jaro_winkler"
    threshold: float = Field(gt=0, le=1)

    def label(self) -> str:
        return f"jaro_winkler >= {self.threshold:g}"


class LevenshteinLevel(_Frozen):
    """Edit distance of every compared column at most `max_distance`."""

    kind: Literal["levenshtein"] = "levenshtein"
    max_distance: int = Field(ge=1)

    def label(self) -> str:
        return f"levenshtein <= {self.max_distance}"


class WithinLevel(_Frozen):
    """Numbers, or dates in days, at most `distance` apart.

    `date_format` (strptime syntax, e.g. "%Y%m%d") parses text columns as dates.
    """

    kind: Literal["within"] = "within"
    distance: float = Field(ge=0)
    unit: Literal["number", "days"] = "number"
    date_format: str | None = None

    def label(self) -> str:
        unit = " days" if self.unit == "days" else ""
        return f"within {self.distance:g}{unit}"


class SwappedLevel(_Frozen):
    """The two compared columns equal each other crosswise (e.g. first and last name swapped)."""

    kind: Literal["swapped"] = "swapped"

    def label(self) -> str:
        return "swapped"


class ElseLevel(_Frozen):
    """Everything not caught by an earlier level."""

    kind: Literal["else"] = "else"

    def label(self) -> str:
        return "else"


Level = Annotated[
    NullLevel | ExactLevel | JaroWinklerLevel | LevenshteinLevel | WithinLevel | SwappedLevel | ElseLevel,
    Field(discriminator="kind"),
]


class Comparison(_Frozen):
    """One piece of evidence: a column (or a pair of columns) compared through ordered levels.

    The first level whose condition holds decides; the last level must be "else".
    """

    name: str
    columns: list[str] = Field(min_length=1, max_length=2)
    levels: list[Level] = Field(min_length=2)

    @field_validator("name")
    @classmethod
    def _name_is_identifier(cls, name: str) -> str:
        if not _NAME.match(name):
            raise ValueError("comparison names are letters, digits and underscores, not starting with a digit")
        return name

    @model_validator(mode="after")
    def _levels_are_coherent(self) -> Comparison:
        problems: list[str] = []
        kinds = [level.kind for level in self.levels]
        if kinds[-1] != "else" or kinds.count("else") != 1:
            problems.append("exactly one 'else' level is needed, and it must be last")
        if "null" in kinds and (kinds.index("null") != 0 or kinds.count("null") != 1):
            problems.append("the 'null' level must come first and only once")
        if kinds.count("exact") > 1:
            problems.append("at most one 'exact' level")
        if "swapped" in kinds and len(self.columns) != 2:
            problems.append("a 'swapped' level needs a pair of columns")
        for level in self.levels:
            if isinstance(level, ExactLevel) and level.term_frequency and len(self.columns) != 1:
                problems.append("term frequency adjustment needs a single column")
            if isinstance(level, WithinLevel) and level.date_format and level.unit != "days":
                problems.append("date_format only applies to unit 'days'")
        if not any(level.kind not in ("null", "else") for level in self.levels):
            problems.append("at least one level besides 'null' and 'else' is needed")
        if problems:
            raise ValueError("; ".join(problems))
        return self

    @property
    def null_level(self) -> int | None:
        """Index of the null level, if any."""
        return 0 if self.levels[0].kind == "null" else None

    @property
    def term_frequency_level(self) -> int | None:
        """Index of the exact level that asks for term frequency adjustment, if any."""
        for index, level in enumerate(self.levels):
            if isinstance(level, ExactLevel) and level.term_frequency:
                return index
        return None


class BlockingKey(_Frozen):
    """A column, or the first / last characters of it, that two records must share (non-null)."""

    column: str
    first_chars: int | None = Field(default=None, ge=1)
    last_chars: int | None = Field(default=None, ge=1)

    @model_validator(mode="after")
    def _one_derivation(self) -> BlockingKey:
        if self.first_chars is not None and self.last_chars is not None:
            raise ValueError("choose first_chars or last_chars, not both")
        return self


class BlockingRule(_Frozen):
    """Records become a candidate pair when all keys are equal.

    Written as data, a rule may be a bare list of keys and a key a bare column name.
    """

    keys: list[BlockingKey] = Field(min_length=1)

    @model_validator(mode="before")
    @classmethod
    def _list_is_keys(cls, data: Any) -> Any:
        return {"keys": data} if isinstance(data, list) else data

    @field_validator("keys", mode="before")
    @classmethod
    def _strings_are_columns(cls, keys: Any) -> Any:
        if isinstance(keys, list):
            return [{"column": key} if isinstance(key, str) else key for key in keys]
        return keys

    def describe(self) -> str:
        parts = []
        for key in self.keys:
            if key.first_chars:
                parts.append(f"{key.column}[:{key.first_chars}]")
            elif key.last_chars:
                parts.append(f"{key.column}[-{key.last_chars}:]")
            else:
                parts.append(key.column)
        return " & ".join(parts)


LinkType = Literal["dedupe_only", "link_only", "link_and_dedupe"]


class MatchSettings(_Frozen):
    """Everything that defines a probabilistic matching model over one table of records.

    `link_type` "link_only" compares records of different datasets only (the
    `dataset_column` tells them apart); "dedupe_only" compares every pair.
    Thresholds are match probabilities: at or above `auto_merge_threshold` a
    pair is merged, between `review_threshold` and it the pair goes to review.
    `prior_match_probability` is the chance two random records match; left
    out, training estimates it.
    """

    unique_id_column: str
    dataset_column: str | None = None
    link_type: LinkType = "dedupe_only"
    blocking_rules: list[BlockingRule] = Field(min_length=1)
    comparisons: list[Comparison] = Field(min_length=1)
    prior_match_probability: float | None = Field(default=None, gt=0, lt=1)
    auto_merge_threshold: float = Field(default=0.99, gt=0, le=1)
    review_threshold: float = Field(default=0.9, gt=0, le=1)

    @model_validator(mode="wrap")
    @classmethod
    def _validate_as_whole(cls, data: Any, handler: Any) -> MatchSettings:
        errors: list[Any] = []
        model = None
        try:
            model = handler(data)
        except ValidationError as exc:
            errors.extend(exc.errors())
        if isinstance(data, Mapping):
            errors.extend(_cross_field_errors(data))
        if errors:
            raise ValidationError.from_exception_data(cls.__name__, errors)
        return model

    def compared_columns(self) -> list[str]:
        """Columns used by comparisons, in order of first use."""
        return list(dict.fromkeys(column for comparison in self.comparisons for column in comparison.columns))

    def blocking_columns(self) -> list[str]:
        return list(dict.fromkeys(key.column for rule in self.blocking_rules for key in rule.keys))

    def model_fingerprint(self) -> str:
        """A hash of what gives a trained model's numbers their meaning.

        Covers the columns, link type, comparisons and a fixed prior. Blocking
        rules and thresholds are left out on purpose: they choose which pairs
        are scored and what is done with a score, so changing them does not
        invalidate m and u.
        """
        core = self.model_dump(
            mode="json", include={"unique_id_column", "dataset_column", "link_type", "comparisons", "prior_match_probability"}
        )
        return hashlib.sha256(json.dumps(core, sort_keys=True).encode()).hexdigest()[:16]


def _cross_field_errors(data: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Checks that span fields, run on the raw input so they are reported with field errors."""
    errors: list[dict[str, Any]] = []

    def problem(loc: tuple[str, ...], message: str) -> None:
        errors.append({"type": PydanticCustomError("settings", message), "loc": loc, "input": data.get(loc[0])})

    link_type = data.get("link_type", "dedupe_only")
    if link_type in ("link_only", "link_and_dedupe") and not data.get("dataset_column"):
        problem(("dataset_column",), f"link_type {link_type!r} needs a dataset_column")
    review, auto = data.get("review_threshold", 0.9), data.get("auto_merge_threshold", 0.99)
    if isinstance(review, (int, float)) and isinstance(auto, (int, float)) and review > auto:
        problem(("review_threshold",), "review_threshold must not exceed auto_merge_threshold")
    comparisons = data.get("comparisons")
    if isinstance(comparisons, list):
        names = [_field(c, "name") for c in comparisons]
        duplicates = sorted({n for n in names if n is not None and names.count(n) > 1})
        if duplicates:
            problem(("comparisons",), f"comparison names must be unique: {', '.join(map(str, duplicates))}")
        reserved = {data.get("unique_id_column"), data.get("dataset_column")} - {None}
        for index, comparison in enumerate(comparisons):
            columns = _field(comparison, "columns") or []
            clash = sorted(reserved.intersection(columns)) if isinstance(columns, list) else []
            if clash:
                problem(("comparisons", str(index)), f"id and dataset columns cannot be compared: {', '.join(clash)}")
    return errors


def _field(item: Any, name: str) -> Any:
    if isinstance(item, Mapping):
        return item.get(name)
    return getattr(item, name, None)
