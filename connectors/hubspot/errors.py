"""`classify`: the one place that decides what a HubSpot failure means.

HubSpot's CRM 429s carry no Retry-After: the body's `policyName` says which
limit was hit. TEN_SECONDLY_ROLLING and SECONDLY pass within seconds, so
they are retried with backoff; DAILY does not pass before midnight, so the
read stops cleanly with its state saved. 423 (a record locked by another
write), 502, 503 and 504 are transient too.
"""

from __future__ import annotations

import json
import re
from typing import Any

import urllib3
from hubspot.crm.associations.v4.exceptions import ApiException as AssociationsApiException
from hubspot.crm.objects.exceptions import ApiException as ObjectsApiException
from hubspot.crm.owners.exceptions import ApiException as OwnersApiException
from hubspot.crm.properties.exceptions import ApiException as PropertiesApiException

from connectors.common import Classification, ConnectorError, Verdict

# Each SDK sub-package has its own generated ApiException; these are the ones the connector calls through.
API_EXCEPTIONS = (ObjectsApiException, AssociationsApiException, OwnersApiException, PropertiesApiException)
RETRIABLE_STATUSES = frozenset({423, 429, 500, 502, 503, 504})

_URL = re.compile(r"https?://\S+")
_TOKEN = re.compile(r"\b(pat-[\w-]+|Bearer\s+\S+)", re.IGNORECASE)


def classify(error: BaseException) -> Verdict:
    """Retriable, fatal or configuration, with a message fit for the person who can fix it."""
    if isinstance(error, ConnectorError):
        return error.verdict
    if isinstance(error, API_EXCEPTIONS):
        return _classify_status(int(getattr(error, "status", 0) or 0), error_body(error), _headers(error))
    if isinstance(error, urllib3.exceptions.HTTPError | ConnectionError | TimeoutError):
        return Verdict(
            Classification.RETRIABLE,
            "HubSpot could not be reached (connection failed or timed out). Check base_url and the network; "
            "the read resumes from its saved state.",
        )
    if isinstance(error, ValueError):  # an answer that is not the JSON HubSpot sends
        return Verdict(Classification.FATAL, "HubSpot answered with something that is not JSON; try again later.")
    return Verdict(Classification.FATAL, f"Unexpected failure talking to HubSpot ({type(error).__name__}).")


def _classify_status(status: int, body: dict[str, Any], headers: dict[str, str]) -> Verdict:
    message = vendor_message(body)
    if status == 0:  # the SDK's way of saying TLS failed before any answer
        return Verdict(Classification.CONFIGURATION, "The TLS connection to HubSpot failed: check base_url.")
    if status == 401:
        return Verdict(
            Classification.CONFIGURATION,
            "HubSpot refused the access token (401). Put a valid private app token in access_token "
            "(HubSpot: Settings > Integrations > Private apps).",
        )
    if status == 403:
        return Verdict(
            Classification.CONFIGURATION,
            f"The private app token lacks a permission HubSpot needs for this call (403): add the CRM read/write "
            f"scopes of this object to the private app. HubSpot said: {message}",
        )
    if status == 429:
        if body.get("policyName") == "DAILY":
            return Verdict(
                Classification.FATAL,
                "HubSpot's daily API allowance is used up; the read stopped with its progress saved and resumes tomorrow.",
                budget_exhausted=True,
            )
        return Verdict(Classification.RETRIABLE, f"HubSpot rate limit reached: {message}", wait_seconds=_retry_after(headers))
    if status in RETRIABLE_STATUSES:
        return Verdict(Classification.RETRIABLE, f"HubSpot is temporarily unavailable ({status}): {message}")
    if status == 404:
        return Verdict(Classification.FATAL, f"HubSpot did not find it (404): {message}")
    return Verdict(Classification.FATAL, f"HubSpot refused the request ({status}): {message}")


def error_body(error: BaseException) -> dict[str, Any]:
    """The JSON body of an SDK ApiException, or {} when it has none."""
    raw = getattr(error, "body", None)
    if not raw:
        return {}
    try:
        parsed = json.loads(raw)
    except (TypeError, ValueError):
        return {"message": str(raw)[:300]}
    return parsed if isinstance(parsed, dict) else {}


def vendor_message(body: dict[str, Any]) -> str:
    """HubSpot's own message, without URLs or anything that looks like a token."""
    text = str(body.get("message") or body.get("category") or "no details given")
    return _TOKEN.sub("[redacted]", _URL.sub("[link]", text))[:500]


def _headers(error: BaseException) -> dict[str, str]:
    headers = getattr(error, "headers", None) or {}
    return {str(name).lower(): str(value) for name, value in dict(headers).items()}


def _retry_after(headers: dict[str, str]) -> float | None:
    # Not promised on CRM 429s, but honoured when HubSpot does send it.
    try:
        return float(headers["retry-after"])
    except (KeyError, ValueError):
        return None
