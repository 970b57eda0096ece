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
        batch_op.add_column(sa.Column("booked_by_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key("fk_bookings_booked_by_id_users", "users", ["booked_by_id"], ["id"])
    with op.batch_alter_table("regions") as batch_op:
        batch_op.add_column(sa.Column("verify_enterprises", sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table("enterprises") as batch_op:
        batch_op.add_column(sa.Column("verified_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("verified_by_id", sa.Integer(), nullable=True))
    # enterprises that could book before keep booking: they count as verified when they registered
    op.execute("UPDATE enterprises SET verified_at = created_at")
    with op.batch_alter_table("instruments") as batch_op:
        batch_op.add_column(
            sa.Column("late_cancellation", sa.String(length=10), nullable=False, server_default="refuse")
        )


def downgrade():
    with op.batch_alter_table("enterprises") as batch_op:
        batch_op.drop_column("verified_by_id")
        batch_op.drop_column("verified_at")
    with op.batch_alter_table("regions") as batch_op:
        batch_op.drop_column("verify_enterprises")
    with op.batch_alter_table("instruments") as batch_op:
        batch_op.drop_column("late_cancellation")
    with op.batch_alter_table("bookings") as batch_op:
        batch_op.drop_constraint("fk_bookings_booked_by_id_users", type_="foreignkey")
        batch_op.drop_column("booked_by_id")
        batch_op.drop_column("cancelled_late")
    op.drop_index("ix_notices_unread", table_name="notices")
    op.drop_table("notices")
