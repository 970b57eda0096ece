"""Booking benchmarks (not tests), every figure beside its floor measured in the same run.

Parts (each runs in its own process per database, so every app gets a clean environment):

create   POST /api/v1/bookings under wrk (2 threads x 8 connections, the same Lua script against
         the app and the floor: bench/floor_app.py, a bare Flask app doing token lookup, overlap
         check and insert in one write transaction), both served by gunicorn with the
         repository's gunicorn.conf.py and 2 workers. Rounds alternate app and floor on fresh
         slots; the best round of each counts. Targets: rate >= 0.8 of the floor's, p99 <= 1.3x.
         About 1 request in 8 repeats a slot taken just before (must be 409); afterwards the
         database is checked for overlapping live bookings (must be 0).
create-cpu
         The same creations in ONE process, through the WSGI callables of the app and the floor
         (no HTTP, no gunicorn, no client): CPU time and wall time per request, batches of each
         alternating, the best batch of each counts. Steadier than wrk on a shared machine (it
         leaves out what the load does to scheduling); on PostgreSQL the wall time also holds the
         round trips. ``--profile`` py-spies this process while it creates through the app only.
weeks    One instrument's week (open around the clock, 30-minute grid, 15-minute buffer, 30
         bookings: the heavy case, ~100 KB pages before this issue): the API's availability JSON, the signed-in booking page and the manager's
         calendar (HTML), each against the floor's bare week JSON (time per request =
         1 / throughput at saturation). Targets: booking page <= 3x, manager calendar <= 4x.
latency  check+insert+commit through the operation, 10 vs 10,000 past bookings (must stay flat).
slots    Slot finder across 2,000 instruments x 1 week (~20,000 bookings) against one bare query
         loading the same instruments' bookings for that week. Target <= 3x.

    .venv/bin/python bench/bench_bookings.py [--db sqlite|postgresql|both] [--only create|weeks|latency|slots]
        [--port 8700] [--seconds 3] [--rounds 3]

Needs wrk (Debian: apt-get install -y wrk) for create and weeks (skipped, with the reason, when
missing) and PostgreSQL at 127.0.0.1:5432 for the PostgreSQL runs (a scratch database is created
and dropped; skipped with the reason when unreachable).
"""

from __future__ import annotations

import argparse
import gc
import html
import http.cookiejar
import json
import os
import re
import statistics
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import (  # noqa: E402
    BENCH,
    USER_AGENT,
    add_common_args,
    best,
    kinds,
    ports,
    postgres_available,
    profiled,
    report,
    scratch_app,
    serve,
    skip,
    wrk,
    wrk_missing,
)

BASE = datetime(2027, 1, 4, 0, 0, tzinfo=UTC)  # a Monday, far enough ahead
ALWAYS_OPEN = [[d, "00:00", "24:00"] for d in range(7)]
PASSWORD = "bench-password-2026"
PARTS = ("create", "create-cpu", "weeks", "latency", "slots")

CREATE_LUA = r"""
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
"""


# ------------------------------------------------------------------------------------- fixtures


def prepare(app, n_instruments: int, *, history_on_first: int = 0, **policy):
    """A provider, instruments (open around the clock, no approval, no buffer unless ``policy``
    says otherwise), an enterprise user with a token and a password, a manager of the provider.
    Returns (first instrument id, token, user id, user e-mail, manager e-mail)."""
    import random

    from bwq_lab.domain.uscc import generate
    from bwq_lab.extensions import db
    from bwq_lab.models import ApiToken, Booking, Enterprise, Instrument, Provider, Region, User
    from bwq_lab.operations.regions import ensure_regions

    settings = dict(
        opening_hours=ALWAYS_OPEN,
        slot_minutes=30,
        min_minutes=30,
        max_minutes=480,
        min_notice_minutes=0,
        max_days_ahead=3650,
        approval_required=False,
        buffer_minutes=0,
    )
    settings.update(policy)
    with app.app_context():
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
            Instrument(provider_id=provider.id, name=f"仪器 {i}", category="electron_microscopy", **settings)
            for i in range(n_instruments)
        ]
        db.session.add_all(instruments)
        user = User(email="bench@example.com", name="bench", role="enterprise", enterprise_id=enterprise.id)
        manager = User(
            email="manager@example.com", name="manager", role="manager", provider_id=provider.id, manages_all=True
        )
        for u in (user, manager):
            u.set_password(PASSWORD)
        db.session.add_all([user, manager])
        db.session.flush()
        token, plain = ApiToken.issue(user, "bench")
        db.session.add(token)
        if history_on_first:
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
        return instruments[0].id, plain, user.id, user.email, manager.email


def scalar(app, sql: str):
    from sqlalchemy import text

    from bwq_lab.extensions import db

    with app.app_context():
        value = db.session.execute(text(sql)).scalar_one()
        db.session.remove()
        return value


OVERLAPS_SQL = (
    "SELECT count(*) FROM bookings a JOIN bookings b ON a.instrument_id = b.instrument_id AND a.id < b.id "
    "AND a.start_at < b.blocked_until AND b.start_at < a.blocked_until "
    "WHERE a.status IN ('pending','approved','in_use') AND b.status IN ('pending','approved','in_use')"
)


def sign_in(base: str, email: str) -> str:
    """Sign in through the login form like a browser; returns the session cookie's value."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    opener.addheaders = [("User-Agent", USER_AGENT)]
    page = opener.open(base + "/login").read().decode()
    csrf = html.unescape(re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1))
    body = urllib.parse.urlencode({"csrf_token": csrf, "email": email, "password": PASSWORD}).encode()
    opener.open(base + "/login", body).read()
    cookies = {c.name: c.value for c in jar}
    if "session" not in cookies or "/logout" not in opener.open(base + "/").read().decode():
        raise RuntimeError(f"could not sign in as {email}")
    return cookies["session"]


# ---------------------------------------------------------------------------------------- create


def bench_create(kind: str, args) -> None:
    what = "create POST /api/v1/bookings (wrk 2x8)"
    if reason := wrk_missing():
        return skip(kind, what, reason)
    app_port, floor_port, raw_port = ports(args, 3)
    with scratch_app(kind) as (app, env):
        n = 500
        first_id, token, *_ = prepare(app, n)
        raw_env = dict(env, BWQ_FLOOR_DRIVER="raw")
        with (
            serve("app:app", app_port, env, ready_path="/api/v1/me") as app_url,
            serve("floor_app:app", floor_port, env, ready_path="/floor/ping", pythonpath=str(BENCH)) as floor_url,
            serve("floor_app:app", raw_port, raw_env, ready_path="/floor/ping", pythonpath=str(BENCH)) as raw_url,
        ):
            week = 7 * 86400
            epoch = int(BASE.timestamp())
            sides = {"app": app_url, "floor": floor_url, "raw": raw_url}
            results = {side: [] for side in sides}
            for warm_up, url in enumerate(sides.values()):  # on slots nobody measures
                wrk(url, 1, script=CREATE_LUA, script_args=(n, first_id, token, epoch + warm_up * week))
            time.sleep(0.5)  # requests still in flight when wrk stopped
            before = scalar(app, "SELECT count(*) FROM bookings")
            slot_week = len(sides)
            for _ in range(args.rounds):  # alternate, so every side sees the same neighbours' noise
                for side, url in sides.items():
                    slot_week += 1
                    results[side].append(
                        wrk(
                            url,
                            args.seconds,
                            script=CREATE_LUA,
                            script_args=(n, first_id, token, epoch + slot_week * week),
                        )
                    )
            if args.profile:
                with profiled(app_url, args.profile, 10):
                    wrk(
                        app_url, 10, script=CREATE_LUA, script_args=(n, first_id, token, epoch + (slot_week + 1) * week)
                    )
            time.sleep(0.5)
        created = scalar(app, "SELECT count(*) FROM bookings") - before
        overlaps = scalar(app, OVERLAPS_SQL)
    everything = [r for rs in results.values() for r in rs]
    a, f, raw = (best(results[side]) for side in ("app", "floor", "raw"))
    print(
        f"[{kind}] create: {args.rounds} rounds x {args.seconds:g} s per side; {sum(r.requests for r in everything)} "
        f"requests, {created} bookings created, {sum(r.non2xx for r in everything)} answered 409 (slots repeated on "
        f"purpose), socket errors {max(r.errors for r in everything)}, overlapping live bookings: {overlaps}"
    )
    report(kind, "create rate", f"{a.rps:,.0f} req/s", f"{f.rps:,.0f} req/s", a.rps / f.rps, ">= 0.8")
    report(
        kind,
        "create p99",
        f"{a.p99:.1f} ms (p50 {a.p50:.1f})",
        f"{f.p99:.1f} ms (p50 {f.p50:.1f})",
        a.p99 / f.p99,
        "<= 1.3",
    )
    report(
        kind,
        "create rate vs the raw-driver floor (reference, no target)",
        f"{a.rps:,.0f} req/s",
        f"{raw.rps:,.0f} req/s, p99 {raw.p99:.1f} ms",
        a.rps / raw.rps,
    )


def create_bodies(n_instruments: int, first_id: int, base: datetime, count: int) -> list[bytes]:
    """The JSON bodies CREATE_LUA sends, in the same pattern: every 8th repeats the slot before
    it (must be 409), the rest are fresh 30-minute slots spread over the instruments."""
    bodies = []
    for counter in range(1, count + 1):
        k = counter - 1 if counter % 8 == 0 else counter
        start = base + timedelta(minutes=30 * (k // n_instruments))
        bodies.append(
            json.dumps(
                {
                    "instrument_id": first_id + k % n_instruments,
                    "start": start.isoformat(),
                    "end": (start + timedelta(minutes=30)).isoformat(),
                    "purpose": "bench",
                }
            ).encode()
        )
    return bodies


def bench_create_cpu(kind: str, args) -> None:
    from werkzeug.test import EnvironBuilder

    from bwq_lab.edge.warm import warm_up

    batch = 400
    with scratch_app(kind) as (app, _env):
        n = 500
        first_id, token, *_ = prepare(app, n)
        sys.path.insert(0, str(BENCH))
        import floor_app  # reads BWQ_DATABASE_URL, which scratch_app has set

        warm_up(app)
        headers = {"Authorization": f"Bearer {token}", "User-Agent": USER_AGENT}
        statuses: dict[int, int] = {}

        def start_response(status, _headers, exc_info=None):
            code = int(status[:3])
            statuses[code] = statuses.get(code, 0) + 1

        def environs(week: int, count: int) -> list[dict]:
            base = BASE + timedelta(days=7 * week)
            return [
                EnvironBuilder(
                    path="/api/v1/bookings", method="POST", headers=headers, data=body, content_type="application/json"
                ).get_environ()
                for body in create_bodies(n, first_id, base, count)
            ]

        def run(wsgi, envs) -> tuple[float, float]:
            """(CPU seconds, wall seconds) per request over ``envs``."""
            c0, w0 = time.process_time(), time.perf_counter()
            for environ in envs:
                result = wsgi(environ, start_response)
                for _ in result:
                    pass
                if hasattr(result, "close"):
                    result.close()
            return (time.process_time() - c0) / len(envs), (time.perf_counter() - w0) / len(envs)

        sides = {"app": app, "floor": floor_app.app}
        week = 0
        for wsgi in sides.values():  # warm-up, on slots nobody measures
            week += 1
            run(wsgi, environs(week, 100))
        gc.collect()
        gc.freeze()  # as gunicorn.conf.py does after a worker's warm-up
        before = scalar(app, "SELECT count(*) FROM bookings")
        statuses.clear()
        results = {side: [] for side in sides}
        for _ in range(max(3, args.rounds)):
            for side, wsgi in sides.items():
                week += 1
                results[side].append(run(wsgi, environs(week, batch)))
        answered = dict(statuses)
        if args.profile:  # the app alone, so that the floor's requests do not mix into the profile
            with profiled(os.getpid(), args.profile, 8):
                until = time.monotonic() + 8
                while time.monotonic() < until:
                    week += 1
                    run(app, environs(week, 100))
        created = scalar(app, "SELECT count(*) FROM bookings") - before
        overlaps = scalar(app, OVERLAPS_SQL)
        gc.unfreeze()
    a_cpu, f_cpu = (min(r[0] for r in results[side]) for side in sides)
    a_wall, f_wall = (min(r[1] for r in results[side]) for side in sides)
    print(
        f"[{kind}] create in one process: {max(3, args.rounds)} batches x {batch} per side, answers {answered}, "
        f"{created} bookings created, overlapping live bookings: {overlaps}"
    )
    report(kind, "create CPU per request", f"{a_cpu * 1e6:.0f} us", f"{f_cpu * 1e6:.0f} us", a_cpu / f_cpu)
    report(kind, "create wall time per request", f"{a_wall * 1e6:.0f} us", f"{f_wall * 1e6:.0f} us", a_wall / f_wall)


# ----------------------------------------------------------------------------------------- weeks


def bench_weeks(kind: str, args) -> None:
    what = "week pages"
    if reason := wrk_missing():
        return skip(kind, what, reason)
    import random

    from bwq_lab.extensions import db
    from bwq_lab.models import Booking

    app_port, floor_port = ports(args)
    with scratch_app(kind) as (app, env):
        # the heavy case the issue measured (~100 KB pages): open around the clock on a 30-minute grid
        first_id, _, user_id, email, manager_email = prepare(app, 2, buffer_minutes=15, min_notice_minutes=120)
        # the week after next (Monday, Asia/Shanghai midnight), 30 bookings of 30-90 minutes
        today = datetime.now(UTC).date()
        monday = today + timedelta(days=14 - today.weekday())
        week_start = datetime(monday.year, monday.month, monday.day, tzinfo=UTC) - timedelta(hours=8)
        rng = random.Random(3)
        rows, taken = [], []
        while len(rows) < 30:
            day, half = rng.randrange(7), rng.randrange(44)
            start = week_start + timedelta(days=day, minutes=30 * half)
            end = start + timedelta(minutes=30 * rng.choice((1, 2, 3)))
            blocked = end + timedelta(minutes=15)
            if any(start < b and s < blocked for s, b in taken):
                continue
            taken.append((start, blocked))
            rows.append(
                dict(
                    instrument_id=first_id,
                    user_id=user_id,
                    status=rng.choice(("approved", "pending")),
                    start_at=start,
                    end_at=end,
                    blocked_until=blocked,
                    purpose="bench",
                    project_code="",
                )
            )
        with app.app_context():
            db.session.execute(Booking.__table__.insert(), rows)
            db.session.commit()
            db.session.remove()
        week = monday.isoformat()
        start_q = urllib.parse.quote(week_start.isoformat())
        end_q = urllib.parse.quote((week_start + timedelta(days=7)).isoformat())
        with (
            serve("app:app", app_port, env, ready_path="/api/v1/me") as app_url,
            serve("floor_app:app", floor_port, env, ready_path="/floor/ping", pythonpath=str(BENCH)) as floor_url,
        ):
            # first renders in fresh workers (nothing but /api/v1/me answered so far) vs warm ones
            anonymous_page = f"{app_url}/instruments/{first_id}/book?week={week}"
            cold, warm = burst(anonymous_page), burst(anonymous_page)
            user_cookie = {"Cookie": f"session={sign_in(app_url, email)}"}
            manager_cookie = {"Cookie": f"session={sign_in(app_url, manager_email)}"}
            targets = [
                (
                    "week JSON /api/v1/instruments/{id}/availability",
                    f"{app_url}/api/v1/instruments/{first_id}/availability?from={start_q}&to={end_q}",
                    {},
                    None,
                ),
                ("booking page (signed in)", f"{app_url}/instruments/{first_id}/book?week={week}", user_cookie, "<= 3"),
                (
                    "manager calendar",
                    f"{app_url}/manage/instruments/{first_id}/calendar?week={week}",
                    manager_cookie,
                    "<= 4",
                ),
            ]
            floor_target = f"{floor_url}/floor/instruments/{first_id}/week?start={start_q}"
            sizes = {}
            for label, url, headers, _ in targets:
                req = urllib.request.Request(url, headers={"User-Agent": USER_AGENT, **headers})
                with urllib.request.urlopen(req) as resp:
                    body = resp.read()
                    if resp.status != 200 or resp.geturl() != url:
                        raise RuntimeError(f"{label}: {resp.status} {resp.geturl()}")
                sizes[label] = (len(body), len(re.findall(rb"<[a-zA-Z]", body)))
            wrk(floor_target, 1)
            for _, url, headers, _ in targets:
                wrk(url, 1, headers=headers)  # warm-up
            floors, results = [], {label: [] for label, *_ in targets}
            for _ in range(args.rounds):
                floors.append(wrk(floor_target, args.seconds))
                for label, url, headers, _ in targets:
                    results[label].append(wrk(url, args.seconds, headers=headers))
            if args.profile:  # the two pages, 5 s each
                with profiled(app_url, args.profile, 10):
                    for _, url, headers, target in targets:
                        if target:
                            wrk(url, 5, headers=headers)
    f = best(floors)
    print(
        f"[{kind}] first booking page in fresh workers (4 at once, slowest): {max(cold):.0f} ms; "
        f"the same 4 once warm: {max(warm):.0f} ms"
    )
    for label, _, _, target in targets:
        r = best(results[label])
        if r.non2xx or r.errors:
            print(f"[{kind}] {label}: {r.non2xx} non-2xx answers, {r.errors} socket errors")
        size, elements = sizes[label]
        report(
            kind,
            f"{label} [{size / 1024:.0f} KB, {elements:,} elements]",
            f"{r.ms_per_request:.2f} ms/request ({r.rps:,.0f} req/s, p99 {r.p99:.1f} ms)",
            f"week JSON {f.ms_per_request:.2f} ms/request ({f.rps:,.0f} req/s)",
            f.rps / r.rps,
            target,
        )


def burst(url: str, n: int = 4) -> list[float]:
    """``n`` requests at once; each one's time in ms."""
    import threading

    times: list[float] = []

    def one():
        t0 = time.perf_counter()
        urllib.request.urlopen(urllib.request.Request(url, headers={"User-Agent": USER_AGENT})).read()
        times.append((time.perf_counter() - t0) * 1000)

    threads = [threading.Thread(target=one) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return times


# --------------------------------------------------------------------------------------- latency


def bench_latency(kind: str, args) -> None:
    from bwq_lab.extensions import db
    from bwq_lab.models import Booking, User
    from bwq_lab.operations import bookings as ops
    from bwq_lab.operations.transactions import begin_write

    with scratch_app(kind) as (app, _):
        results = {}
        first_id, _, user_id, *_ = prepare(app, 2, history_on_first=10_000)
        with app.app_context():
            past = BASE - timedelta(days=30)  # instrument 2 gets 10 past bookings
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
                    ops.create_booking(
                        user, iid, start, start + timedelta(minutes=30), BASE - timedelta(days=1), purpose="bench"
                    )
                    db.session.commit()
                    timings.append((time.perf_counter() - t0) * 1000)
                    db.session.expunge_all()
                db.session.remove()
            timings = timings[50:]
            results[label] = (statistics.median(timings), sorted(timings)[int(len(timings) * 0.99) - 1])
    print(
        f"[{kind}] check+insert+commit latency (must not grow with history): "
        + "; ".join(f"{k}: p50 {v[0]:.2f} ms, p99 {v[1]:.2f} ms" for k, v in results.items()),
        flush=True,
    )


# ----------------------------------------------------------------------------------------- slots


def bench_slots(kind: str, args) -> None:
    import random

    from bwq_lab.extensions import db
    from bwq_lab.models import Booking, Instrument, User
    from bwq_lab.models.catalogue import DEFAULT_OPENING_HOURS
    from bwq_lab.operations import bookings as ops

    with scratch_app(kind) as (app, _):
        first_id, _, user_id, *_ = prepare(app, 2000)
        rng = random.Random(5)
        with app.app_context():
            db.session.query(Instrument).update({"opening_hours": DEFAULT_OPENING_HOURS, "min_notice_minutes": 120})
            rows, seen = [], set()
            for iid in range(first_id, first_id + 2000):
                for _ in range(10):  # about ten bookings in the week, on the grid
                    day, half_hour = rng.randrange(5), rng.randrange(16)
                    start = BASE + timedelta(days=day, minutes=30 * half_hour + 30)
                    if (iid, start) in seen:
                        continue
                    seen.add((iid, start))
                    end = start + timedelta(minutes=30)
                    rows.append(
                        dict(
                            instrument_id=iid,
                            user_id=user_id,
                            status="approved",
                            start_at=start,
                            end_at=end,
                            blocked_until=end,
                            purpose="bench",
                            project_code="",
                        )
                    )
            db.session.execute(Booking.__table__.insert(), rows)
            db.session.commit()
            window = (BASE, BASE + timedelta(days=7))
            bare_sql = (
                "SELECT b.instrument_id, b.start_at, b.end_at, b.blocked_until FROM bookings b "
                "JOIN instruments i ON i.id = b.instrument_id WHERE i.category = %(c)s AND i.status = 'active' "
                "AND b.status IN ('pending', 'approved', 'in_use') AND b.start_at < %(hi)s AND b.blocked_until > %(lo)s"
            )
            params = {"c": "electron_microscopy", "lo": window[0], "hi": window[1]}
            if kind == "sqlite":
                bare_sql = re.sub(r"%\((\w+)\)s", r":\1", bare_sql)
                params.update(lo=str(window[0].replace(tzinfo=None)), hi=str(window[1].replace(tzinfo=None)))
            raw = db.engine.raw_connection()

            def search() -> tuple[float, list]:
                user = db.session.get(User, user_id)
                t0 = time.perf_counter()
                found = ops.find_slots(
                    user,
                    BASE - timedelta(days=1),
                    duration_minutes=60,
                    window_start=window[0],
                    window_end=window[1],
                    category="electron_microscopy",
                    limit=20,
                )
                ms = (time.perf_counter() - t0) * 1000
                db.session.rollback()
                db.session.expunge_all()
                return ms, found

            app_ms, bare_ms, loaded = [], [], 0
            for _ in range(max(5, args.rounds * 2)):
                t0 = time.perf_counter()
                cur = raw.cursor()
                cur.execute(bare_sql, params)
                loaded = len(cur.fetchall())
                cur.close()
                raw.rollback()
                bare_ms.append((time.perf_counter() - t0) * 1000)
                ms, found = search()
                app_ms.append(ms)
            raw.close()
            assert len(found) == 20
            if args.profile:  # py-spy on this process while it searches for 8 s
                with profiled(os.getpid(), args.profile, 8, root="find_slots (availability.py)"):
                    until = time.monotonic() + 8
                    while time.monotonic() < until:
                        search()
    report(
        kind,
        f"slot finder, 2,000 instruments x 1 week ({len(rows):,} bookings, limit 20)",
        f"best {min(app_ms):.0f} ms (median {statistics.median(app_ms):.0f})",
        f"one bare query loading the same {loaded:,} bookings: best {min(bare_ms):.1f} ms (median {statistics.median(bare_ms):.1f})",
        min(app_ms) / min(bare_ms),
        "<= 3",
    )


# ------------------------------------------------------------------------------------------ main


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_common_args(parser)
    parser.add_argument("--only", choices=PARTS, default=None)
    parser.add_argument(
        "--profile",
        metavar="FILE",
        help="with --only create|weeks|slots: py-spy the app's workers (slots: this process's searches), keep the stacks in FILE",
    )
    args = parser.parse_args()
    for kind in kinds(args):
        if kind == "postgresql" and (reason := postgres_available()):
            skip(kind, "all booking benchmarks", reason)
            continue
        if args.only:
            {
                "create": bench_create,
                "create-cpu": bench_create_cpu,
                "weeks": bench_weeks,
                "latency": bench_latency,
                "slots": bench_slots,
            }[args.only](kind, args)
            continue
        for part in PARTS:  # each part in a child process: a clean environment per app
            cmd = [sys.executable, __file__, "--db", kind, "--only", part, "--seconds", str(args.seconds)]
            cmd += ["--rounds", str(args.rounds)] + (["--port", str(args.port)] if args.port else [])
            subprocess.run(cmd, check=False)


if __name__ == "__main__":
    main()
