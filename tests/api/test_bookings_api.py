"""The booking API: create, every violation at once, lifecycle, authorization, bad input."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests.conftest import local


@pytest.fixture
def setup(app, frozen_clock, create_instrument, create_user, token_for):
    from bwq_lab.extensions import db

    with app.app_context():
        instrument = create_instrument(approval_required=True, min_notice_minutes=120)
        manager = create_user("manager", provider_id=instrument.provider_id, manages_all=True)
        alice = create_user("enterprise")
        bob = create_user("enterprise")
        out = {
            "instrument_id": instrument.id,
            "manager": token_for(manager),
            "alice": token_for(alice),
            "bob": token_for(bob),
        }
        db.session.expunge_all()
    return out


def body(**overrides):
    data = {
        "start": "2026-12-02T10:00:00+08:00",
        "end": "2026-12-02T11:00:00+08:00",
        "purpose": "SEM imaging of coatings",
        "project_code": "RD-2026-01",
    }
    data.update(overrides)
    return data


def booking_count(app) -> int:
    from bwq_lab.extensions import db
    from bwq_lab.models import Booking

    with app.app_context():
        return db.session.execute(select(func.count(Booking.id))).scalar_one()


def test_create_answers_201_pending_and_holds_the_slot(client, setup, app):
    r = client.post("/api/v1/bookings", json=body(instrument_id=setup["instrument_id"]), headers=setup["alice"])
    assert r.status_code == 201, r.json
    assert r.json["status"] == "pending"
    assert r.json["start"] == "2026-12-02T10:00:00+08:00"
    again = client.post("/api/v1/bookings", json=body(instrument_id=setup["instrument_id"]), headers=setup["bob"])
    assert again.status_code == 409
    assert [e["code"] for e in again.json["errors"]] == ["OVERLAPS_BOOKING"]
    assert booking_count(app) == 1


def test_every_violation_is_listed_at_once(client, setup):
    # Sunday 03:15 local, 10 minutes long: closed, off the grid, too short
    r = client.post(
        "/api/v1/bookings",
        json=body(
            instrument_id=setup["instrument_id"], start="2026-12-06T03:15:00+08:00", end="2026-12-06T03:25:00+08:00"
        ),
        headers=setup["alice"],
    )
    assert r.status_code == 422
    codes = {e["code"] for e in r.json["errors"]}
    assert {"OUTSIDE_OPENING_HOURS", "NOT_ON_SLOT_GRID", "TOO_SHORT"} <= codes
    assert all(e["message"] for e in r.json["errors"])


def test_messages_follow_the_language(client, setup):
    r = client.post(
        "/api/v1/bookings",
        json=body(
            instrument_id=setup["instrument_id"], start="2026-12-06T09:00:00+08:00", end="2026-12-06T10:00:00+08:00"
        ),
        headers={**setup["alice"], "Accept-Language": "en"},
    )
    assert r.status_code == 422
    message = next(e["message"] for e in r.json["errors"] if e["code"] == "OUTSIDE_OPENING_HOURS")
    assert "Sunday" in message


def test_a_refusal_is_worded_in_the_token_users_own_language(client, app, setup, create_user, token_for):
    """A refused write is rolled back before it is worded; the words still follow the user's
    saved language (no Accept-Language, no ?lang=)."""
    with app.app_context():
        headers = {lang: token_for(create_user("enterprise", locale=lang)) for lang in ("en", "zh")}
    sunday = body(
        instrument_id=setup["instrument_id"], start="2026-12-06T09:00:00+08:00", end="2026-12-06T10:00:00+08:00"
    )
    words = {}
    for lang, auth in headers.items():
        r = client.post("/api/v1/bookings", json=sunday, headers=auth)
        assert r.status_code == 422
        words[lang] = next(e["message"] for e in r.json["errors"] if e["code"] == "OUTSIDE_OPENING_HOURS")
    assert "Sunday" in words["en"] and "Sunday" not in words["zh"]


@pytest.mark.parametrize(
    "payload, field",
    [
        ({"start": "2026-12-02T10:00:00", "end": "2026-12-02T11:00:00+08:00"}, "start"),  # naive
        ({"start": "tomorrow", "end": "2026-12-02T11:00:00+08:00"}, "start"),  # unparseable
        ({"start": "2026-12-02T11:00:00+08:00", "end": "2026-12-02T10:00:00+08:00"}, "end"),  # end before start
        ({"start": "2026-12-02T10:00:00+08:00", "end": "2036-12-02T10:00:00+08:00"}, "end"),  # ten years
        ({"instrument_id": "abc"}, "instrument_id"),
    ],
)
def test_bad_input_is_a_clear_4xx_and_saves_nothing(client, setup, app, payload, field):
    data = body(instrument_id=setup["instrument_id"])
    data.update(payload)
    r = client.post("/api/v1/bookings", json=data, headers=setup["alice"])
    assert r.status_code in (400, 409, 422)
    assert any(e["field"] == field for e in r.json["errors"]), r.json
    assert booking_count(app) == 0


def test_unknown_instrument_is_404(client, setup):
    r = client.post("/api/v1/bookings", json=body(instrument_id=999999), headers=setup["alice"])
    assert r.status_code == 404
    assert r.json["errors"][0]["code"] == "NOT_FOUND"


def test_retired_instrument_cannot_be_booked(client, app, setup):
    from bwq_lab.extensions import db
    from bwq_lab.models import Instrument

    with app.app_context():
        db.session.get(Instrument, setup["instrument_id"]).status = "retired"
        db.session.commit()
    r = client.post("/api/v1/bookings", json=body(instrument_id=setup["instrument_id"]), headers=setup["alice"])
    assert r.status_code == 422
    assert "INSTRUMENT_UNAVAILABLE" in {e["code"] for e in r.json["errors"]}
    assert booking_count(app) == 0


def test_another_enterprises_booking_is_404_everywhere(client, setup):
    created = client.post("/api/v1/bookings", json=body(instrument_id=setup["instrument_id"]), headers=setup["alice"])
    bid = created.json["id"]
    assert client.get(f"/api/v1/bookings/{bid}", headers=setup["bob"]).status_code == 404
    assert client.post(f"/api/v1/bookings/{bid}/cancel", json={}, headers=setup["bob"]).status_code == 404
    patch = {"start": "2026-12-02T14:00:00+08:00", "end": "2026-12-02T15:00:00+08:00"}
    assert client.patch(f"/api/v1/bookings/{bid}", json=patch, headers=setup["bob"]).status_code == 404
    assert client.get("/api/v1/bookings", headers=setup["bob"]).json["total"] == 0
    assert client.get(f"/api/v1/bookings/{bid}", headers=setup["alice"]).status_code == 200


def test_unauthenticated_is_401(client, setup):
    r = client.post("/api/v1/bookings", json=body(instrument_id=setup["instrument_id"]))
    assert r.status_code == 401
    assert r.json["errors"][0]["code"] == "UNAUTHENTICATED"


def test_manager_approves_then_user_checks_in_and_out(client, app, setup):
    bid = client.post("/api/v1/bookings", json=body(instrument_id=setup["instrument_id"]), headers=setup["alice"]).json[
        "id"
    ]
    # the requester cannot approve their own request
    assert client.post(f"/api/v1/bookings/{bid}/approve", json={}, headers=setup["alice"]).status_code == 403
    queue = client.get("/api/v1/bookings?scope=managed&status=pending", headers=setup["manager"]).json
    assert [b["id"] for b in queue["items"]] == [bid]
    approved = client.post(f"/api/v1/bookings/{bid}/approve", json={}, headers=setup["manager"])
    assert approved.status_code == 200 and approved.json["status"] == "approved"
    # approving twice is a conflict with the current state
    assert client.post(f"/api/v1/bookings/{bid}/approve", json={}, headers=setup["manager"]).status_code == 409
    # check-in is closed a day before the start
    assert client.post(f"/api/v1/bookings/{bid}/check-in", json={}, headers=setup["alice"]).status_code == 409
    app.config["FIXED_NOW"] = local("2026-12-02 09:55")
    r = client.post(f"/api/v1/bookings/{bid}/check-in", json={}, headers=setup["alice"])
    assert r.status_code == 200 and r.json["status"] == "in_use"
    app.config["FIXED_NOW"] = local("2026-12-02 10:50")
    r = client.post(f"/api/v1/bookings/{bid}/check-out", json={}, headers=setup["alice"])
    assert r.status_code == 200 and r.json["status"] == "completed"
    assert r.json["effective_minutes"] == 55


def test_reject_needs_a_reason(client, setup):
    bid = client.post("/api/v1/bookings", json=body(instrument_id=setup["instrument_id"]), headers=setup["alice"]).json[
        "id"
    ]
    r = client.post(f"/api/v1/bookings/{bid}/reject", json={}, headers=setup["manager"])
    assert r.status_code == 422 and r.json["errors"][0]["field"] == "reason"
    r = client.post(
        f"/api/v1/bookings/{bid}/reject", json={"reason": "sample type not supported"}, headers=setup["manager"]
    )
    assert r.status_code == 200 and r.json["status"] == "rejected"
    # the slot is free again
    again = client.post("/api/v1/bookings", json=body(instrument_id=setup["instrument_id"]), headers=setup["bob"])
    assert again.status_code == 201


def test_cancel_before_deadline_frees_the_slot_and_keeps_the_row(client, app, setup):
    bid = client.post("/api/v1/bookings", json=body(instrument_id=setup["instrument_id"]), headers=setup["alice"]).json[
        "id"
    ]
    r = client.post(f"/api/v1/bookings/{bid}/cancel", json={}, headers=setup["alice"])
    assert r.status_code == 200 and r.json["status"] == "cancelled"
    assert booking_count(app) == 1
    assert (
        client.post(
            "/api/v1/bookings", json=body(instrument_id=setup["instrument_id"]), headers=setup["bob"]
        ).status_code
        == 201
    )


def test_user_cannot_cancel_after_the_deadline_but_manager_can(client, app, setup):
    bid = client.post("/api/v1/bookings", json=body(instrument_id=setup["instrument_id"]), headers=setup["alice"]).json[
        "id"
    ]
    app.config["FIXED_NOW"] = local("2026-12-02 08:00")  # 2 h before, deadline is 24 h
    r = client.post(f"/api/v1/bookings/{bid}/cancel", json={}, headers=setup["alice"])
    assert r.status_code == 409 and r.json["errors"][0]["code"] == "CANCELLATION_DEADLINE_PASSED"
    assert client.post(f"/api/v1/bookings/{bid}/cancel", json={}, headers=setup["manager"]).status_code == 422
    r = client.post(f"/api/v1/bookings/{bid}/cancel", json={"reason": "instrument fault"}, headers=setup["manager"])
    assert r.status_code == 200 and r.json["cancel_reason"] == "instrument fault"


def test_move_rechecks_and_records_history(client, app, setup):
    bid = client.post("/api/v1/bookings", json=body(instrument_id=setup["instrument_id"]), headers=setup["alice"]).json[
        "id"
    ]
    client.post(
        "/api/v1/bookings",
        json=body(
            instrument_id=setup["instrument_id"], start="2026-12-02T14:00:00+08:00", end="2026-12-02T15:00:00+08:00"
        ),
        headers=setup["bob"],
    )
    onto_bob = {"start": "2026-12-02T14:30:00+08:00", "end": "2026-12-02T15:30:00+08:00"}
    assert client.patch(f"/api/v1/bookings/{bid}", json=onto_bob, headers=setup["alice"]).status_code == 409
    later = {"start": "2026-12-02T15:00:00+08:00", "end": "2026-12-02T16:00:00+08:00"}
    r = client.patch(f"/api/v1/bookings/{bid}", json=later, headers=setup["alice"])
    assert r.status_code == 200 and r.json["start"] == "2026-12-02T15:00:00+08:00"
    from bwq_lab.extensions import db
    from bwq_lab.models import BookingEvent

    with app.app_context():
        actions = db.session.execute(select(BookingEvent.action).where(BookingEvent.booking_id == bid)).scalars().all()
    assert actions == ["created", "moved"]


def test_manager_overrides_soft_rules_with_a_reason_never_overlap(client, setup):
    sunday = body(
        instrument_id=setup["instrument_id"], start="2026-12-06T10:00:00+08:00", end="2026-12-06T11:00:00+08:00"
    )
    assert client.post("/api/v1/bookings", json=sunday, headers=setup["manager"]).status_code == 422
    r = client.post(
        "/api/v1/bookings", json={**sunday, "override_reason": "weekend campaign"}, headers=setup["manager"]
    )
    assert r.status_code == 201
    assert r.json["overridden_codes"] == ["OUTSIDE_OPENING_HOURS"]
    assert r.json["status"] == "approved"
    # overlap is never overridable, not even for the manager
    again = client.post("/api/v1/bookings", json={**sunday, "override_reason": "again"}, headers=setup["manager"])
    assert again.status_code == 409
    # an enterprise user's override reason is ignored
    r = client.post(
        "/api/v1/bookings",
        json={
            **sunday,
            "start": "2026-12-06T14:00:00+08:00",
            "end": "2026-12-06T15:00:00+08:00",
            "override_reason": "please",
        },
        headers=setup["alice"],
    )
    assert r.status_code == 422


def test_availability_shows_others_as_busy_only(client, setup):
    client.post("/api/v1/bookings", json=body(instrument_id=setup["instrument_id"]), headers=setup["alice"])
    r = client.get(
        f"/api/v1/instruments/{setup['instrument_id']}/availability?from=2026-11-30T00:00:00%2B08:00&to=2026-12-07T00:00:00%2B08:00",
        headers=setup["bob"],
    )
    assert r.status_code == 200
    wednesday = r.json["days"][2]
    assert wednesday["busy"] == [
        {"start": "2026-12-02T10:00:00+08:00", "end": "2026-12-02T11:00:00+08:00", "own": False, "booking_id": None}
    ]
    mine = client.get(
        f"/api/v1/instruments/{setup['instrument_id']}/availability?from=2026-11-30T00:00:00%2B08:00&to=2026-12-07T00:00:00%2B08:00",
        headers=setup["alice"],
    ).json["days"][2]["busy"][0]
    assert mine["own"] is True and mine["booking_id"] is not None


def test_slot_finder_offers_bookable_slots(client, setup):
    client.post(
        "/api/v1/bookings",
        json=body(
            instrument_id=setup["instrument_id"], start="2026-12-01T11:00:00+08:00", end="2026-12-01T12:00:00+08:00"
        ),
        headers=setup["alice"],
    )
    r = client.get(
        "/api/v1/slots?duration=60&from=2026-12-01T00:00:00%2B08:00&to=2026-12-03T00:00:00%2B08:00&category=electron_microscopy",
        headers=setup["bob"],
    )
    assert r.status_code == 200
    first = r.json["items"][0]
    # now is 09:00 with 2 h notice: 11:00 is taken by alice, so the first slot is after lunch
    assert first["start"] == "2026-12-01T13:30:00+08:00"
    booked = client.post(
        "/api/v1/bookings",
        json=body(instrument_id=first["instrument_id"], start=first["start"], end=first["end"]),
        headers=setup["bob"],
    )
    assert booked.status_code == 201


def test_a_bearer_token_wins_over_a_session_cookie(client, setup, app, login):
    """A script that also holds a session cookie acts as the token's user, without CSRF."""
    from sqlalchemy import select as sa_select

    from bwq_lab.extensions import db
    from bwq_lab.models import ApiToken, User

    with app.app_context():
        manager = db.session.execute(sa_select(User).where(User.role == "manager")).scalar_one()
        login(manager)
    r = client.post("/api/v1/bookings", json=body(instrument_id=setup["instrument_id"]), headers=setup["alice"])
    assert r.status_code == 201
    with app.app_context():
        alice_id = db.session.execute(
            sa_select(ApiToken.user_id).where(ApiToken.hint == setup["alice"]["Authorization"][7:17])
        ).scalar_one()
    assert r.json["user_id"] == alice_id


def test_end_before_start_is_the_domains_code_in_the_clients_language(client, setup):
    """The API says the rule checker's code (422 END_BEFORE_START), in the client's language."""
    data = body(
        instrument_id=setup["instrument_id"], start="2026-12-02T11:00:00+08:00", end="2026-12-02T10:00:00+08:00"
    )
    for language, words in (("en", "must be later than the start time"), ("zh", "必须晚于开始时间")):
        response = client.post(
            "/api/v1/bookings",
            json=data,
            headers={**setup["alice"], "Accept-Language": language},
        )
        assert response.status_code == 422
        problem = next(p for p in response.get_json()["errors"] if p["code"] == "END_BEFORE_START")
        assert problem["field"] == "end" and words in problem["message"]


def test_validation_messages_come_in_the_clients_language(client, setup):
    """marshmallow's English becomes the catalogue's sentence; field and code stay."""
    for language, words in (("en", "This field is required."), ("zh", "必填")):
        response = client.post(
            "/api/v1/bookings",
            json={"start": "2026-12-02T10:00:00+08:00", "end": "2026-12-02T11:00:00+08:00"},
            headers={**setup["alice"], "Accept-Language": language},
        )
        assert response.status_code == 422
        problem = next(p for p in response.get_json()["errors"] if p["field"] == "instrument_id")
        assert problem["code"] == "INVALID" and words in problem["message"]
