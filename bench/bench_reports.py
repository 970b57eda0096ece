"""The programme's figures at ten times programme scale: a year's summary grouped by city and the
goal dashboard's numbers (cumulative_by_month), each beside a floor measured in the same run.

Generates one year (2026) directly with bulk INSERTs into a scratch migrated database: 1,000
providers over the 11 cities, 5,000 instruments, 20,000 enterprises (one user each), 10,000 staff,
200,000 completed sessions (+ 10% no-shows and cancellations), 100,000 first-delivered batches,
300,000 service records (half of them naming a staff member). The bulk INSERTs bypass the session
events that keep the figures' rollup, so the rollup is then filled by ``operations.rollup.rebuild``
(what ``bwq rebuild-rollup`` does after a bulk load); its time is printed.

The floors are one bare SQL aggregate over the same rows (sessions, batches and service records in
the year joined to their provider's city, one UNION ALL statement), per city (summary) or per
local month (goals): ``COUNT(*)``, and 家次 (``COUNT`` over ``DISTINCT`` enterprise, provider, day),
the costliest single figure written by hand: the summary counts 23 figures, distinct ones among
them, so the second floor is the one it can be held to. Target: each < 1 s and < 3× its floor.
A reference line beside them: one bare COUNT over the rollup's keys per city or month (what the
figures now read), so readers see both.

    .venv/bin/python bench/bench_reports.py [--db sqlite|postgresql|both] [--rounds 5] [--scale 1.0]

Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

TZ = ZoneInfo("Asia/Shanghai")
YEAR = 2026
FIRST, LAST = date(YEAR, 1, 1), date(YEAR, 12, 31)
CHUNK = 20_000


def _insert(conn, table, rows: list[dict]) -> None:
    for i in range(0, len(rows), CHUNK):
        conn.execute(table.insert(), rows[i : i + CHUNK])


def generate(app, scale: float, seed: int = 10) -> dict:
    """Bulk-insert the year; returns the row counts."""
    from sqlalchemy import select

    from bwq_lab.extensions import db
    from bwq_lab.models import (
        Booking,
        Enterprise,
        Instrument,
        LabService,
        Provider,
        Region,
        ServiceOrder,
        ServiceRecord,
        Staff,
        User,
    )
    from bwq_lab.models.reports import service_record_staff
    from bwq_lab.operations.regions import ensure_regions

    rng = random.Random(seed)
    n = {
        "providers": int(1_000 * scale),
        "instruments": int(5_000 * scale),
        "enterprises": int(20_000 * scale),
        "staff": int(10_000 * scale),
        "sessions": int(200_000 * scale),
        "batches": int(100_000 * scale),
        "records": int(300_000 * scale),
    }
    with app.app_context():
        ensure_regions()
        db.session.commit()
        cities = db.session.execute(select(Region.id).where(Region.level == "city")).scalars().all()
        counties = {
            c: db.session.execute(select(Region.id).where(Region.parent_id == c)).scalars().all() for c in cities
        }
        year_start = datetime(YEAR, 1, 1, tzinfo=TZ).astimezone(UTC)
        created = year_start - timedelta(days=30)
        kinds = ["university", "institute", "innovation_complex", "key_lab", "incubator"]
        categories = ["electron_microscopy", "xray_diffraction", "mass_spectrometry", "chromatography", "nmr"]

        def at() -> datetime:  # a random minute of the year, on a 30-minute grid
            return year_start + timedelta(minutes=30 * rng.randrange(365 * 48))

        with db.engine.begin() as conn:
            providers = []
            for i in range(1, n["providers"] + 1):
                city = cities[i % len(cities)]
                providers.append(dict(id=i, name=f"提供方{i}", name_en=f"Provider {i}", kind=kinds[i % 5],
                                      city_id=city, region_id=rng.choice(counties[city]), created_at=created))  # fmt: skip
            _insert(conn, Provider.__table__, providers)
            _insert(conn, Instrument.__table__, [
                dict(id=i, provider_id=1 + i % n["providers"], name=f"仪器{i}", category=categories[i % 5],
                     opening_hours=[[d, "08:30", "12:00"] for d in range(5)] + [[d, "13:30", "17:30"] for d in range(5)],
                     created_at=created, updated_at=created)
                for i in range(1, n["instruments"] + 1)
            ])  # fmt: skip
            _insert(conn, LabService.__table__, [
                dict(id=i, provider_id=i, name=f"服务{i}", kind="testing_analysis", working_weekdays=[0, 1, 2, 3, 4],
                     created_at=created, updated_at=created)
                for i in range(1, n["providers"] + 1)
            ])  # fmt: skip
            enterprises = []
            for i in range(1, n["enterprises"] + 1):
                city = cities[i % len(cities)]
                enterprises.append(dict(id=i, name=f"企业{i}", uscc=f"{i:018d}", city_id=city,
                                        region_id=counties[city][0], category="tech_sme", created_at=created))  # fmt: skip
            _insert(conn, Enterprise.__table__, enterprises)
            _insert(conn, User.__table__, [
                dict(id=i, email=f"u{i}@bench.example", name=f"u{i}", password_hash="-", role="enterprise",
                     enterprise_id=i, membership="active", session_version=1, is_active_account=True,
                     manages_all=False, created_at=created)
                for i in range(1, n["enterprises"] + 1)
            ])  # fmt: skip
            _insert(conn, Staff.__table__, [
                dict(id=i, provider_id=1 + i % n["providers"], name=f"科技人员{i}", title="", field="", active=True,
                     created_at=created)
                for i in range(1, n["staff"] + 1)
            ])  # fmt: skip
            bookings = []
            total = int(n["sessions"] * 1.1)
            for i in range(1, total + 1):
                start = at()
                user = rng.randrange(1, n["enterprises"] + 1)
                status = "completed" if i <= n["sessions"] else rng.choice(["no_show", "cancelled"])
                used = status == "completed"
                asked = start - timedelta(hours=rng.randrange(2, 200))
                bookings.append(dict(
                    id=i, instrument_id=rng.randrange(1, n["instruments"] + 1), user_id=user, enterprise_id=user,
                    status=status, start_at=start, end_at=start + timedelta(hours=2),
                    blocked_until=start + timedelta(hours=2), purpose="", project_code="",
                    checked_in_at=start if used else None,
                    checked_out_at=start + timedelta(minutes=rng.randrange(30, 120)) if used else None,
                    price_tier="external", unit_price_fen=20000, fee_fen=40000, fee_basis="booked",
                    staff_id=rng.randrange(1, n["staff"] + 1) if rng.random() < 0.5 else None,
                    created_at=asked, decided_at=asked + timedelta(hours=rng.randrange(1, 48)), updated_at=start,
                    sequence=0, use_to_confirm=False, cancelled_late=False,
                ))  # fmt: skip
            _insert(conn, Booking.__table__, bookings)
            del bookings
            orders = []
            for i in range(1, n["batches"] + 1):
                delivered = at()
                provider = rng.randrange(1, n["providers"] + 1)
                user = rng.randrange(1, n["enterprises"] + 1)
                orders.append(dict(
                    id=i, service_id=provider, provider_id=provider, user_id=user, enterprise_id=user,
                    status="closed", samples=rng.randrange(1, 20), sample_description="", hazard="none",
                    project_code="", price_tier="external", quoted_fee_fen=5000, fee_fen=5000,
                    first_delivered_at=delivered, delivered_at=delivered, reopen_count=0,
                    staff_id=rng.randrange(1, n["staff"] + 1), created_at=delivered - timedelta(days=10),
                    updated_at=delivered,
                ))  # fmt: skip
            _insert(conn, ServiceOrder.__table__, orders)
            del orders
            records, links = [], []
            for i in range(1, n["records"] + 1):
                day = FIRST + timedelta(days=rng.randrange(365))
                paid = rng.randrange(0, 10**8) if rng.random() < 0.1 else 0
                records.append(dict(
                    id=i, provider_id=rng.randrange(1, n["providers"] + 1),
                    enterprise_id=rng.randrange(1, n["enterprises"] + 1), day=day, kind="consultation",
                    minutes=60, content="", project_code="", agreement_signed=paid > 0, contract_fen=paid,
                    paid_fen=paid, results_count=rng.randrange(0, 2), results_titles="", created_at=created,
                    updated_at=created,
                ))  # fmt: skip
                if i % 2 == 0:
                    links.append(dict(record_id=i, staff_id=rng.randrange(1, n["staff"] + 1)))
            _insert(conn, ServiceRecord.__table__, records)
            _insert(conn, service_record_staff, links)
        fill_rollup(db, n)
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.exec_driver_sql("VACUUM ANALYZE")
        else:
            with db.engine.begin() as conn:
                conn.exec_driver_sql("ANALYZE")
    return n


def fill_rollup(db, counts: dict | None = None) -> None:
    """The bulk INSERTs bypass the session, whose events keep the figures' rollup in production:
    fill it as an operator would after a bulk load (``bwq rebuild-rollup``), and say so."""
    from bwq_lab.operations.rollup import rebuild
    from bwq_lab.operations.transactions import begin_write

    t0 = time.perf_counter()
    begin_write()
    keys = rebuild(db.session, tz=TZ)
    db.session.commit()
    print(f"    rollup filled by operations.rollup.rebuild() after the bulk load (as `bwq rebuild-rollup`): "
          f"{keys} (enterprise, provider, day) keys in {time.perf_counter() - t0:.1f} s", flush=True)  # fmt: skip


def _floor_query(dialect: str, by: str, distinct: bool = False):
    """One bare aggregate over the same rows: COUNT(*) per city or per local month; with
    ``distinct``, 家次 (distinct enterprise, provider, local day) per city or month, the hardest
    single figure written by hand."""
    from sqlalchemy import text

    if by == "city":
        key_b, key_o, key_r = "p.city_id", "p.city_id", "p.city_id"
    elif dialect == "postgresql":
        key_b = "to_char(b.start_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM')"
        key_o = "to_char(o.first_delivered_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM')"
        key_r = "to_char(r.day, 'YYYY-MM')"
    else:
        key_b = "strftime('%Y-%m', b.start_at, '+480 minutes')"
        key_o = "strftime('%Y-%m', o.first_delivered_at, '+480 minutes')"
        key_r = "strftime('%Y-%m', r.day)"
    if dialect == "postgresql":
        day_b, day_o = (
            "(b.start_at AT TIME ZONE 'Asia/Shanghai')::date",
            "(o.first_delivered_at AT TIME ZONE 'Asia/Shanghai')::date",
        )
    else:
        day_b, day_o = "date(b.start_at, '+480 minutes')", "date(o.first_delivered_at, '+480 minutes')"
    extra_b = f", b.enterprise_id AS e, i.provider_id AS pr, {day_b} AS d" if distinct else ""
    extra_o = f", o.enterprise_id, o.provider_id, {day_o}" if distinct else ""
    extra_r = ", r.enterprise_id, r.provider_id, r.day" if distinct else ""
    rows = f"""
          SELECT {key_b} AS k{extra_b} FROM bookings b JOIN instruments i ON i.id = b.instrument_id
            JOIN providers p ON p.id = i.provider_id
            WHERE b.status = 'completed' AND b.start_at >= :lo AND b.start_at < :hi
          UNION ALL
          SELECT {key_o}{extra_o} FROM service_orders o JOIN providers p ON p.id = o.provider_id
            WHERE o.first_delivered_at >= :lo AND o.first_delivered_at < :hi
          UNION ALL
          SELECT {key_r}{extra_r} FROM service_records r JOIN providers p ON p.id = r.provider_id
            WHERE r.day >= :first AND r.day <= :last"""
    if distinct:
        return text(f"SELECT k, count(*) FROM (SELECT DISTINCT * FROM ({rows}) u) v GROUP BY k")  # noqa: S608
    return text(f"SELECT k, count(*) FROM ({rows}) u GROUP BY k")  # noqa: S608 - constant SQL


def _rollup_floor_query(dialect: str, by: str):
    """A reference beside the floors: one bare COUNT(*) per city or local month over the rollup's
    keys of the year (what reading the rollup costs at all: its rows carry their city and month)."""
    from sqlalchemy import text

    key = "s.city_id" if by == "city" else "s.month"
    return text(f"SELECT {key} AS k, count(*) FROM service_days s "  # noqa: S608 - constant SQL
                "WHERE s.day >= :first AND s.day <= :last GROUP BY k")  # fmt: skip


def best_of(fn, rounds: int) -> tuple[float, object]:
    from harness import best_time

    return best_time(fn, rounds)


def measure(kind: str, rounds: int, scale: float) -> None:
    from harness import report, scratch_app

    from bwq_lab.extensions import db
    from bwq_lab.reports.figures import summary, tune
    from bwq_lab.reports.goals import cumulative_by_month
    from bwq_lab.reports.local_time import utc_bounds
    from bwq_lab.reports.scope import PROVINCE

    with scratch_app(kind) as (app, _env):
        t0 = time.perf_counter()
        n = generate(app, scale)
        print(f"[{kind}] generated {n} in {time.perf_counter() - t0:.1f} s", flush=True)
        lo, hi = utc_bounds(FIRST, LAST, TZ)
        params = {"lo": lo, "hi": hi, "first": FIRST, "last": LAST}
        if kind == "sqlite":  # SQLite keeps naive UTC text (UTCDateTime): compare like with like
            params.update(lo=lo.replace(tzinfo=None).isoformat(" "), hi=hi.replace(tzinfo=None).isoformat(" "))
        with app.app_context():
            dialect = db.engine.dialect.name
            for what, fn, by in (
                ("a year's summary by city", lambda: summary(db.session, PROVINCE, FIRST, LAST, group_by="city", tz=TZ), "city"),
                ("cumulative_by_month (goals)", lambda: cumulative_by_month(db.session, PROVINCE, YEAR, tz=TZ, until=LAST), "month"),
            ):  # fmt: skip
                fn()  # warm: the first run also plans and caches
                took, result = best_of(fn, rounds)
                figure = f"{took * 1000:.0f} ms" + ("" if took < 1 else " (target < 1 s: MISSED)")
                for distinct, label in ((False, "COUNT(*) per group"), (True, "家次 COUNT over DISTINCT per group")):
                    sql = _floor_query(dialect, by, distinct)
                    tune(db.session)  # the same memory as the reports get
                    floor, _rows = best_of(lambda sql=sql: db.session.execute(sql, params).all(), rounds)
                    report(kind, what, figure, f"{floor * 1000:.0f} ms (one bare {label})", took / floor, "<= 3")
                tune(db.session)
                rolled = _rollup_floor_query(dialect, by)
                ref, _rows = best_of(lambda sql=rolled: db.session.execute(sql, params).all(), rounds)
                print(f"    reference: bare COUNT over the rollup per {by}: {ref * 1000:.0f} ms "
                      f"(ratio {took / ref:.1f})", flush=True)  # fmt: skip
                if by == "city":
                    t = result.totals
                    print(f"    sessions {t['sessions']}, batches {t['batches']}, records {t['service_records']}, "
                          f"enterprises {t['enterprises']}, visits {t['enterprise_visits']}, staff {t['staff']}")  # fmt: skip
                db.session.rollback()


def main() -> None:
    from harness import add_common_args, one_database

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_common_args(parser, rounds=3)
    parser.add_argument("--scale", type=float, default=1.0, help="1.0 = ten times programme scale")
    args, _unknown = parser.parse_known_args()
    kind = one_database(args, __file__, "reports", "--rounds", str(args.rounds), "--scale", str(args.scale))
    if kind:
        measure(kind, args.rounds, args.scale)


if __name__ == "__main__":
    main()
