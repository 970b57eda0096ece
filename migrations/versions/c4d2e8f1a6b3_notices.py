"""on-page notices, late cancellation policy

Revision ID: c4d2e8f1a6b3
Revises: b7e3c1a9d2f4
Create Date: 2026-12-01 21:45:00

"""

import sqlalchemy as sa
from alembic import op

revision = "c4d2e8f1a6b3"
down_revision = "b7e3c1a9d2f4"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "notices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("booking_id", sa.Integer(), nullable=True),
        sa.Column("context", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["booking_id"], ["bookings.id"]),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_notices_unread", "notices", ["user_id", "read_at"], unique=False)
    with op.batch_alter_table("bookings") as batch_op:
        batch_op.add_column(sa.Column("cancelled_late", sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table("instruments") as batch_op:
        batch_op.add_column(
            sa.Column("late_cancellation", sa.String(length=10), nullable=False, server_default="refuse")
        )


def downgrade():
    with op.batch_alter_table("instruments") as batch_op:
        batch_op.drop_column("late_cancellation")
    with op.batch_alter_table("bookings") as batch_op:
        batch_op.drop_column("cancelled_late")
    op.drop_index("ix_notices_unread", table_name="notices")
    op.drop_table("notices")
