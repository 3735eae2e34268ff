"""Connections as the admin API shows and takes them: credentials are environment references, never values."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

CONNECTION_EXAMPLE: dict[str, Any] = {
    "name": "zendesk-eu",
    "system": "zendesk",
    "base_url": "https://acme.zendesk.com",
    "options": {"subdomain": "acme"},
    "credentials": [
        {"key": "api_token", "env": "ZD_TOKEN", "set": True},
        {"key": "email", "env": "ZD_EMAIL", "set": True},
    ],
}
ENV_REF_EXAMPLE = {"api_token": {"env": "ZD_TOKEN"}, "email": {"env": "ZD_EMAIL"}}
CREDENTIALS_DESCRIPTION = (
    'each credential as `{"env": "VAR_NAME"}`: loophub.yaml names the variable and the server reads the secret from its environment; '
    "a literal value is refused (422)"
)


class CredentialOut(BaseModel):
    key: str
    env: str | None = Field(
        None, description="the environment variable it is read from"
    )
    set: bool = Field(description="whether the server has a non-empty value for it")


class ConnectionOut(BaseModel):
    """A connection in loophub.yaml; credentials by key only."""

    model_config = ConfigDict(json_schema_extra={"examples": [CONNECTION_EXAMPLE]})

    name: str
    system: str
    base_url: str | None = None
    options: dict[str, Any] = Field(default_factory=dict)
    credentials: list[CredentialOut] = Field(default_factory=list)


class ConnectionList(BaseModel):
    items: list[ConnectionOut]


class ConnectionCreate(BaseModel):
    """A new connection, written into loophub.yaml."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "name": "zendesk-eu",
                    "system": "zendesk",
                    "base_url": "https://acme.zendesk.com",
                    "options": {"subdomain": "acme"},
                    "credentials": ENV_REF_EXAMPLE,
                }
            ]
        },
    )

    name: str = Field(max_length=100, description="lower-case letters, digits, - and _")
    system: Literal["salesforce", "hubspot", "zendesk"]
    base_url: str | None = Field(None, max_length=500)
    options: dict[str, str | int | float | bool] = Field(default_factory=dict)
    credentials: dict[str, Any] = Field(
        default_factory=dict,
        description=CREDENTIALS_DESCRIPTION,
        json_schema_extra={"examples": [ENV_REF_EXAMPLE]},
    )


class ConnectionUpdate(BaseModel):
    """Changes to a connection: options and credentials merge key by key (null removes a key); `base_url: null` returns to the vendor's address."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "options": {"subdomain": "acme-eu"},
                    "credentials": {"api_token": {"env": "ZD_TOKEN_2025"}},
                }
            ]
        },
    )

    base_url: str | None = Field(None, max_length=500)
    options: dict[str, str | int | float | bool | None] = Field(default_factory=dict)
    credentials: dict[str, Any] = Field(
        default_factory=dict,
        description=CREDENTIALS_DESCRIPTION + "; null removes a credential",
    )


class ConnectionCheckOut(BaseModel):
    """What the connector said when asked to connect."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "name": "zendesk-eu",
                    "ok": False,
                    "message": "Zendesk refused the credentials (401); check ZD_EMAIL and ZD_TOKEN",
                }
            ]
        }
    )

    name: str
    ok: bool
    message: str | None = None
