"""Calendar feed benchmark (a plain script; prints, asserts nothing).

    .venv/bin/python bench/bench_feeds.py [--db sqlite|postgresql|both] [--events 10000] [--rounds 5]

In process (Flask's test client: the figures are the app's own time, no HTTP server), on a
migrated scratch database (bench/harness.py):
1. one user's feed of `events` bookings (default 10,000) and 100 service orders' completion days
   served through the app, end to end
   (token lookup, state, query, words, text), with a cold event cache and a warm one, against
   the floor measured in the same run: the `icalendar` library alone building and serialising
   the same events (Event objects + Calendar.to_ical(), from rows already in memory);
2. the same feed answered `304 Not Modified` (If-None-Match), which builds nothing;
3. a manager feed over 500 instruments (20 bookings and one maintenance window each).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

NOW = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)


def best_median(fn, repeats: int) -> tuple[float, float]:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times), statistics.median(times)


def seed(app, events: int) -> dict:
    """A provider with 500 instruments; one enterprise user with `events` bookings spread over
    a year ahead; 20 bookings and one maintenance window on each instrument for the manager."""
    from sqlalchemy import insert, select, text

    from bwq_lab.extensions import db
    from bwq_lab.models import (
        Booking,
        BookingEvent,
        Enterprise,
        Instrument,
        LabService,
        MaintenanceWindow,
        Provider,
        Region,
        ServiceOrder,
        ServiceOrderEvent,
        User,
    )
    from bwq_lab.operations.feeds import renew_feed_token
    from bwq_lab.operations.regions import ensure_regions

    with app.app_context():
        ensure_regions()
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
        # the user's service orders: 100 accepted ones, one promised day each
        service = LabService(
            provider_id=provider.id, name="材料成分检测", name_en="Composition testing", kind="testing_analysis"
        )
        db.session.add(service)
        db.session.flush()
        db.session.execute(
            insert(ServiceOrder),
            [
                {
                    "service_id": service.id,
                    "provider_id": provider.id,
                    "user_id": user.id,
                    "enterprise_id": enterprise.id,
                    "status": "accepted",
                    "samples": 5,
                    "promised_date": (start + timedelta(days=n)).date(),
                    "created_at": NOW - timedelta(days=1),
                    "updated_at": NOW - timedelta(hours=1),
                }
                for n in range(100)
            ],
        )
        order_ids = db.session.execute(select(ServiceOrder.id)).scalars().all()
        db.session.execute(
            insert(ServiceOrderEvent),
            [
                {"order_id": o, "action": action, "from_status": before, "to_status": after, "at": NOW}
                for o in order_ids
                for action, before, after in (("submit", None, "submitted"), ("accept", "submitted", "accepted"))
            ],
        )
        token = renew_feed_token(user, app.config["SECRET_KEY"], NOW)
        manager_token = renew_feed_token(manager, app.config["SECRET_KEY"], NOW)
        db.session.commit()
        if db.engine.dialect.name == "postgresql":  # statistics and visibility map, as autovacuum keeps them
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.execute(text("VACUUM ANALYZE"))
        return {
            "mine": f"/feeds/{token}/mine.ics",
            "manager": f"/feeds/{manager_token}/manager.ics",
            "mine_id": user.id,
            "manager_id": manager.id,
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


def library_alone(rows):
    """The floor: icalendar's object model building and serialising the same events."""
    from icalendar import Calendar, Event

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

    return run


def rows_of(app, feed: str, user_id: int) -> list:
    from zoneinfo import ZoneInfo

    from bwq_lab.extensions import db
    from bwq_lab.models import User
    from bwq_lab.operations import feeds as ops

    with app.app_context():
        user = db.session.get(User, user_id)
        w = ops.window(NOW, ZoneInfo("Asia/Shanghai"))
        return ops.mine_rows(user, w) if feed == "mine" else ops.manager_rows(user, w)


def measure(kind: str, events: int, repeats: int) -> None:
    from harness import report, scratch_app

    from bwq_lab.feeds import views

    with scratch_app(kind) as (app, _env):
        app.config.update(FIXED_NOW=NOW, BASE_URL="https://lab.example.edu.cn")
        started = time.perf_counter()
        urls = seed(app, events)
        print(f"[{kind}] seeded {events} + 10,000 bookings on 500 instruments in {time.perf_counter() - started:.1f} s")
        client = app.test_client()
        many = max(200, repeats * 40)

        for feed in ("mine", "manager"):
            url = urls[feed]
            rows = rows_of(app, feed, urls[f"{feed}_id"])
            count = client.get(url).data.count(b"BEGIN:VEVENT")
            label = f"my feed, {count} events" if feed == "mine" else f"manager feed, 500 instruments, {count} events"
            floor_best, _ = best_median(library_alone(rows), repeats)

            def cold(url=url):
                views.EVENTS.clear()
                assert client.get(url).status_code == 200

            def warm(url=url):
                assert client.get(url).status_code == 200

            cold_best, _ = best_median(cold, repeats)
            warm()
            warm_best, _ = best_median(warm, repeats)
            floor_ms = f"{floor_best * 1000:.0f} ms (icalendar alone, {len(rows)} rows)"
            report(
                kind,
                f"{label}, cold event cache",
                f"{cold_best * 1000:.0f} ms",
                floor_ms,
                cold_best / floor_best,
                "<= 1.2",
            )
            report(
                kind,
                f"{label}, warm event cache",
                f"{warm_best * 1000:.0f} ms",
                floor_ms,
                warm_best / floor_best,
                "<= 1.2",
            )

            etag = client.get(url).headers["ETag"]

            def not_modified(url=url, etag=etag):
                assert client.get(url, headers={"If-None-Match": etag}).status_code == 304

            not_modified()
            nm_best, nm_median = best_median(not_modified, many)
            # the floor for a 304: a request the app answers 404 (routing, hooks, no database)
            bare_best, _ = best_median(lambda: client.get("/feeds/instruments/0/busy"), many)
            report(
                kind,
                f"{label}, 304 Not Modified (median {nm_median * 1000:.2f} ms; target < 5 ms: "
                f"{'met' if nm_best < 0.005 else 'MISSED'})",
                f"{nm_best * 1000:.2f} ms",
                f"{bare_best * 1000:.2f} ms (a bare 404)",
                nm_best / bare_best,
            )


def main() -> None:
    from harness import add_common_args, kinds, postgres_available, skip

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_common_args(parser, rounds=5)
    parser.add_argument("--events", type=int, default=10_000, help="bookings in the user's feed")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args, _unknown = parser.parse_known_args()
    chosen = kinds(args)
    if len(chosen) > 1 and not args.child:  # one process per database (the app reads BWQ_* once)
        for kind in chosen:
            cmd = [sys.executable, __file__, "--db", kind, "--events", str(args.events), "--rounds", str(args.rounds)]
            subprocess.run(cmd, check=False)
        return
    kind = chosen[0]
    if kind == "postgresql":
        reason = postgres_available()
        if reason:
            skip(kind, "calendar feeds", reason)
            return
    measure(kind, args.events, args.rounds)


if __name__ == "__main__":
    main()
