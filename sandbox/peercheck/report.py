"""The peer check's result table and per-system summary, as Markdown (pasted as-is into the README)."""

from __future__ import annotations

from sandbox.peercheck.runner import SystemOutcome


def _cell(value: int | None) -> str:
    return "-" if value is None else str(value)


def result_table(outcomes: list[SystemOutcome]) -> str:
    """One row per stream: expected, full read (records, distinct ids), incremental read, boundary allowance, verdict."""
    lines = [
        "| system | stream | expected | full read | distinct | incremental read | boundary | result | note |",
        "|---|---|---:|---:|---:|---:|---:|---|---|",
    ]
    for outcome in outcomes:
        if not outcome.streams:
            lines.append(f"| {outcome.system} | (all) | - | - | - | - | - | FAILED | {outcome.failure[:300]} |")
        for stream in outcome.streams:
            verdict = "OK" if stream.ok else "MISMATCH"
            lines.append(
                f"| {stream.system} | {stream.stream} | {stream.expected} | {_cell(stream.full)} | {_cell(stream.distinct)} | "
                f"{_cell(stream.incremental)} | {_cell(stream.boundary)} | {verdict} | {stream.note} |"
            )
    return "\n".join(lines)


def summary(outcomes: list[SystemOutcome]) -> str:
    """Per system: the source and version, each step's time and outcome, failures and warnings, where the logs are."""
    lines = []
    for outcome in outcomes:
        steps = ", ".join(
            f"{label} {'ok' if result.ok else 'FAILED'} {result.seconds:.0f} s" for label, result in outcome.steps.items()
        )
        verdict = "OK" if outcome.ok else "FAILED"
        lines.append(
            f"- {outcome.system} ({outcome.peer.package}=={outcome.peer.version}): {verdict} in {outcome.seconds:.0f} s — {steps}"
        )
        if outcome.clock_advanced:
            lines.append(f"  - sandbox clock advanced {outcome.clock_advanced:.0f} s before the incremental read")
        if outcome.failure:
            lines.append(f"  - failure: {outcome.failure[:2000]}")
        warnings = sorted({warning for result in outcome.steps.values() for warning in result.warnings})
        for warning in warnings[:5]:
            lines.append(f"  - connector warning: {warning}")
        lines.append(f"  - logs: {outcome.folder}")
    return "\n".join(lines)
