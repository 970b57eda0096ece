"""The goal dashboard at ten times programme scale: GET /reports/goals as a province admin (the
six goal figures month by month, progress, charts and the breakdown by city, rendered) and the
public home page with its goal strip, each beside a floor measured in the same run.

The year is bench_reports.py's (2026, bulk-inserted: 200,000 sessions, 100,000 batches, 300,000
service records, 5,000 instruments, 20,000 enterprises), counted up to 31 December (the whole year:
the most work). Requests go through the app in-process (Flask's test client: routing, sign-in,
templates, no network), so the figure is what a request costs the server.

The floors are bench_reports.py's bare SQL aggregates over the same rows: the dashboard shows a
month-by-month series and a breakdown by city, so its floor is the per-month and the per-city
UNION ALL COUNT(*) run back to back; the home page shows the months only, so its floor is the
per-month one. Target (issue 10): the dashboard < 1 s and < 3× its floor.

    .venv/bin/python bench/bench_goals.py [--db sqlite|postgresql|both] [--rounds 3] [--scale 1.0]

Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

try:  # the year and the floors are the figures' benchmark's (bench/bench_reports.py)
    from bench_reports import FIRST, LAST, TZ, _floor_query, best_of, generate
except ImportError:  # pragma: no cover - until bench_reports.py is on this branch
    generate = None

PASSWORD = "bench-password-123"
#: 31 December 2026, noon in Asia/Shanghai: the whole year is counted
NOW = datetime(2026, 12, 31, 4, 0, tzinfo=UTC)


def sign_in(app):
    """A test client signed in as a new province admin through the login form."""
    from bwq_lab.extensions import db
    from bwq_lab.models import User

    with app.app_context():
        from sqlalchemy import func, select

        # the generator inserts users with their ids (a PostgreSQL sequence does not know): take the next
        next_id = (db.session.execute(select(func.max(User.id))).scalar() or 0) + 1
        admin = User(id=next_id, email="goals-bench@example.com", name="bench", role="province_admin")
        admin.set_password(PASSWORD)
        db.session.add(admin)
        db.session.commit()
        email = admin.email
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    response = client.post("/login", data={"csrf_token": token, "email": email, "password": PASSWORD})
    if response.status_code not in (302, 303):
        raise RuntimeError("could not sign in")
    return client


def measure(kind: str, rounds: int, scale: float) -> None:
    from harness import report, scratch_app

    from bwq_lab.extensions import db
    from bwq_lab.reports.local_time import utc_bounds

    with scratch_app(kind) as (app, _env):
        t0 = time.perf_counter()
        n = generate(app, scale)
        print(f"[{kind}] generated {n} in {time.perf_counter() - t0:.1f} s", flush=True)
        app.config["FIXED_NOW"] = NOW
        app.config["GOALS_CACHE_SECONDS"] = 0  # every request counts afresh (the cached case is printed after)
        client = sign_in(app)
        anonymous = app.test_client()
        lo, hi = utc_bounds(FIRST, LAST, TZ)
        params = {"lo": lo, "hi": hi, "first": FIRST, "last": LAST}
        if kind == "sqlite":  # SQLite keeps naive UTC text (UTCDateTime): compare like with like
            params.update(lo=lo.replace(tzinfo=None).isoformat(" "), hi=hi.replace(tzinfo=None).isoformat(" "))
        with app.app_context():
            dialect = db.engine.dialect.name
            by_month, by_city = _floor_query(dialect, "month"), _floor_query(dialect, "city")

            def floor(*queries):
                def run():
                    for sql in queries:
                        db.session.execute(sql, params).all()
                    db.session.rollback()

                return run

            def get(c, path):
                def run():
                    response = c.get(path)
                    if response.status_code != 200:
                        raise RuntimeError(f"{path}: {response.status_code}")
                    return response.get_data(as_text=True)

                return run

            for what, fn, floor_fn, floor_what in (
                ("goal dashboard page (GET /reports/goals)", get(client, "/reports/goals?year=2026"),
                 floor(by_month, by_city), "per-month + per-city UNION ALL aggregates"),
                ("home page with the goal strip (GET /)", get(anonymous, "/"),
                 floor(by_month), "per-month UNION ALL aggregate"),
            ):  # fmt: skip
                fn()  # warm: the first run also plans, caches and compiles templates
                took, html = best_of(fn, rounds)
                floor_took, _ = best_of(floor_fn, rounds)
                figure = f"{took * 1000:.0f} ms" + ("" if took < 1 else " (target < 1 s: MISSED)")
                report(kind, what, figure, f"{floor_took * 1000:.0f} ms ({floor_what})", took / floor_took, "<= 3")
                shown = re.search(r'data-figure="sessions">.*?data-col="count">([^<]*)<', html, re.S)
                print(f"    sessions shown: {shown.group(1) if shown else '?'}", flush=True)
            app.config["GOALS_CACHE_SECONDS"] = 120
            page = get(client, "/reports/goals?year=2026")
            page()
            took, _ = best_of(page, rounds)
            print(f"[{kind}] goal dashboard page, counts cached (GOALS_CACHE_SECONDS=120): {took * 1000:.0f} ms")


def main() -> None:
    from harness import add_common_args, kinds, postgres_available, skip

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_common_args(parser, rounds=3)
    parser.add_argument("--scale", type=float, default=1.0, help="1.0 = ten times programme scale")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args, _unknown = parser.parse_known_args()
    chosen = kinds(args)
    if len(chosen) > 1 and not args.child:  # one process per database (the app reads BWQ_* once)
        for kind in chosen:
            cmd = [sys.executable, __file__, "--db", kind, "--rounds", str(args.rounds), "--scale", str(args.scale)]
            subprocess.run(cmd, check=False)
        return
    kind = chosen[0]
    if generate is None:
        skip(kind, "goals", "bench/bench_reports.py (the year's data and the floors) is missing")
        return
    if kind == "postgresql":
        reason = postgres_available()
        if reason:
            skip(kind, "goals", reason)
            return
    measure(kind, args.rounds, args.scale)


if __name__ == "__main__":
    main()
