"""The Zendesk stand-in on generated and large worlds: everything seeded comes out of the exports, fast."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests
from zenpy import Zenpy

from sandbox.population import generate_world
from sandbox.server import SandboxServer
from sandbox.world import World
from sandbox.zendesk.seed import zendesk_world


@pytest.fixture
def point_zenpy(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., Zenpy]]:
    """An unmodified zenpy aimed at a started sandbox's Zendesk stand-in."""

    def aim(server: SandboxServer, **options: Any) -> Zenpy:
        monkeypatch.setenv("ZENPY_FORCE_SCHEME", "http")
        monkeypatch.setenv("ZENPY_FORCE_NETLOC", server.url("zendesk").removeprefix("http://"))
        return Zenpy(subdomain="loophub", email="agent@example.com", token="secret", disable_cache=True, **options)

    yield aim


def test_given_a_generated_world_when_zenpy_exports_everything_then_every_seeded_record_comes_out(
    start_sandbox: Callable[[World], SandboxServer], point_zenpy: Callable[..., Zenpy]
) -> None:
    world = generate_world(300, seed=3)
    server = start_sandbox(world)
    zenpy = point_zenpy(server)

    users = {user.id for user in zenpy.users.incremental(start_time=0, per_page=50)}
    organizations = {organization.id for organization in zenpy.organizations.incremental(start_time=0, per_page=25)}
    tickets = {ticket.id for ticket in zenpy.tickets.incremental(start_time=0)}
    ratings = list(zenpy.satisfaction_ratings())

    assert users == {user["id"] for user in world.zendesk["users"]}
    assert organizations == {organization["id"] for organization in world.zendesk["organizations"]}
    assert tickets == {ticket["id"] for ticket in world.zendesk["tickets"]}
    assert len(ratings) == len(world.zendesk["satisfaction_ratings"])


def test_given_15000_tickets_when_exported_by_cursor_1000_a_page_then_15_calls_bring_them_all_in_seconds(
    start_sandbox: Callable[[World], SandboxServer],
) -> None:
    server = start_sandbox(zendesk_world(users=7000, organizations=1500, tickets=15000, comments_per_ticket=3))
    session = requests.Session()
    session.auth = ("agent@example.com/token", "secret")
    url: str | None = server.url("zendesk") + "/api/v2/incremental/tickets/cursor.json?start_time=0"

    # Plain HTTP here: zenpy's own object mapping costs ~10x what the stand-in does.
    started = time.monotonic()
    exported: set[int] = set()
    while url:
        page = session.get(url, timeout=30).json()
        exported.update(ticket["id"] for ticket in page["tickets"])
        url = None if page["end_of_stream"] else page["after_url"]
    elapsed = time.monotonic() - started

    assert len(exported) == 15000
    assert server.control("zendesk").calls.calls("/api/v2/incremental/tickets/cursor.json") == 15
    assert elapsed < 10, f"a full export took {elapsed:.1f} s"
