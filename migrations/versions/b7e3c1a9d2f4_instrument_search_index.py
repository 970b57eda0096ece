"""instrument search index (SQLite FTS5)

Revision ID: b7e3c1a9d2f4
Revises: 18bc8260a7e2
Create Date: 2026-12-01 21:10:00

"""

from alembic import op
from sqlalchemy import text

revision = "b7e3c1a9d2f4"
down_revision = "18bc8260a7e2"
branch_labels = None
depends_on = None

COLUMNS = ("name", "model", "maker", "capability", "provider", "description")


def upgrade():
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        return  # PostgreSQL searches with regular expressions; nothing to build
    bind.execute(
        text(f"CREATE VIRTUAL TABLE IF NOT EXISTS instrument_search USING fts5({', '.join(COLUMNS)}, tokenize='unicode61')")
    )
    from bwq_lab.models.search import reindex

    reindex(bind)


def downgrade():
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE IF EXISTS instrument_search")
