"""Finding 3 of issue 7: bad input is a clean 4xx (JSON for the API, a page for browsers), never a
500 and never half-saved, on SQLite and PostgreSQL. Bounds live in one place: bwq_lab/edge/inputs.py."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from bwq_lab.extensions import db
from bwq_lab.models import Booking


@pytest.fixture
def world(app, frozen_clock, create_instrument, create_user, token_for):
    with app.app_context():
        instrument = create_instrument(approval_required=False)
        user = create_user("enterprise")
        manager = create_user("manager", provider_id=instrument.provider_id, manages_all=True)
        return SimpleNamespace(
            instrument=instrument.id, user=user.email, manager=manager.email,
            headers=token_for(user), manager_headers=token_for(manager),
        )  # fmt: skip


def _assert_clean(response, *statuses):
    assert response.status_code in statuses, (response.status_code, response.get_data(as_text=True)[:300])
    if response.mimetype == "application/json":
        body = response.get_json()
        assert isinstance(body["errors"], list) and body["errors"][0]["code"] and body["errors"][0]["message"]


API_GETS = [
    "/api/v1/bookings/9223372036854775808",
    "/api/v1/bookings/2147483648",
    "/api/v1/instruments/99999999999999999999",
    "/api/v1/instruments?page=99999999999999999999",
    "/api/v1/instruments?page=2147483648",
    "/api/v1/instruments?provider=9223372036854775808",
    "/api/v1/instruments?city=%C2%B9",
    "/api/v1/instruments?city=%D9%A3",
    "/api/v1/instruments?q=a%00b",
    "/api/v1/lab-services?q=%00",
    "/api/v1/instruments/{i}/availability?from=9999-12-31T00:00:00%2B08:00&to=9999-12-31T09:00:00%2B08:00",
    "/api/v1/instruments/{i}/availability?from=0001-01-01T00:00:00%2B08:00&to=0001-01-02T00:00:00%2B08:00",
    "/api/v1/bookings?page=99999999999999999999",
]


@pytest.mark.parametrize("path", API_GETS)
def test_api_query_and_path_bounds(client, world, path):
    response = client.get(path.format(i=world.instrument), headers=world.headers)
    _assert_clean(response, 400, 404, 422)
    assert response.mimetype == "application/json"


def _booking(world, **overrides):
    body = {"instrument_id": world.instrument, "start": "2026-12-02T10:00:00+08:00", "duration": 60,
            "purpose": "XRD"}  # fmt: skip
    body.update(overrides)
    return body


@pytest.mark.parametrize(
    "raw",
    [
        json.dumps({"start": "9999-12-31T09:00:00+08:00"}),
        json.dumps({"start": "0001-01-01T09:00:00+08:00"}),
        json.dumps({"purpose": "a\u0000b"}),
        '{"instrument_id": 1, "purpose": "\\ud800"}',
        "[" * 100_000,
        '{"duration": ' + "9" * 5000 + "}",
        json.dumps({"instrument_id": 2**31}),
        json.dumps({"instrument_id": 2**63}),
        json.dumps({"duration": -(2**40)}),
    ],
)
def test_api_json_bounds(app, client, world, raw):
    body = raw
    if raw.startswith("{") and "instrument_id" not in raw and "9" * 100 not in raw:
        body = json.dumps({**_booking(world), **json.loads(raw)})
    response = client.post("/api/v1/bookings", data=body, content_type="application/json", headers=world.headers)
    _assert_clean(response, 400, 404, 422)
    with app.app_context():
        assert db.session.execute(select(func.count()).select_from(Booking)).scalar() == 0


def test_year_9999_on_pages_is_a_page_with_the_message(app, client, world, post_form):
    login = post_form("/login", {"email": world.user, "password": "correct horse battery"})
    assert login.status_code == 302
    response = client.get(f"/instruments/{world.instrument}/book?week=9999-12-31")
    _assert_clean(response, 422)
    assert "out of range" in response.get_data(as_text=True)
    response = client.get(f"/instruments/{world.instrument}/book?week=0001-01-01")
    _assert_clean(response, 422)


def test_closure_and_qualification_dates_far_away_are_refused(app, client, world, post_form):
    assert post_form("/login", {"email": world.manager, "password": "correct horse battery"}).status_code == 302
    response = post_form("/manage/closures", {"first_day": "9999-12-30", "last_day": "9999-12-31", "reason": "x"})
    _assert_clean(response, 422)
    response = post_form(
        f"/manage/instruments/{world.instrument}/qualifications", {"email": world.user, "expires_on": "9999-12-31"}
    )
    _assert_clean(response, 422)


@pytest.mark.parametrize(
    "path",
    [
        "/instruments?page=99999999999999999999",
        "/instruments?city=%C2%B9",
        "/instruments?q=a%00b",
        "/providers?page=2147483648",
        "/instruments/2147483648",
        "/bookings/9223372036854775808",
    ],
)
def test_page_bounds(client, world, path):
    _assert_clean(client.get(path), 200, 302, 400, 404, 422)


def test_ids_are_documented_with_their_bound(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    param = next(p for p in spec["paths"]["/api/v1/bookings/{booking_id}"]["parameters"] if p["name"] == "booking_id")
    assert param["schema"] == {"type": "integer", "minimum": 0, "maximum": 2**31 - 1}


def test_oversized_json_body_is_413(client, world):
    body = '{"purpose": "' + "x" * (300 * 1024) + '"}'
    response = client.post("/api/v1/bookings", data=body, content_type="application/json", headers=world.headers)
    assert response.status_code == 413 and response.get_json()["errors"][0]["code"] == "TOO_LARGE"
