"""The open-loop load generator of `bench.api_latency`: email lookups at a fixed rate, every answer checked.

Request i is due at start + i / rate whatever happened to the ones before
it; a client connection takes it off the queue when free, and its latency
runs from the time it was due, not from when it was sent. So a slow server
shows up as queueing in the figures instead of slowing the generator down
(no coordinated omission).

The generator must cost far less than the server it measures, on a machine
whose cores it shares: it is one asyncio loop speaking HTTP/1.1 over
`connections` keep-alive sockets with a minimal protocol (a request is one
pre-built bytes write; a response is read to its Content-Length). Python
threads with http.client cost about three times as much CPU per request and
add GIL hand-overs to the times measured. Answers are checked after the
clock has stopped.
"""

from __future__ import annotations

import asyncio
import json
import random
import resource
import time
from dataclasses import dataclass, field
from urllib.parse import quote, urlsplit

from bench.api_latency_world import email_of, golden_id_of

MISS_SHARE = 0.03
HEADER_END = b"\r\n\r\n"


@dataclass(frozen=True, slots=True)
class LoadPlan:
    url: str
    api_key: str
    rate: float
    seconds: float
    people: int
    workers: int  # client connections
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

    def count(self, failure: str | None) -> None:
        if failure is not None:
            self.failures[failure] = self.failures.get(failure, 0) + 1


class _HttpClient(asyncio.Protocol):
    """One keep-alive connection; `ask` sends a request and resolves with (status, body) when the whole body is in."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.buffer = bytearray()
        self.waiting: asyncio.Future[tuple[int, bytes]] | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def ask(self, request: bytes) -> asyncio.Future[tuple[int, bytes]]:
        assert self.transport is not None and self.waiting is None
        self.waiting = asyncio.get_running_loop().create_future()
        self.transport.write(request)
        return self.waiting

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        head_end = self.buffer.find(HEADER_END)
        if head_end < 0 or self.waiting is None:
            return
        head = bytes(self.buffer[:head_end]).decode("latin-1").split("\r\n")
        length = next((int(line.split(":", 1)[1]) for line in head if line.lower().startswith("content-length:")), 0)
        end = head_end + len(HEADER_END) + length
        if len(self.buffer) < end:
            return
        body = bytes(self.buffer[head_end + len(HEADER_END) : end])
        del self.buffer[:end]
        waiting, self.waiting = self.waiting, None
        waiting.set_result((int(head[0].split(" ", 2)[1]), body))

    def connection_lost(self, exc: Exception | None) -> None:
        if self.waiting is not None and not self.waiting.done():
            self.waiting.set_exception(ConnectionError("the server closed the connection"))


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


def _number(chooser: random.Random, people: int) -> int:
    """A person's number, or one past the million (an address nobody has) for MISS_SHARE of requests."""
    if chooser.random() < MISS_SHARE:
        return people + chooser.randrange(people)
    return chooser.randrange(people)


@dataclass
class _Run:
    plan: LoadPlan
    host: str
    port: int
    due: asyncio.Queue[tuple[float, int] | None]
    answers: list[tuple[int, float, float, int, bytes]] = field(default_factory=list)  # number, latency, service, status, body
    errors: LoadResult = field(default_factory=LoadResult)

    def request(self, number: int) -> bytes:
        return (f"GET /v1/profiles?email={quote(email_of(number))} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n"
                f"X-API-Key: {self.plan.api_key}\r\n\r\n").encode()  # fmt: skip

    async def connect(self) -> _HttpClient:
        _, client = await asyncio.get_running_loop().create_connection(_HttpClient, self.host, self.port)
        return client

    async def client(self) -> None:
        connection = await self.connect()
        while (item := await self.due.get()) is not None:
            due_at, number = item
            sent = time.perf_counter()
            try:
                status, body = await connection.ask(self.request(number))
            except OSError as error:
                self.errors.count(type(error).__name__)
                connection = await self.connect()  # the next request goes on a new connection
                continue
            done = time.perf_counter()
            self.answers.append((number, done - due_at, done - sent, status, body))


async def _drive(plan: LoadPlan) -> _Run:
    parts = urlsplit(plan.url)
    run = _Run(plan, parts.hostname or "127.0.0.1", parts.port or 80, asyncio.Queue())
    clients = [asyncio.create_task(run.client()) for _ in range(plan.workers)]
    await asyncio.sleep(0.2)  # connections open before the clock starts
    chooser, total = random.Random(plan.seed), round(plan.rate * plan.seconds)
    start = time.perf_counter()
    for index in range(total):
        due_at = start + index / plan.rate
        if (wait := due_at - time.perf_counter()) > 0:
            await asyncio.sleep(wait)
        run.due.put_nowait((due_at, _number(chooser, plan.people)))
    for _ in clients:
        run.due.put_nowait(None)
    await asyncio.gather(*clients)
    run.errors.elapsed = time.perf_counter() - start
    return run


def _checked(run: _Run) -> LoadResult:
    result = run.errors
    for number, latency, service, status, body in run.answers:
        hit = number < run.plan.people
        try:
            result.count(_verdict(status, body, golden_id_of("person", number) if hit else None))
        except (ValueError, KeyError) as error:
            result.count(type(error).__name__)
        result.latencies.append(latency)
        result.service_times.append(service)
        result.hits += hit
        result.misses += not hit
    return result


def run_load(plan: LoadPlan) -> LoadResult:
    """Send round(rate × seconds) lookups on schedule; returns when all are answered and checked.

    The CPU figure covers sending and reading only (answers are checked after it is taken).
    """
    before = resource.getrusage(resource.RUSAGE_SELF)
    run = asyncio.run(_drive(plan))
    after = resource.getrusage(resource.RUSAGE_SELF)
    run.errors.cpu_seconds = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return _checked(run)
