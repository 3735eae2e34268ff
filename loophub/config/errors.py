"""Configuration errors that name the file, the line, the field and the fix."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from loophub.errors import ErrorKind, LoopError


@dataclass(frozen=True)
class ConfigProblem:
    line: int | None  # 1-based
    path: str  # dotted field path, e.g. connections[0].system
    message: str

    def render(self, file: Path) -> str:
        where = f"{file}:{self.line}" if self.line else str(file)
        field = f" {self.path}:" if self.path else ""
        return f"{where}:{field} {self.message}"


class ConfigError(LoopError):
    """loophub.yaml cannot be used; every problem found is listed at once."""

    kind = ErrorKind.CONFIG
    exit_code = 2

    def __init__(self, file: Path, problems: list[ConfigProblem]) -> None:
        self.file = file
        self.problems = problems
        lines = [problem.render(file) for problem in problems]
        heading = f"{file} has {len(problems)} problem{'s' if len(problems) != 1 else ''}:"
        super().__init__("\n".join([heading, *("  " + line for line in lines)]), kind=ErrorKind.CONFIG)
