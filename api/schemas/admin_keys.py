"""Creating an API key through the admin API: the one answer that carries a secret."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from api.schemas.admin_common import PrintableText
from api.schemas.keys import KeyOut


class KeyCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"name": "support-portal", "scope": "read"}]},
    )

    name: PrintableText = Field(
        min_length=1, max_length=100, description="who or what uses the key"
    )
    scope: Literal["read", "admin"] = "read"


class KeyCreated(BaseModel):
    """The new key and its secret, shown this once: loophub keeps only its hash."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "key": KeyOut.model_config["json_schema_extra"]["examples"][0],
                    "secret": "lh_9f2c41ab_Zm9vYmFyYmF6cXV4cXV1eHF1dXhxdXV4cXV1eA",
                }
            ]
        }  # type: ignore[index]
    )

    key: KeyOut
    secret: str = Field(
        description="the whole key, `lh_<prefix>_<secret>`; store it now, it cannot be shown again"
    )
