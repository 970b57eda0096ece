"""the rollup's month and area tables: service_months (a provider's sums and 家次 per local month)
and area_members (the enterprises, providers and staff seen in the province, a city or a county per month and
per year, with their first day), derived from the day tables and filled from them here; an index
(staff_id, day) on service_day_staff to recompute a staff member's month

Revision ID: f7b9d1e3a5c7
Revises: e5a7c9b1d3f6
Create Date: 2026-12-02 10:50:00

"""

import sqlalchemy as sa
from alembic import op

revision = "f7b9d1e3a5c7"
down_revision = "e5a7c9b1d3f6"
branch_labels = None
depends_on = None

SUMS = (
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
        "service_months",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("provider_id", sa.Integer(), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("city_id", sa.Integer(), nullable=False),
        sa.Column("county_id", sa.Integer(), nullable=False),
        sa.Column("provider_kind", sa.String(length=30), nullable=False),
        sa.Column("visits", sa.Integer(), nullable=False),
        *(sa.Column(name, type_, nullable=False) for name, type_ in SUMS),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service_months")),
    )
    with op.batch_alter_table("service_months") as batch:
        batch.create_index("ix_service_months_key", ["provider_id", "month"], unique=True)
        batch.create_index("ix_service_months_month", ["month"], unique=False)
    op.create_table(
        "area_members",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("level", sa.String(length=8), nullable=False),
        sa.Column("area_id", sa.Integer(), nullable=False),
        sa.Column("city_id", sa.Integer(), nullable=False),
        sa.Column("first_day", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_area_members")),
    )
    with op.batch_alter_table("area_members") as batch:
        batch.create_index(
            "ix_area_members_area", ["kind", "level", "period", "city_id", "area_id", "first_day"], unique=False
        )
        batch.create_index("ix_area_members_member", ["kind", "member_id", "period"], unique=False)
    with op.batch_alter_table("service_day_staff") as batch:
        batch.create_index("ix_service_day_staff_staff_day", ["staff_id", "day"], unique=False)

    # derived from the day tables (filled by d2f4a6c8e0b1, kept since): filled here from them by the
    # live code; a later revision changing these tables' columns moves this fill to itself
    from sqlalchemy.orm import Session

    from bwq_lab.operations.rollup_months import derive_all

    session = Session(bind=op.get_bind())
    derive_all(session)
    session.flush()


def downgrade():
    with op.batch_alter_table("service_day_staff") as batch:
        batch.drop_index("ix_service_day_staff_staff_day")
    op.drop_table("area_members")
    op.drop_table("service_months")
