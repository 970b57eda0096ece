"""A small province made by hand, whose every figure is computed by hand in the tests.

November 2026 (Asia/Shanghai). Hangzhou: provider P1 (university, first county) with instrument I1
(Mon–Fri 08:30–12:00, 13:30–17:30) and lab service L1; P2 (institute, second county) with I2
(Mon–Fri 08:00–12:00). Ningbo: P3 (key lab) with I3 (daily 08:00–20:00) and service L3; P4 with
I4 (Mon–Fri 09:00–17:00). Enterprises EA, EB (Hangzhou), EC (Ningbo); M1 is P1's own manager.

Sessions (local times)                                              in November?
  b1  I1 EA completed 11-02 09:00–11:00, used 09:10–10:40 (90), ext 800.00, staff s1      yes
  b2  I1 EB completed 11-02 14:00–15:00, used 60, ext 400.00, s1, asked 11-01 08:00 → 12:00 yes
  b3  I1 M1 completed 11-03 09:00–10:00, used 60, int 200.00, created approved           yes
  b4  I2 EA completed 11-30 23:00–12-01 01:00 (crosses the month end), used 120, ext 500.00,
      s2, asked 11-20 10:00 → 11-21 10:00                                                  yes (start)
  b5  I2 EA no-show 11-10 09:00–10:00, asked 11-04 10:00 → 11-05 16:00                     no-show
  b6  I1 EA cancelled 11-02 11:00–12:00, then b7 rebooked the same slot:
  b7  I1 EA completed 11-02 11:00–12:00, use not recorded, ext 400.00, asked 11-01 09:00 → 10:00
  b8  I3 EC completed 10-31 23:00–11-01 01:00, used 120, s4                                 no (October)
  b10 I3 EC completed 11-01 00:30–01:30 (16:30 UTC on 10-31), used 60, ext 100.00, s3      yes
  b11 I4 EB no-show 11-12 09:00–10:00                                                      no-show
Batches: o1 L1 EA first delivered 11-05 10:00, 5 samples, ext 250.00, s1; o2 L1 EA first
delivered 10-28, re-tested and delivered again 11-06, 3 samples, s1 (October only); o3 L3 EC first
delivered 11-01 15:00, 2 samples, int 80.00, s3; o4 L1 EB in progress (never delivered).
Service records: r1 P2 EA 11-02 consultation 120 min, agreement paid ¥60,000, 1 result, staff s2;
r2 P1 EB 11-02 training 60 min, staff s1 and s2; r3 P3 EC 11-15 transfer 90 min, agreement paid
¥5,000,000 (a provincial project), 2 results; r4 P2 EA 10-31 (October).
"""

from __future__ import annotations

import random
from datetime import date
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from tests.conftest import local

TZ = ZoneInfo("Asia/Shanghai")
NOVEMBER = (date(2026, 11, 1), date(2026, 11, 30))


@pytest.fixture
def world(app, city):
    from bwq_lab.domain.uscc import generate
    from bwq_lab.extensions import db
    from bwq_lab.models import (
        Booking,
        Enterprise,
        Instrument,
        LabService,
        Provider,
        ServiceOrder,
        ServiceRecord,
        Staff,
        User,
    )

    rng = random.Random(11)
    with app.app_context():
        hz, nb = city("杭州"), city("宁波")
        created = local("2026-01-01 00:00")

        def provider(name, c, county, kind):
            p = Provider(name=name, name_en=name + " en", kind=kind, city_id=c.id, region_id=c.children[county].id)
            db.session.add(p)
            return p

        p1, p2 = provider("P1", hz, 0, "university"), provider("P2", hz, 1, "institute")
        p3, p4 = provider("P3", nb, 0, "key_lab"), provider("P4", nb, 0, "institute")
        db.session.flush()

        def instrument(name, p, category, hours):
            i = Instrument(provider_id=p.id, name=name, name_en=name + " en", category=category, created_at=created)
            if hours is not None:
                i.opening_hours = hours
            db.session.add(i)
            return i

        i1 = instrument("I1", p1, "electron_microscopy", None)  # the default: 7.5 h on weekdays
        i2 = instrument("I2", p2, "xray_diffraction", [[d, "08:00", "12:00"] for d in range(5)])
        i3 = instrument("I3", p3, "nmr", [[d, "08:00", "20:00"] for d in range(7)])
        i4 = instrument("I4", p4, "nmr", [[d, "09:00", "17:00"] for d in range(5)])
        retired = instrument("I5", p1, "nmr", None)
        retired.status = "retired"  # not open: not in the opening hours
        l1 = LabService(provider_id=p1.id, name="L1", kind="testing_analysis")
        l3 = LabService(provider_id=p3.id, name="L3", kind="research_development")

        def enterprise(name, c, category):
            e = Enterprise(
                name=name, uscc=generate(rng, c.code), category=category, city_id=c.id, region_id=c.children[0].id
            )
            db.session.add(e)
            return e

        ea, eb, ec = (
            enterprise("EA", hz, "tech_sme"),
            enterprise("EB", hz, "high_tech"),
            enterprise("EC", nb, "tech_sme"),
        )
        db.session.add_all([l1, l3])
        db.session.flush()

        def user(name, **values):
            u = User(email=f"{name}@reports.example", name=name, password_hash="-", **values)
            db.session.add(u)
            return u

        ua = user("ua", role="enterprise", enterprise_id=ea.id)
        ub = user("ub", role="enterprise", enterprise_id=eb.id)
        uc = user("uc", role="enterprise", enterprise_id=ec.id)
        m1 = user("m1", role="manager", provider_id=p1.id, manages_all=True)
        m3 = user("m3", role="manager", provider_id=p3.id, manages_all=True)
        hz_admin = user("hz_admin", role="city_admin", city_id=hz.id)
        nb_admin = user("nb_admin", role="city_admin", city_id=nb.id)
        county_admin = user("county_admin", role="county_admin", city_id=hz.id, county_id=hz.children[0].id)
        province = user("province", role="province_admin")
        staff = {
            name: Staff(provider_id=p.id, name=name) for name, p in (("s1", p1), ("s2", p2), ("s3", p3), ("s4", p3))
        }
        db.session.add_all(staff.values())
        db.session.flush()

        def booking(i, u, status, start, end, *, used=None, tier=None, fee=None, s=None, asked=None, decided=None):
            b = Booking(
                instrument_id=i.id,
                user_id=u.id,
                enterprise_id=u.enterprise_id,
                status=status,
                start_at=local(start),
                end_at=local(end),
                blocked_until=local(end),
                price_tier=tier,
                fee_fen=fee,
                staff_id=staff[s].id if s else None,
                created_at=local(asked or "2026-10-01 09:00"),
                decided_at=local(decided or asked or "2026-10-01 09:00"),
            )
            if used:
                b.checked_in_at, b.checked_out_at = local(used[0]), local(used[1])
            db.session.add(b)
            return b

        booking(i1, ua, "completed", "2026-11-02 09:00", "2026-11-02 11:00", used=("2026-11-02 09:10", "2026-11-02 10:40"), tier="external", fee=80000, s="s1", asked="2026-10-30 09:00", decided="2026-10-30 11:00")  # fmt: skip
        booking(i1, ub, "completed", "2026-11-02 14:00", "2026-11-02 15:00", used=("2026-11-02 14:00", "2026-11-02 15:00"), tier="external", fee=40000, s="s1", asked="2026-11-01 08:00", decided="2026-11-01 12:00")  # fmt: skip
        booking(i1, m1, "completed", "2026-11-03 09:00", "2026-11-03 10:00", used=("2026-11-03 09:00", "2026-11-03 10:00"), tier="internal", fee=20000, asked="2026-11-01 10:00")  # fmt: skip
        booking(i2, ua, "completed", "2026-11-30 23:00", "2026-12-01 01:00", used=("2026-11-30 23:00", "2026-12-01 01:00"), tier="external", fee=50000, s="s2", asked="2026-11-20 10:00", decided="2026-11-21 10:00")  # fmt: skip
        booking(i2, ua, "no_show", "2026-11-10 09:00", "2026-11-10 10:00", tier="external", fee=30000, asked="2026-11-04 10:00", decided="2026-11-05 16:00")  # fmt: skip
        booking(i1, ua, "cancelled", "2026-11-02 11:00", "2026-11-02 12:00", tier="external", fee=40000, asked="2026-10-20 09:00", decided="2026-10-20 10:00")  # fmt: skip
        booking(i1, ua, "completed", "2026-11-02 11:00", "2026-11-02 12:00", tier="external", fee=40000, asked="2026-11-01 09:00", decided="2026-11-01 10:00")  # fmt: skip
        booking(i3, uc, "completed", "2026-10-31 23:00", "2026-11-01 01:00", used=("2026-10-31 23:00", "2026-11-01 01:00"), tier="external", fee=20000, s="s4", asked="2026-10-20 09:00", decided="2026-10-21 09:00")  # fmt: skip
        booking(i3, uc, "completed", "2026-11-01 00:30", "2026-11-01 01:30", used=("2026-11-01 00:30", "2026-11-01 01:30"), tier="external", fee=10000, s="s3", asked="2026-10-25 09:00", decided="2026-10-26 09:00")  # fmt: skip
        no_show = booking(i4, ub, "no_show", "2026-11-12 09:00", "2026-11-12 10:00")
        no_show.decided_at = None  # never decided (approval not required)

        def order(service, u, status, samples, *, first=None, last=None, tier="external", fee=None, s=None):
            o = ServiceOrder(
                service_id=service.id,
                provider_id=service.provider_id,
                user_id=u.id,
                enterprise_id=u.enterprise_id,
                status=status,
                samples=samples,
                price_tier=tier,
                fee_fen=fee,
                staff_id=staff[s].id if s else None,
                first_delivered_at=local(first) if first else None,
                delivered_at=local(last or first) if first else None,
            )
            db.session.add(o)
            return o

        order(l1, ua, "closed", 5, first="2026-11-05 10:00", fee=25000, s="s1")
        reopened = order(l1, ua, "delivered", 3, first="2026-10-28 10:00", last="2026-11-06 10:00", fee=15000, s="s1")
        reopened.reopen_count = 1
        order(l3, uc, "closed", 2, first="2026-11-01 15:00", tier="internal", fee=8000, s="s3")
        order(l1, ub, "in_progress", 4, fee=20000)

        def record(p, e, day, kind, minutes, *, paid=None, results=0, people=()):
            r = ServiceRecord(
                provider_id=p.id,
                enterprise_id=e.id,
                day=date.fromisoformat(day),
                kind=kind,
                minutes=minutes,
                agreement_signed=paid is not None,
                contract_fen=(paid or 0) * 2,
                paid_fen=paid or 0,
                results_count=results,
            )
            r.staff = [staff[s] for s in people]
            db.session.add(r)
            return r

        record(p2, ea, "2026-11-02", "consultation", 120, paid=6_000_000, results=1, people=("s2",))
        record(p1, eb, "2026-11-02", "training", 60, people=("s1", "s2"))
        record(p3, ec, "2026-11-15", "transfer", 90, paid=500_000_000, results=2)
        record(p2, ea, "2026-10-31", "consultation", 30)
        db.session.commit()
        ids = dict(
            p1=p1.id, p2=p2.id, p3=p3.id, p4=p4.id, i1=i1.id, i2=i2.id, i3=i3.id, i4=i4.id,
            ea=ea.id, eb=eb.id, ec=ec.id, hz=hz.id, nb=nb.id, hz_county=hz.children[0].id,
            hz_county2=hz.children[1].id, nb_county=nb.children[0].id,
        )  # fmt: skip
        users = dict(
            ua=ua.id, ub=ub.id, uc=uc.id, m1=m1.id, m3=m3.id, hz_admin=hz_admin.id, nb_admin=nb_admin.id,
            county_admin=county_admin.id, province=province.id,
        )  # fmt: skip
        staff_ids = {name: s.id for name, s in staff.items()}
        return SimpleNamespace(users=users, staff=staff_ids, l1=l1.id, l3=l3.id, **ids)


@pytest.fixture
def user_of(app, world):
    from bwq_lab.extensions import db
    from bwq_lab.models import User

    def get(name: str) -> User:
        return db.session.get(User, world.users[name])

    return get


@pytest.fixture
def export_world(
    app, create_provider, create_instrument, create_service, create_enterprise, create_user, city, token_for
):
    """The export tests' own hand-made quarter (``tests/reports/exports_world.py``)."""
    from tests.reports import exports_world

    with app.app_context():
        return exports_world.build(
            create_provider, create_instrument, create_service, create_enterprise, create_user, city, token_for
        )
