"""Report-file benchmark (a plain script, not a test): the quarterly carrier report of the busiest
provider at ten times programme scale, built as the download (rows + Excel workbook).

    .venv/bin/python bench/bench_exports.py [--db sqlite|postgresql|both] [--scale 10] [--rounds 3]

Fills a migrated scratch database by bulk inserts with a year (2026) of activity at ``--scale``
times the programme's yearly targets: 20,000 × scale / 10 … i.e. at scale 10 200,000 completed
sessions, 100,000 delivered batches and 300,000 service records on 5,000 instruments of 1,000
providers for 20,000 enterprises. The busiest provider holds 10 % of everything (a quarter of it is
about 5,000 sessions, 2,500 batches and 7,500 records: ~15,000 lines). Times, best of the rounds:

- the whole export: ``quarterly_report`` (three queries, lines sorted) + ``to_xlsx``;
- its parts (query, workbook) and the CSV;
- the floor: the same four SELECTs (same joins and filters) fetched as bare tuples with
  SQLAlchemy Core, nothing else — what reading the rows costs at all.
Target (issue 11): the export under 3 s. Then the monthly summary of a year for the province, the
busiest provider's city and county, and the busiest provider (``reports.monthly.monthly_report``:
four ``figures.summary`` calls) beside one bare aggregate of the year's sessions by month; target
under a second. Last, what keeping the rollup costs one write of the busiest provider (no target).
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

from harness import kinds, postgres_available, report, scratch_app, skip  # noqa: E402

TZ = ZoneInfo("Asia/Shanghai")
YEAR = 2026
CHUNK = 5_000


def populate(conn, scale: int = 10, busiest_share: float = 0.1, seed: int = 11) -> int:
    """A year of activity at ``scale`` × the programme's targets; returns the busiest provider's id."""
    from sqlalchemy import insert, select

    from bwq_lab.models import Booking, Enterprise, Instrument, LabService, Provider, Region, ServiceOrder, User
    from bwq_lab.models.reports import ServiceRecord, Staff, service_record_staff

    rng = random.Random(seed)
    counties = conn.execute(select(Region.id, Region.parent_id).where(Region.level == "county")).all()
    n_providers, n_instruments, n_enterprises = 100 * scale, 500 * scale, 2_000 * scale
    n_sessions, n_batches, n_records = 20_000 * scale, 10_000 * scale, 30_000 * scale

    def bulk(table, rows):
        for i in range(0, len(rows), CHUNK):
            conn.execute(insert(table), rows[i : i + CHUNK])

    bulk(
        Provider.__table__,
        [
            dict(id=p, name=f"服务机构{p}", name_en=f"Provider {p}", kind="university", city_id=c, region_id=r)
            for p, (r, c) in enumerate((rng.choice(counties) for _ in range(n_providers)), start=1)
        ],
    )
    bulk(
        Enterprise.__table__,
        [
            dict(id=e, name=f"企业{e}", uscc=f"91330100MA{e:08d}", category="tech_sme", city_id=c, region_id=r)
            for e, (r, c) in enumerate((rng.choice(counties) for _ in range(n_enterprises)), start=1)
        ],
    )
    busiest = 1
    per_provider = n_instruments // n_providers

    def provider_of_thing() -> int:
        return busiest if rng.random() < busiest_share else rng.randint(2, n_providers)

    bulk(
        Instrument.__table__,
        [
            dict(id=i, provider_id=(i - 1) // per_provider + 1, name=f"仪器{i}", name_en=f"Instrument {i}",
                 category="electron_microscopy")
            for i in range(1, n_instruments + 1)
        ],
    )  # fmt: skip
    bulk(
        LabService.__table__,
        [
            dict(id=p, provider_id=p, name=f"检测服务{p}", name_en=f"Testing {p}", kind="testing_analysis")
            for p in range(1, n_providers + 1)
        ],
    )
    n_users = n_enterprises // 10
    bulk(
        User.__table__,
        [
            dict(id=u, email=f"u{u}@bench.example", name=f"用户{u}", password_hash="-", role="enterprise",
                 enterprise_id=u * 10)
            for u in range(1, n_users + 1)
        ],
    )  # fmt: skip
    bulk(
        Staff.__table__,
        [dict(id=s, provider_id=(s - 1) // 5 + 1, name=f"专家{s}") for s in range(1, 5 * n_providers + 1)],
    )
    year_start = datetime(YEAR, 1, 1, tzinfo=TZ).astimezone(UTC)
    seconds = 365 * 86400

    def instant() -> datetime:
        return year_start + timedelta(seconds=rng.randrange(0, seconds, 1800))

    def staff_of(provider: int) -> int:
        return (provider - 1) * 5 + rng.randint(1, 5)

    rows = []
    for b in range(1, n_sessions + 1):
        provider = provider_of_thing()
        instrument = (provider - 1) * per_provider + rng.randint(1, per_provider)
        start = instant()
        end = start + timedelta(minutes=rng.choice((60, 90, 120, 240)))
        user = rng.randint(1, n_users)
        rows.append(
            dict(id=b, instrument_id=instrument, user_id=user, enterprise_id=user * 10, status="completed",
                 start_at=start, end_at=end, blocked_until=end, checked_in_at=start + timedelta(minutes=5),
                 checked_out_at=end - timedelta(minutes=5), purpose="形貌观察与成分分析", project_code=f"RD-{user % 7}",
                 fee_fen=rng.randint(100, 200_000), price_tier="external", staff_id=staff_of(provider))
        )  # fmt: skip
    bulk(Booking.__table__, rows)
    rows = []
    for o in range(1, n_batches + 1):
        provider = provider_of_thing()
        delivered = instant()
        user = rng.randint(1, n_users)
        rows.append(
            dict(id=o, service_id=provider, provider_id=provider, user_id=user, enterprise_id=user * 10,
                 status="delivered", samples=rng.randint(1, 20), sample_description="合金样品成分", hazard="none",
                 fee_fen=rng.randint(1_000, 500_000), first_delivered_at=delivered, delivered_at=delivered,
                 staff_id=staff_of(provider), project_code=f"RD-{user % 7}")
        )  # fmt: skip
    bulk(ServiceOrder.__table__, rows)
    rows, links = [], []
    kinds_ = ("consultation", "training", "transfer", "joint_rd", "commissioner_visit", "policy_briefing")
    for r in range(1, n_records + 1):
        provider = provider_of_thing()
        rows.append(
            dict(id=r, provider_id=provider, enterprise_id=rng.randint(1, n_enterprises),
                 day=date(YEAR, 1, 1) + timedelta(days=rng.randrange(365)), kind=rng.choice(kinds_),
                 minutes=rng.choice((60, 120, 240)), content="技术需求诊断与对接")
        )  # fmt: skip
        links.extend({"record_id": r, "staff_id": s} for s in {staff_of(provider), staff_of(provider)})
    bulk(ServiceRecord.__table__, rows)
    bulk(service_record_staff, links)
    if conn.dialect.name == "postgresql":
        for table in ("providers", "enterprises", "instruments", "lab_services", "users", "staff", "bookings",
                      "service_orders", "service_records"):  # fmt: skip
            conn.exec_driver_sql(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
            )
        conn.exec_driver_sql("ANALYZE")
    else:
        conn.exec_driver_sql("ANALYZE")
    return busiest


def floor(session, provider_id: int, first_day: date, last_day: date):
    """The same four reads as the report (sessions, batches, records, the records' staff), bare:
    tuples, no lines, no sorting."""
    from sqlalchemy import select

    from bwq_lab.models import Booking, Enterprise, Instrument, LabService, Provider, ServiceOrder
    from bwq_lab.models.reports import ServiceRecord, Staff, service_record_staff
    from bwq_lab.reports.local_time import utc_bounds

    start, end = utc_bounds(first_day, last_day, TZ)
    n = 0
    n += len(session.execute(
        select(Booking.id, Booking.start_at, Booking.end_at, Booking.checked_in_at, Booking.checked_out_at,
               Booking.purpose, Booking.project_code, Booking.fee_fen, Instrument.name, Instrument.name_en,
               Staff.name, Provider.name, Provider.name_en, Enterprise.name, Enterprise.uscc)
        .join(Instrument, Instrument.id == Booking.instrument_id).join(Provider, Provider.id == Instrument.provider_id)
        .outerjoin(Enterprise, Enterprise.id == Booking.enterprise_id).outerjoin(Staff, Staff.id == Booking.staff_id)
        .where(Booking.status == "completed", Booking.start_at >= start, Booking.start_at < end,
               Instrument.provider_id == provider_id)
    ).all())  # fmt: skip
    n += len(session.execute(
        select(ServiceOrder.id, ServiceOrder.first_delivered_at, ServiceOrder.samples, ServiceOrder.sample_description,
               ServiceOrder.project_code, ServiceOrder.fee_fen, LabService.name, LabService.name_en, Staff.name,
               Provider.name, Provider.name_en, Enterprise.name, Enterprise.uscc)
        .join(LabService, LabService.id == ServiceOrder.service_id).join(Provider, Provider.id == ServiceOrder.provider_id)
        .outerjoin(Enterprise, Enterprise.id == ServiceOrder.enterprise_id)
        .outerjoin(Staff, Staff.id == ServiceOrder.staff_id)
        .where(ServiceOrder.first_delivered_at >= start, ServiceOrder.first_delivered_at < end,
               ServiceOrder.provider_id == provider_id)
    ).all())  # fmt: skip
    n += len(session.execute(
        select(ServiceRecord.id, ServiceRecord.day, ServiceRecord.kind, ServiceRecord.minutes, ServiceRecord.content,
               ServiceRecord.project_code, ServiceRecord.agreement_signed, ServiceRecord.paid_fen, Provider.name,
               Provider.name_en, Enterprise.name, Enterprise.uscc)
        .join(Provider, Provider.id == ServiceRecord.provider_id)
        .join(Enterprise, Enterprise.id == ServiceRecord.enterprise_id)
        .where(ServiceRecord.provider_id == provider_id, ServiceRecord.day >= first_day, ServiceRecord.day <= last_day)
    ).all())  # fmt: skip
    n += len(session.execute(
        select(ServiceRecord.id, Staff.name)
        .join(service_record_staff, service_record_staff.c.record_id == ServiceRecord.id)
        .join(Staff, Staff.id == service_record_staff.c.staff_id)
        .where(ServiceRecord.provider_id == provider_id, ServiceRecord.day >= first_day, ServiceRecord.day <= last_day)
    ).all())  # fmt: skip
    return n


def bench_monthly(kind: str, app, busiest: int, rounds: int) -> None:
    """The monthly summary page's numbers for a year (four ``figures.summary`` calls: by month, by
    instrument, by lab-service kind, by record kind) beside one bare aggregate over the year's
    sessions by month (the floor). Target (issue 11): under a second."""
    from sqlalchemy import func, select

    from bwq_lab.extensions import db
    from bwq_lab.models import Booking, Provider
    from bwq_lab.reports.local_time import LocalCalendar, utc_bounds
    from bwq_lab.reports.monthly import monthly_report
    from bwq_lab.reports.scope import PROVINCE, Scope

    first, last = date(YEAR, 1, 1), date(YEAR, 12, 31)
    start, end = utc_bounds(first, last, TZ)
    month = LocalCalendar(db.engine.dialect.name, TZ, first, last).month(Booking.start_at)
    bare = (
        select(month, func.count())
        .where(Booking.status == "completed", Booking.start_at >= start, Booking.start_at < end)
        .group_by(month)
    )
    floor_s, _rows = best_of(rounds, lambda: db.session.execute(bare).all())
    home = db.session.get(Provider, busiest)  # the busiest provider's city and county: the most to count
    for name, scope in (
        ("province", PROVINCE),
        ("city of the busiest provider", Scope("city", home.city_id)),
        ("county of the busiest provider", Scope("county", home.region_id)),
        ("busiest provider", Scope("provider", busiest)),
    ):
        monthly_report(db.session, scope, YEAR, tz=TZ)  # warm
        db.session.rollback()
        took, _report = best_of(rounds, lambda scope=scope: monthly_report(db.session, scope, YEAR, tz=TZ))
        report(kind, f"monthly summary {YEAR}, {name} (4 summaries)", f"{took:.3f} s", f"{floor_s:.3f} s",
               took / floor_s)  # fmt: skip
        print(f"[{kind}]   target < 1 s: {'met' if took < 1 else 'MISSED'}", flush=True)
    bench_monthly_page(kind, app, rounds, floor_s)


def bench_monthly_page(kind: str, app, rounds: int, floor_s: float) -> None:
    """The province's monthly summary as a province admin opens it: the page (HTML) and its
    workbook (every table), through the whole Flask stack (test client), beside the same floor."""
    from bench_goals import sign_in

    client = sign_in(app)
    for name, url in (
        ("page", f"/reports/monthly?year={YEAR}"),
        ("workbook (every table, .xlsx)", f"/reports/monthly?year={YEAR}&format=xlsx"),
    ):

        def get(url=url):
            response = client.get(url)
            if response.status_code != 200:
                raise RuntimeError(f"{url}: {response.status_code}")
            return response

        get()  # warm
        took, _response = best_of(rounds, get)
        report(kind, f"monthly summary {YEAR}, province, {name}", f"{took:.3f} s", f"{floor_s:.3f} s", took / floor_s)
        print(f"[{kind}]   target < 1 s: {'met' if took < 1 else 'MISSED'}", flush=True)


def bench_refresh(kind: str, busiest: int, keys: int = 20) -> None:
    """What keeping the rollup costs a write of the busiest provider (a check-out, a delivery, a
    service record): ``rollup.refresh`` of one of its (enterprise, provider, day) keys, which
    recomputes the key's day rows and the provider's month, area and item rows of that month;
    median of ``keys`` keys of one month, each rolled back. Printed for the record: no target."""
    from sqlalchemy import select

    from bwq_lab.extensions import db
    from bwq_lab.models import ServiceDay
    from bwq_lab.operations.rollup import refresh

    found = db.session.execute(
        select(ServiceDay.enterprise_id, ServiceDay.provider_id, ServiceDay.day)
        .where(ServiceDay.provider_id == busiest, ServiceDay.month == f"{YEAR}-06")
        .limit(keys)
    ).all()
    db.session.rollback()
    times = []
    for key in found:
        t0 = time.perf_counter()
        refresh(db.session, [tuple(key)], tz=TZ)
        times.append(time.perf_counter() - t0)
        db.session.rollback()
    times.sort()
    print(f"[{kind}] rollup refresh of one key of the busiest provider (a write's upkeep): median "
          f"{times[len(times) // 2] * 1000:.1f} ms, best {times[0] * 1000:.1f} ms ({len(times)} keys)", flush=True)  # fmt: skip
    # many keys at once, as the close-the-day job's no-shows or a bulk update name them
    day = db.session.execute(select(ServiceDay.day).where(ServiceDay.month == f"{YEAR}-06").limit(1)).scalar()
    many = db.session.execute(
        select(ServiceDay.enterprise_id, ServiceDay.provider_id, ServiceDay.day)
        .where(ServiceDay.day == day)
        .limit(keys)
    ).all()
    db.session.rollback()
    took, _n = best_of(3, lambda: (refresh(db.session, [tuple(k) for k in many], tz=TZ), db.session.rollback()))
    print(f"[{kind}] rollup refresh of {len(many)} keys of one day at once: {took * 1000:.0f} ms", flush=True)


def best_of(rounds: int, fn):
    times, result = [], None
    for _ in range(rounds):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return min(times), result


def run(kind: str, scale: int, rounds: int) -> None:
    from bwq_lab.domain.periods import quarter_days
    from bwq_lab.extensions import db
    from bwq_lab.reports import tables
    from bwq_lab.reports.carrier import quarterly_report

    with scratch_app(kind) as (app, _env):
        with app.app_context():
            from bwq_lab.operations.regions import ensure_regions

            ensure_regions()
            db.session.commit()
            t0 = time.perf_counter()
            with db.engine.begin() as conn:
                busiest = populate(conn, scale=scale)
            print(f"[{kind}] populated scale {scale} in {time.perf_counter() - t0:.0f} s", flush=True)
            from bench_reports import fill_rollup

            fill_rollup(db)
            first, last = quarter_days(YEAR, 2)
            floor_s, n = best_of(rounds, lambda: floor(db.session, busiest, first, last))
            query_s, rep = best_of(rounds, lambda: quarterly_report(db.session, busiest, YEAR, 2, tz=TZ))
            with app.test_request_context(headers={"Accept-Language": "zh"}):
                from bwq_lab.edge.exports import quarterly_table

                table = quarterly_table(rep)
                xlsx_s, body = best_of(rounds, lambda: tables.to_xlsx([table]))
                csv_s, _csv = best_of(rounds, lambda: tables.to_csv(table))

                def whole():
                    return tables.to_xlsx([quarterly_table(quarterly_report(db.session, busiest, YEAR, 2, tz=TZ))])

                whole_s, _ = best_of(rounds, whole)
            print(f"[{kind}] busiest provider, {YEAR} Q2: {len(rep.lines)} lines ({n} rows read by the floor, staff links included); "
                  f"xlsx {len(body) / 1e6:.1f} MB", flush=True)  # fmt: skip
            print(f"[{kind}]   report query {query_s:.3f} s, workbook {xlsx_s:.3f} s, csv {csv_s:.3f} s", flush=True)
            report(kind, "quarterly export (query + lines + xlsx)", f"{whole_s:.3f} s", f"{floor_s:.3f} s",
                   whole_s / floor_s)  # fmt: skip
            verdict = "met" if whole_s < 3 else "MISSED"
            print(f"[{kind}]   target < 3 s: {verdict}", flush=True)
            bench_monthly(kind, app, busiest, rounds)
            bench_refresh(kind, busiest)
            db.session.remove()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--scale", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    for kind in kinds(args):
        if kind == "postgresql" and (reason := postgres_available()):
            skip(kind, "quarterly export", reason)
            continue
        run(kind, args.scale, args.rounds)


if __name__ == "__main__":
    main()
