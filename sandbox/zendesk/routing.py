"""Routes that answer with and without the `.json` suffix, counted under one template.

Zendesk serves `/api/v2/users.json` and `/api/v2/users` alike (zenpy sends the
first, the Airbyte source the second); the call log should count both under
the `.json` template, so one route matches both.
"""

from __future__ import annotations

import re
from typing import Any

from starlette.routing import Route

from sandbox.zendesk.context import Handler, ZendeskContext, endpoint

API = "/api/v2"


class ZendeskRoute(Route):
    """A Route whose path ends in `.json` and that also matches the path without it."""

    def __init__(self, path: str, handler: Any, methods: list[str]) -> None:
        super().__init__(path, handler, methods=methods)
        # The middleware counts calls under `route.path`; drop convertor names ("{user_id:int}").
        self.path = self.path_format
        if path.endswith(".json"):
            pattern = self.path_regex.pattern
            self.path_regex = re.compile(pattern.removesuffix(r"\.json$") + r"(?:\.json)?$")


def api_route(context: ZendeskContext, method: str, path: str, handler: Handler) -> ZendeskRoute:
    """An authenticated vendor route at `/api/v2{path}`."""
    return ZendeskRoute(API + path, endpoint(context, handler), methods=[method])
