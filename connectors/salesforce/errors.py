"""`classify`: the one place that decides what a Salesforce failure means.

Salesforce's REST API has no 429. Throttling arrives as 403
`REQUEST_LIMIT_EXCEEDED`, and only the message tells the two kinds apart:
`ConcurrentRequests ...` (too many long requests in flight: retry shortly)
and `TotalRequests Limit exceeded.` (the rolling 24-hour allocation is spent:
stop with the state saved, resume when usage rolls off). 5xx and the
transient record-level codes (`UNABLE_TO_LOCK_ROW`, `QUERY_TIMEOUT`) are
retried; credentials and permissions are the admin's to fix.
"""

from __future__ import annotations

import re
from typing import Any

import requests
from simple_salesforce.exceptions import SalesforceError, SalesforceOperationError

from connectors.common import Classification, ConnectorError, Verdict
from connectors.common.paging import RepeatedPageToken

# Record- or request-level codes that succeed when tried again a little later.
TRANSIENT_CODES = frozenset({"UNABLE_TO_LOCK_ROW", "QUERY_TIMEOUT", "SERVER_UNAVAILABLE", "REQUEST_RUNNING_TOO_LONG"})
_URL = re.compile(r"https?://\S+")
_TOKEN = re.compile(r"\b00D\w{12,15}![\w.]+|Bearer\s+\S+", re.IGNORECASE)


class TokenRequestFailed(Exception):
    """The OAuth token endpoint said no; `grant` says which credentials were offered."""

    def __init__(self, status: int, body: Any, grant: str) -> None:
        super().__init__(f"token request failed ({status}): {body!r}")
        self.status, self.body, self.grant = status, body, grant


def classify(error: BaseException) -> Verdict:
    """Retriable, fatal or configuration, with a message fit for the person who can fix it."""
    if isinstance(error, ConnectorError):
        return error.verdict
    if isinstance(error, TokenRequestFailed):
        return _classify_token(error)
    if isinstance(error, SalesforceError):
        code, message = first_error(error.content)
        return _classify_status(error.status, code, message)
    if isinstance(error, requests.exceptions.SSLError):
        return Verdict(
            Classification.CONFIGURATION,
            "Salesforce's TLS certificate could not be verified: set ca_bundle to the CA file that signs it.",
        )
    if isinstance(error, requests.exceptions.InvalidURL | requests.exceptions.MissingSchema):
        return Verdict(Classification.CONFIGURATION, "base_url is not a valid address: give the login host's https URL.")
    if isinstance(error, requests.exceptions.ConnectionError | requests.exceptions.Timeout | ConnectionError):
        return Verdict(
            Classification.RETRIABLE,
            "Salesforce could not be reached (connection failed or timed out): check base_url and the network.",
        )
    if isinstance(error, SalesforceOperationError):
        return Verdict(Classification.FATAL, f"A Bulk API query job failed: {clean(str(error))}")
    if isinstance(error, RepeatedPageToken):
        return Verdict(Classification.FATAL, "Salesforce repeated a page locator; the read stopped to avoid a loop.")
    return Verdict(Classification.FATAL, f"Unexpected failure talking to Salesforce ({type(error).__name__}).")


def _classify_token(error: TokenRequestFailed) -> Verdict:
    code, message = first_error(error.body)
    if error.status >= 500 or (error.status == 403 and code == "REQUEST_LIMIT_EXCEEDED"):
        return _classify_status(error.status, code, message)
    if code == "invalid_client_id":
        fix = "check client_id (the connected app's consumer key)."
    elif code == "invalid_client":
        fix = "check client_secret (the connected app's consumer secret)."
    elif code == "invalid_grant" and error.grant == "refresh_token":
        fix = "the refresh_token is expired or revoked: authorise the connected app again and store the new token."
    elif code == "invalid_grant":
        fix = (
            "check username, password and security_token (resetting a password issues a new security token), "
            "and that the user may log in through this connected app."
        )
    else:
        fix = f"check the connected app and the user's access (Salesforce said: {code or error.status})."
    return Verdict(Classification.CONFIGURATION, f"Salesforce refused to sign in: {fix}")


def _classify_status(status: int, code: str, message: str) -> Verdict:
    said = f"{code}: {message}" if code else message
    if status == 401:
        return Verdict(
            Classification.CONFIGURATION,
            "Salesforce refused the session right after signing in: check that the user has API access.",
        )
    if code == "REQUEST_LIMIT_EXCEEDED" and "TotalRequests" in message:
        return Verdict(
            Classification.FATAL,
            "The org's daily API allocation is used up; the read stopped with its progress saved and resumes "
            "once usage falls (or the allocation is raised).",
            budget_exhausted=True,
        )
    if code == "REQUEST_LIMIT_EXCEEDED" or status >= 500 or code in TRANSIENT_CODES:
        return Verdict(Classification.RETRIABLE, f"Salesforce is busy or briefly unavailable ({status}): {said}")
    if status == 403:
        return Verdict(
            Classification.CONFIGURATION,
            f"Salesforce refused access ({said}): check the integration user's profile and permission sets.",
        )
    if code == "INVALID_TYPE":
        return Verdict(
            Classification.CONFIGURATION, f"An sObject is not available to this user: check objects ({said})."
        )
    return Verdict(Classification.FATAL, f"Salesforce refused the request ({status}): {said}")


def first_error(content: Any) -> tuple[str, str]:
    """(errorCode, message) of a Salesforce error body: a REST list, an OAuth object, or plain text."""
    if isinstance(content, list) and content and isinstance(content[0], dict):
        first = content[0]
        return str(first.get("errorCode") or first.get("statusCode") or ""), clean(str(first.get("message") or ""))
    if isinstance(content, dict):
        code = content.get("error") or content.get("errorCode") or ""
        return str(code), clean(str(content.get("error_description") or content.get("message") or ""))
    if isinstance(content, bytes):
        content = content.decode("utf-8", "replace")
    return "", clean(str(content or "no details given"))


def clean(text: str) -> str:
    """A vendor message without URLs or anything that looks like a session id, cut to a readable length."""
    return _TOKEN.sub("[redacted]", _URL.sub("[link]", text)).strip()[:500]
