"""instrument search on PostgreSQL (tsvector columns, GIN) and an index for the name order

PostgreSQL gets the search index SQLite has had since b7e3c1a9d2f4 (see ``models/search.py``):
one ``tsvector`` per field and the whole document under a GIN index, filled here. Both
databases get ``ix_instruments_name_id`` so a listing in name order reads its page from the
index instead of sorting every instrument.

Revision ID: a9c3e5f7b1d2
Revises: 00b79156b3d1
Create Date: 2026-12-02 02:20:00

"""

from alembic import op

revision = "a9c3e5f7b1d2"
down_revision = "00b79156b3d1"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_instruments_name_id", "instruments", ["name", "id"])
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    from bwq_lab.models.search import CREATE_PG, reindex

    for ddl in CREATE_PG:
        bind.execute(ddl)
    reindex(bind)


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TABLE IF EXISTS instrument_search")
    op.drop_index("ix_instruments_name_id", table_name="instruments")
