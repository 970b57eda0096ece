"""an instrument's slot grid may name its anchor (instruments.slot_anchor, "HH:MM")

Revision ID: b3d5f7a9c1e2
Revises: a9c3e5f7b1d2
Create Date: 2026-12-02 02:30:00

"""

import sqlalchemy as sa
from alembic import op

revision = "b3d5f7a9c1e2"
down_revision = "a9c3e5f7b1d2"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("instruments") as batch:
        batch.add_column(sa.Column("slot_anchor", sa.String(length=5), nullable=True))


def downgrade():
    with op.batch_alter_table("instruments") as batch:
        batch.drop_column("slot_anchor")
