"""The HubSpot connector's settings: one Pydantic model whose JSON schema is the Airbyte spec."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from airbyte_cdk.models import ConnectorSpecification
from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError

from connectors.common import Classification, ConnectorError, RetryPolicy, Verdict

DEFAULT_BASE_URL = "https://api.hubapi.com"


class HubSpotConfig(BaseModel):
    """What a HubSpot connection needs: a private app token, and knobs with sensible defaults."""

    model_config = ConfigDict(extra="ignore", title="HubSpot")

    access_token: SecretStr = Field(
        description="Private app access token with the CRM read scopes (and write scopes for write-back).",
        json_schema_extra={"airbyte_secret": True, "order": 0},
    )
    base_url: str = Field(DEFAULT_BASE_URL, description="API address; change it only for a proxy or a test stand-in.")
    start_date: datetime | None = Field(
        None, description="Read only records modified at or after this instant (ISO 8601). Empty reads everything."
    )
    max_retries: int = Field(7, ge=0, le=20, description="Retries of a rate-limited or failed call before giving up.")
    retry_base_delay: float = Field(
        1.0, ge=0, le=60, description="Seconds before the first retry; later retries back off exponentially."
    )
    retry_max_delay: float = Field(10.0, ge=0, le=300, description="Longest wait between two retries, in seconds.")
    request_timeout: float = Field(60.0, gt=0, le=600, description="Seconds to wait for one HubSpot answer.")
    daily_budget_reserve: int = Field(
        0, ge=0, description="Stop reading (state saved) when fewer daily API calls than this remain for other apps."
    )
    company_contact_associations: bool = Field(
        True, description="Carry each company's associated contact ids in the companies stream."
    )
    idempotency_property: str = Field(
        "loophub_key",
        pattern=r"^[a-z][a-z0-9_]*$",
        description="Custom property (unique values) that holds the idempotency key of records loophub creates.",
    )

    def retry_policy(self) -> RetryPolicy:
        """Retries as configured: `max_retries` after the first attempt, backing off from `retry_base_delay`."""
        return RetryPolicy(max_attempts=self.max_retries + 1, base_delay=self.retry_base_delay, max_delay=self.retry_max_delay)

    @property
    def start_ms(self) -> int | None:
        """`start_date` in epoch milliseconds, the unit of HubSpot's search filters."""
        if self.start_date is None:
            return None
        moment = self.start_date if self.start_date.tzinfo else self.start_date.replace(tzinfo=UTC)
        return int(moment.timestamp() * 1000)


def parse_config(config: Mapping[str, Any]) -> HubSpotConfig:
    """The validated settings, or a configuration error naming the fields to fix (never their values)."""
    try:
        return HubSpotConfig.model_validate(dict(config))
    except ValidationError as error:
        fields = ", ".join(sorted({".".join(str(part) for part in problem["loc"]) for problem in error.errors()}))
        message = f"The HubSpot settings are not valid: check {fields}."
        raise ConnectorError(Verdict(Classification.CONFIGURATION, message), internal=str(error)) from None


def specification() -> ConnectorSpecification:
    """The Airbyte spec: the settings model's JSON schema."""
    schema = HubSpotConfig.model_json_schema()
    return ConnectorSpecification(
        documentationUrl="https://developers.hubspot.com/docs/api/private-apps",
        connectionSpecification=schema,
        supportsIncremental=True,
    )

