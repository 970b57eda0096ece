"""A small hand-made world for the export tests: provider X (Hangzhou) with instrument I1, lab
service S1 and staff 张三 and 李四; provider Y (Ningbo) with instrument J1; enterprises A and B.

Quarter 2026 Q4 of provider X, by hand (local days, Asia/Shanghai):

| day        | line                      | enterprise | hours | samples | fee (yuan) | staff      |
|------------|---------------------------|------------|-------|---------|------------|------------|
| 2026-10-09 | session b1 (used 09:10–10:40 of 09:00–11:00) | A | 1.50 | | 300.00 | 张三 |
| 2026-10-20 | record r1 consultation    | A          | 1.50  |         |            | 张三、李四 |
| 2026-11-15 | batch o1 (re-delivered 12-20) | A      |       | 5       | 2,500.00   | 李四       |
| 2026-12-31 | session b2 23:00–01:00 (no check-in: booked) | B | 2.00 | | 123.45 | |
| 2026-12-31 | record r2 training        | B          | 4.00  |         |            |            |
| totals     | 2 sessions, 1 batch, 2 records |       | 9.00  | 5       | 2,923.45   |            |

Left out: b3 (started 2026-09-30 23:30, Q3), b4 no-show, b5 cancelled, b6 (2027-01-01), o2 (first
delivered in Q3, re-delivered in Q4), o3 (not delivered), r3 (2027-01-01), Y's session and record.

Enterprise A's statement for 2026-10-01..2026-12-31: RD-1 = b1 + o1 (1.50 h, 5 samples, 2,800.00),
RD-2 = r1 (1.50 h, agreement paid 6,000.00), no project = Y's training record ry on 2026-11-11
(1.00 h) and bj on Y's J1 on 2026-11-20 (1.00 h booked, 50.00); totals 5 lines, 5.00 h, 5 samples,
fee 2,850.00, paid 6,000.00.
"""

from __future__ import annotations

from types import SimpleNamespace

from tests.conftest import local


def build(create_provider, create_instrument, create_service, create_enterprise, create_user, city, token_for):
    """The world, with the readers: ``w.users[role]`` (signed-in with ``login``) and ``w.tokens[role]``
    (API headers) for manager_x, manager_y, city_hz, city_nb, province, enterprise_a, enterprise_b."""
    from bwq_lab.extensions import db
    from bwq_lab.models import Booking, ServiceOrder, User
    from bwq_lab.models.reports import ServiceRecord, Staff

    x = create_provider(name="提供方X", name_en="Provider X")
    y = create_provider(name="提供方Y", name_en="Provider Y", city=city("宁波"))
    i1 = create_instrument(provider=x, name="扫描电镜", name_en="SEM")
    j1 = create_instrument(provider=y, name="质谱仪", name_en="Mass spectrometer")
    s1 = create_service(provider=x, name="成分检测", name_en="Composition testing")
    a = create_enterprise(name="企业A", uscc="91330100MA2AAAAA0X")
    b = create_enterprise(name="企业B", uscc="91330100MA2BBBBB0X")
    user_a = create_user("enterprise", enterprise=a)
    user_b = User(email="b@exports.example", name="B", role="enterprise", enterprise_id=b.id, password_hash="-")
    db.session.add(user_b)
    zhang = Staff(provider_id=x.id, name="张三")
    li = Staff(provider_id=x.id, name="李四")
    other = Staff(provider_id=y.id, name="王五")
    db.session.add_all([zhang, li, other])
    db.session.flush()

    def booking(instrument, user, start, end, status="completed", **values):
        values.setdefault("price_tier", "external")  # a fee snapshot has its tier
        row = Booking(
            instrument_id=instrument.id, user_id=user.id, enterprise_id=user.enterprise_id, status=status,
            start_at=local(start), end_at=local(end), blocked_until=local(end), **values,
        )  # fmt: skip
        db.session.add(row)
        return row

    b1 = booking(
        i1, user_a, "2026-10-09 09:00", "2026-10-09 11:00", checked_in_at=local("2026-10-09 09:10"),
        checked_out_at=local("2026-10-09 10:40"), fee_fen=30000, purpose="形貌观察", project_code="RD-1",
        staff_id=zhang.id,
    )  # fmt: skip
    b2 = booking(i1, user_b, "2026-12-31 23:00", "2027-01-01 01:00", fee_fen=12345, purpose="断口分析")
    booking(i1, user_a, "2026-09-30 23:30", "2026-10-01 00:30", fee_fen=999)  # b3: Q3
    booking(i1, user_a, "2026-11-02 09:00", "2026-11-02 10:00", status="no_show", fee_fen=999)  # b4
    booking(i1, user_a, "2026-11-03 09:00", "2026-11-03 10:00", status="cancelled", fee_fen=999)  # b5
    booking(i1, user_a, "2027-01-01 08:00", "2027-01-01 09:00", fee_fen=999)  # b6: next year
    bj = booking(j1, user_a, "2026-11-20 14:00", "2026-11-20 15:00", fee_fen=5000, purpose="质谱")
    db.session.flush()

    def order(enterprise_user, status, first, last=None, **values):
        row = ServiceOrder(
            service_id=s1.id, provider_id=x.id, user_id=enterprise_user.id, enterprise_id=enterprise_user.enterprise_id,
            status=status, hazard="none", first_delivered_at=local(first) if first else None,
            delivered_at=local(last or first) if first else None, **values,
        )  # fmt: skip
        db.session.add(row)
        return row

    o1 = order(
        user_a, "delivered", "2026-11-15 10:00", "2026-12-20 16:00", samples=5, fee_fen=250000,
        sample_description="合金成分", project_code="RD-1", staff_id=li.id, reopen_count=1,
    )  # fmt: skip
    order(user_b, "delivered", "2026-09-30 20:00", "2026-10-10 09:00", samples=3, fee_fen=999, reopen_count=1)  # o2
    order(user_a, "accepted", None, samples=2, fee_fen=999)  # o3

    def record(provider, enterprise, day, kind, minutes, content, staff=(), **values):
        from datetime import date

        row = ServiceRecord(
            provider_id=provider.id, enterprise_id=enterprise.id, day=date.fromisoformat(day), kind=kind,
            minutes=minutes, content=content, **values,
        )  # fmt: skip
        row.staff = list(staff)
        db.session.add(row)
        return row

    r1 = record(
        x, a, "2026-10-20", "consultation", 90, "需求诊断", (li, zhang), project_code="RD-2", agreement_signed=True,
        contract_fen=1_000_000, paid_fen=600_000,
    )  # fmt: skip
    r2 = record(x, b, "2026-12-31", "training", 240, "培训")
    record(x, a, "2027-01-01", "training", 60, "next year")  # r3
    ry = record(y, a, "2026-11-11", "training", 60, "Y's")
    db.session.commit()

    def reader(role, **values):  # API-only readers: no password to hash (hashing is slow)
        user = User(email=f"{role}-{values.get('provider_id') or values.get('city_id') or 0}@exports.example",
                    name=role, role=role, password_hash="-", **values)  # fmt: skip
        db.session.add(user)
        db.session.commit()
        return user

    users = {
        "manager_x": create_user("manager", provider_id=x.id, manages_all=True),
        "manager_y": reader("manager", provider_id=y.id, manages_all=True),
        "city_hz": reader("city_admin", city_id=city("杭州").id),
        "city_nb": create_user("city_admin", city=city("宁波")),
        "province": reader("province_admin"),
        "enterprise_a": user_a,
        "enterprise_b": user_b,
    }
    tokens = {role: token_for(user) for role, user in users.items()}
    world = SimpleNamespace(
        x=x.id, y=y.id, i1=i1.id, s1=s1.id, a=a.id, b=b.id, b1=b1.id, b2=b2.id, bj=bj.id, o1=o1.id, r1=r1.id,
        r2=r2.id, ry=ry.id, users=users, tokens=tokens,
    )  # fmt: skip
    for user in users.values():
        db.session.refresh(user)
    db.session.expunge_all()
    return world
