"""The orders migration turns a lab service's one price into two without changing what anyone
pays: both the internal and the external price take the old ``price_fen``; downgrading keeps
the external one."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import create_engine, text

from tests.test_migrations import empty_database_url  # noqa: F401  (the fixture)

ROOT = Path(__file__).resolve().parents[1]
BEFORE = "220f918165d8"


def test_price_fen_becomes_internal_and_external(empty_database_url, tmp_path):  # noqa: F811
    from flask_migrate import downgrade, upgrade

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
    migrations = str(ROOT / "migrations")
    engine = create_engine(normalise_db_url(empty_database_url))
    try:
        with app.app_context():
            upgrade(directory=migrations, revision=BEFORE)
            db.engine.dispose()
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO regions (id, name, name_en, level) VALUES (1, '杭州', 'Hangzhou', 'city')"))
            conn.execute(
                text(
                    "INSERT INTO providers (id, name, name_en, kind, region_id, city_id, address, contact_name,"
                    " contact_phone, contact_email, website, description, created_at)"
                    " VALUES (1, 'P', 'P', 'university', 1, 1, '', '', '', '', '', '', CURRENT_TIMESTAMP)"
                )
            )
            conn.execute(
                text(
                    "INSERT INTO lab_services (id, provider_id, name, name_en, kind, capabilities, description, unit,"
                    " price_fen, turnaround_days, voucher_eligible, status, created_at, updated_at)"
                    " VALUES (1, 1, 'S', 'S', 'testing_analysis', '', '', 'sample', 12300, 5, true, 'active',"
                    " CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
                )
            )
        with app.app_context():
            upgrade(directory=migrations)
            db.engine.dispose()
        with engine.connect() as conn:
            row = conn.execute(
                text(
                    "SELECT price_internal_fen, price_external_fen, min_samples, max_samples, daily_capacity,"
                    " hazardous_accepted FROM lab_services"
                )
            ).one()
        assert tuple(row) == (12300, 12300, 1, 100, 10, False)
        with app.app_context():
            downgrade(directory=migrations, revision=BEFORE)
            db.engine.dispose()
        with engine.connect() as conn:
            assert conn.execute(text("SELECT price_fen FROM lab_services")).scalar_one() == 12300
    finally:
        engine.dispose()
