"""Which connector serves which system, and how a loophub connection becomes its config."""

from __future__ import annotations

import importlib
from typing import Any

from airbyte_cdk.sources import AbstractSource

from loophub.config import ConnectionConfig

# Each connector package exposes `Source` (an Airbyte AbstractSource) and `Writer`.
CONNECTOR_PACKAGES = {
    "salesforce": "connectors.salesforce",
    "hubspot": "connectors.hubspot",
    "zendesk": "connectors.zendesk",
}


def connector_package(system: str) -> Any:
    return importlib.import_module(CONNECTOR_PACKAGES[system])


def source_config(connection: ConnectionConfig) -> dict[str, Any]:
    """The Airbyte config of a connection: its credentials, options and base URL as one mapping."""
    config: dict[str, Any] = {key: secret.get_secret_value() for key, secret in connection.credentials.items()}
    config.update(connection.options)
    if connection.base_url:
        config["base_url"] = connection.base_url
    return config


def build_source(connection: ConnectionConfig) -> tuple[AbstractSource, dict[str, Any]]:
    source: AbstractSource = connector_package(connection.system).Source()
    return source, source_config(connection)
