"""Saving and loading trained models as JSON, refusing a model trained for other settings."""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import ValidationError

from .model import MODEL_FORMAT_VERSION, TrainedModel
from .settings import MatchSettings


class ModelStoreError(ValueError):
    """A saved model cannot be used: unreadable, from an incompatible format, or for other settings."""


class ModelMismatchError(ModelStoreError):
    """The saved model was trained for different settings than the ones given."""


def save_model(model: TrainedModel, path: str | Path) -> Path:
    """Write `model` as JSON (settings, fingerprint, prior, m/u/weights, term frequencies)."""
    path = Path(path)
    path.write_text(model.model_dump_json(indent=1))
    return path


def load_model(path: str | Path, settings: MatchSettings | None = None) -> TrainedModel:
    """Read a model saved by `save_model`.

    With `settings`, the model must have been trained for them (same
    fingerprint); otherwise `ModelMismatchError` says which parts differ.
    """
    path = Path(path)
    try:
        raw = json.loads(path.read_text())
    except (OSError, json.JSONDecodeError) as exc:
        raise ModelStoreError(f"cannot read model file {path}: {exc}") from exc
    version = str(raw.get("format_version", ""))
    if version.split(".")[0] != MODEL_FORMAT_VERSION.split(".")[0]:
        raise ModelStoreError(f"model file {path} has format {version!r}; this code reads {MODEL_FORMAT_VERSION}")
    try:
        model = TrainedModel.model_validate(raw)
    except ValidationError as exc:
        raise ModelStoreError(f"model file {path} is not a valid model: {exc}") from exc
    if model.settings.model_fingerprint() != model.settings_fingerprint:
        raise ModelStoreError(f"model file {path} was edited: its settings no longer match its fingerprint")
    if settings is not None and settings.model_fingerprint() != model.settings_fingerprint:
        raise ModelMismatchError(
            f"model file {path} was trained for different settings ({_differences(model.settings, settings)}); "
            "retrain the model for these settings"
        )
    if settings is not None and settings != model.settings:
        # Same model, other blocking rules or thresholds: use the caller's.
        model = model.model_copy(update={"settings": settings})
    return model


def _differences(saved: MatchSettings, wanted: MatchSettings) -> str:
    fields = ["unique_id_column", "dataset_column", "link_type", "prior_match_probability"]
    differing = [name for name in fields if getattr(saved, name) != getattr(wanted, name)]
    saved_comparisons = {c.name: c for c in saved.comparisons}
    wanted_comparisons = {c.name: c for c in wanted.comparisons}
    for name in sorted(saved_comparisons.keys() | wanted_comparisons.keys()):
        if saved_comparisons.get(name) != wanted_comparisons.get(name):
            differing.append(f"comparison {name!r}")
    if not differing and [c.name for c in saved.comparisons] != [c.name for c in wanted.comparisons]:
        differing.append("order of comparisons")
    return "differs in " + ", ".join(differing)
