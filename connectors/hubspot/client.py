"""The HubSpot SDK client as the connector uses it: auth, plain-JSON answers, retries and API budget.

Every call goes through the official hubspot-api-client with
`_preload_content=False`, so the SDK sends the request (auth, paths, query
encoding) and hands back the raw body, parsed here with orjson: mapping each
record to the SDK's model objects and back costs ~8x more than the HTTP
call itself. urllib3's own retries are switched off (`Retry(0)`) so that one
place, `errors.classify` via `call_with_retry`, decides what is retried.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import hubspot
import orjson
from urllib3.util.retry import Retry

from connectors.common import Classification, Verdict, call_with_retry
from connectors.common.errors import BudgetExhausted
from connectors.hubspot.endpoints import ASSOCIATION_BATCH_SIZE
from connectors.hubspot.errors import classify
from connectors.hubspot.spec import HubSpotConfig

Json = dict[str, Any]


class HubSpotClient:
    """One portal's API: typed helpers over the SDK, each a single retried call answering plain JSON."""

    def __init__(self, config: HubSpotConfig) -> None:
        self.config = config
        self.policy = config.retry_policy()
        sdk = hubspot.Client.create(
            access_token=config.access_token.get_secret_value(),
            host=config.base_url.rstrip("/"),
            retry=Retry(total=0, redirect=False, raise_on_status=False),
        )
        # Each SDK api property builds a fresh ApiClient and connection pool: build each one once.
        self._objects = sdk.crm.objects.basic_api
        self._search = sdk.crm.objects.search_api
        self._batch = sdk.crm.objects.batch_api
        self._associations = sdk.crm.associations.v4.batch_api
        self._properties = sdk.crm.properties.core_api
        self._owners = sdk.crm.owners.owners_api
        self.calls: Counter[str] = Counter()  # attempts per route, retries included
        self.daily_remaining: int | None = None  # from X-HubSpot-RateLimit-Daily-Remaining
        self._exhausted: BudgetExhausted | None = None

    # -- reads ---------------------------------------------------------------------------------------------

    def list_page(self, object_type: str, *, after: str | None, limit: int, properties: Sequence[str] | None = None,
                  associations: Sequence[str] | None = None, archived: bool = False) -> Json:  # fmt: skip
        """`GET /crm/v3/objects/{type}`: one page in id order."""
        return self.call(
            f"GET /crm/v3/objects/{object_type}", self._objects.get_page, object_type, limit=limit, after=after,
            properties=list(properties) if properties else None, associations=list(associations) if associations else None,
            archived=archived,
        )  # fmt: skip

    def search(self, object_type: str, body: Mapping[str, Any]) -> Json:
        """`POST /crm/v3/objects/{type}/search`."""
        return self.call(f"POST /crm/v3/objects/{object_type}/search", self._search.do_search, object_type, dict(body))

    def batch_read(self, object_type: str, ids: Iterable[str], properties: Sequence[str], id_property: str | None = None) -> Json:
        """`POST .../batch/read` (≤ 100 ids); unknown ids come back under `errors`."""
        body: Json = {"inputs": [{"id": object_id} for object_id in ids], "properties": list(properties)}
        if id_property:
            body["idProperty"] = id_property
        return self.call(f"POST /crm/v3/objects/{object_type}/batch/read", self._batch.read, object_type, body, archived=False)

    def batch_update(self, object_type: str, inputs: list[Json]) -> Json:
        return self.call(f"POST /crm/v3/objects/{object_type}/batch/update", self._batch.update, object_type, {"inputs": inputs})

    def batch_create(self, object_type: str, inputs: list[Json]) -> Json:
        return self.call(f"POST /crm/v3/objects/{object_type}/batch/create", self._batch.create, object_type, {"inputs": inputs})

    def associated_ids(self, from_type: str, to_type: str, ids: Sequence[str]) -> dict[str, list[str]]:
        """v4 `batch/read`: the `to_type` ids associated with each of `ids` (ids with none are left out)."""
        found: dict[str, list[str]] = {}
        for start in range(0, len(ids), ASSOCIATION_BATCH_SIZE):
            body = {"inputs": [{"id": object_id} for object_id in ids[start : start + ASSOCIATION_BATCH_SIZE]]}
            answer = self.call(f"POST /crm/v4/associations/{from_type}/{to_type}/batch/read", self._associations.get_page, from_type, to_type, body)
            for result in answer.get("results", []):
                found[str(result["from"]["id"])] = [str(target["toObjectId"]) for target in result.get("to", [])]
        return found

    def properties(self, object_type: str) -> list[Json]:
        """Every property definition of a type, custom ones included."""
        return list(self.call(f"GET /crm/v3/properties/{object_type}", self._properties.get_all, object_type).get("results", []))

    def create_property(self, object_type: str, definition: Mapping[str, Any]) -> Json:
        return self.call(f"POST /crm/v3/properties/{object_type}", self._properties.create, object_type, dict(definition))

    def owners_page(self, *, after: str | None, limit: int, archived: bool) -> Json:
        return self.call("GET /crm/v3/owners", self._owners.get_page, after=after, limit=limit, archived=archived)

    # -- the one call path ---------------------------------------------------------------------------------

    def call(self, route: str, method: Callable[..., Any], *args: Any, **kwargs: Any) -> Json:
        """Run one SDK method for its raw body, retrying what `classify` calls retriable; parsed JSON back."""
        kwargs.update(_preload_content=False, _request_timeout=self.config.request_timeout)

        def attempt() -> Json:
            self._check_budget()
            self.calls[route] += 1
            response = method(*args, **kwargs)
            try:
                data = response.data
                self._account(response.headers)
            finally:
                response.release_conn()
            return orjson.loads(data) if data else {}

        try:
            return call_with_retry(attempt, classify, self.policy)
        except BudgetExhausted as exhausted:
            self._exhausted = exhausted  # every later call stops at once instead of spending more attempts
            raise

    def _check_budget(self) -> None:
        if self._exhausted is not None:
            raise self._exhausted
        reserve = self.config.daily_budget_reserve
        if reserve and self.daily_remaining is not None and self.daily_remaining <= reserve:
            verdict = Verdict(
                Classification.FATAL,
                f"Fewer than {reserve} daily HubSpot API calls remain (daily_budget_reserve); the read stopped with its "
                "progress saved and resumes when the allowance resets.",
                budget_exhausted=True,
            )
            self._exhausted = BudgetExhausted(verdict, internal=f"daily remaining {self.daily_remaining}")
            raise self._exhausted

    def _account(self, headers: Mapping[str, str]) -> None:
        remaining = headers.get("X-HubSpot-RateLimit-Daily-Remaining")
        if remaining is not None and remaining.isdigit():
            self.daily_remaining = int(remaining)
