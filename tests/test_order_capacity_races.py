"""Never over capacity: managers accepting orders for the same lab service at the same moment,
each on its own thread and database connection, through the whole HTTP stack. Every answer is
200 or 409 (never a 500); no day holds more samples than its capacity; every accepted order's
plan adds up to its samples and the per-day rows add up to the plans."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest
from sqlalchemy import select

from tests.test_booking_races import race

RACERS = 12


@pytest.fixture
def contested(app, frozen_clock, create_provider, create_service, create_user, token_for):
    from bwq_lab.extensions import db
    from bwq_lab.operations import orders as ops

    with app.app_context():
        provider = create_provider()
        service = create_service(provider=provider, daily_capacity=5, max_samples=50, turnaround_days=1)
        managers = [token_for(create_user("manager", provider=provider, manages_all=True)) for _ in range(4)]
        customer = create_user("enterprise")
        order_ids = []
        for i in range(RACERS):
            order = ops.create_order(
                customer, service.id, samples=3 + i % 3, sample_description="", hazard="none",
                requested_date=None, project_code="", now=frozen_clock, tz=__import__("zoneinfo").ZoneInfo("Asia/Shanghai"),
            )  # fmt: skip
            db.session.commit()
            order_ids.append(order.id)
        service_id = service.id
        db.session.remove()
    return service_id, order_ids, managers


def check_invariants(app, service_id):
    from bwq_lab.extensions import db
    from bwq_lab.models import ServiceDayLoad, ServiceOrder, ServiceOrderDay

    with app.app_context():
        loads = dict(
            db.session.execute(
                select(ServiceDayLoad.day, ServiceDayLoad.used).where(ServiceDayLoad.service_id == service_id)
            ).all()
        )
        shares = db.session.execute(
            select(ServiceOrderDay.order_id, ServiceOrderDay.day, ServiceOrderDay.samples)
        ).all()
        orders = {o.id: o for o in db.session.execute(select(ServiceOrder)).scalars()}
        per_day = Counter()
        per_order = Counter()
        for order_id, day, samples in shares:
            per_day[day] += samples
            per_order[order_id] += samples
        assert all(used <= 5 for used in loads.values()), loads
        assert {d: u for d, u in loads.items() if u} == dict(per_day)
        for order_id, total in per_order.items():
            assert orders[order_id].status == "accepted" and orders[order_id].samples == total
        return orders


@pytest.mark.parametrize("take_turns", [True, False], ids=["advisory-lock", "check-only"])
def test_concurrent_acceptances_never_overfill_a_day(app, contested, monkeypatch, take_turns):
    """With the advisory lock (PostgreSQL) acceptors take turns and all fit; without it the CHECK
    alone still refuses every over-full day: losers plan again or get 409 CAPACITY_TAKEN."""
    from bwq_lab.operations.orders import capacity

    if not take_turns:
        monkeypatch.setattr(capacity, "lock_service_days", lambda service_id: None)
    service_id, order_ids, managers = contested
    requests = [
        ("POST", f"/api/v1/service-orders/{oid}/accept", {}, managers[i % len(managers)])
        for i, oid in enumerate(order_ids)
    ]
    results = race(app, requests)
    codes = [code for code, _ in results]
    assert all(code in (200, 409) for code in codes), results
    for code, body in results:
        if code == 409:
            assert body["errors"][0]["code"] in ("CAPACITY_TAKEN", "INVALID_TRANSITION"), body
    orders = check_invariants(app, service_id)
    accepted = [o for o in orders.values() if o.status == "accepted"]
    assert len(accepted) == codes.count(200) >= 1
    if take_turns:
        assert codes.count(200) == RACERS  # room for all: taking turns, nobody loses
    # the plans are earliest-first overall: the first day is full
    assert min(o.first_day for o in accepted) == date(2026, 12, 2)


def test_the_same_order_accepted_twice_at_once_has_one_winner(app, contested):
    service_id, order_ids, managers = contested
    results = race(app, [("POST", f"/api/v1/service-orders/{order_ids[0]}/accept", {}, m) for m in managers])
    codes = sorted(code for code, _ in results)
    assert codes == [200, 409, 409, 409], results
    check_invariants(app, service_id)


def test_the_database_itself_refuses_an_over_full_day(app, contested):
    from sqlalchemy.exc import IntegrityError

    from bwq_lab.extensions import db
    from bwq_lab.models import ServiceDayLoad

    service_id, _, _ = contested
    with app.app_context():
        db.session.add(ServiceDayLoad(service_id=service_id, day=date(2026, 12, 9), used=5, capacity=5))
        db.session.commit()
        db.session.add(ServiceDayLoad(service_id=service_id, day=date(2026, 12, 10), used=6, capacity=5))
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()
        row = db.session.get(ServiceDayLoad, (service_id, date(2026, 12, 9)))
        row.used += 1
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()
