"""The Prefect `writeback` flow: plan → outbox → apply → confirm, as one step of the loop.

`apply_writeback` keeps the run row; this flow adds Prefect's state and logs
and returns a summary the loop and the CLI can print.
"""

from __future__ import annotations

from typing import Any

from prefect import flow, get_run_logger


@flow(name="writeback", log_prints=False)
def writeback_flow(config_path: str | None = None, database_url: str | None = None, dry_run: bool = False) -> dict[str, Any]:
    """Plan what the enabled policies want; unless `dry_run`, write it through the outbox."""
    from flows.pipeline import announce, open_store
    from flows.writeback.run import writeback

    config, engine = open_store(config_path, database_url)
    announce("write-back")
    try:
        plan, report = writeback(engine, config, dry_run=dry_run)
    finally:
        engine.dispose()
    logger = get_run_logger()
    for policy, fields in plan.skipped.items():
        logger.warning("write-back policy %s skipped: %d target field(s) not ready (%s); run `loophub targets apply`", policy, len(fields), ", ".join(fields[:3]))
    summary: dict[str, Any] = {"planned": len(plan.rows), "policies": plan.policies, "skipped": plan.skipped, "dry_run": dry_run}
    if report is not None:
        summary |= {"run_id": report.run_id, **report.as_counts(), "applied": report.count("applied"),
                    "conflicts": len(report.conflicts), "failed": len(report.errors)}  # fmt: skip
    logger.info(
        "write-back: %d planned (%s), %d applied, %d conflicts, %d failed", summary["planned"], ", ".join(plan.policies) or "no policy",
        summary.get("applied", 0), summary.get("conflicts", 0), summary.get("failed", 0),
    )  # fmt: skip
    return summary
