"""The `api:` section of loophub.yaml: rate limits and how long a verified key is trusted."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator


class ApiSettings(BaseModel):
    """Settings of `loophub serve`; every field has a default, so the section is optional."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    rate_limit: str | None = Field(
        default="1200/minute",
        description="requests per API key (per client address without a key), e.g. '100/minute' or '20/second;1000/hour'; null turns limiting off",
    )
    key_cache_seconds: float = Field(
        default=5.0,
        ge=0,
        le=60,
        description="how long a verified key is trusted without asking the database; a revocation takes effect within this time",
    )
    last_used_resolution_seconds: int = Field(
        default=60, ge=1, le=86_400, description="a key's last-used time is written at most this often"
    )

    @field_validator("rate_limit")
    @classmethod
    def _parsable_limit(cls, value: str | None) -> str | None:
        if value is None:
            return None
        from limits import (
            parse_many,  # here, not at the top: every CLI command loads this model, few set a limit
        )

        try:
            parse_many(value)
        except ValueError:
            raise ValueError(f"{value!r} is not a rate limit; write it like '100/minute' or '20/second;1000/hour'") from None
        return value
