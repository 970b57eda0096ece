"""Lab-service orders benchmark (a plain script): how fast the capacity plan is made, and how fast a
manager's acceptance (plan + capacity rows + fee snapshot + history + e-mail row + commit) runs,
next to a floor measured in the same run (one plain INSERT + COMMIT on the same database).

    .venv/bin/python bench/bench_orders.py [orders] [--pg postgresql://postgres@127.0.0.1:5432/test]

Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bwq_lab.domain import capacity as cap  # noqa: E402

NOW = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)
TZ = ZoneInfo("Asia/Shanghai")


def bench_plan(repeats: int = 200) -> None:
    start = date(2026, 12, 2)
    calendar = cap.WorkingCalendar(
        closed=cap.closed_days([(date(2027, 1, 1), date(2027, 1, 3)), (date(2027, 2, 10), date(2027, 2, 17))]),
        makeup=frozenset({date(2027, 2, 7), date(2027, 2, 20)}),
    )
    cases = {
        "empty lab, 50 samples at 20/day": ({}, 50),
        "lab 90% full for 120 days, 50 samples": ({start + timedelta(days=i): 18 for i in range(120)}, 50),
        "lab full for 300 days, 5 samples": ({start + timedelta(days=i): 20 for i in range(300)}, 5),
    }
    print("capacity plan (domain, pure Python):")
    for name, (load, samples) in cases.items():
        times = []
        for _ in range(repeats):
            t0 = time.perf_counter()
            cap.plan(samples, calendar=calendar, daily_capacity=20, load=load, earliest_start=start, report_days=3)
            times.append(time.perf_counter() - t0)
        print(f"  {name:<42} best {min(times) * 1e6:8.1f} µs   median {statistics.median(times) * 1e6:8.1f} µs")


def bench_accept(url: str, orders: int) -> None:
    from sqlalchemy import text

    from bwq_lab.extensions import db
    from bwq_lab.factory import create_app
    from bwq_lab.models import Enterprise, LabService, Provider, Region, User
    from bwq_lab.operations import orders as ops
    from bwq_lab.operations.transactions import begin_write

    instance = tempfile.mkdtemp(prefix="bwq-bench-orders-")
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "INSTANCE_PATH": instance})
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                conn.execute(text("CREATE EXTENSION IF NOT EXISTS btree_gist"))
        db.create_all()
        city = Region(name="杭州", name_en="Hangzhou", level="city")
        db.session.add(city)
        db.session.flush()
        provider = Provider(name="P", kind="university", region_id=city.id, city_id=city.id)
        enterprise = Enterprise(name="E", uscc="91330100MA2XXXXXX1", region_id=city.id, city_id=city.id, category="x")
        db.session.add_all([provider, enterprise])
        db.session.flush()
        service = LabService(
            provider_id=provider.id, name="S", kind="testing_analysis", price_internal_fen=100, price_external_fen=200,
            daily_capacity=40, max_samples=100, turnaround_days=3,
        )  # fmt: skip
        manager = User(
            email="m@b", name="M", role="manager", provider_id=provider.id, manages_all=True, password_hash="x"
        )
        customer = User(email="c@b", name="C", role="enterprise", enterprise_id=enterprise.id, password_hash="x")
        db.session.add_all([service, manager, customer])
        db.session.commit()
        ids = []
        for i in range(orders):
            begin_write()
            order = ops.create_order(
                customer, service.id, samples=5 + i % 20, sample_description="", hazard="none",
                requested_date=None, project_code="", now=NOW, tz=TZ,
            )  # fmt: skip
            db.session.commit()
            ids.append(order.id)
        manager_id = manager.id
        times = []
        for order_id in ids:
            t0 = time.perf_counter()
            begin_write()
            ops.accept_order(db.session.get(User, manager_id), order_id, now=NOW, tz=TZ)
            db.session.commit()
            times.append(time.perf_counter() - t0)
        db.session.execute(text("CREATE TABLE IF NOT EXISTS bench_floor (id INTEGER PRIMARY KEY, v INTEGER)"))
        db.session.commit()
        floor = []
        for i in range(orders):
            t0 = time.perf_counter()
            begin_write()
            db.session.execute(text("INSERT INTO bench_floor (id, v) VALUES (:i, :i)"), {"i": i + 1})
            db.session.commit()
            floor.append(time.perf_counter() - t0)
        days = (ops.get_order(db.session.get(User, manager_id), ids[-1]).last_day - date(2026, 12, 2)).days
        db.session.remove()
        db.engine.dispose()
    total = sum(times)
    print(f"accept on {url.split('://')[0]} ({orders} orders, the last one planned {days} days out):")
    print(
        f"  accept+commit  median {statistics.median(times) * 1e3:6.2f} ms   p95 "
        f"{sorted(times)[int(len(times) * 0.95) - 1] * 1e3:6.2f} ms   {orders / total:7.0f} accepts/s (one writer)"
    )
    print(
        f"  floor (INSERT+COMMIT) median {statistics.median(floor) * 1e3:6.2f} ms   "
        f"ratio {statistics.median(times) / statistics.median(floor):5.1f}x"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("orders", nargs="?", type=int, default=300)
    parser.add_argument("--pg", default=None, help="a PostgreSQL admin URL: a scratch database is created and dropped")
    args = parser.parse_args()
    bench_plan()
    with tempfile.TemporaryDirectory() as tmp:
        bench_accept(f"sqlite:///{tmp}/bench.sqlite3", args.orders)
    if args.pg:
        import psycopg

        name = f"bwq_bench_orders_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(args.pg, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        try:
            bench_accept(args.pg.rsplit("/", 1)[0] + "/" + name, args.orders)
        finally:
            with psycopg.connect(args.pg, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
