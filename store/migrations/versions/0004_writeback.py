"""the write-back outbox (one row per planned field change) and the echo ledger of loophub's own writes

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from store.base import JSONType, UTCDateTime

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "writeback_echoes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("system", sa.String(length=32), nullable=False),
        sa.Column("object", sa.String(length=64), nullable=False),
        sa.Column("record_id", sa.String(length=64), nullable=False),
        sa.Column("field", sa.String(length=100), nullable=False),
        sa.Column("value", JSONType, nullable=True),
        sa.Column("written_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_writeback_echoes")),
        sa.UniqueConstraint("system", "object", "record_id", "field", name=op.f("uq_writeback_echoes_system_object_record_id_field")),
    )

    op.create_table(
        "writeback_outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("system", sa.String(length=32), nullable=False),
        sa.Column("object", sa.String(length=64), nullable=False),
        sa.Column("record_id", sa.String(length=64), nullable=False),
        sa.Column("field", sa.String(length=100), nullable=False),
        sa.Column("golden_id", sa.String(length=40), nullable=True),
        sa.Column("policy", sa.String(length=64), nullable=False),
        sa.Column("mode", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("old_value", JSONType, nullable=True),
        sa.Column("new_value", JSONType, nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("next_attempt_at", UTCDateTime(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("applied_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_writeback_outbox")),
    )
    op.create_index(op.f("ix_writeback_outbox_plan_id"), "writeback_outbox", ["plan_id"])
    op.create_index(op.f("ix_writeback_outbox_status_next_attempt_at"), "writeback_outbox", ["status", "next_attempt_at"])
    op.create_index(op.f("ix_writeback_outbox_system_object_record_id_field"), "writeback_outbox", ["system", "object", "record_id", "field"])


def downgrade() -> None:
    op.drop_index(op.f("ix_writeback_outbox_system_object_record_id_field"), table_name="writeback_outbox")
    op.drop_index(op.f("ix_writeback_outbox_status_next_attempt_at"), table_name="writeback_outbox")
    op.drop_index(op.f("ix_writeback_outbox_plan_id"), table_name="writeback_outbox")

    op.drop_table("writeback_outbox")
    op.drop_table("writeback_echoes")
