"""the hand-off ledger: one row per support ticket handed to sales as a CRM deal

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from store.base import JSONType, UTCDateTime

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "handoffs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_system", sa.String(length=32), nullable=False),
        sa.Column("ticket_object", sa.String(length=64), nullable=False),
        sa.Column("ticket_id", sa.String(length=64), nullable=False),
        sa.Column("golden_id", sa.String(length=40), nullable=False),
        sa.Column("target_system", sa.String(length=32), nullable=False),
        sa.Column("target_object", sa.String(length=64), nullable=False),
        sa.Column("account_id", sa.String(length=64), nullable=False),
        sa.Column("owner_id", sa.String(length=64), nullable=True),
        sa.Column("idempotency_key", sa.String(length=100), nullable=False),
        sa.Column("fields", JSONType, nullable=False),
        sa.Column("context", JSONType, nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("deal_id", sa.String(length=64), nullable=True),
        sa.Column("deal_url", sa.Text(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("next_attempt_at", UTCDateTime(), nullable=True),
        sa.Column("note_sent_at", UTCDateTime(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("deal_created_at", UTCDateTime(), nullable=True),
        sa.Column("noted_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_handoffs")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_handoffs_idempotency_key")),
        sa.UniqueConstraint("ticket_system", "ticket_object", "ticket_id", name=op.f("uq_handoffs_ticket_system_ticket_object_ticket_id")),
    )
    op.create_index(op.f("ix_handoffs_golden_id"), "handoffs", ["golden_id"])
    op.create_index(op.f("ix_handoffs_status_next_attempt_at"), "handoffs", ["status", "next_attempt_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_handoffs_status_next_attempt_at"), table_name="handoffs")
    op.drop_index(op.f("ix_handoffs_golden_id"), table_name="handoffs")
    op.drop_table("handoffs")
