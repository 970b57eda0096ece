"""bookings' decided_at index covers created_at and instrument_id: the median approval time reads
a year's decisions from the index alone (SQLite read them row by row through the table: 2.5 s
against 0.34 s for the bench's year)

Revision ID: a8c0e2f4b6d8
Revises: f7b9d1e3a5c7
Create Date: 2026-12-02 11:20:00

"""

from alembic import op

revision = "a8c0e2f4b6d8"
down_revision = "f7b9d1e3a5c7"
branch_labels = None
depends_on = None


def upgrade():
    op.drop_index("ix_bookings_decided_at", table_name="bookings")
    op.create_index("ix_bookings_decided_at", "bookings", ["decided_at", "created_at", "instrument_id"], unique=False)


def downgrade():
    op.drop_index("ix_bookings_decided_at", table_name="bookings")
    op.create_index("ix_bookings_decided_at", "bookings", ["decided_at"], unique=False)
