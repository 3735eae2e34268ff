"""canonical records, match keys and the map ledger

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from store.base import JSONType, UTCDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "match_keys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entity", sa.String(length=32), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("value", sa.String(length=320), nullable=False),
        sa.Column("is_weak", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_match_keys")),
    )
    op.create_index(op.f("ix_match_keys_entity_kind_value"), "match_keys", ["entity", "kind", "value"])
    op.create_index(op.f("ix_match_keys_entity_record_id"), "match_keys", ["entity", "record_id"])

    op.create_table(
        "companies",
        sa.Column("name", sa.String(length=300), nullable=True),
        sa.Column("domains", JSONType, nullable=False),
        sa.Column("phones", JSONType, nullable=False),
        sa.Column("industry", sa.String(length=200), nullable=True),
        sa.Column("company_type", sa.String(length=100), nullable=True),
        sa.Column("lifecycle", sa.String(length=32), nullable=True),
        sa.Column("annual_revenue", sa.Double(), nullable=True),
        sa.Column("employees", sa.Integer(), nullable=True),
        sa.Column("arr", sa.Double(), nullable=True),
        sa.Column("renewal_date", sa.Date(), nullable=True),
        sa.Column("city", sa.String(length=200), nullable=True),
        sa.Column("country", sa.String(length=100), nullable=True),
        sa.Column("owner_source_id", sa.String(length=64), nullable=True),
        sa.Column("linked_ids", JSONType, nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("system", sa.String(length=32), nullable=False),
        sa.Column("object", sa.String(length=64), nullable=False),
        sa.Column("source_id", sa.String(length=64), nullable=False),
        sa.Column("source_updated_at", UTCDateTime(), nullable=True),
        sa.Column("is_deleted", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=True),
        sa.Column("attributes", JSONType, nullable=False),
        sa.Column("warnings", JSONType, nullable=False),
        sa.Column("raw_record_id", sa.Integer(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("changed_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["raw_record_id"], ["raw_records.id"], name=op.f("fk_companies_raw_record_id_raw_records"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_companies")),
        sa.UniqueConstraint("system", "object", "source_id", name=op.f("uq_companies_system_object_source_id")),
    )
    op.create_index(op.f("ix_companies_changed_at"), "companies", ["changed_at"])
    op.create_index(op.f("ix_companies_raw_record_id"), "companies", ["raw_record_id"])

    op.create_table(
        "deals",
        sa.Column("name", sa.String(length=300), nullable=True),
        sa.Column("amount", sa.Double(), nullable=True),
        sa.Column("currency", sa.String(length=8), nullable=True),
        sa.Column("stage", sa.String(length=16), nullable=True),
        sa.Column("stage_raw", sa.String(length=100), nullable=True),
        sa.Column("pipeline", sa.String(length=100), nullable=True),
        sa.Column("deal_type", sa.String(length=100), nullable=True),
        sa.Column("close_date", sa.Date(), nullable=True),
        sa.Column("company_source_id", sa.String(length=64), nullable=True),
        sa.Column("person_source_ids", JSONType, nullable=False),
        sa.Column("owner_source_id", sa.String(length=64), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("system", sa.String(length=32), nullable=False),
        sa.Column("object", sa.String(length=64), nullable=False),
        sa.Column("source_id", sa.String(length=64), nullable=False),
        sa.Column("source_updated_at", UTCDateTime(), nullable=True),
        sa.Column("is_deleted", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=True),
        sa.Column("attributes", JSONType, nullable=False),
        sa.Column("warnings", JSONType, nullable=False),
        sa.Column("raw_record_id", sa.Integer(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("changed_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["raw_record_id"], ["raw_records.id"], name=op.f("fk_deals_raw_record_id_raw_records"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deals")),
        sa.UniqueConstraint("system", "object", "source_id", name=op.f("uq_deals_system_object_source_id")),
    )
    op.create_index(op.f("ix_deals_changed_at"), "deals", ["changed_at"])
    op.create_index(op.f("ix_deals_company_source_id"), "deals", ["company_source_id"])
    op.create_index(op.f("ix_deals_raw_record_id"), "deals", ["raw_record_id"])

    op.create_table(
        "map_ledger",
        sa.Column("raw_record_id", sa.Integer(), nullable=False),
        sa.Column("raw_hash", sa.String(length=64), nullable=False),
        sa.Column("spec_version", sa.String(length=64), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("entity", sa.String(length=32), nullable=True),
        sa.Column("record_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("mapped_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["raw_record_id"], ["raw_records.id"], name=op.f("fk_map_ledger_raw_record_id_raw_records"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("raw_record_id", name=op.f("pk_map_ledger")),
    )
    op.create_index(op.f("ix_map_ledger_outcome"), "map_ledger", ["outcome"])

    op.create_table(
        "owners",
        sa.Column("first_name", sa.String(length=200), nullable=True),
        sa.Column("last_name", sa.String(length=200), nullable=True),
        sa.Column("full_name", sa.String(length=400), nullable=True),
        sa.Column("email", sa.String(length=320), nullable=True),
        sa.Column("title", sa.String(length=200), nullable=True),
        sa.Column("role", sa.String(length=64), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("system", sa.String(length=32), nullable=False),
        sa.Column("object", sa.String(length=64), nullable=False),
        sa.Column("source_id", sa.String(length=64), nullable=False),
        sa.Column("source_updated_at", UTCDateTime(), nullable=True),
        sa.Column("is_deleted", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=True),
        sa.Column("attributes", JSONType, nullable=False),
        sa.Column("warnings", JSONType, nullable=False),
        sa.Column("raw_record_id", sa.Integer(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("changed_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["raw_record_id"], ["raw_records.id"], name=op.f("fk_owners_raw_record_id_raw_records"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_owners")),
        sa.UniqueConstraint("system", "object", "source_id", name=op.f("uq_owners_system_object_source_id")),
    )
    op.create_index(op.f("ix_owners_changed_at"), "owners", ["changed_at"])
    op.create_index(op.f("ix_owners_raw_record_id"), "owners", ["raw_record_id"])

    op.create_table(
        "people",
        sa.Column("kind", sa.String(length=32), nullable=True),
        sa.Column("first_name", sa.String(length=200), nullable=True),
        sa.Column("last_name", sa.String(length=200), nullable=True),
        sa.Column("full_name", sa.String(length=400), nullable=True),
        sa.Column("emails", JSONType, nullable=False),
        sa.Column("phones", JSONType, nullable=False),
        sa.Column("title", sa.String(length=200), nullable=True),
        sa.Column("company_name", sa.String(length=300), nullable=True),
        sa.Column("company_domain", sa.String(length=255), nullable=True),
        sa.Column("company_source_id", sa.String(length=64), nullable=True),
        sa.Column("owner_source_id", sa.String(length=64), nullable=True),
        sa.Column("lifecycle", sa.String(length=32), nullable=True),
        sa.Column("city", sa.String(length=200), nullable=True),
        sa.Column("country", sa.String(length=100), nullable=True),
        sa.Column("linked_ids", JSONType, nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("system", sa.String(length=32), nullable=False),
        sa.Column("object", sa.String(length=64), nullable=False),
        sa.Column("source_id", sa.String(length=64), nullable=False),
        sa.Column("source_updated_at", UTCDateTime(), nullable=True),
        sa.Column("is_deleted", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=True),
        sa.Column("attributes", JSONType, nullable=False),
        sa.Column("warnings", JSONType, nullable=False),
        sa.Column("raw_record_id", sa.Integer(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("changed_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["raw_record_id"], ["raw_records.id"], name=op.f("fk_people_raw_record_id_raw_records"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_people")),
        sa.UniqueConstraint("system", "object", "source_id", name=op.f("uq_people_system_object_source_id")),
    )
    op.create_index(op.f("ix_people_changed_at"), "people", ["changed_at"])
    op.create_index(op.f("ix_people_company_source_id"), "people", ["company_source_id"])
    op.create_index(op.f("ix_people_raw_record_id"), "people", ["raw_record_id"])

    op.create_table(
        "satisfaction_ratings",
        sa.Column("ticket_source_id", sa.String(length=64), nullable=False),
        sa.Column("score", sa.String(length=16), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("requester_source_id", sa.String(length=64), nullable=True),
        sa.Column("assignee_source_id", sa.String(length=64), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("system", sa.String(length=32), nullable=False),
        sa.Column("object", sa.String(length=64), nullable=False),
        sa.Column("source_id", sa.String(length=64), nullable=False),
        sa.Column("source_updated_at", UTCDateTime(), nullable=True),
        sa.Column("is_deleted", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=True),
        sa.Column("attributes", JSONType, nullable=False),
        sa.Column("warnings", JSONType, nullable=False),
        sa.Column("raw_record_id", sa.Integer(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("changed_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["raw_record_id"], ["raw_records.id"], name=op.f("fk_satisfaction_ratings_raw_record_id_raw_records"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_satisfaction_ratings")),
        sa.UniqueConstraint("system", "object", "source_id", name=op.f("uq_satisfaction_ratings_system_object_source_id")),
    )
    op.create_index(op.f("ix_satisfaction_ratings_changed_at"), "satisfaction_ratings", ["changed_at"])
    op.create_index(op.f("ix_satisfaction_ratings_raw_record_id"), "satisfaction_ratings", ["raw_record_id"])
    op.create_index(op.f("ix_satisfaction_ratings_ticket_source_id"), "satisfaction_ratings", ["ticket_source_id"])

    op.create_table(
        "ticket_comments",
        sa.Column("ticket_source_id", sa.String(length=64), nullable=False),
        sa.Column("author_source_id", sa.String(length=64), nullable=True),
        sa.Column("body", sa.Text(), nullable=True),
        sa.Column("public", sa.Boolean(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("system", sa.String(length=32), nullable=False),
        sa.Column("object", sa.String(length=64), nullable=False),
        sa.Column("source_id", sa.String(length=64), nullable=False),
        sa.Column("source_updated_at", UTCDateTime(), nullable=True),
        sa.Column("is_deleted", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=True),
        sa.Column("attributes", JSONType, nullable=False),
        sa.Column("warnings", JSONType, nullable=False),
        sa.Column("raw_record_id", sa.Integer(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("changed_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["raw_record_id"], ["raw_records.id"], name=op.f("fk_ticket_comments_raw_record_id_raw_records"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ticket_comments")),
        sa.UniqueConstraint("system", "object", "source_id", name=op.f("uq_ticket_comments_system_object_source_id")),
    )
    op.create_index(op.f("ix_ticket_comments_changed_at"), "ticket_comments", ["changed_at"])
    op.create_index(op.f("ix_ticket_comments_raw_record_id"), "ticket_comments", ["raw_record_id"])
    op.create_index(op.f("ix_ticket_comments_ticket_source_id"), "ticket_comments", ["ticket_source_id"])

    op.create_table(
        "ticket_metrics",
        sa.Column("ticket_source_id", sa.String(length=64), nullable=False),
        sa.Column("first_reply_minutes", sa.Double(), nullable=True),
        sa.Column("first_resolution_minutes", sa.Double(), nullable=True),
        sa.Column("full_resolution_minutes", sa.Double(), nullable=True),
        sa.Column("reopens", sa.Integer(), nullable=True),
        sa.Column("replies", sa.Integer(), nullable=True),
        sa.Column("solved_at", UTCDateTime(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("system", sa.String(length=32), nullable=False),
        sa.Column("object", sa.String(length=64), nullable=False),
        sa.Column("source_id", sa.String(length=64), nullable=False),
        sa.Column("source_updated_at", UTCDateTime(), nullable=True),
        sa.Column("is_deleted", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=True),
        sa.Column("attributes", JSONType, nullable=False),
        sa.Column("warnings", JSONType, nullable=False),
        sa.Column("raw_record_id", sa.Integer(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("changed_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["raw_record_id"], ["raw_records.id"], name=op.f("fk_ticket_metrics_raw_record_id_raw_records"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ticket_metrics")),
        sa.UniqueConstraint("system", "object", "source_id", name=op.f("uq_ticket_metrics_system_object_source_id")),
    )
    op.create_index(op.f("ix_ticket_metrics_changed_at"), "ticket_metrics", ["changed_at"])
    op.create_index(op.f("ix_ticket_metrics_raw_record_id"), "ticket_metrics", ["raw_record_id"])
    op.create_index(op.f("ix_ticket_metrics_ticket_source_id"), "ticket_metrics", ["ticket_source_id"])

    op.create_table(
        "tickets",
        sa.Column("subject", sa.Text(), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=True),
        sa.Column("status_raw", sa.String(length=100), nullable=True),
        sa.Column("priority", sa.String(length=16), nullable=True),
        sa.Column("priority_raw", sa.String(length=100), nullable=True),
        sa.Column("channel", sa.String(length=64), nullable=True),
        sa.Column("ticket_type", sa.String(length=64), nullable=True),
        sa.Column("tags", JSONType, nullable=False),
        sa.Column("requester_source_id", sa.String(length=64), nullable=True),
        sa.Column("company_source_id", sa.String(length=64), nullable=True),
        sa.Column("assignee_source_id", sa.String(length=64), nullable=True),
        sa.Column("solved_at", UTCDateTime(), nullable=True),
        sa.Column("external_id", sa.String(length=255), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("system", sa.String(length=32), nullable=False),
        sa.Column("object", sa.String(length=64), nullable=False),
        sa.Column("source_id", sa.String(length=64), nullable=False),
        sa.Column("source_updated_at", UTCDateTime(), nullable=True),
        sa.Column("is_deleted", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=True),
        sa.Column("attributes", JSONType, nullable=False),
        sa.Column("warnings", JSONType, nullable=False),
        sa.Column("raw_record_id", sa.Integer(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("changed_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["raw_record_id"], ["raw_records.id"], name=op.f("fk_tickets_raw_record_id_raw_records"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tickets")),
        sa.UniqueConstraint("system", "object", "source_id", name=op.f("uq_tickets_system_object_source_id")),
    )
    op.create_index(op.f("ix_tickets_changed_at"), "tickets", ["changed_at"])
    op.create_index(op.f("ix_tickets_company_source_id"), "tickets", ["company_source_id"])
    op.create_index(op.f("ix_tickets_raw_record_id"), "tickets", ["raw_record_id"])
    op.create_index(op.f("ix_tickets_requester_source_id"), "tickets", ["requester_source_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_tickets_requester_source_id"), table_name="tickets")
    op.drop_index(op.f("ix_tickets_raw_record_id"), table_name="tickets")
    op.drop_index(op.f("ix_tickets_company_source_id"), table_name="tickets")
    op.drop_index(op.f("ix_tickets_changed_at"), table_name="tickets")

    op.drop_table("tickets")
    op.drop_index(op.f("ix_ticket_metrics_ticket_source_id"), table_name="ticket_metrics")
    op.drop_index(op.f("ix_ticket_metrics_raw_record_id"), table_name="ticket_metrics")
    op.drop_index(op.f("ix_ticket_metrics_changed_at"), table_name="ticket_metrics")

    op.drop_table("ticket_metrics")
    op.drop_index(op.f("ix_ticket_comments_ticket_source_id"), table_name="ticket_comments")
    op.drop_index(op.f("ix_ticket_comments_raw_record_id"), table_name="ticket_comments")
    op.drop_index(op.f("ix_ticket_comments_changed_at"), table_name="ticket_comments")

    op.drop_table("ticket_comments")
    op.drop_index(op.f("ix_satisfaction_ratings_ticket_source_id"), table_name="satisfaction_ratings")
    op.drop_index(op.f("ix_satisfaction_ratings_raw_record_id"), table_name="satisfaction_ratings")
    op.drop_index(op.f("ix_satisfaction_ratings_changed_at"), table_name="satisfaction_ratings")

    op.drop_table("satisfaction_ratings")
    op.drop_index(op.f("ix_people_raw_record_id"), table_name="people")
    op.drop_index(op.f("ix_people_company_source_id"), table_name="people")
    op.drop_index(op.f("ix_people_changed_at"), table_name="people")

    op.drop_table("people")
    op.drop_index(op.f("ix_owners_raw_record_id"), table_name="owners")
    op.drop_index(op.f("ix_owners_changed_at"), table_name="owners")

    op.drop_table("owners")
    op.drop_index(op.f("ix_map_ledger_outcome"), table_name="map_ledger")

    op.drop_table("map_ledger")
    op.drop_index(op.f("ix_deals_raw_record_id"), table_name="deals")
    op.drop_index(op.f("ix_deals_company_source_id"), table_name="deals")
    op.drop_index(op.f("ix_deals_changed_at"), table_name="deals")

    op.drop_table("deals")
    op.drop_index(op.f("ix_companies_raw_record_id"), table_name="companies")
    op.drop_index(op.f("ix_companies_changed_at"), table_name="companies")

    op.drop_table("companies")
    op.drop_index(op.f("ix_match_keys_entity_record_id"), table_name="match_keys")
    op.drop_index(op.f("ix_match_keys_entity_kind_value"), table_name="match_keys")

    op.drop_table("match_keys")
