"""The Zendesk Support Airbyte source: spec, check, discover and read over the endpoint table."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Mapping
from typing import Any

from airbyte_cdk.models import AirbyteConnectionStatus, ConnectorSpecification, Status
from airbyte_cdk.sources import AbstractSource
from airbyte_cdk.sources.streams import Stream

from connectors.common import ConnectorError
from connectors.zendesk.client import Json, ZendeskClient
from connectors.zendesk.endpoints import ENDPOINTS, Endpoint
from connectors.zendesk.schemas import definitions_path, stream_schema
from connectors.zendesk.spec import ZendeskConfig, parse_config, specification
from connectors.zendesk.streams import ZendeskStream

EXPORT_ROLES = frozenset({"admin"})  # Zendesk serves the incremental exports to admins only


class Source(AbstractSource):
    """Reads a Zendesk Support account incrementally; runs unchanged inside Airbyte or as `python -m connectors.zendesk`."""

    def __init__(self) -> None:
        super().__init__()
        # account -> definitions path -> custom field definitions; discover and read in one process ask once.
        self._definitions: dict[tuple[str, str], dict[str, list[Json]]] = {}

    def spec(self, logger: logging.Logger) -> ConnectorSpecification:
        return specification()

    def check(self, logger: logging.Logger, config: Mapping[str, Any]) -> AirbyteConnectionStatus:
        # The CDK's own check shows the message's repr (quotes and all); say it plainly.
        succeeded, message = self.check_connection(logger, config)
        return AirbyteConnectionStatus(status=Status.SUCCEEDED if succeeded else Status.FAILED, message=None if succeeded else str(message))

    def check_connection(self, logger: logging.Logger, config: Mapping[str, Any]) -> tuple[bool, str | None]:
        """Account settings prove the address and the login; `users/me` that the login may run the exports."""
        try:
            settings = parse_config(config)
            # One retry is enough to ride out a blip; a wrong address should fail fast, not back off for minutes.
            client = ZendeskClient(settings.model_copy(update={"max_retries": min(settings.max_retries, 1)}))
            client.get("account/settings.json")
            me = client.get("users/me.json").get("user") or {}
        except ConnectorError as error:
            return False, error.user_message
        if me.get("id") is None:
            return False, "Zendesk did not recognise the login: check the connection's email and API token (or OAuth token)."
        if me.get("role") not in EXPORT_ROLES:
            return False, f"The Zendesk login is an {me.get('role') or 'unknown role'}, not an admin: incremental exports need an admin's email and API token."
        return True, None

    def streams(self, config: Mapping[str, Any]) -> list[Stream]:
        settings = parse_config(config)
        client = ZendeskClient(settings)
        definitions = self._definitions.setdefault(_account_key(settings), {})
        return [
            ZendeskStream(endpoint, client, settings.start_time, _schema_of(endpoint, client, definitions), settings.recent_minutes)
            for endpoint in ENDPOINTS
        ]


def _schema_of(endpoint: Endpoint, client: ZendeskClient, cache: dict[str, list[Json]]) -> Any:
    """A schema factory for `endpoint`: its custom field definitions are fetched on first use, once per account."""

    def build() -> dict[str, Any]:
        path = definitions_path(endpoint)
        if path is None:
            return stream_schema(endpoint)
        if path not in cache:
            cache[path] = _all_definitions(client, path)
        return stream_schema(endpoint, cache[path])

    return build


def _all_definitions(client: ZendeskClient, path: str) -> list[Json]:
    """Every definition of a field list (offset-paged, 100 a page; accounts rarely need a second page)."""
    key = path.removesuffix(".json")
    body = client.get(path, {"per_page": 100})
    definitions = list(body.get(key) or [])
    seen_pages: set[str] = set()
    while (next_page := body.get("next_page")) and next_page not in seen_pages:
        seen_pages.add(next_page)
        body = client.get_url(next_page)
        definitions += body.get(key) or []
    return [definition for definition in definitions if definition.get("active", True)]


def _account_key(settings: ZendeskConfig) -> tuple[str, str]:
    login = settings.oauth_token or settings.api_token
    secret = login.get_secret_value() if login is not None else ""
    return settings.api_root, hashlib.sha256(f"{settings.email}:{secret}".encode()).hexdigest()
