"""County administrators (县（市、区）管理员): the read access a city administrator has, limited to
the providers and enterprises of their county; created with ``bwq create-user --role county_admin``."""

from __future__ import annotations

from datetime import date, timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from bwq_lab.extensions import db
from bwq_lab.models import Booking, ServiceRecord, Staff, User
from tests.conftest import FIXED_NOW, PASSWORD


@pytest.fixture
def world(app, frozen_clock, city, create_provider, create_instrument, create_enterprise, create_user, token_for):
    with app.app_context():
        hz = city("杭州")
        here, there = hz.children[0], hz.children[1]
        x = create_provider(name="本县机构", name_en="Here Centre")
        z = create_provider(name="邻县机构", name_en="There Centre")
        z.region_id = there.id
        db.session.commit()
        ix, iz = create_instrument(provider=x), create_instrument(provider=z, name="邻县仪器")
        ea = create_enterprise(name="本县企业")
        user = create_user("enterprise", enterprise=ea)
        bookings = []
        for instrument in (ix, iz):
            start = FIXED_NOW + timedelta(days=1)
            b = Booking(instrument_id=instrument.id, user_id=user.id, enterprise_id=ea.id, start_at=start,
                        end_at=start + timedelta(hours=1), blocked_until=start + timedelta(hours=1),
                        status="pending", purpose="XRD")  # fmt: skip
            db.session.add(b)
            bookings.append(b)
        sx, sz = Staff(provider_id=x.id, name="本县员工"), Staff(provider_id=z.id, name="邻县员工")
        rx = ServiceRecord(provider_id=x.id, enterprise_id=ea.id, day=date(2026, 11, 3), kind="training",
                           content="培训", staff=[sx])  # fmt: skip
        rz = ServiceRecord(provider_id=z.id, enterprise_id=ea.id, day=date(2026, 11, 4), kind="consultation",
                           content="诊断", staff=[sz])  # fmt: skip
        db.session.add_all([sx, sz, rx, rz])
        db.session.commit()
        county = create_user("county_admin", city=hz, county_id=here.id)
        out = SimpleNamespace(x=x.id, z=z.id, bx=bookings[0].id, bz=bookings[1].id, rx=rx.id, rz=rz.id,
                              email=county.email, token=token_for(county))  # fmt: skip
        db.session.expunge_all()
    return out


def test_a_county_admin_sees_their_county_only(client, world, login):
    login(SimpleNamespace(email=world.email))
    home = client.get("/admin/")
    assert home.status_code == 200
    text = home.get_data(as_text=True)
    assert "Here Centre" in text and "There Centre" not in text and "Verify new enterprises" not in text
    listed = client.get("/admin/providers").get_data(as_text=True)
    assert "Here Centre" in listed and "There Centre" not in listed
    provider_page = client.get(f"/admin/providers/{world.x}")
    assert provider_page.status_code == 200 and "本县员工" in provider_page.get_data(as_text=True)
    assert client.get(f"/admin/providers/{world.z}").status_code == 404
    assert client.get(f"/bookings/{world.bx}").status_code == 200
    assert client.get(f"/bookings/{world.bz}").status_code == 404
    records = client.get("/service-records").get_data(as_text=True)
    assert "本县员工" in records and "邻县员工" not in records
    # read access only: no verifying, no provider editing
    assert client.get(f"/admin/providers/{world.x}/edit").status_code == 403


def test_the_api_scopes_a_county_admin_too(client, world):
    h = world.token
    assert client.get(f"/api/v1/bookings/{world.bx}", headers=h).status_code == 200
    assert client.get(f"/api/v1/bookings/{world.bz}", headers=h).status_code == 404
    ids = [b["id"] for b in client.get("/api/v1/bookings?scope=managed", headers=h).get_json()["items"]]
    assert ids == [world.bx]
    assert [r["id"] for r in client.get("/api/v1/service-records", headers=h).get_json()["items"]] == [world.rx]
    assert client.get(f"/api/v1/service-records/{world.rz}", headers=h).status_code == 404
    assert [s["name"] for s in client.get("/api/v1/staff", headers=h).get_json()["items"]] == ["本县员工"]


@pytest.fixture
def run(app):
    runner = app.test_cli_runner()
    return lambda *args: runner.invoke(args=["bwq", *args])


def _create(run, email, *extra):
    return run("create-user", "--email", email, "--name", "县管理员", "--password", PASSWORD, "--role",
               "county_admin", *extra)  # fmt: skip


def test_the_cli_creates_a_county_admin(app, run):
    done = _create(run, "county@example.com", "--county", "西湖区")
    assert done.exit_code == 0, done.output
    assert "西湖区" in done.output and "杭州" in done.output
    also = _create(run, "county2@example.com", "--county", "Xihu", "--city", "Hangzhou")
    assert also.exit_code == 0, also.output
    with app.app_context():
        u = db.session.execute(select(User).where(User.email == "county@example.com")).scalar_one()
        assert (u.role, u.county.name, u.city.name) == ("county_admin", "西湖区", "杭州")


@pytest.mark.parametrize(
    ("extra", "message"),
    [((), "--county"), (("--county", "Atlantis"), "Atlantis"), (("--county", "西湖区", "--city", "宁波"), "西湖区")],
)
def test_the_cli_refuses_a_county_admin_without_a_county(run, extra, message):
    done = _create(run, "bad@example.com", *extra)
    assert done.exit_code != 0 and message in done.output
