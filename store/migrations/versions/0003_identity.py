"""golden records, members, identity edges, events, overrides, the review queue and match models

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from store.base import JSONType, UTCDateTime

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "golden_members",
        sa.Column("entity", sa.String(length=32), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("golden_id", sa.String(length=40), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("resolved_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("entity", "record_id", name=op.f("pk_golden_members")),
    )
    op.create_index(op.f("ix_golden_members_golden_id"), "golden_members", ["golden_id"])

    op.create_table(
        "golden_records",
        sa.Column("golden_id", sa.String(length=40), nullable=False),
        sa.Column("entity", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("merged_into", sa.String(length=40), nullable=True),
        sa.Column("profile", JSONType, nullable=False),
        sa.Column("member_count", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("golden_id", name=op.f("pk_golden_records")),
    )
    op.create_index(op.f("ix_golden_records_entity_status"), "golden_records", ["entity", "status"])
    op.create_index(op.f("ix_golden_records_merged_into"), "golden_records", ["merged_into"])

    op.create_table(
        "identity_edges",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entity", sa.String(length=32), nullable=False),
        sa.Column("left_id", sa.Integer(), nullable=False),
        sa.Column("right_id", sa.Integer(), nullable=False),
        sa.Column("rule", sa.String(length=40), nullable=False),
        sa.Column("score", sa.Double(), nullable=True),
        sa.Column("match_weight", sa.Double(), nullable=True),
        sa.Column("details", JSONType, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_identity_edges")),
        sa.UniqueConstraint("entity", "left_id", "right_id", "rule", name=op.f("uq_identity_edges_entity_left_id_right_id_rule")),
    )
    op.create_index(op.f("ix_identity_edges_entity_right_id"), "identity_edges", ["entity", "right_id"])

    op.create_table(
        "identity_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entity", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("golden_id", sa.String(length=40), nullable=True),
        sa.Column("other_ids", JSONType, nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("details", JSONType, nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_identity_events")),
    )
    op.create_index(op.f("ix_identity_events_at"), "identity_events", ["at"])
    op.create_index(op.f("ix_identity_events_golden_id"), "identity_events", ["golden_id"])

    op.create_table(
        "identity_overrides",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entity", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("left_ref", sa.String(length=200), nullable=False),
        sa.Column("right_ref", sa.String(length=200), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_identity_overrides")),
    )
    op.create_index(op.f("ix_identity_overrides_entity_active"), "identity_overrides", ["entity", "active"])

    op.create_table(
        "match_models",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entity", sa.String(length=32), nullable=False),
        sa.Column("version", sa.String(length=64), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("model", JSONType, nullable=False),
        sa.Column("record_count", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("trained_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_match_models")),
    )
    op.create_index(op.f("ix_match_models_entity_active"), "match_models", ["entity", "active"])

    op.create_table(
        "review_queue",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entity", sa.String(length=32), nullable=False),
        sa.Column("left_id", sa.Integer(), nullable=False),
        sa.Column("right_id", sa.Integer(), nullable=False),
        sa.Column("score", sa.Double(), nullable=False),
        sa.Column("match_weight", sa.Double(), nullable=True),
        sa.Column("details", JSONType, nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("decided_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_queue")),
        sa.UniqueConstraint("entity", "left_id", "right_id", name=op.f("uq_review_queue_entity_left_id_right_id")),
    )
    op.create_index(op.f("ix_review_queue_status"), "review_queue", ["status"])


def downgrade() -> None:
    op.drop_index(op.f("ix_review_queue_status"), table_name="review_queue")

    op.drop_table("review_queue")
    op.drop_index(op.f("ix_match_models_entity_active"), table_name="match_models")

    op.drop_table("match_models")
    op.drop_index(op.f("ix_identity_overrides_entity_active"), table_name="identity_overrides")

    op.drop_table("identity_overrides")
    op.drop_index(op.f("ix_identity_events_golden_id"), table_name="identity_events")
    op.drop_index(op.f("ix_identity_events_at"), table_name="identity_events")

    op.drop_table("identity_events")
    op.drop_index(op.f("ix_identity_edges_entity_right_id"), table_name="identity_edges")

    op.drop_table("identity_edges")
    op.drop_index(op.f("ix_golden_records_merged_into"), table_name="golden_records")
    op.drop_index(op.f("ix_golden_records_entity_status"), table_name="golden_records")

    op.drop_table("golden_records")
    op.drop_index(op.f("ix_golden_members_golden_id"), table_name="golden_members")

    op.drop_table("golden_members")
