"""Fixtures that start the stand-ins on free loopback ports."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from sandbox.server import SandboxServer
from sandbox.world import World


@pytest.fixture
def start_sandbox() -> Iterator[Callable[[World], SandboxServer]]:
    """Start a sandbox on a given world; every sandbox started is stopped after the test."""
    started: list[SandboxServer] = []

    def start(world: World) -> SandboxServer:
        server = SandboxServer(world)
        server.start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()
