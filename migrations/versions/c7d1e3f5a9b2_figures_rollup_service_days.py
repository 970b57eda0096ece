"""the figures' rollup: service_days and service_day_staff, filled from the existing rows; bookings
indexed by decided_at (the median approval time)

Revision ID: c7d1e3f5a9b2
Revises: b3d5f7a9c1e2
Create Date: 2026-12-02 05:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "c7d1e3f5a9b2"
down_revision = "b3d5f7a9c1e2"
branch_labels = None
depends_on = None

def _key():
    return (
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=True),
        sa.Column("provider_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
    )

_SUMS = (
    ("services", sa.Integer()),
    ("sessions", sa.Integer()),
    ("no_shows", sa.Integer()),
    ("booked_minutes", sa.Float()),
    ("effective_minutes", sa.Float()),
    ("external_minutes", sa.Float()),
    ("session_internal_fen", sa.BigInteger()),
    ("session_external_fen", sa.BigInteger()),
    ("batches", sa.Integer()),
    ("samples", sa.Integer()),
    ("batch_internal_fen", sa.BigInteger()),
    ("batch_external_fen", sa.BigInteger()),
    ("records", sa.Integer()),
    ("record_minutes", sa.BigInteger()),
    ("agreements", sa.Integer()),
    ("agreements_paid_fen", sa.BigInteger()),
    ("provincial_projects", sa.Integer()),
    ("results", sa.Integer()),
)


def upgrade():
    op.create_table(
        "service_days",
        *_key(),
        *(sa.Column(name, kind, nullable=False) for name, kind in _SUMS),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service_days")),
    )
    with op.batch_alter_table("service_days") as batch:
        batch.create_index("ix_service_days_key", ["provider_id", "day", "enterprise_id"], unique=False)
        batch.create_index("ix_service_days_day", ["day"], unique=False)
        batch.create_index("ix_service_days_enterprise_day", ["enterprise_id", "day"], unique=False)
    op.create_table(
        "service_day_staff",
        *_key(),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service_day_staff")),
    )
    with op.batch_alter_table("service_day_staff") as batch:
        batch.create_index("ix_service_day_staff_key", ["provider_id", "day", "enterprise_id"], unique=False)
        batch.create_index("ix_service_day_staff_day", ["day"], unique=False)
    with op.batch_alter_table("bookings") as batch:
        batch.create_index("ix_bookings_decided_at", ["decided_at"], unique=False)

    # Filled by d2f4a6c8e0b1, the newest revision that changed the rollup's shape: the fill runs the
    # live code's rebuild, which writes the newest columns (docs/decisions.md).


def downgrade():
    with op.batch_alter_table("bookings") as batch:
        batch.drop_index("ix_bookings_decided_at")
    op.drop_table("service_day_staff")
    op.drop_table("service_days")
