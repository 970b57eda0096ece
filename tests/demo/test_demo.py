"""The demo province: a pure, deterministic plan, and an operation that seeds it once."""

from __future__ import annotations

import re

import pytest

from bwq_lab.demo import DEMO_LOGINS, DEMO_PASSWORD, SEED, build_plan
from bwq_lab.domain import uscc
from bwq_lab.domain.catalogue import (
    ENTERPRISE_CATEGORIES,
    INSTRUMENT_CATEGORIES,
    INSTRUMENT_STATUSES,
    PROVIDER_KINDS,
    SERVICE_KINDS,
    SERVICE_UNITS,
)
from bwq_lab.domain.regions import CITIES

CITY_CODES = {code for _zh, _en, code, _counties in CITIES}
COUNTIES = {code: {c for c, _ in counties} for _zh, _en, code, counties in CITIES}
HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$|^24:00$")


@pytest.fixture(scope="module")
def plan():
    return build_plan()


def instruments(plan):
    return [i for p in plan.providers for i in p.instruments]


def services(plan):
    return [s for p in plan.providers for s in p.services]


# ---------------------------------------------------------------- the plan (pure: no app)
def test_plan_is_deterministic(plan):
    again = build_plan(SEED)
    assert again == plan
    first = plan.providers[0].instruments[0]
    assert (again.providers[0].instruments[0].name, again.providers[0].instruments[0].model) == (
        first.name,
        first.model,
    )
    assert again.enterprises[0].uscc == plan.enterprises[0].uscc
    assert build_plan(SEED + 1) != plan  # the seed matters: nothing is hard-wired


def test_plan_has_the_expected_size_and_spread(plan):
    assert len(plan.providers) >= 35
    assert len(instruments(plan)) >= 350
    assert len(services(plan)) >= 50
    assert len(plan.enterprises) >= 250
    assert {p.city_code for p in plan.providers} == CITY_CODES
    assert {e.city_code for e in plan.enterprises} == CITY_CODES
    assert {p.kind for p in plan.providers} == set(PROVIDER_KINDS)
    assert {i.category for i in instruments(plan)} == set(INSTRUMENT_CATEGORIES)
    assert {s.kind for s in services(plan)} == set(SERVICE_KINDS)
    assert {e.category for e in plan.enterprises} == set(ENTERPRISE_CATEGORIES)


def test_providers_and_enterprises_are_plausible(plan):
    assert len({p.name for p in plan.providers}) == len(plan.providers)
    for p in plan.providers:
        assert p.county in COUNTIES[p.city_code], p.name
        assert p.contact_email.endswith(("@example.cn", "@example.com"))
        assert p.contact_name and p.contact_phone and p.address.startswith("浙江省") and p.description
        assert p.instruments, p.name  # every provider opens at least one instrument
    codes = [e.uscc for e in plan.enterprises]
    assert len(set(codes)) == len(codes)
    assert len({e.name for e in plan.enterprises}) == len(plan.enterprises)
    for e in plan.enterprises:
        assert uscc.validate(e.uscc) == e.uscc
        assert e.uscc[2:8] == e.city_code
        assert e.county in COUNTIES[e.city_code]
        assert e.name.endswith("公司")


def test_instruments_have_sane_prices_and_policies(plan):
    items = instruments(plan)
    for i in items:
        assert 0 < i.price_internal_fen < i.price_external_fen, i
        assert i.price_external_fen % 100 == 0  # whole yuan
        assert i.status in INSTRUMENT_STATUSES
        assert i.slot_minutes in (30, 60)
        assert i.min_minutes % i.slot_minutes == 0 and i.min_minutes <= i.max_minutes
        assert 0 <= i.buffer_minutes <= 30
        assert 120 <= i.min_notice_minutes <= 48 * 60
        for weekday, start, end in i.opening_hours:
            assert 0 <= weekday <= 6 and HHMM.match(start) and HHMM.match(end) and start < end
        assert "Keywords:" in i.capabilities
        if i.category == "nmr" or "透射电子显微镜" in i.name:
            assert i.qualification_required and i.approval_required, i.name
    sem = [i for i in items if i.model == "SU8010"]
    assert sem and all(20000 <= i.price_external_fen <= 60000 for i in sem)  # 200–600 yuan/h
    # the policies vary: office hours, Saturday mornings, around the clock; some not bookable now
    assert any(len(i.opening_hours) == 10 for i in items)
    assert any(any(d == 5 for d, _s, _e in i.opening_hours) and len(i.opening_hours) == 11 for i in items)
    around_the_clock = [i for i in items if i.opening_hours == tuple((d, "00:00", "24:00") for d in range(7))]
    assert around_the_clock and all(i.max_minutes >= 1440 for i in around_the_clock)
    assert {"active", "maintenance", "retired"} == {i.status for i in items}
    assert sum(i.status == "active" for i in items) > 0.85 * len(items)
    assert sum(i.voucher_eligible for i in items) > 0.8 * len(items)
    assert 0 < sum(not i.approval_required for i in items) < 0.5 * len(items)


def test_services_have_units_prices_and_turnaround(plan):
    for s in services(plan):
        assert s.unit in SERVICE_UNITS
        assert 0 < s.price_internal_fen <= s.price_external_fen and s.price_external_fen % 100 == 0
        assert 1 <= s.turnaround_days <= 10 and 1 <= s.min_samples <= s.max_samples and s.daily_capacity >= 1


# ---------------------------------------------------------------- the operation (database)
def test_seed_demo_writes_the_plan(ctx, plan):
    from sqlalchemy import func, select

    from bwq_lab.demo import seed_demo
    from bwq_lab.extensions import db
    from bwq_lab.models import Enterprise, Instrument, LabService, Provider, Region

    result = seed_demo()
    db.session.commit()

    assert result.seeded
    assert (result.providers, result.instruments, result.services, result.enterprises, result.users) == (
        len(plan.providers),
        len(instruments(plan)),
        len(services(plan)),
        len(plan.enterprises),
        len(DEMO_LOGINS),
    )
    first = db.session.execute(select(Instrument).order_by(Instrument.id).limit(1)).scalar_one()
    expected = plan.providers[0].instruments[0]
    assert (first.name, first.model, first.price_external_fen) == (
        expected.name,
        expected.model,
        expected.price_external_fen,
    )
    assert first.opening_hours == [list(r) for r in expected.opening_hours]
    assert first.provider.name == plan.providers[0].name
    first_enterprise = db.session.execute(select(Enterprise).order_by(Enterprise.id).limit(1)).scalar_one()
    assert first_enterprise.uscc == plan.enterprises[0].uscc
    assert first_enterprise.region.parent_id == first_enterprise.city_id  # a county of its city

    cities_with_providers = db.session.execute(
        select(func.count(func.distinct(Provider.city_id))).join(Region, Region.id == Provider.city_id)
    ).scalar_one()
    cities_with_enterprises = db.session.execute(select(func.count(func.distinct(Enterprise.city_id)))).scalar_one()
    assert cities_with_providers == cities_with_enterprises == 11
    assert all(uscc.is_valid(code) for code in db.session.execute(select(Enterprise.uscc)).scalars())
    kinds = set(db.session.execute(select(LabService.kind).distinct()).scalars())
    assert kinds == set(SERVICE_KINDS)


def test_seeding_twice_adds_nothing(ctx):
    from sqlalchemy import func, select

    from bwq_lab.demo import seed_demo
    from bwq_lab.extensions import db
    from bwq_lab.models import Enterprise, Instrument, User

    first = seed_demo()
    db.session.commit()
    second = seed_demo()
    db.session.commit()

    assert first.seeded and not second.seeded
    assert (second.providers, second.instruments, second.services, second.enterprises, second.users) == (
        first.providers,
        first.instruments,
        first.services,
        first.enterprises,
        first.users,
    )
    for model, count in ((Instrument, first.instruments), (Enterprise, first.enterprises), (User, first.users)):
        assert db.session.execute(select(func.count()).select_from(model)).scalar_one() == count


def test_seed_leaves_a_database_with_providers_alone(ctx, create_provider):
    from sqlalchemy import func, select

    from bwq_lab.demo import seed_demo
    from bwq_lab.extensions import db
    from bwq_lab.models import Instrument, User

    create_provider(name="已有机构")
    result = seed_demo()

    assert not result.seeded and result.providers == 1
    assert db.session.execute(select(func.count()).select_from(Instrument)).scalar_one() == 0
    assert db.session.execute(select(func.count()).select_from(User)).scalar_one() == 0


def test_demo_logins_have_their_roles_and_the_demo_password(ctx):
    from sqlalchemy import select

    from bwq_lab.demo import seed_demo
    from bwq_lab.extensions import db
    from bwq_lab.models import Instrument, User

    seed_demo()
    db.session.commit()
    users = {u.email: u for u in db.session.execute(select(User)).scalars()}

    for login in DEMO_LOGINS:
        user = users[login.email]
        assert user.role == login.role
        assert user.check_password(DEMO_PASSWORD)
        assert not user.check_password("wrong password")
        assert user.is_active

    enterprise_user = users["enterprise@demo.bwq"]
    assert enterprise_user.is_active_member and enterprise_user.enterprise.city.name == "杭州"

    manager = users["manager@demo.bwq"]
    assert manager.manages_all and manager.provider.kind == "university"
    assert manager.provider.name == "浙江大学分析测试中心"

    manager2 = users["manager2@demo.bwq"]
    assert not manager2.manages_all and manager2.provider_id != manager.provider_id
    assert len(manager2.instruments) == 3 and len(manager2.services) == 1
    own = db.session.execute(select(Instrument).where(Instrument.provider_id == manager2.provider_id)).scalars().all()
    managed = [i for i in own if manager2.manages_instrument(i)]
    assert len(managed) == 3 and len(own) > 3  # only some of the provider's instruments
    assert all(i.status == "active" for i in managed)

    city_admin = users["city@demo.bwq"]
    assert city_admin.city.name == "杭州" and city_admin.city.level == "city"
    assert users["admin@demo.bwq"].is_province_admin


def test_seed_demo_command_prints_counts_and_logins(app):
    runner = app.test_cli_runner()

    first = runner.invoke(args=["bwq", "seed-demo"])
    assert first.exit_code == 0, first.output
    assert "demo data seeded" in first.output
    assert DEMO_PASSWORD in first.output
    assert all(login.email in first.output for login in DEMO_LOGINS)

    again = runner.invoke(args=["bwq", "seed-demo"])
    assert again.exit_code == 0, again.output
    assert "already seeded" in again.output and "admin@demo.bwq" in again.output


def test_demo_values_fit_the_columns(plan):
    """PostgreSQL refuses strings longer than the column (SQLite does not): check every one."""
    from bwq_lab.models import Enterprise, Instrument, LabService, Provider

    def check(model, spec):
        for column in model.__table__.columns:
            length = getattr(column.type, "length", None)
            value = getattr(spec, column.name, None)
            if length and isinstance(value, str):
                assert len(value) <= length, (model.__name__, column.name, value)

    for p in plan.providers:
        check(Provider, p)
        for i in p.instruments:
            check(Instrument, i)
        for s in p.services:
            check(LabService, s)
    for e in plan.enterprises:
        check(Enterprise, e)


def test_demo_enterprise_user_is_qualified_on_the_demo_managers_instruments(app):
    from sqlalchemy import select

    from bwq_lab.demo import seed_demo
    from bwq_lab.extensions import db
    from bwq_lab.models import Instrument, Qualification, User

    with app.app_context():
        seed_demo()
        db.session.commit()
        booker = db.session.execute(select(User).where(User.email == "enterprise@demo.bwq")).scalar_one()
        manager = db.session.execute(select(User).where(User.email == "manager@demo.bwq")).scalar_one()
        needing = set(
            db.session.execute(
                select(Instrument.id).where(
                    Instrument.provider_id == manager.provider_id, Instrument.qualification_required.is_(True)
                )
            ).scalars()
        )
        held = set(
            db.session.execute(select(Qualification.instrument_id).where(Qualification.user_id == booker.id)).scalars()
        )
        assert needing and held == needing


# ---------------------------------------------------------------- the last twelve months
def test_history_goes_through_the_operations_and_keeps_every_rule(ctx, tmp_path):
    from datetime import timedelta
    from zoneinfo import ZoneInfo

    from sqlalchemy import func, select

    from bwq_lab.demo import seed_demo
    from bwq_lab.demo.history import seed_history
    from bwq_lab.domain.catalogue import SERVICE_RECORD_KINDS
    from bwq_lab.extensions import db
    from bwq_lab.models import Booking, Instrument, OutboxMessage, Provider, ServiceOrder, ServiceRecord, Staff
    from tests.conftest import FIXED_NOW

    tz = ZoneInfo("Asia/Shanghai")
    seed_demo()
    db.session.commit()
    result = seed_history(FIXED_NOW, tz, str(tmp_path), scale=0.12)
    db.session.commit()
    assert result.staff >= 3 * 47 and result.sessions >= 100 and result.no_shows and result.cancelled
    assert result.batches >= 10 and result.records >= 25

    completed = db.session.execute(
        select(Booking, Instrument.provider_id, Staff.provider_id)
        .join(Instrument, Instrument.id == Booking.instrument_id)
        .join(Staff, Staff.id == Booking.staff_id)
        .where(Booking.status == "completed")
    ).all()
    assert len(completed) == result.sessions
    for booking, provider_id, staff_provider_id in completed:
        assert provider_id == staff_provider_id  # the operator is staff of the instrument's provider
        assert booking.checked_in_at < booking.checked_out_at <= FIXED_NOW and booking.fee_fen is not None
    assert {b.price_tier for b, _p, _s in completed} == {"internal", "external"}  # the provider's own use too
    statuses = dict(db.session.execute(select(Booking.status, func.count()).group_by(Booking.status)).all())
    assert {"completed", "no_show", "cancelled", "rejected"} <= {str(s) for s in statuses}
    # never two sessions at once on one instrument
    kept = db.session.execute(
        select(Booking.instrument_id, Booking.start_at, Booking.blocked_until)
        .where(Booking.status.in_(("completed", "no_show", "approved", "in_use")))
        .order_by(Booking.instrument_id, Booking.start_at)
    ).all()
    for before, after in zip(kept, kept[1:], strict=False):
        assert before.instrument_id != after.instrument_id or before.blocked_until <= after.start_at

    delivered = db.session.execute(select(ServiceOrder).where(ServiceOrder.first_delivered_at.is_not(None))).scalars()
    for order in delivered:
        assert order.staff is not None and order.staff.provider_id == order.provider_id
        assert order.first_delivered_at <= FIXED_NOW

    records = db.session.execute(select(ServiceRecord)).scalars().all()
    assert {r.kind for r in records} == set(SERVICE_RECORD_KINDS)
    assert any(r.counts_as_provincial_project for r in records)
    assert any(r.agreement_signed and not r.counts_as_provincial_project for r in records)
    today = FIXED_NOW.astimezone(tz).date()
    for r in records:
        assert r.day <= today and r.staff and all(s.provider_id == r.provider_id for s in r.staff)
        assert r.paid_fen <= r.contract_fen and len(r.titles) <= r.results_count
    months = {b.start_at.astimezone(tz).strftime("%Y-%m") for b, _p, _s in completed}
    assert len(months) >= 10 and min(months) >= (today - timedelta(days=366)).strftime("%Y-%m")
    cities = db.session.execute(
        select(func.count(func.distinct(Provider.city_id)))
        .join(Instrument, Instrument.provider_id == Provider.id)
        .join(Booking, Booking.instrument_id == Instrument.id)
    ).scalar_one()
    assert cities >= 6
    # the past's e-mail went out at the time
    stale = select(func.count()).where(
        OutboxMessage.sent_at.is_(None), OutboxMessage.created_at < FIXED_NOW - timedelta(days=1)
    )
    assert db.session.execute(stale).scalar_one() == 0
    # once only
    assert seed_history(FIXED_NOW, tz, str(tmp_path)).staff == 0
