"""Staff on sessions and batches: the manager who records a session's use (or confirms it) and the
lab that starts or delivers a batch can name the staff member who did the work; it must be active
staff of that provider (422 otherwise), and only managers name anyone."""

from __future__ import annotations

import io
from datetime import timedelta
from types import SimpleNamespace

import pytest

from bwq_lab.extensions import db
from bwq_lab.models import Booking, ServiceOrder, Staff
from tests.conftest import FIXED_NOW, local

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def setup(app, frozen_clock, create_instrument, create_service, create_provider, create_user, token_for, tmp_path):
    saved = app.config["RESULTS_FOLDER"]
    app.config["RESULTS_FOLDER"] = str(tmp_path / "results")
    with app.app_context():
        instrument = create_instrument(approval_required=False)
        provider_id = instrument.provider_id
        service = create_service(provider=instrument.provider)
        other = create_provider(name="别的机构")
        user = create_user("enterprise")
        manager = create_user("manager", provider_id=provider_id, manages_all=True)
        start = local("2026-12-01 07:00")  # two hours before FIXED_NOW: over, to be recorded
        booking = Booking(
            instrument_id=instrument.id, user_id=user.id, enterprise_id=user.enterprise_id, start_at=start,
            end_at=start + timedelta(hours=1), blocked_until=start + timedelta(hours=1), status="approved",
            purpose="XRD", created_at=FIXED_NOW - timedelta(days=1), updated_at=FIXED_NOW,
        )  # fmt: skip
        order = ServiceOrder(service_id=service.id, provider_id=provider_id, user_id=user.id,
                             enterprise_id=user.enterprise_id, samples=2, status="samples_received", hazard="none")  # fmt: skip
        wang = Staff(provider_id=provider_id, name="王敏", user_id=manager.id)
        gone = Staff(provider_id=provider_id, name="离职者", active=False)
        stranger = Staff(provider_id=other.id, name="外人")
        db.session.add_all([booking, order, wang, gone, stranger])
        db.session.commit()
        out = SimpleNamespace(
            booking=booking.id, order=order.id, wang=wang.id, gone=gone.id, stranger=stranger.id,
            manager=token_for(manager), user=token_for(user), manager_email=manager.email,
        )  # fmt: skip
    yield out
    app.config["RESULTS_FOLDER"] = saved


def codes(response):
    return [e["code"] for e in response.get_json()["errors"]]


def test_the_manager_names_who_operated_the_session(client, setup, app):
    url = f"/api/v1/bookings/{setup.booking}/check-out"
    use = {"used_from": "2026-12-01T07:00:00+08:00", "used_until": "2026-12-01T08:00:00+08:00"}
    r = client.post(url, json={**use, "staff_id": setup.stranger}, headers=setup.manager)
    assert r.status_code == 422 and codes(r) == ["STAFF_NOT_OF_PROVIDER"]
    r = client.post(url, json={**use, "staff_id": setup.gone}, headers=setup.manager)
    assert r.status_code == 422 and codes(r) == ["STAFF_INACTIVE"]
    r = client.post(url, json={**use, "staff_id": setup.wang}, headers=setup.manager)
    assert r.status_code == 200 and r.json["staff_id"] == setup.wang and r.json["status"] == "completed"


def test_every_problem_at_once_and_only_managers_name_staff(client, setup):
    url = f"/api/v1/bookings/{setup.booking}/check-out"
    bad = {"used_from": "2026-12-01T07:00:00+08:00", "used_until": "2026-12-02T08:00:00+08:00"}
    r = client.post(url, json={**bad, "staff_id": setup.stranger}, headers=setup.manager)
    assert r.status_code == 422 and "STAFF_NOT_OF_PROVIDER" in codes(r) and len(codes(r)) >= 2
    r = client.post(url, json={"staff_id": setup.wang}, headers=setup.user)
    assert r.status_code == 403 and codes(r) == ["USE_RECORD_MANAGERS_ONLY"]


def test_the_lab_names_the_analyst_when_it_starts_and_delivers(client, setup):
    r = client.post(f"/api/v1/service-orders/{setup.order}/start", json={"staff_id": setup.stranger},
                    headers=setup.manager)  # fmt: skip
    assert r.status_code == 422 and codes(r) == ["STAFF_NOT_OF_PROVIDER"]
    r = client.post(f"/api/v1/service-orders/{setup.order}/start", json={"staff_id": setup.wang},
                    headers=setup.manager)  # fmt: skip
    assert r.status_code == 200 and r.json["staff_id"] == setup.wang and r.json["status"] == "in_progress"
    data = {"files": [(io.BytesIO(PDF), "r.pdf")], "staff_id": str(setup.gone)}
    r = client.post(f"/api/v1/service-orders/{setup.order}/deliver", data=data, headers=setup.manager,
                    content_type="multipart/form-data")  # fmt: skip
    assert r.status_code == 422 and codes(r) == ["STAFF_INACTIVE"]
    data = {"files": [(io.BytesIO(PDF), "r.pdf")], "staff_id": "x1"}
    r = client.post(f"/api/v1/service-orders/{setup.order}/deliver", data=data, headers=setup.manager,
                    content_type="multipart/form-data")  # fmt: skip
    assert r.status_code == 422
    data = {"files": [(io.BytesIO(PDF), "r.pdf")]}
    r = client.post(f"/api/v1/service-orders/{setup.order}/deliver", data=data, headers=setup.manager,
                    content_type="multipart/form-data")  # fmt: skip
    assert r.status_code == 200 and r.json["staff_id"] == setup.wang  # kept from the start


def test_pages_offer_the_staff_with_the_managers_own_first(client, setup, login, post_form, app):
    from tests.conftest import PASSWORD

    login(SimpleNamespace(email=setup.manager_email), PASSWORD)
    page = client.get(f"/bookings/{setup.booking}").get_data(as_text=True)
    assert "Operated by" in page and "王敏" in page and "离职者" not in page and "外人" not in page
    assert f'<option selected value="{setup.wang}">' in page
    r = post_form(f"/bookings/{setup.booking}/check-out", {"used_from": "2026-12-01T07:00", "used_until": "2026-12-01T08:00",
                                                           "staff_id": str(setup.wang)})  # fmt: skip
    assert r.status_code == 302
    with app.app_context():
        assert db.session.get(Booking, setup.booking).staff_id == setup.wang
    page = client.get(f"/orders/{setup.order}").get_data(as_text=True)
    assert "Analyst" in page and "王敏" in page
    r = post_form(f"/orders/{setup.order}/start", {"staff_id": str(setup.wang)})
    assert r.status_code == 302
    with app.app_context():
        assert db.session.get(ServiceOrder, setup.order).staff_id == setup.wang


def test_confirming_a_closed_sessions_use_names_the_staff_member(app, setup):
    from sqlalchemy import select

    from bwq_lab.models import User
    from bwq_lab.operations.bookings import confirm_use
    from bwq_lab.refusals import Refusal

    with app.app_context():
        booking = db.session.get(Booking, setup.booking)
        booking.status, booking.use_to_confirm = "completed", True
        booking.checked_in_at, booking.checked_out_at = booking.start_at, booking.end_at
        db.session.commit()
        manager = db.session.execute(select(User).where(User.email == setup.manager_email)).scalar_one()
        used = dict(used_from=local("2026-12-01 07:05"), used_until=local("2026-12-01 07:50"))
        with pytest.raises(Refusal) as refused:
            confirm_use(manager, setup.booking, FIXED_NOW, staff_id=setup.stranger, **used)
        assert refused.value.codes == ["STAFF_NOT_OF_PROVIDER"]
        db.session.rollback()
        confirmed = confirm_use(manager, setup.booking, FIXED_NOW, staff_id=setup.wang, **used)
        db.session.commit()
        assert confirmed.staff_id == setup.wang and not confirmed.use_to_confirm
