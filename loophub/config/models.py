"""The shape of loophub.yaml, validated with Pydantic."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, SecretStr, ValidationInfo, field_validator

from api.settings import ApiSettings
from flows.writeback.settings import PolicySettings
from identity.settings import IdentitySettings
from mapping.spec import MappingSettings

System = Literal["salesforce", "hubspot", "zendesk"]

# Which credential keys each system takes; one of the alternatives must be complete.
CREDENTIAL_SETS: dict[str, list[set[str]]] = {
    "salesforce": [
        {"client_id", "client_secret", "refresh_token"},
        {"client_id", "client_secret", "username", "password"},
        {"client_id", "client_secret"},
    ],
    "hubspot": [{"access_token"}],
    "zendesk": [{"email", "api_token"}, {"oauth_token"}],
}
OPTIONAL_CREDENTIALS: dict[str, set[str]] = {"salesforce": {"security_token"}}

_NAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{0,99}$")


class StrictModel(BaseModel):
    """Unknown keys are errors: a typo must not be silently ignored."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class DatabaseConfig(StrictModel):
    url: str = Field(description="SQLAlchemy URL, e.g. sqlite:///loophub.db or postgresql://user@host/db")


class ConnectionConfig(StrictModel):
    """One vendor account loophub reads from and writes to."""

    name: str = Field(description="lower-case letters, digits, - and _")
    system: System
    credentials: dict[str, SecretStr] = Field(default_factory=dict, validate_default=True)
    base_url: str | None = Field(None, description="overrides the vendor's address, e.g. for the sandbox")
    options: dict[str, Any] = Field(default_factory=dict)
    # The environment variable each credential came from, so it can be shown without its value.
    _credential_sources: dict[str, str] = PrivateAttr(default_factory=dict)

    @field_validator("name")
    @classmethod
    def _valid_name(cls, name: str) -> str:
        if not _NAME_PATTERN.match(name):
            raise ValueError("a connection name uses lower-case letters, digits, '-' and '_', like 'salesforce-prod'")
        return name

    @field_validator("base_url")
    @classmethod
    def _valid_base_url(cls, url: str | None) -> str | None:
        if url is not None and not re.match(r"^https?://[^/\s]+", url):
            raise ValueError("base_url must start with http:// or https:// and a host, like https://127.0.0.1:8443")
        return url.rstrip("/") if url else url

    @field_validator("credentials")
    @classmethod
    def _complete_credentials(cls, credentials: dict[str, SecretStr], info: ValidationInfo) -> dict[str, SecretStr]:
        system = info.data.get("system")
        if system is None:  # the system itself is wrong; that error is reported on its own
            return credentials
        given = set(credentials)
        alternatives = CREDENTIAL_SETS[system]
        known = set().union(*alternatives) | OPTIONAL_CREDENTIALS.get(system, set())
        unknown = sorted(given - known)
        if unknown:
            raise ValueError(f"unknown credential {', '.join(unknown)} for {system}; known: {', '.join(sorted(known))}")
        if not any(option <= given for option in alternatives):
            described = " or ".join("{" + ", ".join(sorted(option)) + "}" for option in alternatives)
            raise ValueError(f"incomplete credentials for {system}: give {described}")
        return credentials

    @property
    def credential_sources(self) -> dict[str, str]:
        return dict(self._credential_sources)


class LoophubConfig(StrictModel):
    """The whole of loophub.yaml. Sections for later rooms are accepted as mappings until their schema lands."""

    # Where the file came from and its YAML tree, so later checks (mapping specs) can name lines too.
    _origin: tuple[Path, Any] | None = PrivateAttr(default=None)

    def origin(self) -> tuple[Path, Any] | None:
        """The file this configuration was read from and its YAML tree; None for the built-in defaults."""
        return self._origin

    version: Literal[1] = 1
    database: DatabaseConfig | None = None
    connections: list[ConnectionConfig] = Field(default_factory=list)
    mapping: MappingSettings = Field(default_factory=MappingSettings)
    identity: IdentitySettings = Field(default_factory=IdentitySettings)
    policies: PolicySettings = Field(default_factory=PolicySettings)
    api: ApiSettings = Field(default_factory=ApiSettings)

    @field_validator("connections")
    @classmethod
    def _unique_names(cls, connections: list[ConnectionConfig]) -> list[ConnectionConfig]:
        seen: set[str] = set()
        for connection in connections:
            if connection.name in seen:
                raise ValueError(f"two connections are named {connection.name!r}; names must be unique")
            seen.add(connection.name)
        return connections

    def connection(self, name: str) -> ConnectionConfig | None:
        return next((connection for connection in self.connections if connection.name == name), None)
