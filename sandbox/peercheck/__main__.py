"""`python -m sandbox.peercheck [--people N] [--systems ...] [--venv-dir .venv-peers]`: exit 0 only when every count matches."""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from pathlib import Path

from sandbox.peercheck.report import result_table, summary
from sandbox.peercheck.runner import run_peercheck
from sandbox.peercheck.venvs import PEERS


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m sandbox.peercheck", description=__doc__)
    parser.add_argument("--people", type=int, default=300, help="size of the generated world (default 300)")
    parser.add_argument("--seed", type=int, default=42, help="world seed (default 42)")
    parser.add_argument(
        "--systems",
        default=",".join(PEERS),
        help="comma-separated subset of salesforce,hubspot,zendesk (default all three)",
    )
    parser.add_argument("--venv-dir", type=Path, default=Path(".venv-peers"), help="one venv per source under here")
    parser.add_argument(
        "--run-dir",
        type=Path,
        default=None,
        help="where configs, catalogs, states and every command's output go (default <venv-dir>/last-run, emptied first)",
    )
    args = parser.parse_args(argv)
    args.systems = [name.strip() for name in args.systems.split(",") if name.strip()]
    unknown = [name for name in args.systems if name not in PEERS]
    if unknown or not args.systems:
        parser.error(f"unknown system(s) {', '.join(unknown) or '(none given)'}; choose from {', '.join(PEERS)}")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    venv_dir = args.venv_dir.resolve()
    run_dir = (args.run_dir or venv_dir / "last-run").resolve()
    if args.run_dir is None and run_dir.exists():
        shutil.rmtree(run_dir)

    def log(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    started = time.monotonic()
    outcomes = run_peercheck(args.people, args.systems, venv_dir, run_dir, args.seed, log)
    ok = all(outcome.ok for outcome in outcomes)
    print(result_table(outcomes))
    print()
    print(summary(outcomes))
    print()
    print(f"peer check {'passed' if ok else 'FAILED'} in {time.monotonic() - started:.0f} s ({args.people} people, seed {args.seed})")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
