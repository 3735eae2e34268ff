"""Small helpers shared by test modules."""

from __future__ import annotations

from pathlib import Path


def write_config(directory: Path, text: str) -> Path:
    path = directory / "loophub.yaml"
    path.write_text(text, encoding="utf-8")
    return path
