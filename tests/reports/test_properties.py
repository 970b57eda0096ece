"""Property: whatever happened, the figures grouped by city (or provider, or month) add up to the
province's, for every additive figure; distinct figures never exceed their groups' sum."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.reports.conftest import TZ

FIRST, LAST = date(2026, 10, 1), date(2026, 11, 30)
START = datetime(2026, 9, 28, tzinfo=TZ)  # events spread a few days either side of the period

event = st.fixed_dictionaries(
    {
        "kind": st.sampled_from(["completed", "completed", "no_show", "cancelled", "order", "record"]),
        "where": st.integers(0, 3),  # I1..I4 for sessions; L1/L3 for orders; P1..P4 for records
        "who": st.integers(0, 3),  # EA, EB, EC, or P1's own manager (no enterprise)
        "minute": st.integers(0, 67 * 24 * 60),
        "length": st.integers(15, 600),
        "used": st.one_of(st.none(), st.integers(0, 600)),
        "staff": st.one_of(st.none(), st.sampled_from(["s1", "s2", "s3", "s4"])),
        "fee": st.integers(0, 10**6),
        "tier": st.sampled_from(["internal", "external", None]),
        "paid": st.one_of(st.none(), st.integers(0, 10**9)),
    }
)


def _insert(world, events) -> None:
    from bwq_lab.extensions import db
    from bwq_lab.models import Booking, ServiceOrder, ServiceRecord, Staff

    instruments = [world.i1, world.i2, world.i3, world.i4]
    providers = [world.p1, world.p2, world.p3, world.p4]
    users = [world.users[n] for n in ("ua", "ub", "uc", "m1")]
    enterprises = [world.ea, world.eb, world.ec, None]
    for n, e in enumerate(events):
        at = START + timedelta(minutes=e["minute"])
        staff = world.staff[e["staff"]] if e["staff"] else None
        if e["kind"] == "order":
            service = world.l1 if e["where"] % 2 == 0 else world.l3
            db.session.add(
                ServiceOrder(
                    service_id=service,
                    provider_id=world.p1 if service == world.l1 else world.p3,
                    user_id=users[e["who"]],
                    enterprise_id=enterprises[e["who"]],
                    status="closed",
                    samples=1 + e["length"] % 9,
                    price_tier=e["tier"] or "external",
                    fee_fen=e["fee"],
                    staff_id=staff,
                    first_delivered_at=at,
                    delivered_at=at,
                )  # fmt: skip
            )
        elif e["kind"] == "record":
            record = ServiceRecord(provider_id=providers[e["where"]], enterprise_id=enterprises[e["who"] % 3],
                                   day=at.date(), kind="consultation", minutes=e["length"],
                                   agreement_signed=e["paid"] is not None, paid_fen=e["paid"] or 0,
                                   results_count=e["length"] % 3)  # fmt: skip
            if staff:
                record.staff = [db.session.get(Staff, staff)]
            db.session.add(record)
        else:
            start = at + timedelta(microseconds=n)  # final statuses: no overlap constraint applies
            used = e["used"] if e["kind"] == "completed" else None
            db.session.add(
                Booking(
                    instrument_id=instruments[e["where"]],
                    user_id=users[e["who"]],
                    enterprise_id=enterprises[e["who"]],
                    status=e["kind"],
                    start_at=start,
                    end_at=start + timedelta(minutes=e["length"]),
                    blocked_until=start + timedelta(minutes=e["length"]),
                    price_tier=e["tier"],
                    fee_fen=e["fee"],
                    staff_id=staff,
                    created_at=start - timedelta(hours=e["length"] % 50),
                    decided_at=start - timedelta(hours=e["length"] % 7),
                    checked_in_at=start if used is not None else None,
                    checked_out_at=start + timedelta(minutes=used) if used is not None else None,
                )  # fmt: skip
            )
    db.session.flush()


@pytest.mark.parametrize("group_by", ["city", "provider", "month"])
def test_groups_add_up_to_the_province(ctx, world, group_by):
    from bwq_lab.extensions import db
    from bwq_lab.reports.figures import ADDITIVE, summary
    from bwq_lab.reports.scope import PROVINCE

    additive = set(ADDITIVE) | ({"providers"} if group_by != "month" else set())

    @settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(st.lists(event, max_size=25))
    def check(events):
        try:
            _insert(world, events)
            result = summary(db.session, PROVINCE, FIRST, LAST, group_by=group_by, tz=TZ)
            for name in additive:
                total = result.totals[name]
                parts = [g.figures[name] for g in result.groups]
                if isinstance(total, float):  # hours: rounded per group
                    assert abs(sum(parts) - total) <= 0.05 * (len(parts) + 1) + 1e-9, name
                else:
                    assert sum(parts) == total, name
            for name in ("enterprises", "staff", "providers"):
                assert result.totals[name] <= sum(g.figures[name] for g in result.groups), name
        finally:
            db.session.rollback()

    check()
