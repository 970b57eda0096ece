"""Background jobs benchmark (a plain script; prints, asserts nothing).

    .venv/bin/python bench/bench_jobs.py [qualifications] [repeats]
    BWQ_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/DB .venv/bin/python bench/bench_jobs.py

On a fresh SQLite file (or the PostgreSQL database named by BWQ_DATABASE_URL, whose tables it
creates and empties): the floor (an empty job through run_job: its three short transactions and
the job_runs row), then `qualification_warnings` with N qualifications expiring within the week
(each a rendered e-mail, an outbox row and a sent_notices marker), then its rerun (which must find
nothing and send nothing), then deliver_mail writing the N e-mails as .eml files; then
`booking_reminders` with N approved sessions starting within the next day and `expire_requests`
with N pending requests inside the 2-hour deadline (each: a transition, its event and an e-mail),
each followed by its rerun; `order_reminders` with N open lab-service orders promised for today or
tomorrow, the 10 managers' `manager_digests` (N requests waiting over a day and the N orders) and
`monthly_summaries` (the previous month's figures by `reports.figures.summary` to the 10 managers
and a city admin), each followed by its rerun.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main(n: int = 500, repeats: int = 20) -> None:
    from bwq_lab.extensions import db
    from bwq_lab.factory import create_app
    from bwq_lab.jobs import Job, find, run_job
    from bwq_lab.models import Booking, Instrument, LabService, Provider, Qualification, Region, ServiceOrder, User
    from bwq_lab.operations.regions import ensure_regions

    tmp = Path(tempfile.mkdtemp(prefix="bwq-bench-jobs-"))
    url = os.environ.get("BWQ_DATABASE_URL") or f"sqlite:///{tmp}/bench.sqlite3"
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "SECRET_KEY": "x",
            "OUTBOX_FOLDER": str(tmp / "outbox"),
            "INSTANCE_PATH": str(tmp),
        }
    )
    now = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)
    with app.app_context():
        if url.startswith("postgres"):
            from sqlalchemy import text

            with db.engine.begin() as conn:
                conn.execute(text("CREATE EXTENSION IF NOT EXISTS btree_gist"))
            db.drop_all()
        db.create_all()
        ensure_regions()
        city = db.session.query(Region).filter_by(level="city").first()
        provider = Provider(
            name="测试中心", name_en="Test centre", kind="university", region_id=city.id, city_id=city.id
        )
        db.session.add(provider)
        db.session.flush()
        instrument = Instrument(
            provider_id=provider.id, name="显微镜", name_en="Microscope", category="electron_microscopy"
        )
        db.session.add(instrument)
        db.session.flush()
        for i in range(n):
            user = User(email=f"u{i}@example.com", name=f"用户{i}", role="enterprise", password_hash="x",
                        locale="en" if i % 2 else "zh")  # fmt: skip
            db.session.add(user)
            db.session.flush()
            db.session.add(Qualification(user_id=user.id, instrument_id=instrument.id,
                                         expires_at=now + timedelta(days=1 + i % 6)))  # fmt: skip
        db.session.commit()
        users = db.session.query(User).order_by(User.id).limit(n).all()
        for i in range(n):  # n approved sessions tomorrow, n pending ones in 1.5 h, no overlaps
            inst = Instrument(provider_id=provider.id, name=f"仪器{i}", category="electron_microscopy")
            db.session.add(inst)
            db.session.flush()
            for status, start in (("approved", now + timedelta(hours=20)), ("pending", now + timedelta(minutes=90))):
                db.session.add(Booking(instrument_id=inst.id, user_id=users[i].id, status=status, start_at=start,
                                       end_at=start + timedelta(hours=1), blocked_until=start + timedelta(hours=1),
                                       created_at=now - timedelta(days=2)))  # fmt: skip
        service = LabService(provider_id=provider.id, name="成分检测", name_en="Composition testing",
                             kind="testing_analysis")  # fmt: skip
        db.session.add(service)
        db.session.flush()
        today = now.astimezone(ZoneInfo("Asia/Shanghai")).date()
        for i in range(n):  # n open orders: accepted, promised tomorrow; in progress, promised today
            accepted = i % 2 == 0
            db.session.add(ServiceOrder(service_id=service.id, provider_id=provider.id, user_id=users[i].id,
                                        status="accepted" if accepted else "in_progress", samples=3,
                                        first_day=today, promised_date=today + timedelta(days=1 if accepted else 0),
                                        created_at=now - timedelta(days=3), updated_at=now - timedelta(days=3)))  # fmt: skip
        for i in range(10):
            db.session.add(User(email=f"m{i}@example.com", name=f"经理{i}", role="manager", password_hash="x",
                                provider_id=provider.id, manages_all=True, locale="en" if i % 2 else "zh"))  # fmt: skip
        db.session.add(User(email="city@example.com", name="市管理员", role="city_admin", password_hash="x",
                            city_id=city.id))  # fmt: skip
        db.session.commit()

    empty = Job("empty", timedelta(seconds=1), lambda now: 0, "")
    floor = []
    for _ in range(repeats):
        t = time.perf_counter()
        run_job(app, empty, now)
        floor.append(time.perf_counter() - t)

    def timed(name: str) -> tuple[float, int]:
        t = time.perf_counter()
        total = run_job(app, find(name), now)
        return time.perf_counter() - t, total

    warn, warned = timed("qualification_warnings")
    rerun, again = timed("qualification_warnings")
    deliver, delivered = timed("deliver_mail")
    db_name = "PostgreSQL" if url.startswith("postgres") else "SQLite"
    print(f"database: {db_name}; {n} qualifications expiring within the week")
    print(f"floor  run_job of an empty job: median {statistics.median(floor) * 1000:.1f} ms, "
          f"best {min(floor) * 1000:.1f} ms ({repeats} runs)")  # fmt: skip
    print(
        f"qualification_warnings: {warned} warned in {warn * 1000:.0f} ms ({warn / max(warned, 1) * 1000:.2f} ms each)"
    )
    print(f"qualification_warnings rerun: {again} warned in {rerun * 1000:.0f} ms")
    print(f"deliver_mail: {delivered} .eml written in {deliver * 1000:.0f} ms (batch of 200 per run)")
    for name, what in (
        ("booking_reminders", "reminded"),
        ("order_reminders", "reminded"),
        ("manager_digests", "sent"),
        ("monthly_summaries", "sent"),
        ("expire_requests", "expired"),
    ):
        first, done = timed(name)
        again, redo = timed(name)
        print(f"{name}: {done} {what} in {first * 1000:.0f} ms ({first / max(done, 1) * 1000:.2f} ms each); "
              f"rerun {redo} in {again * 1000:.0f} ms")  # fmt: skip


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:3]]
    main(*args)
