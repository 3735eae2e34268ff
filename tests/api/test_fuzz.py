"""Schemathesis fuzzes every operation of the live API from its own OpenAPI document: no input may cause a 5xx."""

from __future__ import annotations

from collections import Counter

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error

from tests.api.api_support import LiveApi

EXAMPLES = 20  # per operation and mode: enough to reach odd inputs, small enough for a shared machine
POSITIVE, NEGATIVE = schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE


def modes(operation: schemathesis.APIOperation) -> list[schemathesis.GenerationMode]:
    """Valid inputs everywhere; invalid ones for the listings, whose query string can be wrong.

    Below an id (any text up to 64 characters) schemathesis finds no invalid
    input it can send and gives up (hypothesis's Unsatisfiable).
    """
    return [POSITIVE, NEGATIVE] if list(operation.query) and not list(operation.path_parameters) else [POSITIVE]


def test_given_the_openapi_document_when_every_operation_is_fuzzed_then_no_answer_is_a_server_error(live_api: LiveApi) -> None:
    schema = schemathesis.openapi.from_url(f"{live_api.url}/openapi.json")
    headers = {"X-API-Key": live_api.admin_key}
    statuses: Counter[tuple[str, int]] = Counter()
    operations = [result.ok() for result in schema.get_all_operations()]

    def fuzz(operation: schemathesis.APIOperation, mode: schemathesis.GenerationMode) -> None:
        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck), derandomize=True)
        def call(case: schemathesis.Case) -> None:
            response = case.call(base_url=live_api.url, headers=headers)
            statuses[(mode.value, response.status_code)] += 1
            case.validate_response(response, checks=[not_a_server_error])

        call()

    for operation in operations:
        for mode in modes(operation):
            fuzz(operation, mode)

    assert {"/v1/profiles", "/v1/profiles/{profile_id}", "/v1/companies/{company_id}", "/v1/admin/keys"} <= {op.path for op in operations}
    assert not any(status >= 500 for _, status in statuses)
    assert statuses[("positive", 200)] > 0 and statuses[("positive", 404)] > 0
    assert statuses[("negative", 422)] + statuses[("negative", 400)] > 0
