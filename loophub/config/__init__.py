"""loophub.yaml: loading, validation and the errors an admin sees."""

from loophub.config.errors import ConfigError, ConfigProblem
from loophub.config.loader import config_path, load_config, parse_config
from loophub.config.models import ConnectionConfig, DatabaseConfig, LoophubConfig

__all__ = [
    "ConfigError",
    "ConfigProblem",
    "ConnectionConfig",
    "DatabaseConfig",
    "LoophubConfig",
    "config_path",
    "load_config",
    "parse_config",
]
