"""Service orders in "my feed": their completion dates as all-day events, parsed back with
icalendar and vobject, with a stable UID, a SEQUENCE that grows only when the status (and with it
the promised date) changes, and an ETag that moves when an order changes."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from tests.feeds.conftest import parse_both, path_of


@pytest.fixture
def orders(app, frozen_clock, create_provider, create_service, create_user, create_enterprise, token_for):
    """A lab service (5 samples a day, results 1 working day after the last one), its manager,
    and two enterprise users; the clock is Tuesday 2026-12-01 09:00 in Shanghai."""
    from bwq_lab.extensions import db

    with app.app_context():
        provider = create_provider(address="杭州市西湖区余杭塘路866号")
        service = create_service(provider=provider, daily_capacity=5, turnaround_days=1, max_samples=50)
        manager = create_user("manager", provider=provider, manages_all=True)
        alice = create_user("enterprise", name="李小红", locale="zh", enterprise=create_enterprise())
        bob = create_user("enterprise", name="Bob Smith", locale="en")
        out = {
            "service_id": service.id,
            "provider_id": provider.id,
            "manager": token_for(manager),
            "alice": token_for(alice),
            "bob": token_for(bob),
        }
        db.session.expunge_all()
    return out


def place(client, orders, who="alice", **extra) -> int:
    body = {"service_id": orders["service_id"], "samples": 7, "sample_description": "涂层样品"}
    body.update(extra)
    response = client.post("/api/v1/service-orders", json=body, headers=orders[who])
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def act(client, orders, order_id: int, action: str, who="manager", **body) -> dict:
    response = client.post(f"/api/v1/service-orders/{order_id}/{action}", json=body, headers=orders[who])
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def my_feed_url(client, orders, who="alice") -> str:
    response = client.post("/api/v1/me/feed-token", headers=orders[who])
    assert response.status_code == 200, response.get_json()
    return path_of(response.get_json()["urls"]["mine"])


def test_an_order_is_tentative_on_its_requested_date_then_confirmed_on_its_promised_date(client, orders):
    order_id = place(client, orders, requested_date="2026-12-03")
    uid = f"order-{order_id}@bwq-lab"
    url = my_feed_url(client, orders)

    first = client.get(url)
    _, events = parse_both(first.data)
    event = events[uid]
    assert (event.status, event.sequence) == ("TENTATIVE", 0)
    assert event.start == date(2026, 12, 3) and event.end == date(2026, 12, 4)  # an all-day event
    assert b"DTSTART;VALUE=DATE:20261203\r\n" in first.data
    assert event.summary == "材料成分检测：期望完成（已提交）"
    assert f"#{order_id}" in event.description and "7" in event.description
    assert event.url == f"http://localhost/orders/{order_id}" and event.url in event.description
    assert "浙江大学分析测试中心" in event.location and "余杭塘路866号" in event.location
    assert b"TRANSP:TRANSPARENT" in first.data  # a due date does not make the reader busy

    accepted = act(client, orders, order_id, "accept")
    assert accepted["promised_date"] == "2026-12-04"
    second = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert second.status_code == 200 and second.headers["ETag"] != first.headers["ETag"]
    event = parse_both(second.data)[1][uid]  # the same UID: clients update the event, not add one
    assert (event.status, event.sequence) == ("CONFIRMED", 1)
    assert event.start == date(2026, 12, 4) and event.end == date(2026, 12, 5)
    assert event.summary == "材料成分检测：承诺完成（已受理（已排期））"
    assert "承诺完成日期：2026-12-04" in event.description

    # a note changes no status and no date: the revision stays
    response = client.post(
        f"/api/v1/service-orders/{order_id}/notes", json={"note": "样品已登记"}, headers=orders["manager"]
    )
    assert response.status_code in (200, 201), response.get_json()
    assert parse_both(client.get(url).data)[1][uid].sequence == 1

    act(client, orders, order_id, "receive")
    third = client.get(url)
    event = parse_both(third.data)[1][uid]
    assert (event.status, event.sequence) == ("CONFIRMED", 2)
    assert client.get(url, headers={"If-None-Match": third.headers["ETag"]}).status_code == 304
    assert client.get(url, headers={"If-Modified-Since": third.headers["Last-Modified"]}).status_code == 304


def test_a_cancelled_order_stays_as_cancelled_for_30_days(client, orders, app):
    from bwq_lab.extensions import db
    from bwq_lab.models import ServiceOrder

    order_id = place(client, orders)
    act(client, orders, order_id, "accept")
    url = my_feed_url(client, orders)
    before = client.get(url)
    act(client, orders, order_id, "cancel", who="alice", reason="项目取消")
    response = client.get(url, headers={"If-None-Match": before.headers["ETag"]})
    assert response.status_code == 200
    event = parse_both(response.data)[1][f"order-{order_id}@bwq-lab"]
    assert (event.status, event.sequence) == ("CANCELLED", 2)
    assert "已取消" in event.summary

    with app.app_context():  # cancelled 31 days ago: clients have long deleted it
        db.session.get(ServiceOrder, order_id).updated_at = datetime(2026, 10, 30, tzinfo=UTC)
        db.session.commit()
    assert f"order-{order_id}@bwq-lab" not in parse_both(client.get(url).data)[1]


def test_only_the_owners_dated_orders_inside_the_window(client, orders, app):
    from bwq_lab.extensions import db
    from bwq_lab.models import ServiceOrder

    undated = place(client, orders)  # no requested date, not accepted: no day to show
    mine = place(client, orders, requested_date="2026-12-10")
    theirs = place(client, orders, who="bob", requested_date="2026-12-10")
    old = place(client, orders, requested_date="2026-12-11")
    far = place(client, orders, requested_date="2026-12-12")
    with app.app_context():
        db.session.get(ServiceOrder, old).requested_date = date(2026, 9, 1)  # 91 days back
        db.session.get(ServiceOrder, far).requested_date = date(2027, 12, 2)  # past a year ahead
        db.session.commit()
    _, events = parse_both(client.get(my_feed_url(client, orders)).data)
    assert {uid for uid in events if uid.startswith("order-")} == {f"order-{mine}@bwq-lab"}
    assert f"order-{undated}@bwq-lab" not in events and f"order-{theirs}@bwq-lab" not in events
    bob = parse_both(client.get(my_feed_url(client, orders, "bob")).data)[1]
    assert set(bob) == {f"order-{theirs}@bwq-lab"}


def test_english_reader_and_a_renamed_service_changes_the_etag(client, orders, app):
    from bwq_lab.extensions import db
    from bwq_lab.models import LabService

    order_id = place(client, orders, who="bob", samples=1, requested_date="2026-12-03")
    url = my_feed_url(client, orders, "bob")
    first = client.get(url)
    event = parse_both(first.data)[1][f"order-{order_id}@bwq-lab"]
    assert event.summary == "Material composition testing: results requested (submitted)"
    assert f"Lab-service order #{order_id}, 1 sample\n" in event.description
    with app.app_context():
        db.session.get(LabService, orders["service_id"]).name_en = "Composition analysis"
        db.session.commit()
    second = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert second.status_code == 200
    assert parse_both(second.data)[1][f"order-{order_id}@bwq-lab"].summary.startswith("Composition analysis:")
