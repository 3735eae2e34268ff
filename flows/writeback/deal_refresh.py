"""Pull the deals hand-offs just created, so the same run's field policies count them.

Without this, a run that creates a deal plans `crm_context` from a store that
does not hold the deal yet; the next loop pulls it, sees one more open deal
on the company and writes the Zendesk organization's pipeline again. Reading
the CRM's deal stream (incrementally, from its saved state) and mapping what
landed, between the hand-offs and the field policies, makes one run write
both the deal and its consequences, and the next run write nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import Engine

from flows.writeback.handoff import DEAL_OBJECTS
from loophub.config import LoophubConfig


@dataclass
class DealRefresh:
    """Deal records landed per CRM, and why a refresh failed (the field policies then plan without them)."""

    landed: dict[str, int] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)


def refresh_deals(engine: Engine, config: LoophubConfig, systems: Iterable[str]) -> DealRefresh:
    """Sync each CRM's deal stream from its saved state, then map every record not mapped yet."""
    from flows.map import map_records
    from flows.sync import sync_connection
    from mapping import load_catalog

    refresh = DealRefresh()
    for system in sorted(set(systems)):
        connection = next((c for c in config.connections if c.system == system), None)
        if connection is None:
            continue
        report = sync_connection(engine, connection, streams=[DEAL_OBJECTS[system]])
        refresh.landed[system] = report.landing.records
        if report.error:
            refresh.errors.append(f"{connection.name}/{DEAL_OBJECTS[system]}: {report.error}")
    if refresh.landed:
        map_records(engine, load_catalog(config.mapping, config.origin()))
    return refresh
