"""API keys as the admin routes show them: never the secret, never its hash."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class KeyOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"id": 3, "name": "support-portal", "prefix": "9f2c41ab", "scope": "read", "created_at": "2026-11-01T08:00:00+00:00", "last_used_at": "2026-11-02T09:31:00+00:00", "revoked_at": None}]}
    )

    id: int
    name: str
    prefix: str = Field(description="the public part of the key, `lh_<prefix>_…`, to tell keys apart")
    scope: str = Field(description="read or admin (admin implies read)")
    created_at: datetime
    last_used_at: datetime | None = Field(None, description="updated at most once a minute")
    revoked_at: datetime | None = None


class KeyList(BaseModel):
    items: list[KeyOut]
