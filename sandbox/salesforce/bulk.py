"""Bulk API 2.0 query jobs: `/jobs/query`.

A job runs its query when it is created (the result is a snapshot, as in
Salesforce), answers `UploadComplete`, and reports `JobComplete` when polled
(after `in_progress_polls` polls answering `InProgress`, so a client's wait
loop can be exercised). Results are CSV pages: every value quoted, `true` /
`false`, an empty cell for null, datetimes as `2024-01-01T00:00:00.000Z`;
`Sforce-Locator` names the next page (`null` on the last) and
`Sforce-NumberOfRecords` counts the rows in this one.
"""

from __future__ import annotations

import base64
import csv
import io
import itertools
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from sandbox.ids import salesforce_id
from sandbox.salesforce.errors import SalesforceError, json_body, not_found
from sandbox.salesforce.query import csv_renderer, plan_soql
from sandbox.salesforce.rest import DATA, store_of
from sandbox.salesforce.values import Record, format_datetime

DEFAULT_MAX_RECORDS = 100_000
_DELIMITERS = {"COMMA": ",", "TAB": "\t", "PIPE": "|", "SEMICOLON": ";", "CARET": "^", "BACKQUOTE": "`"}
_LINE_ENDINGS = {"LF": "\n", "CRLF": "\r\n"}


@dataclass
class QueryJob:
    id: str
    operation: str
    sobject: str
    query: str
    created_by: str
    created: datetime
    column_delimiter: str
    line_ending: str
    header: list[str]
    row: Callable[[Record], list[str]]
    rows: list[Record]
    api_version: float
    state: str = "UploadComplete"
    polls_before_complete: int = 0
    modified: datetime | None = None

    def info(self, detailed: bool) -> dict[str, Any]:
        body: dict[str, Any] = {
            "id": self.id,
            "operation": self.operation,
            "object": self.sobject,
            "createdById": self.created_by,
            "createdDate": format_datetime(self.created),
            "systemModstamp": format_datetime(self.modified or self.created),
            "state": self.state,
            "concurrencyMode": "Parallel",
            "contentType": "CSV",
            "apiVersion": self.api_version,
            "lineEnding": self.line_ending,
            "columnDelimiter": self.column_delimiter,
        }
        if detailed:
            done = self.state == "JobComplete"
            body.update(
                jobType="V2Query",
                numberRecordsProcessed=len(self.rows) if done else 0,
                retries=0,
                totalProcessingTime=len(self.rows) // 100 if done else 0,
                isPkChunkingSupported=True,
            )
        return body


@dataclass
class BulkJobs:
    """Query jobs of the org; `in_progress_polls` makes each job answer InProgress that many times first."""

    in_progress_polls: int = 0
    jobs: dict[str, QueryJob] = field(default_factory=dict)
    _numbers: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def new_id(self) -> str:
        return salesforce_id("750", next(self._numbers))

    def add(self, job: QueryJob) -> None:
        with self._lock:
            self.jobs[job.id] = job

    def remove(self, job_id: str) -> None:
        with self._lock:
            self.jobs.pop(job_id, None)

    def created_since(self, moment: datetime) -> int:
        return sum(1 for job in list(self.jobs.values()) if job.created >= moment)


def _job_error(message: str, status: int = 400) -> SalesforceError:
    return SalesforceError.of(status, "INVALIDJOB", message)


def _locator(offset: int) -> str:
    return base64.b64encode(str(offset).encode()).decode().rstrip("=")


def _offset(locator: str) -> int:
    try:
        decoded = base64.b64decode(locator + "=" * (-len(locator) % 4)).decode()
        return int(decoded)
    except ValueError:
        raise SalesforceError.of(400, "INVALIDLOCATOR", f"Invalid locator: {locator}") from None


def bulk_routes(jobs: BulkJobs) -> list[Route]:
    def job_of(request: Request) -> QueryJob:
        job = jobs.jobs.get(request.path_params["job_id"])
        if job is None:
            raise not_found()
        return job

    async def create(request: Request) -> Response:
        body = await json_body(request)
        if not isinstance(body, dict) or body.get("operation") not in ("query", "queryAll"):
            raise _job_error("operation must be query or queryAll")
        delimiter, ending = body.get("columnDelimiter", "COMMA"), body.get("lineEnding", "LF")
        if delimiter not in _DELIMITERS or ending not in _LINE_ENDINGS:
            raise _job_error(f"Invalid columnDelimiter or lineEnding: {delimiter}, {ending}")
        store = store_of(request)
        plan = plan_soql(store, str(body.get("query") or ""))
        if plan.count_only:
            raise SalesforceError.of(400, "API_ERROR", "Aggregate queries are not supported in Bulk Query")
        if any(column.field.type == "address" for column in plan.columns):
            raise SalesforceError.of(400, "API_ERROR", "Selecting compound data not supported in Bulk Query")
        header, row = csv_renderer(plan.columns)
        now = store.clock.now()
        job = QueryJob(
            id=jobs.new_id(),
            operation=body["operation"],
            sobject=plan.sobject.name,
            query=str(body["query"]),
            created_by=store.default_user_id,
            created=now,
            column_delimiter=delimiter,
            line_ending=ending,
            header=header,
            row=row,
            rows=plan.run(store, include_deleted=body["operation"] == "queryAll"),
            api_version=float(request.path_params["version"].lstrip("v")),
            polls_before_complete=jobs.in_progress_polls,
        )
        jobs.add(job)
        return JSONResponse(job.info(detailed=False))

    async def get_job(request: Request) -> Response:
        job = job_of(request)
        if job.state in ("UploadComplete", "InProgress"):
            if job.polls_before_complete > 0:
                job.polls_before_complete -= 1
                job.state = "InProgress"
            else:
                job.state = "JobComplete"
                job.modified = store_of(request).clock.now()
        return JSONResponse(job.info(detailed=True))

    async def list_jobs(_: Request) -> Response:
        return JSONResponse(
            {"done": True, "records": [job.info(False) for job in list(jobs.jobs.values())], "nextRecordsUrl": None}
        )

    async def abort(request: Request) -> Response:
        job = job_of(request)
        body = await json_body(request)
        if not isinstance(body, dict) or body.get("state") != "Aborted":
            raise _job_error("A query job can only be set to the Aborted state")
        if job.state in ("JobComplete", "Failed"):
            raise _job_error(f"Cannot abort a job in state {job.state}")
        job.state = "Aborted"
        job.modified = store_of(request).clock.now()
        return JSONResponse(job.info(detailed=False))

    async def delete(request: Request) -> Response:
        jobs.remove(job_of(request).id)
        return Response(status_code=204)

    async def results(request: Request) -> Response:
        job = job_of(request)
        if job.state != "JobComplete":
            raise _job_error(f"Can't retrieve results: job {job.id} is in state {job.state}")
        locator = request.query_params.get("locator")
        start = _offset(locator) if locator and locator != "null" else 0
        raw_max = request.query_params.get("maxRecords", "")
        page_size = int(raw_max) if raw_max.isdigit() and int(raw_max) > 0 else DEFAULT_MAX_RECORDS
        chunk = job.rows[start : start + page_size]
        buffer = io.StringIO()
        writer = csv.writer(
            buffer,
            delimiter=_DELIMITERS[job.column_delimiter],
            lineterminator=_LINE_ENDINGS[job.line_ending],
            quoting=csv.QUOTE_ALL,
        )
        writer.writerow(job.header)
        writer.writerows(map(job.row, chunk))
        end = start + len(chunk)
        headers = {
            "Sforce-Locator": _locator(end) if end < len(job.rows) else "null",
            "Sforce-NumberOfRecords": str(len(chunk)),
        }
        return Response(buffer.getvalue(), media_type="text/csv", headers=headers)

    jobs_path = f"{DATA}/jobs/query"
    return [
        Route(jobs_path, create, methods=["POST"]),
        Route(jobs_path, list_jobs, methods=["GET"]),
        Route(f"{jobs_path}/{{job_id}}", get_job, methods=["GET"]),
        Route(f"{jobs_path}/{{job_id}}", abort, methods=["PATCH"]),
        Route(f"{jobs_path}/{{job_id}}", delete, methods=["DELETE"]),
        Route(f"{jobs_path}/{{job_id}}/results", results, methods=["GET"]),
    ]


def jobs_today(jobs: BulkJobs, now: Callable[[], datetime]) -> Callable[[], int]:
    """Bulk query jobs created in the last 24 hours (for `GET /limits`)."""
    return lambda: jobs.created_since(now() - timedelta(hours=24))
