"""Booking benchmarks (not tests): print the figures the booking issue asks for.

1. Booking creations per second over HTTP: gunicorn with 2 sync workers, wrk on loopback posting
   to /api/v1/bookings with a bearer token. About 1 request in 8 deliberately repeats a slot
   another request has taken, so the answer mix is 201 and 409; afterwards the database is
   checked for overlapping live bookings (must be 0).
2. Check+insert latency (p50/p99) through the operation, on an instrument with 10 and with
   10,000 existing bookings.
3. Slot finder across 2,000 instruments for one week, including loading from the database.

    .venv/bin/python bench/bench_bookings.py [--db sqlite|postgresql|both] [--seconds 10]

Needs wrk (Debian: apt-get install wrk) for part 1; PostgreSQL at 127.0.0.1:5432 for the
PostgreSQL runs (a scratch database is created and dropped).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
PG_ADMIN = os.environ.get("BWQ_BENCH_PG", "postgresql://postgres@127.0.0.1:5432/test")
BASE = datetime(2027, 1, 4, 0, 0, tzinfo=UTC)  # a Monday, far enough ahead
WRK_THREADS = int(os.environ.get("BWQ_BENCH_WRK_THREADS", "2"))
WRK_CONNECTIONS = int(os.environ.get("BWQ_BENCH_WRK_CONNECTIONS", "8"))
GUNICORN_EXTRA = os.environ.get("BWQ_BENCH_GUNICORN", "").split()
ALWAYS_OPEN = [[d, "00:00", "24:00"] for d in range(7)]

WRK_SCRIPT = r"""
local counter = 0
local threads = {}
function setup(thread)
  thread:set("tid", #threads)
  table.insert(threads, thread)
end
function init(args)
  n_instruments = tonumber(args[1])
  first_id = tonumber(args[2])
  token = args[3]
  base = tonumber(args[4])
end
request = function()
  counter = counter + 1
  local k = counter * 16 + tid
  if counter % 8 == 0 then k = (counter - 1) * 16 + tid end  -- repeat the previous slot: must be 409
  local instrument = first_id + (k % n_instruments)
  local slot = math.floor(k / n_instruments)
  local s = base + slot * 1800
  local body = string.format('{"instrument_id": %d, "start": "%s", "end": "%s", "purpose": "bench"}',
    instrument, os.date("!%Y-%m-%dT%H:%M:%S+00:00", s), os.date("!%Y-%m-%dT%H:%M:%S+00:00", s + 1800))
  return wrk.format("POST", "/api/v1/bookings",
    {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. token}, body)
end
local codes = {}
response = function(status, headers, body)
  codes[status] = (codes[status] or 0) + 1
end
done = function(summary, latency, requests)
  io.write(string.format("latency p50=%.2fms p99=%.2fms\n", latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def make_database(kind: str) -> tuple[str, callable]:
    if kind == "sqlite":
        folder = tempfile.mkdtemp(prefix="bwq-bench-")
        return f"sqlite:///{folder}/bench.sqlite3", lambda: shutil.rmtree(folder, ignore_errors=True)
    import psycopg

    name = f"bwq_bench_{uuid.uuid4().hex[:8]}"
    admin = PG_ADMIN
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')

    def drop():
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return admin.rsplit("/", 1)[0] + "/" + name, drop


def build_app(url: str, instance: str):
    os.environ["BWQ_DATABASE_URL"] = url
    os.environ["BWQ_INSTANCE_PATH"] = instance
    from bwq_lab.factory import create_app

    return create_app()


def prepare(app, n_instruments: int, history_on_first: int = 0):
    """Migrate, add a provider, instruments open around the clock without approval, an
    enterprise user with a token. Returns (first instrument id, token, user id)."""
    import random

    from flask_migrate import upgrade

    from bwq_lab.domain.uscc import generate
    from bwq_lab.extensions import db
    from bwq_lab.models import ApiToken, Enterprise, Instrument, Provider, Region, User
    from bwq_lab.operations.regions import ensure_regions

    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        ensure_regions()
        city = db.session.query(Region).filter_by(level="city", name="杭州").one()
        provider = Provider(name="基准测试中心", kind="university", region_id=city.children[0].id, city_id=city.id)
        enterprise = Enterprise(
            name="基准测试企业",
            uscc=generate(random.Random(1), "330100"),
            region_id=city.children[0].id,
            city_id=city.id,
            category="tech_sme",
        )
        db.session.add_all([provider, enterprise])
        db.session.flush()
        instruments = [
            Instrument(
                provider_id=provider.id,
                name=f"仪器 {i}",
                category="electron_microscopy",
                opening_hours=ALWAYS_OPEN,
                slot_minutes=30,
                min_minutes=30,
                max_minutes=480,
                min_notice_minutes=0,
                max_days_ahead=3650,
                approval_required=False,
                buffer_minutes=0,
            )
            for i in range(n_instruments)
        ]
        db.session.add_all(instruments)
        user = User(
            email="bench@example.com", name="bench", role="enterprise", enterprise_id=enterprise.id, password_hash="x"
        )
        db.session.add(user)
        db.session.flush()
        token, plain = ApiToken.issue(user, "bench")
        db.session.add(token)
        if history_on_first:
            from bwq_lab.models import Booking

            past = BASE - timedelta(days=history_on_first)
            db.session.add_all(
                Booking(
                    instrument_id=instruments[0].id,
                    user_id=user.id,
                    enterprise_id=enterprise.id,
                    status="completed",
                    start_at=past + timedelta(hours=i),
                    end_at=past + timedelta(hours=i, minutes=30),
                    blocked_until=past + timedelta(hours=i, minutes=30),
                )
                for i in range(history_on_first)
            )
        db.session.commit()
        return instruments[0].id, plain, user.id


def count_overlaps(app) -> int:
    from sqlalchemy import text

    from bwq_lab.extensions import db

    with app.app_context():
        return db.session.execute(
            text(
                "SELECT count(*) FROM bookings a JOIN bookings b ON a.instrument_id = b.instrument_id AND a.id < b.id "
                "AND a.start_at < b.blocked_until AND b.start_at < a.blocked_until "
                "WHERE a.status IN ('pending','approved','in_use') AND b.status IN ('pending','approved','in_use')"
            )
        ).scalar_one()


def count_bookings(app) -> int:
    from sqlalchemy import text

    from bwq_lab.extensions import db

    with app.app_context():
        return db.session.execute(text("SELECT count(*) FROM bookings")).scalar_one()


def http_throughput(kind: str, seconds: int) -> None:
    if shutil.which("wrk") is None:
        print(f"[{kind}] HTTP throughput: skipped, wrk is not installed (apt-get install wrk)")
        return
    url, cleanup = make_database(kind)
    instance = tempfile.mkdtemp(prefix="bwq-bench-instance-")
    try:
        app = build_app(url, instance)
        n = 500
        first_id, token, _ = prepare(app, n)
        port = free_port()
        env = dict(os.environ, BWQ_DATABASE_URL=url, BWQ_INSTANCE_PATH=instance)
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "-w",
                "2",
                *GUNICORN_EXTRA,
                "-b",
                f"127.0.0.1:{port}",
                "--log-level",
                "warning",
                "app:app",
            ],
            cwd=ROOT,
            env=env,
            start_new_session=True,
        )
        try:
            for _ in range(100):
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                    break
                except OSError:
                    time.sleep(0.1)
            script = Path(instance) / "book.lua"
            script.write_text(WRK_SCRIPT)
            base_epoch = int(BASE.timestamp())
            # warm-up, then the measured run on fresh slots (the base moves a year ahead)
            subprocess.run(
                [
                    "wrk",
                    f"-t{WRK_THREADS}",
                    f"-c{WRK_CONNECTIONS}",
                    "-d2s",
                    "-s",
                    str(script),
                    f"http://127.0.0.1:{port}",
                    "--",
                    str(n),
                    str(first_id),
                    token,
                    str(base_epoch + 86400 * 400),
                ],
                capture_output=True,
                text=True,
            )
            before = count_bookings(app)
            out = subprocess.run(
                [
                    "wrk",
                    f"-t{WRK_THREADS}",
                    f"-c{WRK_CONNECTIONS}",
                    f"-d{seconds}s",
                    "--latency",
                    "-s",
                    str(script),
                    f"http://127.0.0.1:{port}",
                    "--",
                    str(n),
                    str(first_id),
                    token,
                    str(base_epoch),
                ],
                capture_output=True,
                text=True,
            ).stdout
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=10)
        created = count_bookings(app) - before
        total = int(re.search(r"(\d+) requests in", out).group(1))
        non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
        rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
        lat = re.search(r"latency p50=([\d.]+)ms p99=([\d.]+)ms", out)
        print(
            f"[{kind}] HTTP POST /api/v1/bookings, gunicorn 2 workers{(' ' + ' '.join(GUNICORN_EXTRA)) if GUNICORN_EXTRA else ''}, wrk {WRK_THREADS} threads x {WRK_CONNECTIONS} connections, {seconds}s: "
            f"{rps:,.0f} req/s; {total} requests, {created} bookings created ({created / seconds:,.0f}/s), "
            f"{int(non2xx.group(1)) if non2xx else 0} answered 409/4xx (slots repeated on purpose); "
            f"latency p50 {lat.group(1)} ms, p99 {lat.group(2)} ms; overlapping live bookings: {count_overlaps(app)}"
        )
    finally:
        shutil.rmtree(instance, ignore_errors=True)
        cleanup()


def check_insert_latency(kind: str) -> None:
    url, cleanup = make_database(kind)
    instance = tempfile.mkdtemp(prefix="bwq-bench-instance-")
    try:
        app = build_app(url, instance)
        results = {}
        from bwq_lab.extensions import db
        from bwq_lab.models import Booking, Instrument, User
        from bwq_lab.operations import bookings as ops
        from bwq_lab.operations.transactions import begin_write

        first_id, _, user_id = prepare(app, 2, history_on_first=10_000)
        with app.app_context():
            # instrument 2 gets 10 past bookings
            past = BASE - timedelta(days=30)
            db.session.add_all(
                Booking(
                    instrument_id=first_id + 1,
                    user_id=user_id,
                    status="completed",
                    start_at=past + timedelta(hours=i),
                    end_at=past + timedelta(hours=i, minutes=30),
                    blocked_until=past + timedelta(hours=i, minutes=30),
                )
                for i in range(10)
            )
            db.session.commit()
        for label, iid in (("10 past bookings", first_id + 1), ("10,000 past bookings", first_id)):
            timings = []
            with app.app_context():
                for i in range(400):
                    t0 = time.perf_counter()
                    begin_write()
                    user = db.session.get(User, user_id)
                    start = BASE + timedelta(hours=i)
                    ops.create_booking(user, iid, start, start + timedelta(minutes=30), BASE - timedelta(days=1))
                    db.session.commit()
                    timings.append((time.perf_counter() - t0) * 1000)
                    db.session.expunge_all()
            timings = timings[50:]
            results[label] = (statistics.median(timings), sorted(timings)[int(len(timings) * 0.99) - 1])
            with app.app_context():
                assert db.session.get(Instrument, iid) is not None
        print(
            f"[{kind}] check+insert+commit latency: "
            + "; ".join(f"{k}: p50 {v[0]:.2f} ms, p99 {v[1]:.2f} ms" for k, v in results.items())
        )
    finally:
        shutil.rmtree(instance, ignore_errors=True)
        cleanup()


def slot_finder(kind: str) -> None:
    url, cleanup = make_database(kind)
    instance = tempfile.mkdtemp(prefix="bwq-bench-instance-")
    try:
        app = build_app(url, instance)
        import random

        from bwq_lab.extensions import db
        from bwq_lab.models import Booking, Instrument, User
        from bwq_lab.models.catalogue import DEFAULT_OPENING_HOURS
        from bwq_lab.operations import bookings as ops

        first_id, _, user_id = prepare(app, 2000)
        rng = random.Random(5)
        with app.app_context():
            db.session.query(Instrument).update({"opening_hours": DEFAULT_OPENING_HOURS, "min_notice_minutes": 120})
            rows = []
            for iid in range(first_id, first_id + 2000):
                for _ in range(10):  # about ten bookings in the week, on the grid
                    day, half_hour = rng.randrange(5), rng.randrange(16)
                    start = BASE + timedelta(days=day, hours=0, minutes=30 * half_hour) + timedelta(minutes=30)
                    rows.append(
                        dict(
                            instrument_id=iid,
                            user_id=user_id,
                            status="approved",
                            start_at=start,
                            end_at=start + timedelta(minutes=30),
                            blocked_until=start + timedelta(minutes=30),
                        )
                    )
            seen = set()
            unique = [
                r
                for r in rows
                if (r["instrument_id"], r["start_at"]) not in seen and not seen.add((r["instrument_id"], r["start_at"]))
            ]
            db.session.execute(Booking.__table__.insert(), unique)
            db.session.commit()
            timings = []
            for _ in range(7):
                user = db.session.get(User, user_id)
                t0 = time.perf_counter()
                found = ops.find_slots(
                    user,
                    BASE - timedelta(days=1),
                    duration_minutes=60,
                    window_start=BASE,
                    window_end=BASE + timedelta(days=7),
                    category="electron_microscopy",
                    limit=20,
                )
                timings.append((time.perf_counter() - t0) * 1000)
                db.session.expunge_all()
            assert len(found) == 20
        print(
            f"[{kind}] slot finder, 2,000 instruments x one week ({len(unique):,} bookings), loading included: "
            f"median {statistics.median(timings):.0f} ms, best {min(timings):.0f} ms"
        )
    finally:
        shutil.rmtree(instance, ignore_errors=True)
        cleanup()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--only", choices=("http", "latency", "slots"), default=None)
    args = parser.parse_args()
    kinds = ("sqlite", "postgresql") if args.db == "both" else (args.db,)
    for kind in kinds:
        # each part runs in a child process: every app gets its own clean environment
        for part in ("http", "latency", "slots"):
            if args.only and part != args.only:
                continue
            subprocess.run(
                [sys.executable, __file__, "--db", kind, "--seconds", str(args.seconds), "--only", part], check=False
            ) if not args.only else {"http": http_throughput, "latency": check_insert_latency, "slots": slot_finder}[
                part
            ](kind, *((args.seconds,) if part == "http" else ()))


if __name__ == "__main__":
    main()
