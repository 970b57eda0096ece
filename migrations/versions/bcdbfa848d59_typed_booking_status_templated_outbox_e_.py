"""typed booking status, templated outbox e-mail

Booking statuses are stored as the lifecycle enum's values in the same VARCHAR(12) (no change to
the column); the outbox gains a template, its facts and the recipients' language, so that an
e-mail is rendered in the recipient's language when it is delivered.

Revision ID: bcdbfa848d59
Revises: 41058f832f15
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "bcdbfa848d59"
down_revision = "41058f832f15"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("outbox_messages") as batch:
        batch.add_column(sa.Column("template", sa.String(length=60), nullable=True))
        batch.add_column(sa.Column("context", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("language", sa.String(length=5), nullable=True))


def downgrade():
    with op.batch_alter_table("outbox_messages") as batch:
        batch.drop_column("language")
        batch.drop_column("context")
        batch.drop_column("template")
