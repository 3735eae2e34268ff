"""The Zendesk client: zenpy for auth, session, URLs and its 429 handling; raw JSON for speed; retries by `classify`.

Zenpy's public calls map every item into a Python object, about ten times
slower than the API answers; its transport (`Api._get` / `Api._call_api`)
returns the `requests` response as is. The client goes through that
transport, so auth, the session, zenpy's wait on `Retry-After` and its error
mapping are the SDK's, and parses the body itself with orjson.
"""

from __future__ import annotations

import logging
import time
from collections import deque
from collections.abc import Callable, Mapping
from typing import Any

import orjson
import requests
from requests.adapters import HTTPAdapter
from zenpy import Zenpy
from zenpy.lib.endpoint import Url

from connectors.common import call_with_retry
from connectors.zendesk.errors import UnexpectedAnswer, classify
from connectors.zendesk.spec import ZendeskConfig

Json = dict[str, Any]
EXPORT_PREFIX = "/api/v2/incremental/"
logger = logging.getLogger("airbyte.zendesk")


class RebasedSession(requests.Session):
    """A session that sends calls meant for https://{subdomain}.zendesk.com to the configured base URL.

    zenpy 2.0 builds the vendor address itself; its only other redirect is the
    process-wide ZENPY_FORCE_SCHEME/ZENPY_FORCE_NETLOC environment, which two
    connections in one process (a sandbox and a real account, say) would
    fight over. Rewriting the prefix per session keeps each client on its own
    address, and passes absolute pagination links through untouched when
    they already point at it.
    """

    def __init__(self, vendor_root: str, base_root: str, pool_size: int = 4) -> None:
        super().__init__()
        self.vendor_root, self.base_root = vendor_root.rstrip("/"), base_root.rstrip("/")
        # No transport-level retries: `classify` alone decides what is retried, and how long to wait.
        adapter = HTTPAdapter(pool_connections=pool_size, pool_maxsize=pool_size, max_retries=0)
        self.mount("https://", adapter)
        self.mount("http://", adapter)

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        text = url.decode() if isinstance(url, bytes) else url
        if self.vendor_root != self.base_root and text.startswith(self.vendor_root + "/"):
            text = self.base_root + text[len(self.vendor_root) :]
        return super().request(method, text, *args, **kwargs)


class ExportLimiter:
    """Client-side pacing of the incremental exports: at most `per_minute` calls in any 60 seconds.

    Zendesk counts these separately from the plan limit (10 a minute), and
    answering 429 to an export costs the budget as well, so waiting here is
    cheaper than being told to.
    """

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep) -> None:
        self.per_minute, self._clock, self._sleep = per_minute, clock, sleep
        self._recent: deque[float] = deque()

    def wait_turn(self) -> float:
        """Block until a call is allowed; returns the seconds waited."""
        waited = 0.0
        while True:
            now = self._clock()
            while self._recent and now - self._recent[0] >= 60.0:
                self._recent.popleft()
            if len(self._recent) < self.per_minute:
                self._recent.append(now)
                return waited
            pause = 60.0 - (now - self._recent[0])
            logger.info("waiting %.1f s for Zendesk's incremental export allowance", pause)
            self._sleep(pause)
            waited += pause


class ZendeskClient:
    """One Zendesk account: GET/PUT/POST returning parsed JSON, retried per `classify`, with call accounting."""

    def __init__(self, config: ZendeskConfig, sleep: Callable[[float], None] = time.sleep) -> None:
        self.config = config
        self._sleep = sleep
        session = RebasedSession(f"https://{config.subdomain}.zendesk.com", config.api_root)
        login: dict[str, Any] = (
            {"oauth_token": config.oauth_token.get_secret_value()}
            if config.oauth_token is not None
            else {"email": config.email, "token": config.api_token.get_secret_value() if config.api_token else None}
        )
        self.zenpy = Zenpy(subdomain=config.subdomain, session=session, timeout=config.request_timeout, disable_cache=True, **login)
        self._api = self.zenpy.users  # any Api object: they share the session; its transport is what is used
        self.session = session
        self.exports = ExportLimiter(config.incremental_exports_per_minute, sleep=sleep)
        self.calls = 0  # requests sent (retries included), for logs and tests
        self.rate_limit_remaining: int | None = None  # the plan's requests left this minute, as last reported

    def url(self, path: str) -> str:
        """The SDK's address for `path` under /api/v2 (rewritten by the session to base_url)."""
        return str(self._api._build_url(Url(path)))

    def get(self, path: str, params: Mapping[str, Any] | None = None) -> Json:
        return self.get_url(self.url(path), params)

    def get_url(self, url: str, params: Mapping[str, Any] | None = None) -> Json:
        """GET an absolute URL (a pagination link Zendesk returned, or `url(path)`)."""
        return self._call("GET", url, params=params)

    def send(self, method: str, path: str, payload: Json, params: Mapping[str, Any] | None = None) -> Json:
        """PUT/POST `payload` as JSON to `path` and return the answer's JSON."""
        return self._call(method, self.url(path), params=params, json=payload)

    def _call(self, method: str, url: str, **kwargs: Any) -> Json:
        is_export = EXPORT_PREFIX in url
        send = getattr(self.session, method.lower())

        def attempt() -> Json:
            if is_export:
                self.exports.wait_turn()
            self.calls += 1
            response = self._api._call_api(send, url, timeout=self.config.request_timeout, **kwargs)
            self._account(response)
            try:
                body = orjson.loads(response.content) if response.content else {}
            except orjson.JSONDecodeError as error:
                raise UnexpectedAnswer(f"HTTP {response.status_code}, {len(response.content)} bytes of non-JSON") from error
            if not isinstance(body, dict):
                raise UnexpectedAnswer(f"HTTP {response.status_code}: a JSON {type(body).__name__}, not an object")
            return body

        return call_with_retry(attempt, classify, self.config.retry_policy(), sleep=self._sleep)

    def _account(self, response: requests.Response) -> None:
        """Note the plan's remaining requests; pause to the next minute when the configured reserve is reached."""
        remaining = response.headers.get("X-Rate-Limit-Remaining") or response.headers.get("ratelimit-remaining")
        if remaining is None or not remaining.isdigit():
            return
        self.rate_limit_remaining = int(remaining)
        reserve = self.config.plan_requests_reserve
        if reserve and self.rate_limit_remaining <= reserve:
            reset = response.headers.get("ratelimit-reset", "60")
            pause = min(float(reset) if reset.isdigit() else 60.0, 60.0)
            logger.info("%d Zendesk requests left this minute (reserve %d): pausing %.0f s", self.rate_limit_remaining, reserve, pause)
            self._sleep(pause)
