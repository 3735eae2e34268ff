"""Job statuses of bulk writes: queued when submitted, working at the first poll, completed at the second.

The writes themselves are applied when the job is submitted (so a client that
never polls still sees them); the status only walks through Zendesk's states
so that pollers are exercised. Statuses are kept an hour of sandbox time.
"""

from __future__ import annotations

import threading
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sandbox.clock import SandboxClock
from sandbox.zendesk.wire import zendesk_time

RETENTION = timedelta(hours=1)


@dataclass
class Job:
    id: str
    job_type: str
    results: list[dict[str, Any]]
    submitted: datetime
    polls: int = 0
    finished: datetime | None = field(default=None)

    @property
    def status(self) -> str:
        return ("queued", "working", "completed")[min(self.polls, 2)]


class JobBoard:
    """Every job status of the account, oldest first."""

    def __init__(self, clock: SandboxClock) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._jobs: dict[str, Job] = {}

    def submit(self, job_type: str, results: list[dict[str, Any]]) -> Job:
        job = Job(uuid.uuid4().hex, job_type, results, self._clock.peek())
        with self._lock:
            self._expire()
            self._jobs[job.id] = job
        return job

    def poll(self, job_id: str) -> Job | None:
        """Look a job up as a client polling it: each look moves it one state on."""
        with self._lock:
            self._expire()
            job = self._jobs.get(job_id)
            if job is None:
                return None
            job.polls += 1
            if job.status == "completed" and job.finished is None:
                job.finished = self._clock.peek()
            return job

    def recent(self) -> list[Job]:
        with self._lock:
            self._expire()
            return list(self._jobs.values())

    def _expire(self) -> None:
        oldest = self._clock.peek() - RETENTION
        for job_id in [job_id for job_id, job in self._jobs.items() if job.submitted < oldest]:
            del self._jobs[job_id]


def job_json(job: Job, base: str) -> dict[str, Any]:
    """A job status as Zendesk renders it; results only once completed."""
    total = len(job.results)
    completed = job.status == "completed"
    progress = total if completed else (total // 2 if job.status == "working" else 0)
    return {
        "id": job.id,
        "url": f"{base}/api/v2/job_statuses/{job.id}.json",
        "job_type": job.job_type,
        "total": total,
        "progress": progress,
        "status": job.status,
        "message": f"Completed at {zendesk_time(job.finished)}" if completed and job.finished else None,
        "results": job.results if completed else None,
    }
