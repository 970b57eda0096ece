"""The migrations build exactly the schema the models describe (create_all is only for tests)."""

from __future__ import annotations

import os
import re
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def empty_database_url(tmp_path):
    admin = os.environ.get("BWQ_TEST_DATABASE_URL", "")
    if not admin.startswith(("postgresql", "postgres")):
        yield f"sqlite:///{tmp_path}/migrated.sqlite3"
        return
    import psycopg

    plain = re.sub(r"^postgres(ql)?(\+psycopg)?://", "postgresql://", admin)
    name = f"bwq_migrate_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield plain.rsplit("/", 1)[0] + "/" + name
    finally:
        with psycopg.connect(plain, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_upgrade_to_head_matches_the_models(empty_database_url, tmp_path):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from flask_migrate import upgrade

    from bwq_lab.config import normalise_db_url
    from bwq_lab.extensions import db
    from bwq_lab.factory import create_app

    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": empty_database_url,
            "SECRET_KEY": "x",
            "TESTING": True,
            "INSTANCE_PATH": str(tmp_path),
        }
    )
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        db.engine.dispose()
    engine = create_engine(normalise_db_url(empty_database_url))
    try:
        with engine.connect() as conn:
            from bwq_lab.models.search import include_name

            context = MigrationContext.configure(conn, opts={"compare_type": True, "include_name": include_name})
            diff = compare_metadata(context, db.metadata)
            assert diff == [], diff
            if conn.dialect.name == "postgresql":
                constraint = conn.execute(
                    text("SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conname = 'ex_bookings_no_overlap'")
                ).scalar_one()
                assert "EXCLUDE USING gist" in constraint and "blocked_until" in constraint
            assert "bookings" in inspect(conn).get_table_names()
            if conn.dialect.name == "sqlite":  # the search index exists after upgrade
                assert conn.execute(text("SELECT count(*) FROM instrument_search")).scalar_one() == 0
    finally:
        engine.dispose()
