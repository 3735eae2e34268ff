"""One virtualenv per official Airbyte source, with the redirect module installed beside it.

`ensure_venv(peer, venv_dir)` makes `<venv_dir>/<system>` with `python3 -m
venv`, installs the pinned source with `uv pip install` (reusing the venv when
that version is already there), and writes `loophub_peer_redirect.py` plus the
`.pth` file that imports it into the venv's site-packages (always rewritten,
so edits to redirect.py reach existing venvs).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from dataclasses import dataclass
from importlib.metadata import PathDistribution
from pathlib import Path

from sandbox.peercheck import redirect

REDIRECT_MODULE = "loophub_peer_redirect"


@dataclass(frozen=True)
class Peer:
    """An official source: which system it reads, its PyPI package and pinned version, its console script."""

    system: str
    package: str
    version: str
    script: str


PEERS: dict[str, Peer] = {
    peer.system: peer
    for peer in (
        Peer("salesforce", "airbyte-source-salesforce", "2.10.3", "source-salesforce"),
        Peer("hubspot", "airbyte-source-hubspot", "5.7.0", "source-hubspot"),
        Peer("zendesk", "airbyte-source-zendesk-support", "4.9.1", "source-zendesk-support"),
    )
}


def venv_path(peer: Peer, venv_dir: Path) -> Path:
    return venv_dir / peer.system


def script_path(peer: Peer, venv_dir: Path) -> Path:
    return venv_path(peer, venv_dir) / "bin" / peer.script


def site_packages(venv: Path) -> Path:
    found = sorted(venv.glob("lib/python3*/site-packages"))
    if not found:
        raise RuntimeError(f"no site-packages under {venv}")
    return found[0]


def installed_version(peer: Peer, venv: Path) -> str | None:
    """The version of `peer.package` installed in `venv`, or None."""
    if not (venv / "bin" / "python").exists():
        return None
    try:
        packages = site_packages(venv)
    except RuntimeError:
        return None
    wanted = peer.package.replace("-", "_").lower()
    for info in packages.glob("*.dist-info"):
        name, _, version = info.name.removesuffix(".dist-info").partition("-")
        if name.lower() == wanted:
            return PathDistribution(info).version or version
    return None


def _uv() -> str:
    """uv from the dev venv (next to this interpreter), else from PATH."""
    beside = Path(sys.executable).parent / "uv"
    found = str(beside) if beside.exists() else shutil.which("uv")
    if not found:
        raise RuntimeError("uv not found: install it into the dev venv (`pip install uv`)")
    return found


def ensure_venv(peer: Peer, venv_dir: Path, log=print) -> Path:  # type: ignore[no-untyped-def]
    """The venv of `peer`, created or updated so the pinned version and the redirect module are installed."""
    venv = venv_path(peer, venv_dir)
    have = installed_version(peer, venv)
    if have != peer.version:
        if not (venv / "bin" / "python").exists():
            log(f"creating {venv}")
            venv.parent.mkdir(parents=True, exist_ok=True)
            subprocess.run(["python3", "-m", "venv", str(venv)], check=True)
        log(f"installing {peer.package}=={peer.version} into {venv} (had {have or 'nothing'})")
        subprocess.run(
            [_uv(), "pip", "install", "--python", str(venv / "bin" / "python"), f"{peer.package}=={peer.version}"],
            check=True,
        )
    install_redirect(venv)
    if not script_path(peer, venv_dir).exists():
        raise RuntimeError(f"{peer.package} installed no {peer.script} console script in {venv}")
    return venv


def install_redirect(venv: Path) -> None:
    """Write the redirect module and the .pth file that imports it into `venv`'s site-packages."""
    packages = site_packages(venv)
    source = Path(redirect.__file__).read_text(encoding="utf-8")
    module = packages / f"{REDIRECT_MODULE}.py"
    if not module.exists() or module.read_text(encoding="utf-8") != source:
        module.write_text(source, encoding="utf-8")
    (packages / f"{REDIRECT_MODULE}.pth").write_text(f"import {REDIRECT_MODULE}\n", encoding="utf-8")
