"""Calendar feed benchmark (a plain script; prints, asserts nothing).

    .venv/bin/python bench/bench_feeds.py [events] [repeats]

On a fresh SQLite file (or PostgreSQL: BWQ_BENCH_DATABASE_URL=postgresql://...):
1. one user's feed of `events` bookings (default 10,000) served through the app, end to end
   (token lookup, state, query, words, text), with a cold event cache and a warm one, against
   the floor measured in the same run: the `icalendar` library alone building and serialising
   the same events (Event objects + Calendar.to_ical(), from rows already in memory);
2. the same feed answered `304 Not Modified` (If-None-Match), which builds nothing;
3. a manager feed over 500 instruments (20 bookings and one maintenance window each).
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

NOW = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)


def best_median(fn, repeats: int) -> tuple[float, float]:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times), statistics.median(times)


def make_app(tmp: str):
    from bwq_lab.extensions import db
    from bwq_lab.factory import create_app
    from bwq_lab.operations.regions import ensure_regions

    url = os.environ.get("BWQ_BENCH_DATABASE_URL") or f"sqlite:///{tmp}/bench.sqlite3"
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "SECRET_KEY": "bench",
            "INSTANCE_PATH": tmp,
            "FIXED_NOW": NOW,
            "SERVER_NAME": "localhost",
            "BASE_URL": "https://lab.example.edu.cn",
        }
    )
    with app.app_context():
        if url.startswith("postgresql"):
            from sqlalchemy import text

            with db.engine.begin() as conn:
                conn.execute(text("CREATE EXTENSION IF NOT EXISTS btree_gist"))
            db.drop_all()
        db.create_all()
        ensure_regions()
        db.session.commit()
    return app


def seed(app, events: int) -> dict:
    """A provider with 500 instruments; one enterprise user with `events` bookings spread over
    a year ahead; 20 bookings and one maintenance window on each instrument for the manager."""
    from sqlalchemy import insert, select

    from bwq_lab.extensions import db
    from bwq_lab.models import (
        Booking,
        BookingEvent,
        Enterprise,
        Instrument,
        MaintenanceWindow,
        Provider,
        Region,
        User,
    )
    from bwq_lab.operations.feeds import renew_feed_token

    with app.app_context():
        city = db.session.execute(select(Region).where(Region.level == "city", Region.name == "杭州")).scalar_one()
        provider = Provider(
            name="浙江大学分析测试中心",
            name_en="ZJU Analysis Centre",
            kind="university",
            region_id=city.children[0].id,
            city_id=city.id,
            address="杭州市西湖区余杭塘路866号",
        )
        enterprise = Enterprise(
            name="杭州测试科技有限公司",
            uscc="91330106MA2B0XXXX1",
            category="tech_sme",
            region_id=city.children[0].id,
            city_id=city.id,
        )
        db.session.add_all([provider, enterprise])
        db.session.flush()
        db.session.execute(
            insert(Instrument),
            [
                {
                    "provider_id": provider.id,
                    "name": f"场发射扫描电子显微镜 {i}",
                    "name_en": f"FE-SEM {i}",
                    "category": "electron_microscopy",
                    "location": f"A楼 {100 + i}",
                }
                for i in range(500)
            ],
        )
        instruments = db.session.execute(select(Instrument.id).order_by(Instrument.id)).scalars().all()
        user = User(
            email="feed@example.com",
            name="李小红",
            role="enterprise",
            enterprise_id=enterprise.id,
            password_hash="x",
            locale="zh",
        )
        other = User(
            email="other@example.com", name="王大明", role="enterprise", enterprise_id=enterprise.id, password_hash="x"
        )
        manager = User(
            email="manager@example.com",
            name="张经理",
            role="manager",
            provider_id=provider.id,
            manages_all=True,
            password_hash="x",
            locale="zh",
        )
        db.session.add_all([user, other, manager])
        db.session.flush()

        start = NOW + timedelta(days=1)
        rows = []
        # the user's bookings: one instrument per 30-minute slot in turn, no overlaps per instrument
        for n in range(events):
            at = start + timedelta(minutes=30 * (n // 50))
            rows.append(_booking(instruments[n % 50], user.id, enterprise.id, at, n))
        # the manager's provider: 20 more bookings on every instrument (someone else's)
        for i, instrument_id in enumerate(instruments):
            for k in range(20):
                at = start + timedelta(days=200 + k, hours=i % 8)
                rows.append(_booking(instrument_id, other.id, enterprise.id, at, k))
        db.session.execute(insert(Booking), rows)
        ids = db.session.execute(select(Booking.id)).scalars().all()
        db.session.execute(
            insert(BookingEvent),
            [{"booking_id": b, "action": "created", "to_status": "approved", "at": NOW} for b in ids],
        )
        db.session.execute(
            insert(MaintenanceWindow),
            [
                {
                    "instrument_id": i,
                    "start_at": start + timedelta(days=300),
                    "end_at": start + timedelta(days=300, hours=3),
                    "reason": "年度保养",
                    "created_at": NOW,
                }
                for i in instruments
            ],
        )
        token = renew_feed_token(user, app.config["SECRET_KEY"], NOW)
        manager_token = renew_feed_token(manager, app.config["SECRET_KEY"], NOW)
        db.session.commit()
        return {
            "mine": f"/feeds/{token}/mine.ics",
            "manager": f"/feeds/{manager_token}/manager.ics",
            "user_id": user.id,
        }


def _booking(instrument_id: int, user_id: int, enterprise_id: int, at: datetime, n: int) -> dict:
    statuses = ("approved", "approved", "approved", "pending", "completed", "cancelled")
    return {
        "instrument_id": instrument_id,
        "user_id": user_id,
        "enterprise_id": enterprise_id,
        "status": statuses[n % len(statuses)],
        "start_at": at,
        "end_at": at + timedelta(minutes=30),
        "blocked_until": at + timedelta(minutes=30),
        "purpose": f"扫描电镜观察涂层截面；SEM imaging of coated steel, 第 {n} 批",
        "project_code": "",
        "created_at": NOW - timedelta(days=1),
        "updated_at": NOW - timedelta(hours=1),
    }


def library_alone(app, user_id: int):
    """The floor: icalendar's object model building and serialising the same events."""
    from icalendar import Calendar, Event

    from bwq_lab.extensions import db
    from bwq_lab.models import User
    from bwq_lab.operations import feeds as ops

    with app.test_request_context():
        user = db.session.get(User, user_id)
        from zoneinfo import ZoneInfo

        rows = ops.mine_rows(user, ops.window(NOW, ZoneInfo("Asia/Shanghai")))

    def run():
        calendar = Calendar()
        calendar.add("prodid", "-//BWQ Lab//Calendar feeds//ZH")
        calendar.add("version", "2.0")
        for row in rows:
            event = Event()
            url = f"https://lab.example.edu.cn/bookings/{row.id}"
            event.add("uid", f"booking-{row.id}@bwq-lab")
            event.add("dtstamp", row.updated_at)
            event.add("dtstart", row.start_at)
            event.add("dtend", row.end_at)
            event.add("sequence", row.sequence)
            event.add("status", "CONFIRMED")
            event.add("summary", f"{row.instrument_name}（已批准）")
            event.add("location", f"{row.provider_name}, {row.provider_address}, {row.instrument_location}")
            event.add("description", f"{row.purpose}\n状态：已批准\n预约详情：{url}")
            event.add("url", url)
            event.add("created", row.created_at)
            event.add("last-modified", row.updated_at)
            event.add("transp", "OPAQUE")
            calendar.add_component(event)
        return calendar.to_ical()

    return run, len(rows)


def main() -> None:
    events = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    from bwq_lab.feeds import views

    with tempfile.TemporaryDirectory() as tmp:
        app = make_app(tmp)
        started = time.perf_counter()
        urls = seed(app, events)
        print(f"seeded {events} + 10,000 bookings on 500 instruments in {time.perf_counter() - started:.1f} s")
        client = app.test_client()

        floor, count = library_alone(app, urls["user_id"])
        floor_best, floor_median = best_median(floor, repeats)

        def cold():
            views.EVENTS.clear()
            response = client.get(urls["mine"])
            assert response.status_code == 200 and response.data.count(b"BEGIN:VEVENT") == count

        def warm():
            assert client.get(urls["mine"]).status_code == 200

        cold_best, cold_median = best_median(cold, repeats)
        warm()
        warm_best, warm_median = best_median(warm, repeats)
        etag = client.get(urls["mine"]).headers["ETag"]

        def not_modified():
            assert client.get(urls["mine"], headers={"If-None-Match": etag}).status_code == 304

        not_modified()
        nm_best, nm_median = best_median(not_modified, max(50, repeats * 20))
        # the floor for a 304: a request the app answers 404 (routing, hooks, no database)
        bare_best, bare_median = best_median(lambda: client.get("/feeds/instruments/0/busy"), max(50, repeats * 20))

        def manager_cold():
            views.EVENTS.clear()
            response = client.get(urls["manager"])
            assert response.status_code == 200

        def manager_warm():
            assert client.get(urls["manager"]).status_code == 200

        manager_events = client.get(urls["manager"]).data.count(b"BEGIN:VEVENT")
        m_cold_best, m_cold_median = best_median(manager_cold, repeats)
        manager_warm()
        m_warm_best, m_warm_median = best_median(manager_warm, repeats)
        m_etag = client.get(urls["manager"]).headers["ETag"]
        m_nm_best, m_nm_median = best_median(
            lambda: client.get(urls["manager"], headers={"If-None-Match": m_etag}), max(50, repeats * 20)
        )

        db = "PostgreSQL" if os.environ.get("BWQ_BENCH_DATABASE_URL") else "SQLite"
        print(f"database: {db}; best / median of {repeats} runs (304: of {max(50, repeats * 20)})")
        print(f"my feed, {count} events")
        print(f"  icalendar alone (floor)      {floor_best * 1000:8.1f} / {floor_median * 1000:8.1f} ms")
        print(
            f"  served, cold event cache     {cold_best * 1000:8.1f} / {cold_median * 1000:8.1f} ms"
            f"   = {cold_median / floor_median:.2f}x the floor"
        )
        print(
            f"  served, warm event cache     {warm_best * 1000:8.1f} / {warm_median * 1000:8.1f} ms"
            f"   = {warm_median / floor_median:.2f}x the floor"
        )
        print(f"  304 Not Modified             {nm_best * 1000:8.2f} / {nm_median * 1000:8.2f} ms")
        print(f"  (a bare 404 request)         {bare_best * 1000:8.2f} / {bare_median * 1000:8.2f} ms")
        print(f"manager feed, 500 instruments, {manager_events} events")
        print(f"  served, cold event cache     {m_cold_best * 1000:8.1f} / {m_cold_median * 1000:8.1f} ms")
        print(f"  served, warm event cache     {m_warm_best * 1000:8.1f} / {m_warm_median * 1000:8.1f} ms")
        print(f"  304 Not Modified             {m_nm_best * 1000:8.2f} / {m_nm_median * 1000:8.2f} ms")


if __name__ == "__main__":
    main()
