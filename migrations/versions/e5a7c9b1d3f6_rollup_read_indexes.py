"""the figures' rollup read in index order: (month, day) on both tables (SQLite groups by month
without sorting), ``services`` in the key's index (a provider's first served day from the index)

Revision ID: e5a7c9b1d3f6
Revises: d2f4a6c8e0b1
Create Date: 2026-12-02 08:30:00

"""

from alembic import op

revision = "e5a7c9b1d3f6"
down_revision = "d2f4a6c8e0b1"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("service_days") as batch:
        batch.create_index("ix_service_days_month_day", ["month", "day"], unique=False)
        batch.drop_index("ix_service_days_key")
        batch.create_index("ix_service_days_key", ["provider_id", "day", "enterprise_id", "services"], unique=False)
    with op.batch_alter_table("service_day_staff") as batch:
        batch.create_index("ix_service_day_staff_month_day", ["month", "day"], unique=False)


def downgrade():
    with op.batch_alter_table("service_day_staff") as batch:
        batch.drop_index("ix_service_day_staff_month_day")
    with op.batch_alter_table("service_days") as batch:
        batch.drop_index("ix_service_days_key")
        batch.create_index("ix_service_days_key", ["provider_id", "day", "enterprise_id"], unique=False)
        batch.drop_index("ix_service_days_month_day")
