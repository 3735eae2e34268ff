"""What a Zendesk failure means: `classify(error)` answers retriable, fatal or configuration, with a message for the user.

Zenpy raises `APIException` (carrying the `requests` response) for any
non-2xx answer with a JSON body, `requests.HTTPError` for one without, and
`RatelimitBudgetExceeded` when it spent its wait budget on 429s. Transport
errors come from `requests`. User messages hold no URLs and no credentials.
"""

from __future__ import annotations

import re
from typing import Any

import orjson
import requests
from zenpy.lib.exception import APIException, RatelimitBudgetExceeded, ZenpyException

from connectors.common import Classification, Verdict

RETRIABLE_STATUSES = frozenset({408, 409, 429, 500, 502, 503, 504})
_URL = re.compile(r"https?://\S+")

CREDENTIALS_REFUSED = (
    "Zendesk refused the credentials: check the connection's email and API token (or its OAuth token), "
    "and that API token access is enabled for the account."
)
NOT_ALLOWED = (
    "The Zendesk user lacks a permission this connection needs: use an admin's email and API token "
    "(incremental exports and bulk writes are admin-only)."
)
NOT_FOUND_ACCOUNT = "Zendesk answered 'not found': check the connection's subdomain (and base_url, if set)."


class UnexpectedAnswer(Exception):
    """Zendesk answered 2xx with something that is not the JSON it documents (a proxy page, a cut-off body)."""


def status_of(error: BaseException) -> int | None:
    response = getattr(error, "response", None)
    return getattr(response, "status_code", None)


def vendor_body(error: BaseException) -> dict[str, Any]:
    """Zendesk's JSON error body (`{"error", "description", "details"}`), or {} when there is none."""
    response = getattr(error, "response", None)
    try:
        body = orjson.loads(response.content) if response is not None else None
    except (orjson.JSONDecodeError, TypeError, AttributeError):
        return {}
    return body if isinstance(body, dict) else {}


def vendor_message(body: dict[str, Any]) -> str:
    """Zendesk's own words for a refusal: the description plus any per-field details, URLs removed."""
    error = body.get("error")
    if isinstance(error, dict):  # some endpoints nest it: {"error": {"title", "message"}}
        error = error.get("message") or error.get("title")
    parts = [str(part) for part in (body.get("description"), error) if part]
    details = body.get("details")
    if isinstance(details, dict):
        parts += [str(entry.get("description")) for entries in details.values() if isinstance(entries, list) for entry in entries if isinstance(entry, dict) and entry.get("description")]
    elif isinstance(details, str) and details:
        parts.append(details)
    text = "; ".join(dict.fromkeys(parts)) or "no reason given"
    return _URL.sub("<url>", text)[:500]


def retry_after(error: BaseException) -> float | None:
    response = getattr(error, "response", None)
    raw = response.headers.get("Retry-After") if response is not None else None
    try:
        return max(float(raw), 0.0) if raw is not None else None
    except ValueError:
        return None


def classify(error: BaseException) -> Verdict:
    """The one place that decides what a Zendesk failure means."""
    if isinstance(error, RatelimitBudgetExceeded):
        message = "Zendesk kept answering 'too many requests' past the wait budget; the sync stopped with its progress saved."
        return Verdict(Classification.FATAL, message, budget_exhausted=True)
    if isinstance(error, APIException | requests.HTTPError):
        return _classify_status(error, status_of(error))
    if isinstance(error, requests.Timeout | requests.ConnectionError):
        return Verdict(Classification.RETRIABLE, "Zendesk could not be reached or did not answer in time: check the subdomain (and base_url, if set), or try again later.")
    if isinstance(error, UnexpectedAnswer | orjson.JSONDecodeError):
        return Verdict(Classification.RETRIABLE, "Zendesk answered with something that is not its API's JSON; try again later.")
    if isinstance(error, ZenpyException):
        return Verdict(Classification.FATAL, f"The Zendesk client failed: {_URL.sub('<url>', str(error))[:300]}")
    return Verdict(Classification.FATAL, f"Unexpected failure talking to Zendesk ({type(error).__name__}).")


def _classify_status(error: BaseException, status: int | None) -> Verdict:
    body = vendor_body(error)
    said = vendor_message(body)
    if status == 401:
        return Verdict(Classification.CONFIGURATION, CREDENTIALS_REFUSED)
    if status == 403:
        return Verdict(Classification.CONFIGURATION, NOT_ALLOWED)
    if status == 429:
        return Verdict(Classification.RETRIABLE, "Zendesk's rate limit was reached; waiting as it asks.", wait_seconds=retry_after(error))
    if status == 409 and body.get("error") == "UpdateConflict":  # safe_update: a decision, not a hiccup
        return Verdict(Classification.FATAL, f"Zendesk refused the update: {said}")
    if status in RETRIABLE_STATUSES or (status is not None and status >= 500):
        return Verdict(Classification.RETRIABLE, f"Zendesk had a temporary problem (HTTP {status}); try again later.", wait_seconds=retry_after(error))
    if status == 404 and body.get("error") in ("InvalidEndpoint", None):
        return Verdict(Classification.CONFIGURATION, NOT_FOUND_ACCOUNT)
    return Verdict(Classification.FATAL, f"Zendesk refused the request (HTTP {status}): {said}")
