"""simple-salesforce as the connector uses it: OAuth, plain-JSON answers, retries and the API budget.

The token comes from `{base_url}/services/oauth2/token` (simple-salesforce's
own login helpers speak SOAP or assume fixed domains); every later call goes
through `simple_salesforce.Salesforce` at the `instance_url` the token answer
names. Answers are parsed with orjson into plain dicts (the SDK's default
builds OrderedDicts, a large share of a page's cost). One place retries:
`call` runs an SDK call under `call_with_retry` with `errors.classify`, signs
in again once when the session has expired, and keeps the org's API usage
from the `Sforce-Limit-Info` header of every answer.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import orjson
import requests
from simple_salesforce import Salesforce
from simple_salesforce.bulk2 import Operation
from simple_salesforce.exceptions import SalesforceExpiredSession, SalesforceOperationError

from connectors.common import Classification, RetryPolicy, Verdict, call_with_retry
from connectors.common.errors import BudgetExhausted
from connectors.salesforce.endpoints import BULK_PAGE_SIZE, REST_PAGE_SIZE
from connectors.salesforce.errors import TokenRequestFailed, classify
from connectors.salesforce.spec import SalesforceConfig

T = TypeVar("T")
Json = dict[str, Any]
_USAGE = re.compile(r"api-usage=(\d+)/(\d+)")
_QUERY_OPTIONS = {"Sforce-Query-Options": f"batchSize={REST_PAGE_SIZE}"}


@dataclass
class ApiUsage:
    """The org's rolling 24-hour API usage, as the last answer reported it."""

    used: int | None = None
    limit: int | None = None

    def observe(self, header: str | None) -> None:
        match = _USAGE.search(header or "")
        if match:
            self.used, self.limit = int(match.group(1)), int(match.group(2))

    @property
    def remaining(self) -> int | None:
        return None if self.used is None or self.limit is None else self.limit - self.used

    def __str__(self) -> str:
        return "unknown" if self.used is None else f"{self.used:,}/{self.limit:,} calls in the last 24 hours"


class _Session(requests.Session):
    """A session that trusts `ca_bundle`, times out, and records API usage from every answer.

    requests prefers REQUESTS_CA_BUNDLE over `session.verify`; a per-request
    `verify` wins over both, and keeps the environment's proxy settings.
    """

    def __init__(self, verify: str | bool, timeout: float, usage: ApiUsage) -> None:
        super().__init__()
        self._verify, self._timeout, self._usage = verify, timeout, usage

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        kwargs.setdefault("verify", self._verify)
        kwargs.setdefault("timeout", self._timeout)
        response = super().request(method, url, *args, **kwargs)
        self._usage.observe(response.headers.get("Sforce-Limit-Info"))
        return response


class _PlainJsonSalesforce(Salesforce):
    """simple-salesforce's REST client, parsing answers with orjson into plain dicts."""

    def parse_result_to_json(self, result: requests.Response) -> Any:
        return orjson.loads(result.content)


class SalesforceClient:
    """One org's API: auth, retried SDK calls answering plain JSON, and the API budget."""

    def __init__(self, config: SalesforceConfig) -> None:
        self.config = config
        self.policy: RetryPolicy = config.retry_policy()
        self.usage = ApiUsage()
        self.session = _Session(config.ca_bundle or True, config.request_timeout, self.usage)
        self.exhausted: BudgetExhausted | None = None
        self._sf: Salesforce | None = None
        self._describes: dict[str, Json] = {}

    # -- auth ------------------------------------------------------------------------------------

    @property
    def sf(self) -> Salesforce:
        """The SDK client, signed in on first use."""
        if self._sf is None:
            self.authenticate()
        assert self._sf is not None
        return self._sf

    def authenticate(self) -> None:
        """Get an access token (retrying transient failures) and point the SDK at the instance it names."""
        token, instance_url = call_with_retry(self._request_token, classify, self.policy)
        self._sf = _PlainJsonSalesforce(
            instance_url=instance_url, session_id=token, version=self.config.api_version, session=self.session
        )

    def _request_token(self) -> tuple[str, str]:
        config = self.config
        form = {"client_id": config.client_id, "client_secret": config.client_secret.get_secret_value()}
        if config.refresh_token is not None:
            form.update(grant_type="refresh_token", refresh_token=config.refresh_token.get_secret_value())
        else:
            assert config.username is not None and config.password is not None
            secret = config.password.get_secret_value()
            if config.security_token is not None:
                secret += config.security_token.get_secret_value()
            form.update(grant_type="password", username=config.username, password=secret)
        response = self.session.post(f"{config.base_url.rstrip('/')}/services/oauth2/token", data=form)
        try:
            body = response.json()
        except ValueError:
            body = response.text[:300]
        if response.status_code != 200 or not isinstance(body, dict) or "access_token" not in body:
            raise TokenRequestFailed(response.status_code, body, form["grant_type"])
        return str(body["access_token"]), str(body["instance_url"])

    # -- calls -----------------------------------------------------------------------------------

    def call(self, operation: Callable[[Salesforce], T], *, retry: bool = True, metadata: bool = False) -> T:
        """Run `operation` on the SDK client; retried per `classify` unless `retry` is False (non-idempotent).

        `metadata` calls (describe, the object list) may dip into `api_budget_reserve`: a handful of them
        lets discover and check still answer when the reserve stops the reading of records.
        """
        if self.exhausted is not None:
            raise self.exhausted  # every later call would be refused too: do not spend one to learn it
        if not metadata:
            self._check_reserve()

        def attempt() -> T:
            try:
                return operation(self.sf)
            except SalesforceExpiredSession:
                self.authenticate()  # INVALID_SESSION_ID: the session expired; sign in again and retry once
                return operation(self.sf)

        policy = self.policy if retry else RetryPolicy(max_attempts=1)
        try:
            return call_with_retry(attempt, classify, policy)
        except BudgetExhausted as exhausted:
            self.exhausted = exhausted
            raise

    def _check_reserve(self) -> None:
        reserve, remaining = self.config.api_budget_reserve, self.usage.remaining
        if reserve and remaining is not None and remaining <= reserve:
            message = (
                f"Only {remaining:,} of the org's daily API calls are left, within the {reserve:,} kept for other "
                "apps (api_budget_reserve); loophub stopped with its progress saved and resumes once usage falls."
            )
            self.exhausted = BudgetExhausted(Verdict(Classification.FATAL, message, budget_exhausted=True))
            raise self.exhausted

    def describe(self, sobject: str) -> Json:
        """The object's describe (fields and their types), fetched once per client."""
        if sobject not in self._describes:
            self._describes[sobject] = self.call(lambda sf: sf.restful(f"sobjects/{sobject}/describe"), metadata=True)
        return self._describes[sobject]

    def sobject_names(self) -> set[str]:
        """Names of the queryable sObjects this user can see."""
        listing = self.call(lambda sf: sf.restful("sobjects"), metadata=True)
        return {entry["name"] for entry in listing["sobjects"] if entry.get("queryable")}

    def query(self, soql: str, *, include_deleted: bool = True) -> Json:
        """The first page of a SOQL query (`queryAll` by default, so soft deletes come back too)."""
        return self.call(lambda sf: sf.query(soql, include_deleted=include_deleted, headers=_QUERY_OPTIONS))

    def query_more(self, next_records_url: str) -> Json:
        return self.call(lambda sf: sf.query_more(next_records_url, identifier_is_url=True, headers=_QUERY_OPTIONS))

    def count(self, soql: str, *, include_deleted: bool = True) -> int:
        """`totalSize` of a `SELECT COUNT() ...`."""
        return int(self.query(soql, include_deleted=include_deleted)["totalSize"])

    # -- Bulk API 2.0 ----------------------------------------------------------------------------
    # The SDK's `bulk2.<Object>.query()` creates, waits and pages in one generator, so one transient
    # failure on page 40 would restart the whole job; its client's steps are called one by one instead.

    def bulk_query(self, sobject: str, soql: str, *, include_deleted: bool = True) -> str:
        """Start a query job (`queryAll` by default) and wait until its results are ready; returns the job id."""
        operation = Operation.query_all if include_deleted else Operation.query
        job = self.call(lambda sf: getattr(sf.bulk2, sobject)._client.create_job(operation, soql))
        job_id, delay = str(job["id"]), 0.0
        while True:
            info = self.call(lambda sf: getattr(sf.bulk2, sobject)._client.get_job(job_id, True))
            if info["state"] == "JobComplete":
                return job_id
            if info["state"] in ("Failed", "Aborted"):
                raise SalesforceOperationError(f"job {job_id} {info['state']}: {info.get('errorMessage', '')}")
            delay = min(max(delay * 2, 0.2), 10.0)  # jobs over many rows take minutes: poll ever less often
            time.sleep(delay)

    def bulk_results(self, sobject: str, job_id: str, locator: str) -> tuple[str, str]:
        """One page of a finished job's CSV and the locator of the next ('' after the last)."""
        page = self.call(
            lambda sf: getattr(sf.bulk2, sobject)._client.get_query_results(job_id, locator, BULK_PAGE_SIZE)
        )
        return str(page["records"]), str(page["locator"] or "")

    # -- writes ----------------------------------------------------------------------------------

    def write_collection(self, method: str, records: list[Json], *, retry: bool) -> list[Json]:
        """sObject Collections (`POST` creates, `PATCH` updates) with allOrNone false: one result per record."""
        body = orjson.dumps({"allOrNone": False, "records": records})
        return self.call(lambda sf: sf.restful("composite/sobjects", method=method, data=body), retry=retry)
