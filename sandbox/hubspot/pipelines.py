"""The deal and ticket pipelines of the sandbox portal.

Readers (and the official connector) map stage ids such as `closedwon` or
ticket stage `4` to labels and open/closed through these; the same stages are
the allowed options of `dealstage` and `hs_pipeline_stage`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sandbox.hubspot.values import iso_ms

# Pipelines are portal configuration: older than any record.
PIPELINES_CREATED = datetime(2015, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Stage:
    id: str
    label: str
    metadata: tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class Pipeline:
    id: str
    label: str
    stages: tuple[Stage, ...]


def _deal_stage(stage_id: str, label: str, probability: str) -> Stage:
    closed = "true" if stage_id in {"closedwon", "closedlost"} else "false"
    return Stage(stage_id, label, (("isClosed", closed), ("probability", probability)))


def _ticket_stage(stage_id: str, label: str, state: str) -> Stage:
    return Stage(stage_id, label, (("ticketState", state), ("isClosed", "true" if state == "CLOSED" else "false")))


PIPELINES: dict[str, tuple[Pipeline, ...]] = {
    "deals": (
        Pipeline(
            "default",
            "Sales Pipeline",
            (
                _deal_stage("appointmentscheduled", "Appointment Scheduled", "0.2"),
                _deal_stage("qualifiedtobuy", "Qualified To Buy", "0.4"),
                _deal_stage("presentationscheduled", "Presentation Scheduled", "0.6"),
                _deal_stage("decisionmakerboughtin", "Decision Maker Bought-In", "0.8"),
                _deal_stage("contractsent", "Contract Sent", "0.9"),
                _deal_stage("closedwon", "Closed Won", "1.0"),
                _deal_stage("closedlost", "Closed Lost", "0.0"),
            ),
        ),
    ),
    "tickets": (
        Pipeline(
            "0",
            "Support Pipeline",
            (
                _ticket_stage("1", "New", "OPEN"),
                _ticket_stage("2", "Waiting on contact", "OPEN"),
                _ticket_stage("3", "Waiting on us", "OPEN"),
                _ticket_stage("4", "Closed", "CLOSED"),
            ),
        ),
    ),
}


def stage_options(object_type: str) -> tuple[tuple[str, str], ...]:
    """(value, label) of every stage of every pipeline of a type."""
    return tuple((stage.id, stage.label) for pipeline in PIPELINES.get(object_type, ()) for stage in pipeline.stages)


def pipeline_options(object_type: str) -> tuple[tuple[str, str], ...]:
    return tuple((pipeline.id, pipeline.label) for pipeline in PIPELINES.get(object_type, ()))


def pipeline_json(pipeline: Pipeline, display_order: int) -> dict[str, Any]:
    """A pipeline as `GET /crm/v3/pipelines/{type}` answers it."""
    stamp = iso_ms(PIPELINES_CREATED)
    return {
        "label": pipeline.label,
        "displayOrder": display_order,
        "id": pipeline.id,
        "stages": [
            {
                "label": stage.label,
                "displayOrder": order,
                "metadata": dict(stage.metadata),
                "id": stage.id,
                "createdAt": stamp,
                "updatedAt": stamp,
                "archived": False,
                "writePermissions": "CRM_PERMISSIONS_ENFORCEMENT",
            }
            for order, stage in enumerate(pipeline.stages)
        ],
        "createdAt": stamp,
        "updatedAt": stamp,
        "archived": False,
    }
