"""The configuration the server runs with, kept where an admin edit can replace it for every later request."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

from fastapi import Depends, Request

from api.admin_errors import Conflict
from loophub.config import LoophubConfig


class ConfigHolder:
    """The current `LoophubConfig`, and a lock so two edits of loophub.yaml never interleave."""

    def __init__(self, config: LoophubConfig) -> None:
        self._config = config
        self._lock = threading.Lock()

    @property
    def config(self) -> LoophubConfig:
        return self._config

    def file(self) -> Path:
        """The loophub.yaml the server was started with; 409 when there is none to edit."""
        origin = self._config.origin()
        if origin is None or not origin[0].is_file():
            raise Conflict(
                "this server was not started from a loophub.yaml it can edit; add connections to the file and restart, or start `loophub serve` with --config"
            )
        return origin[0]

    def edit(self, change: Callable[[Path], LoophubConfig]) -> LoophubConfig:
        """Apply `change` to the file under the lock; what it returns (the file re-read) serves every later request."""
        with self._lock:
            self._config = change(self.file())
            return self._config


def config_holder(request: Request) -> ConfigHolder:
    holder: ConfigHolder = request.app.state.config
    return holder


ConfigDep = Annotated[ConfigHolder, Depends(config_holder)]
