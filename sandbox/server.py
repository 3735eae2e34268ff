"""Runs the three stand-ins on real loopback sockets.

Salesforce is served over HTTPS with a throw-away CA (simple-salesforce always
builds https:// URLs); HubSpot and Zendesk over plain HTTP, since their
clients accept a host override. All three share one event loop in a
background thread, so a test or the demo can start them in-process.
"""

from __future__ import annotations

import asyncio
import socket
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path

import trustme
import uvicorn
from starlette.applications import Starlette

from sandbox.clock import SandboxClock
from sandbox.control import SandboxControl
from sandbox.world import World

SYSTEMS = ("salesforce", "hubspot", "zendesk")


@dataclass
class StandIn:
    system: str
    app: Starlette
    control: SandboxControl
    socket: socket.socket
    tls: bool
    base_url: str = ""


@dataclass
class SandboxServer:
    """The three stand-ins, started with `start()` (or as a context manager) and stopped with `stop()`.

    `port=0` picks free ports; otherwise Salesforce listens on `port`, HubSpot
    on `port + 1` and Zendesk on `port + 2`.
    """

    world: World
    host: str = "127.0.0.1"
    port: int = 0
    certificate_dir: Path | None = None  # where the CA is written; a temporary folder when None
    clock: SandboxClock = field(default_factory=SandboxClock)
    stand_ins: dict[str, StandIn] = field(default_factory=dict)
    ca_path: Path | None = None
    _thread: threading.Thread | None = None
    _servers: list[uvicorn.Server] = field(default_factory=list)
    _tempdir: tempfile.TemporaryDirectory[str] | None = None

    def __enter__(self) -> SandboxServer:
        self.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()

    def url(self, system: str) -> str:
        return self.stand_ins[system].base_url

    def control(self, system: str) -> SandboxControl:
        return self.stand_ins[system].control

    def start(self) -> None:
        if self.certificate_dir is None:
            self._tempdir = tempfile.TemporaryDirectory(prefix="loophub-sandbox-")
            self.certificate_dir = Path(self._tempdir.name)
        self.certificate_dir.mkdir(parents=True, exist_ok=True)
        tls_files = self._make_certificates(self.certificate_dir)
        for offset, system in enumerate(SYSTEMS):
            control = SandboxControl(clock=self.clock)
            sock = _bind(self.host, self.port + offset if self.port else 0)
            tls = system == "salesforce"
            stand_in = StandIn(system, _create_app(system, self.world, control), control, sock, tls)
            scheme = "https" if tls else "http"
            stand_in.base_url = f"{scheme}://{self.host}:{sock.getsockname()[1]}"
            self.stand_ins[system] = stand_in
            config = uvicorn.Config(
                stand_in.app,
                log_level="warning",
                access_log=False,
                lifespan="off",
                # An idle keep-alive client must not hold shutdown hostage.
                timeout_graceful_shutdown=1,
                # The vendors' front ends keep an idle connection about a minute; uvicorn's 5 s default has a client
                # that pauses (between a sync's pages, or a test's reads) race the server's close on its next request.
                timeout_keep_alive=60,
                ssl_certfile=str(tls_files[0]) if tls else None,
                ssl_keyfile=str(tls_files[1]) if tls else None,
            )
            self._servers.append(uvicorn.Server(config))
        started = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(started,), name="loophub-sandbox", daemon=True)
        self._thread.start()
        if not started.wait(30):
            raise RuntimeError("the sandbox did not start within 30 s")

    def stop(self) -> None:
        for server in self._servers:
            server.should_exit = True
            server.force_exit = True
        if self._thread is not None:
            self._thread.join(10)
        for stand_in in self.stand_ins.values():
            stand_in.socket.close()
        if self._tempdir is not None:
            self._tempdir.cleanup()

    def serve_forever(self) -> None:
        """Block until interrupted (used by `loophub sandbox serve`)."""
        assert self._thread is not None
        try:
            while self._thread.is_alive():
                self._thread.join(0.5)
        except KeyboardInterrupt:
            pass
        finally:
            self.stop()

    def _make_certificates(self, directory: Path) -> tuple[Path, Path]:
        authority = trustme.CA(organization_name="loophub sandbox")
        certificate = authority.issue_cert(self.host, "localhost", "127.0.0.1")
        self.ca_path = directory / "ca.pem"
        authority.cert_pem.write_to_path(str(self.ca_path))
        cert_path, key_path = directory / "server.pem", directory / "server.key"
        cert_path.unlink(missing_ok=True)
        certificate.private_key_pem.write_to_path(str(key_path))
        for blob in certificate.cert_chain_pems:
            blob.write_to_path(str(cert_path), append=True)
        return cert_path, key_path

    def _run(self, started: threading.Event) -> None:
        async def serve_all() -> None:
            tasks = [
                asyncio.create_task(server.serve(sockets=[stand_in.socket]))
                for server, stand_in in zip(self._servers, self.stand_ins.values(), strict=True)
            ]
            while not all(server.started for server in self._servers):
                if any(task.done() for task in tasks):
                    break
                await asyncio.sleep(0.01)
            started.set()
            await asyncio.gather(*tasks)

        asyncio.run(serve_all())


def _bind(host: str, port: int) -> socket.socket:
    # IPPROTO_TCP explicitly: asyncio only turns on TCP_NODELAY for sockets that say they are TCP,
    # and without it every answer waits out a delayed ACK (~40 ms).
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(256)
    sock.set_inheritable(True)
    return sock


def _create_app(system: str, world: World, control: SandboxControl) -> Starlette:
    if system == "salesforce":
        from sandbox.salesforce import create_app
    elif system == "hubspot":
        from sandbox.hubspot import create_app
    else:
        from sandbox.zendesk import create_app
    return create_app(world, control)
