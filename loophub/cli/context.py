"""What every command needs: the configuration, the database, and where to print."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

import typer
from rich.console import Console
from sqlalchemy import Engine

from loophub.config import LoophubConfig, load_config
from store import create_store_engine, ensure_database, resolve_database_url

console = Console()
error_console = Console(stderr=True)


@dataclass
class CliState:
    config_file: Path | None = None
    _config: LoophubConfig | None = field(default=None, repr=False)
    _engine: Engine | None = field(default=None, repr=False)

    def config(self) -> LoophubConfig:
        if self._config is None:
            self._config = load_config(self.config_file)
        return self._config

    def database_url(self) -> str:
        configured = self.config().database
        return resolve_database_url(configured.url if configured else None)

    def engine(self, *, ensure_schema: bool = True) -> Engine:
        """The store's engine; an empty database is brought to the current schema first."""
        if self._engine is None:
            self._engine = create_store_engine(self.database_url())
            if ensure_schema:
                ensure_database(self._engine)
        return self._engine


def state(ctx: typer.Context) -> CliState:
    obj = ctx.find_root().obj
    assert isinstance(obj, CliState)
    return obj


def connector_logs_to_terminal() -> None:
    """Connector logs as plain warnings on stderr, not the Airbyte JSON lines the CDK sets up on import."""
    import airbyte_cdk.entrypoint  # noqa: F401  (its import installs the JSON handler this removes)
    from airbyte_cdk.logger import AirbyteLogFormatter
    from rich.logging import RichHandler

    for logger in (logging.getLogger(), logging.getLogger("airbyte")):
        for handler in list(logger.handlers):
            if isinstance(handler.formatter, AirbyteLogFormatter):
                logger.removeHandler(handler)
    airbyte = logging.getLogger("airbyte")
    airbyte.setLevel(logging.WARNING)
    airbyte.addHandler(RichHandler(console=error_console, show_path=False))
    airbyte.propagate = False
