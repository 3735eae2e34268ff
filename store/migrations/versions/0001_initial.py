"""connections, stream states, raw records and runs

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from store.base import JSONType, UTCDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "connections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("system", sa.String(32), nullable=False),
        sa.Column("base_url", sa.String(500), nullable=True),
        sa.Column("options", JSONType, nullable=False),
        sa.Column("credential_refs", JSONType, nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_connections")),
        sa.UniqueConstraint("name", name=op.f("uq_connections_name")),
    )
    op.create_table(
        "stream_states",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("connection_name", sa.String(100), nullable=False),
        sa.Column("stream", sa.String(100), nullable=False),
        sa.Column("state", JSONType, nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stream_states")),
        sa.UniqueConstraint("connection_name", "stream", name=op.f("uq_stream_states_connection_name_stream")),
    )
    op.create_table(
        "raw_records",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("system", sa.String(32), nullable=False),
        sa.Column("object", sa.String(64), nullable=False),
        sa.Column("source_id", sa.String(64), nullable=False),
        sa.Column("payload", JSONType, nullable=False),
        sa.Column("source_updated_at", UTCDateTime(), nullable=True),
        sa.Column("is_deleted", sa.Boolean(), nullable=False),
        sa.Column("payload_hash", sa.String(64), nullable=False),
        sa.Column("pulled_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_raw_records")),
        sa.UniqueConstraint("system", "object", "source_id", name=op.f("uq_raw_records_system_object_source_id")),
    )
    op.create_index(
        op.f("ix_raw_records_system_object_pulled_at"), "raw_records", ["system", "object", "pulled_at"]
    )
    op.create_table(
        "runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("flow", sa.String(64), nullable=False),
        sa.Column("started_at", UTCDateTime(), nullable=False),
        sa.Column("finished_at", UTCDateTime(), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("counts", JSONType, nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_runs")),
    )
    op.create_index(op.f("ix_runs_flow_started_at"), "runs", ["flow", "started_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_runs_flow_started_at"), table_name="runs")
    op.drop_table("runs")
    op.drop_index(op.f("ix_raw_records_system_object_pulled_at"), table_name="raw_records")
    op.drop_table("raw_records")
    op.drop_table("stream_states")
    op.drop_table("connections")
