"""the figures' rollup carries what it is grouped by: local month, the provider's city, county and
kind, the enterprise's category (copied in, kept by the write paths); filled again from the rows

Revision ID: d2f4a6c8e0b1
Revises: c7d1e3f5a9b2
Create Date: 2026-12-02 08:10:00

"""

import sqlalchemy as sa
from alembic import op

revision = "d2f4a6c8e0b1"
down_revision = "c7d1e3f5a9b2"
branch_labels = None
depends_on = None

TABLES = ("service_days", "service_day_staff")
INDEXES = {
    "service_days": ("ix_service_days_city_day", "ix_service_days_county_day"),
    "service_day_staff": ("ix_service_day_staff_city_day", "ix_service_day_staff_county_day"),
}


def _zone():
    from zoneinfo import ZoneInfo

    try:
        from flask import current_app

        return ZoneInfo(current_app.config["TIMEZONE"])
    except (RuntimeError, KeyError):
        return ZoneInfo("Asia/Shanghai")


def upgrade():
    # the rollup is derived: emptied here and filled again from the rows by the live code (below),
    # so the NOT NULL copies need no default for the rows already there
    for table in TABLES:
        op.execute(sa.text(f"DELETE FROM {table}"))  # noqa: S608 - constant table names
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("month", sa.String(length=7), nullable=False))
            batch.add_column(sa.Column("city_id", sa.Integer(), nullable=False))
            batch.add_column(sa.Column("county_id", sa.Integer(), nullable=False))
            batch.add_column(sa.Column("provider_kind", sa.String(length=30), nullable=False))
            batch.add_column(sa.Column("enterprise_category", sa.String(length=30), nullable=True))
            city_index, county_index = INDEXES[table]
            batch.create_index(city_index, ["city_id", "day"], unique=False)
            batch.create_index(county_index, ["county_id", "day"], unique=False)

    # The rollup is filled by the newest revision that changed its columns, with the live code's
    # rebuild (which writes the newest shape): a later revision changing the rollup's columns
    # moves this fill to itself (c7d1e3f5a9b2 no longer fills; docs/decisions.md). Indexes only
    # (e5a7c9b1d3f6) need no fill.
    from sqlalchemy.orm import Session

    from bwq_lab.operations.rollup import rebuild

    session = Session(bind=op.get_bind())
    rebuild(session, tz=_zone())
    session.flush()


def downgrade():
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            for index in INDEXES[table]:
                batch.drop_index(index)
            for column in ("enterprise_category", "provider_kind", "county_id", "city_id", "month"):
                batch.drop_column(column)
    # back at c7d1e3f5a9b2's shape, whose rows the live code no longer writes: rebuild with
    # `bwq rebuild-rollup` after upgrading again (this revision's upgrade does it)
