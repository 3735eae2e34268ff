"""The open-loop load generator of `bench.api_latency`: email lookups at a fixed rate, every answer checked.

Request i is due at start + i / rate whatever happened to the ones before
it; a worker thread takes it off the queue when free, and its latency runs
from the time it was due, not from when it was sent. So a slow server shows
up as queueing in the figures instead of slowing the generator down (no
coordinated omission). Each worker keeps one keep-alive connection.
"""

from __future__ import annotations

import http.client
import json
import queue
import random
import resource
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import quote, urlsplit

from bench.api_latency_world import email_of, golden_id_of

MISS_SHARE = 0.03


@dataclass(frozen=True, slots=True)
class LoadPlan:
    url: str
    api_key: str
    rate: float
    seconds: float
    people: int
    workers: int
    seed: int


@dataclass
class LoadResult:
    """Latency (from due time) and service time (from send) of every request, in seconds, and what went wrong."""

    latencies: list[float] = field(default_factory=list)
    service_times: list[float] = field(default_factory=list)
    hits: int = 0
    misses: int = 0
    failures: dict[str, int] = field(default_factory=dict)
    elapsed: float = 0.0
    cpu_seconds: float = 0.0


def _ask(
    connection: http.client.HTTPConnection, path: str, api_key: str
) -> tuple[int, bytes]:
    connection.request("GET", path, headers={"X-API-Key": api_key})
    response = connection.getresponse()
    return response.status, response.read()


def _verdict(status: int, body: bytes, expected_id: str | None) -> str | None:
    """None when the answer is right: the one profile for a hit, no profile for a miss."""
    if status != 200:
        return f"HTTP {status}"
    items = json.loads(body)["items"]
    if expected_id is None:
        return None if items == [] else "miss answered with a profile"
    if len(items) != 1 or items[0]["id"] != expected_id:
        return "wrong profile"
    return None if items[0]["company"] is not None else "profile without its company"


class _Worker(threading.Thread):
    def __init__(
        self,
        plan: LoadPlan,
        due: queue.Queue[tuple[float, int] | None],
        result: LoadResult,
        lock: threading.Lock,
    ) -> None:
        super().__init__(daemon=True)
        self.plan, self.due, self.result, self.lock = plan, due, result, lock
        parts = urlsplit(plan.url)
        self.connection = http.client.HTTPConnection(
            parts.hostname or "127.0.0.1", parts.port, timeout=30
        )

    def run(self) -> None:
        while (item := self.due.get()) is not None:
            due_at, number = item
            hit = number < self.plan.people
            path = f"/v1/profiles?email={quote(email_of(number))}"
            sent = time.perf_counter()
            try:
                status, body = _ask(self.connection, path, self.plan.api_key)
                failure = _verdict(
                    status, body, golden_id_of("person", number) if hit else None
                )
            except (OSError, http.client.HTTPException, ValueError, KeyError) as error:
                self.connection.close()  # the next request reconnects
                failure = type(error).__name__
            done = time.perf_counter()
            self._record(done - due_at, done - sent, hit, failure)

    def _record(
        self, latency: float, service: float, hit: bool, failure: str | None
    ) -> None:
        with self.lock:
            self.result.latencies.append(latency)
            self.result.service_times.append(service)
            self.result.hits += hit
            self.result.misses += not hit
            if failure is not None:
                self.result.failures[failure] = self.result.failures.get(failure, 0) + 1


def _number(chooser: random.Random, people: int) -> int:
    """A person's number, or one past the million (an address nobody has) for MISS_SHARE of requests."""
    if chooser.random() < MISS_SHARE:
        return people + chooser.randrange(people)
    return chooser.randrange(people)


def run_load(plan: LoadPlan) -> LoadResult:
    """Send round(rate × seconds) lookups on schedule; returns when all are answered."""
    result, lock = LoadResult(), threading.Lock()
    due: queue.Queue[tuple[float, int] | None] = queue.Queue()
    workers = [_Worker(plan, due, result, lock) for _ in range(plan.workers)]
    for worker in workers:
        worker.start()
    chooser = random.Random(plan.seed)
    total = round(plan.rate * plan.seconds)
    cpu_before = resource.getrusage(resource.RUSAGE_SELF)
    start = time.perf_counter() + 0.05
    for index in range(total):
        due_at = start + index / plan.rate
        if (wait := due_at - time.perf_counter()) > 0:
            time.sleep(wait)
        due.put((due_at, _number(chooser, plan.people)))
    for _ in workers:
        due.put(None)
    for worker in workers:
        worker.join()
    result.elapsed = time.perf_counter() - start
    cpu_after = resource.getrusage(resource.RUSAGE_SELF)
    result.cpu_seconds = (cpu_after.ru_utime - cpu_before.ru_utime) + (
        cpu_after.ru_stime - cpu_before.ru_stime
    )
    return result
