"""The Zendesk connector's settings: one Pydantic model whose JSON schema is the Airbyte spec."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from airbyte_cdk.models import ConnectorSpecification
from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, model_validator

from connectors.common import Classification, ConnectorError, RetryPolicy, Verdict

SECRET = {"airbyte_secret": True}


class ZendeskConfig(BaseModel):
    """What a Zendesk Support connection needs: an account, a login, and knobs with sensible defaults."""

    model_config = ConfigDict(extra="ignore", title="Zendesk Support")

    subdomain: str = Field(
        pattern=r"^[A-Za-z0-9][A-Za-z0-9-]*$",
        description="The account's subdomain: `acme` for acme.zendesk.com.",
        json_schema_extra={"order": 0},
    )
    email: str | None = Field(None, description="Login email of the API token's user (an admin, for the exports).")
    api_token: SecretStr | None = Field(None, description="API token (Admin Center > Apps and integrations > APIs).", json_schema_extra=SECRET)
    oauth_token: SecretStr | None = Field(None, description="OAuth access token, instead of email and API token.", json_schema_extra=SECRET)
    base_url: str | None = Field(
        None,
        pattern=r"^https?://[^/\s]+/?$",
        description="API address; empty means https://{subdomain}.zendesk.com. Change it only for a proxy or a test stand-in.",
    )
    start_date: datetime | None = Field(None, description="Read only records changed at or after this instant (ISO 8601). Empty reads everything.")
    max_retries: int = Field(7, ge=0, le=20, description="Retries of a rate-limited or failed call before giving up.")
    retry_base_delay: float = Field(1.0, ge=0, le=60, description="Seconds before the first retry when Zendesk gives no Retry-After.")
    retry_max_delay: float = Field(60.0, ge=0, le=600, description="Longest wait between two retries, in seconds.")
    request_timeout: float = Field(60.0, gt=0, le=600, description="Seconds to wait for one Zendesk answer.")
    incremental_exports_per_minute: int = Field(
        10, ge=1, le=100_000, description="Incremental export calls allowed per minute (Zendesk allows 10; 30 with the High Volume add-on)."
    )
    plan_requests_reserve: int = Field(
        0, ge=0, description="Pause until the next minute when fewer requests than this remain of the plan's per-minute limit."
    )
    recent_minutes: int = Field(
        2, ge=0, le=60,
        description="After each export, read tickets, users and organizations changed in the last N minutes through Search "
        "(the exports hide the newest minute); 0 turns it off.",
    )
    job_poll_interval: float = Field(1.0, gt=0, le=60, description="Seconds between two looks at a bulk write's job status.")
    job_timeout: float = Field(600.0, gt=0, le=3600, description="Longest wait for a bulk write's job to finish, in seconds.")

    @model_validator(mode="after")
    def _one_login(self) -> ZendeskConfig:
        if self.oauth_token is None and (self.email is None or self.api_token is None):
            raise ValueError("give email and api_token, or oauth_token")
        return self

    @property
    def api_root(self) -> str:
        """Scheme and host every call goes to."""
        return (self.base_url or f"https://{self.subdomain}.zendesk.com").rstrip("/")

    @property
    def start_time(self) -> int:
        """`start_date` in epoch seconds, the unit of Zendesk's exports; 0 reads from the beginning."""
        if self.start_date is None:
            return 0
        moment = self.start_date if self.start_date.tzinfo else self.start_date.replace(tzinfo=UTC)
        return max(int(moment.timestamp()), 0)

    def retry_policy(self) -> RetryPolicy:
        """Retries as configured: `max_retries` after the first attempt, backing off from `retry_base_delay`."""
        return RetryPolicy(max_attempts=self.max_retries + 1, base_delay=self.retry_base_delay, max_delay=self.retry_max_delay)


def parse_config(config: Mapping[str, Any]) -> ZendeskConfig:
    """The validated settings, or a configuration error naming the fields to fix (never their values)."""
    try:
        return ZendeskConfig.model_validate(dict(config))
    except ValidationError as error:
        fields = sorted({".".join(str(part) for part in problem["loc"]) for problem in error.errors()} - {""})
        parts = [f"check {', '.join(fields)}"] if fields else []
        if any(not problem["loc"] for problem in error.errors()):  # the one-login rule belongs to no single field
            parts.append("give either email and api_token, or oauth_token")
        message = f"The Zendesk settings are not valid: {'; '.join(parts)}."
        raise ConnectorError(Verdict(Classification.CONFIGURATION, message), internal=str(error)) from None


def specification() -> ConnectorSpecification:
    """The Airbyte spec: the settings model's JSON schema."""
    return ConnectorSpecification(
        documentationUrl="https://developer.zendesk.com/api-reference/ticketing/introduction/",
        connectionSpecification=ZendeskConfig.model_json_schema(),
        supportsIncremental=True,
    )
