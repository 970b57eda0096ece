"""Enterprise verification by the city (configurable per city) before booking, with the reason
shown when refused; and managers booking on behalf of an enterprise user (recorded).
The clock is Tuesday 2026-12-01 09:00 (Asia/Shanghai)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from sqlalchemy import select

from bwq_lab.extensions import db
from bwq_lab.models import Booking, Enterprise, Region, User

BOOKING = {"date": "2026-12-03", "start": "10:00", "duration": "60", "purpose": "XRD of powders", "submit": "Book"}


@pytest.fixture
def city_world(frozen_clock, within, create_instrument, create_user, create_enterprise, city):
    def build():
        instrument = create_instrument(approval_required=False, min_notice_minutes=0)
        hangzhou = city("杭州")
        fresh = create_enterprise(name="新注册科技公司")  # verified_at: None
        user = create_user("enterprise", enterprise=fresh)
        admin = create_user("city_admin", city=hangzhou)
        other_admin = create_user("city_admin", city=city("宁波"))
        manager = create_user("manager", provider_id=instrument.provider_id, manages_all=True)
        return SimpleNamespace(
            instrument_id=instrument.id,
            city_id=hangzhou.id,
            enterprise_id=fresh.id,
            user=SimpleNamespace(id=user.id, email=user.email),
            admin=SimpleNamespace(email=admin.email),
            other_admin=SimpleNamespace(email=other_admin.email),
            manager=SimpleNamespace(id=manager.id, email=manager.email),
        )

    yield within(build)

    def reset():  # the region tree is kept between tests: put the city's setting back
        for region in db.session.execute(select(Region).where(Region.verify_enterprises.is_(True))).scalars():
            region.verify_enterprises = False
        db.session.commit()

    within(reset)


def _bookings(within):
    return within(lambda: [(b.user_id, b.booked_by_id) for b in db.session.execute(select(Booking)).scalars()])


def test_without_the_city_setting_new_enterprises_book_at_once(city_world, browser, within):
    r = browser(city_world.user).post(f"/instruments/{city_world.instrument_id}/book", BOOKING)
    assert r.status_code in (302, 303)
    assert _bookings(within) == [(city_world.user.id, None)]


def test_a_city_that_verifies_refuses_until_its_admin_verifies(city_world, browser, within):
    admin = browser(city_world.admin)
    assert admin.post("/admin/verification", {"required": "1"}).status_code in (302, 303)
    assert within(lambda: db.session.get(Region, city_world.city_id).verify_enterprises) is True

    user = browser(city_world.user)
    r = user.post(f"/instruments/{city_world.instrument_id}/book", BOOKING)
    assert r.status_code == 422
    assert "waiting for the city administrator" in r.get_data(as_text=True)
    assert _bookings(within) == []

    # the admin home lists it; another city's admin cannot verify it
    assert "新注册科技公司" in admin.get("/admin/").get_data(as_text=True)
    browser(city_world.other_admin).post(f"/admin/enterprises/{city_world.enterprise_id}/verify")
    assert within(lambda: db.session.get(Enterprise, city_world.enterprise_id).verified_at) is None
    admin.post(f"/admin/enterprises/{city_world.enterprise_id}/verify")
    assert within(lambda: db.session.get(Enterprise, city_world.enterprise_id).verified_at) is not None

    assert user.post(f"/instruments/{city_world.instrument_id}/book", BOOKING).status_code in (302, 303)
    assert len(_bookings(within)) == 1


def test_the_api_gives_the_new_rule_code(city_world, app, client, token_for, within):
    def setup():
        db.session.get(Region, city_world.city_id).verify_enterprises = True
        db.session.commit()
        return token_for(db.session.get(User, city_world.user.id))

    headers = within(setup)
    body = {
        "instrument_id": city_world.instrument_id,
        "start": "2026-12-03T10:00:00+08:00",
        "end": "2026-12-03T11:00:00+08:00",
        "purpose": "XRD",
    }
    r = client.post("/api/v1/bookings", json=body, headers=headers)
    assert r.status_code in (403, 422)
    assert "ENTERPRISE_NOT_VERIFIED" in {e["code"] for e in r.get_json()["errors"]}


def test_a_manager_books_on_behalf_of_an_enterprise_user(city_world, browser, within):
    manager = browser(city_world.manager)
    r = manager.post(
        f"/instruments/{city_world.instrument_id}/book", {**BOOKING, "on_behalf_email": city_world.user.email.upper()}
    )
    assert r.status_code in (302, 303), r.get_data(as_text=True)[:2000]
    assert _bookings(within) == [(city_world.user.id, city_world.manager.id)]
    # the user sees it as theirs
    assert "XRD of powders" in browser(city_world.user).get("/bookings").get_data(as_text=True)
    # an unknown e-mail is refused next to the field, nothing saved
    r = manager.post(
        f"/instruments/{city_world.instrument_id}/book",
        {**BOOKING, "start": "14:00", "on_behalf_email": "nobody@example.com"},
    )
    assert r.status_code == 422 and "active user of an enterprise" in r.get_data(as_text=True)
    assert len(_bookings(within)) == 1


def test_on_behalf_is_for_managers_only(city_world, app, client, token_for, within):
    headers = within(lambda: token_for(db.session.get(User, city_world.user.id)))
    body = {
        "instrument_id": city_world.instrument_id,
        "start": "2026-12-03T10:00:00+08:00",
        "end": "2026-12-03T11:00:00+08:00",
        "purpose": "XRD",
        "on_behalf_of": city_world.manager.id,
    }
    assert client.post("/api/v1/bookings", json=body, headers=headers).status_code == 403
