"""The Salesforce connector's settings: one Pydantic model whose JSON schema is the Airbyte spec."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from airbyte_cdk.models import ConnectorSpecification
from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, model_validator

from connectors.common import Classification, ConnectorError, RetryPolicy, Verdict
from connectors.salesforce.endpoints import DEFAULT_OBJECTS

DEFAULT_LOGIN_URL = "https://login.salesforce.com"
_SECRET = {"airbyte_secret": True}


class SalesforceConfig(BaseModel):
    """What a Salesforce connection needs: a connected app, a user's grant, and knobs with sensible defaults."""

    model_config = ConfigDict(extra="ignore", title="Salesforce")

    client_id: str = Field(min_length=1, description="Consumer key of the connected app.")
    client_secret: SecretStr = Field(description="Consumer secret of the connected app.", json_schema_extra=_SECRET)
    refresh_token: SecretStr | None = Field(
        None, description="OAuth refresh token of the integration user (or give username and password).",
        json_schema_extra=_SECRET,
    )
    username: str | None = Field(None, description="Integration user's username, for the password grant.")
    password: SecretStr | None = Field(None, description="Integration user's password.", json_schema_extra=_SECRET)
    security_token: SecretStr | None = Field(
        None, description="Security token appended to the password, when the org requires one.",
        json_schema_extra=_SECRET,
    )
    base_url: str = Field(
        DEFAULT_LOGIN_URL,
        description="Login host (https://test.salesforce.com for sandboxes, or a My Domain); calls then go to "
        "the instance the login answers with.",
    )
    api_version: str = Field("62.0", pattern=r"^\d{2,3}\.0$", description="REST API version, e.g. 62.0.")
    ca_bundle: str | None = Field(None, description="Path of a CA file to trust instead of the system's.")
    start_date: datetime | None = Field(
        None, description="Read only records changed at or after this instant (ISO 8601). Empty reads everything."
    )
    objects: list[str] = Field(
        default_factory=lambda: list(DEFAULT_OBJECTS), min_length=1, description="sObjects to read, one stream each."
    )
    bulk_threshold: int = Field(
        2000, ge=0, description="Read an object through Bulk API 2.0 when more records than this changed."
    )
    max_retries: int = Field(7, ge=0, le=20, description="Retries of a throttled or failed call before giving up.")
    retry_base_delay: float = Field(1.0, ge=0, le=60, description="Seconds before the first retry; then doubling.")
    retry_max_delay: float = Field(30.0, ge=0, le=600, description="Longest wait between two retries, in seconds.")
    request_timeout: float = Field(120.0, gt=0, le=900, description="Seconds to wait for one Salesforce answer.")
    api_budget_reserve: int = Field(
        0, ge=0, description="Stop reading (state saved) when fewer daily API calls than this remain for other apps."
    )
    idempotency_field: str = Field(
        "Loophub_Key__c",
        pattern=r"^[A-Za-z][A-Za-z0-9_]*__c$",
        description="External ID text field holding the idempotency key of records loophub creates.",
    )

    @model_validator(mode="after")
    def _one_grant(self) -> SalesforceConfig:
        if self.refresh_token is None and not (self.username and self.password is not None):
            raise ValueError("give refresh_token, or username and password")
        return self

    def retry_policy(self) -> RetryPolicy:
        """`max_retries` after the first attempt, backing off from `retry_base_delay`."""
        return RetryPolicy(self.max_retries + 1, self.retry_base_delay, self.retry_max_delay)

    @property
    def start(self) -> datetime | None:
        """`start_date` as an aware UTC instant."""
        if self.start_date is None:
            return None
        return self.start_date.astimezone(UTC) if self.start_date.tzinfo else self.start_date.replace(tzinfo=UTC)


def parse_config(config: Mapping[str, Any]) -> SalesforceConfig:
    """The validated settings, or a configuration error naming the fields to fix (never their values)."""
    try:
        return SalesforceConfig.model_validate(dict(config))
    except ValidationError as error:
        fields = sorted({".".join(str(part) for part in problem["loc"]) for problem in error.errors()})
        what = ", ".join(name for name in fields if name) or "refresh_token, or username and password"
        message = f"The Salesforce settings are not valid: check {what}."
        raise ConnectorError(Verdict(Classification.CONFIGURATION, message), internal=str(error)) from None


def specification() -> ConnectorSpecification:
    """The Airbyte spec: the settings model's JSON schema."""
    return ConnectorSpecification(
        documentationUrl="https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/",
        connectionSpecification=SalesforceConfig.model_json_schema(),
        supportsIncremental=True,
    )
