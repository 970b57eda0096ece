"""the rollup's item tables: instrument_months, lab_service_months and record_kind_months (per
provider and local month, the sums of each instrument's sessions, each lab service's batches and
each kind of service record), filled from the source rows here; service orders indexed by
(provider_id, first_delivered_at) for a provider's month of batches (replaces the index on
provider_id alone)

Revision ID: b9d1f3a5c7e9
Revises: a8c0e2f4b6d8
Create Date: 2026-12-02 15:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "b9d1f3a5c7e9"
down_revision = "a8c0e2f4b6d8"
branch_labels = None
depends_on = None

SESSION_SUMS = (
    ("sessions", sa.Integer()),
    ("no_shows", sa.Integer()),
    ("booked_minutes", sa.Float()),
    ("effective_minutes", sa.Float()),
    ("external_minutes", sa.Float()),
    ("session_internal_fen", sa.BigInteger()),
    ("session_external_fen", sa.BigInteger()),
)
BATCH_SUMS = (
    ("batches", sa.Integer()),
    ("samples", sa.Integer()),
    ("batch_internal_fen", sa.BigInteger()),
    ("batch_external_fen", sa.BigInteger()),
)
RECORD_SUMS = (
    ("records", sa.Integer()),
    ("record_minutes", sa.BigInteger()),
    ("agreements", sa.Integer()),
    ("agreements_paid_fen", sa.BigInteger()),
    ("provincial_projects", sa.Integer()),
    ("results", sa.Integer()),
)
TABLES = (
    ("instrument_months", sa.Column("instrument_id", sa.Integer(), nullable=False), SESSION_SUMS),
    ("lab_service_months", sa.Column("service_id", sa.Integer(), nullable=False), BATCH_SUMS),
    ("record_kind_months", sa.Column("kind", sa.String(length=30), nullable=False), RECORD_SUMS),
)


def _zone():
    """The app's TIMEZONE (the rollup's local days), Asia/Shanghai outside an app."""
    from zoneinfo import ZoneInfo

    from flask import current_app, has_app_context

    return ZoneInfo(current_app.config.get("TIMEZONE", "Asia/Shanghai") if has_app_context() else "Asia/Shanghai")


def upgrade():
    for name, item, sums in TABLES:
        op.create_table(
            name,
            item,
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("provider_id", sa.Integer(), nullable=False),
            sa.Column("month", sa.String(length=7), nullable=False),
            sa.Column("city_id", sa.Integer(), nullable=False),
            sa.Column("county_id", sa.Integer(), nullable=False),
            sa.Column("provider_kind", sa.String(length=30), nullable=False),
            *(sa.Column(column, type_, nullable=False) for column, type_ in sums),
            sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{name}")),
        )
        with op.batch_alter_table(name) as batch:
            batch.create_index(f"ix_{name}_provider_month", ["provider_id", "month"], unique=False)
            batch.create_index(f"ix_{name}_month", ["month"], unique=False)
            batch.create_index(f"ix_{name}_city_month", ["city_id", "month"], unique=False)
            batch.create_index(f"ix_{name}_county_month", ["county_id", "month"], unique=False)
    with op.batch_alter_table("service_orders") as batch:
        batch.drop_index("ix_service_orders_provider_id")
        batch.create_index(
            "ix_service_orders_provider_first_delivered", ["provider_id", "first_delivered_at"], unique=False
        )

    # filled from the source rows by the live code; a later revision changing these tables'
    # columns moves this fill to itself
    from sqlalchemy.orm import Session

    from bwq_lab.operations.rollup_items import derive_all

    session = Session(bind=op.get_bind())
    derive_all(session, _zone())
    session.flush()


def downgrade():
    with op.batch_alter_table("service_orders") as batch:
        batch.drop_index("ix_service_orders_provider_first_delivered")
        batch.create_index("ix_service_orders_provider_id", ["provider_id"], unique=False)
    for name, _item, _sums in reversed(TABLES):
        op.drop_table(name)
