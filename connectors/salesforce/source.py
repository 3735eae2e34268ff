"""The Salesforce Airbyte source: spec, check, discover and read over the configured sObjects."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterator, Mapping
from typing import Any

import orjson

from airbyte_cdk.models import (
    AirbyteConnectionStatus,
    AirbyteMessage,
    AirbyteStateMessage,
    ConfiguredAirbyteCatalog,
    ConnectorSpecification,
    Status,
)
from airbyte_cdk.sources import AbstractSource
from airbyte_cdk.sources.streams import Stream
from airbyte_cdk.utils.traced_exception import AirbyteTracedException

from connectors.common import ConnectorError
from connectors.salesforce.client import SalesforceClient
from connectors.salesforce.endpoints import endpoint_for
from connectors.salesforce.spec import SalesforceConfig, parse_config, specification
from connectors.salesforce.streams import SObjectStream


class Source(AbstractSource):
    """Reads a Salesforce org incrementally; runs unchanged inside Airbyte or as `python -m connectors.salesforce`."""

    def __init__(self) -> None:
        super().__init__()
        # Discover and read in one process (as flows.sync runs them) share one client per config:
        # one sign-in, and each object's describe is fetched once for the schema and the query alike.
        self._clients: dict[str, SalesforceClient] = {}

    def spec(self, logger: logging.Logger) -> ConnectorSpecification:
        return specification()

    def check(self, logger: logging.Logger, config: Mapping[str, Any]) -> AirbyteConnectionStatus:
        # The CDK's own check would show the message's repr (quotes and all); say it plainly.
        succeeded, message = self.check_connection(logger, config)
        return AirbyteConnectionStatus(status=Status.SUCCEEDED if succeeded else Status.FAILED, message=message)

    def check_connection(self, logger: logging.Logger, config: Mapping[str, Any]) -> tuple[bool, str | None]:
        """Sign in and list the org's objects, so a missing object is named rather than failing mid-read."""
        try:
            settings = parse_config(config)
            available = {name.lower() for name in self._client(settings).sobject_names()}
        except ConnectorError as error:
            return False, error.user_message
        missing = [name for name in settings.objects if name.lower() not in available]
        if missing:
            return False, (
                f"The integration user cannot query {', '.join(missing)}: grant read access to these objects "
                "or remove them from objects."
            )
        return True, None

    def streams(self, config: Mapping[str, Any]) -> list[Stream]:
        settings = parse_config(config)
        client = self._client(settings)
        return [SObjectStream(endpoint_for(name), client, settings) for name in settings.objects]

    def read(
        self,
        logger: logging.Logger,
        config: Mapping[str, Any],
        catalog: ConfiguredAirbyteCatalog,
        state: list[AirbyteStateMessage] | None = None,
    ) -> Iterator[AirbyteMessage]:
        """The CDK's read; a spent API allocation ends it as `BudgetExhausted` (state already emitted)."""
        client = self._client(parse_config(config))
        client.exhausted = None  # a new run may find usage has rolled off
        try:
            yield from super().read(logger, config, catalog, state)
        except AirbyteTracedException as failure:
            if client.exhausted is not None:
                raise client.exhausted from failure
            raise

    def _client(self, settings: SalesforceConfig) -> SalesforceClient:
        # Keyed by every setting, secrets included (model_dump_json would mask them and mix two users up).
        values = {name: getattr(value, "get_secret_value", lambda v=value: v)() for name, value in settings}
        key = hashlib.sha256(orjson.dumps(values, option=orjson.OPT_SORT_KEYS, default=str)).hexdigest()
        if key not in self._clients:
            self._clients[key] = SalesforceClient(settings)
        return self._clients[key]
