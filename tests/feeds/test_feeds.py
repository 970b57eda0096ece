"""Calendar feeds over HTTP, parsed back with icalendar and vobject."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.conftest import local
from tests.feeds.conftest import parse_both, path_of


def get_feed(client, url: str, **headers):
    return client.get(path_of(url), headers=headers)


def test_my_feed_shows_my_bookings_in_chinese_with_status_link_and_location(client, lab, book, feed_urls, app):
    pending = book()
    urls = feed_urls("alice")
    assert set(urls) == {"mine"}  # not a manager: no manager feed
    response = get_feed(client, urls["mine"])
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert response.headers["ETag"].startswith('"') and not response.headers["ETag"].startswith("W/")
    assert response.headers["Last-Modified"]
    assert "no-cache" in response.headers["Cache-Control"] and "private" in response.headers["Cache-Control"]
    calendar, events = parse_both(response.data)
    assert calendar["X-WR-CALNAME"] == "BWQ Lab：我的预约"
    assert calendar["REFRESH-INTERVAL"] and calendar["X-PUBLISHED-TTL"] == "PT1H"
    assert b"REFRESH-INTERVAL;VALUE=DURATION:PT1H\r\n" in response.data
    event = events[f"booking-{pending['id']}@bwq-lab"]
    assert event.status == "TENTATIVE"
    assert event.summary == "场发射扫描电子显微镜（待审核）"
    assert event.start == local("2026-12-02 10:00") and event.end == local("2026-12-02 11:00")
    assert b"DTSTART:20261202T020000Z" in response.data
    assert "扫描电镜观察涂层；SEM imaging, coatings" in event.description  # Chinese, comma and semicolon intact
    assert event.url == f"http://localhost/bookings/{pending['id']}"
    assert event.url in event.description
    assert (
        "浙江大学分析测试中心" in event.location and "余杭塘路866号" in event.location and "A楼 101" in event.location
    )
    assert event.sequence == 0


def test_base_url_setting_makes_the_links(client, lab, book, feed_urls, app):
    app.config["BASE_URL"] = "https://lab.example.edu.cn/"
    try:
        booking = book()
        urls = feed_urls("alice")
        assert urls["mine"].startswith("https://lab.example.edu.cn/feeds/")
        _, events = parse_both(get_feed(client, urls["mine"]).data)
        assert events[f"booking-{booking['id']}@bwq-lab"].url == f"https://lab.example.edu.cn/bookings/{booking['id']}"
    finally:
        app.config["BASE_URL"] = None


def test_uid_stays_and_sequence_grows_when_a_booking_moves_or_changes_status(client, lab, book, feed_urls, app):
    booking = book()
    uid = f"booking-{booking['id']}@bwq-lab"
    url = feed_urls("alice")["mine"]
    assert parse_both(get_feed(client, url).data)[1][uid].sequence == 0

    moved = client.patch(
        f"/api/v1/bookings/{booking['id']}",
        json={"start": "2026-12-02T14:00:00+08:00", "end": "2026-12-02T15:00:00+08:00"},
        headers=lab["alice"],
    )
    assert moved.status_code == 200, moved.get_json()
    event = parse_both(get_feed(client, url).data)[1][uid]
    assert event.start == local("2026-12-02 14:00")
    assert event.sequence == 1

    assert client.post(f"/api/v1/bookings/{booking['id']}/approve", json={}, headers=lab["manager"]).status_code == 200
    response = get_feed(client, url)
    event = parse_both(response.data)[1][uid]
    assert (event.status, event.sequence) == ("CONFIRMED", 2)

    # the same times again: nothing changes, no "moved" event, same revision, same ETag
    same = client.patch(
        f"/api/v1/bookings/{booking['id']}",
        json={"start": "2026-12-02T06:00:00Z", "end": "2026-12-02T15:00:00+08:00"},
        headers=lab["manager"],
    )
    assert same.status_code == 200 and same.get_json()["status"] == "approved"
    assert get_feed(client, url, **{"If-None-Match": response.headers["ETag"]}).status_code == 304
    assert parse_both(get_feed(client, url).data)[1][uid].sequence == 2
    with app.app_context():
        from sqlalchemy import func, select

        from bwq_lab.extensions import db
        from bwq_lab.models import BookingEvent

        actions = db.session.execute(
            select(BookingEvent.action).where(BookingEvent.booking_id == booking["id"]).order_by(BookingEvent.id)
        ).scalars()
        assert [str(a) for a in actions] == ["created", "moved", "approved"]
        assert db.session.execute(select(func.count(BookingEvent.id))).scalar_one() == 3


def test_cancelled_booking_stays_as_cancelled_for_30_days(client, lab, book, feed_urls, app):
    from bwq_lab.extensions import db
    from bwq_lab.models import Booking

    booking = book()
    url = feed_urls("alice")["mine"]
    assert client.post(f"/api/v1/bookings/{booking['id']}/cancel", json={}, headers=lab["alice"]).status_code == 200
    uid = f"booking-{booking['id']}@bwq-lab"
    event = parse_both(get_feed(client, url).data)[1][uid]
    assert event.status == "CANCELLED"
    assert "已取消" in event.summary
    assert event.sequence == 1

    with app.app_context():  # the cancellation was 31 days ago: clients have long deleted it
        db.session.get(Booking, booking["id"]).updated_at = datetime(2026, 10, 30, tzinfo=UTC)
        db.session.commit()
    assert uid not in parse_both(get_feed(client, url).data)[1]


def test_only_the_owners_bookings_and_only_inside_the_window(client, lab, book, feed_urls, app):
    from bwq_lab.extensions import db
    from bwq_lab.models import Booking

    mine = book("alice")
    theirs = book("bob", start="2026-12-03T10:00:00+08:00", end="2026-12-03T11:00:00+08:00")
    old = book("alice", start="2026-12-04T10:00:00+08:00", end="2026-12-04T11:00:00+08:00")
    with app.app_context():  # started 100 days ago: outside the window
        row = db.session.get(Booking, old["id"])
        back = timedelta(days=103)
        row.start_at, row.end_at, row.blocked_until = row.start_at - back, row.end_at - back, row.blocked_until - back
        db.session.commit()
    _, events = parse_both(get_feed(client, feed_urls("alice")["mine"]).data)
    assert set(events) == {f"booking-{mine['id']}@bwq-lab"}
    assert f"booking-{theirs['id']}@bwq-lab" not in events


def test_conditional_requests_answer_304_until_something_changes(client, lab, book, feed_urls):
    booking = book()
    url = feed_urls("alice")["mine"]
    first = get_feed(client, url)
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    assert get_feed(client, url).data == first.data  # byte-identical while nothing changes

    again = get_feed(client, url, **{"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b"" and again.headers["ETag"] == etag
    assert get_feed(client, url, **{"If-Modified-Since": modified}).status_code == 304
    assert get_feed(client, url, **{"If-None-Match": '"something-else"'}).status_code == 200
    assert get_feed(client, url, **{"If-Modified-Since": "Mon, 01 Jan 2024 00:00:00 GMT"}).status_code == 200

    client.post(f"/api/v1/bookings/{booking['id']}/cancel", json={}, headers=lab["alice"])
    changed = get_feed(client, url, **{"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag


def test_a_new_booking_of_the_same_second_changes_the_etag(client, lab, book, feed_urls):
    url = feed_urls("alice")["mine"]
    etag = get_feed(client, url).headers["ETag"]
    book()
    assert get_feed(client, url, **{"If-None-Match": etag}).status_code == 200


def test_unknown_and_replaced_tokens_answer_404(client, lab, feed_urls, login, app):
    from bwq_lab.extensions import db
    from bwq_lab.models import User

    assert client.get("/feeds/bwqf_nonsense/mine.ics").status_code == 404
    old = feed_urls("alice")
    assert get_feed(client, old["mine"]).status_code == 200
    new = feed_urls("alice")
    assert new["mine"] != old["mine"]
    assert get_feed(client, old["mine"]).status_code == 404  # the old URL dies at once
    assert get_feed(client, new["mine"]).status_code == 200
    # a non-manager's token has no manager feed
    assert client.get(path_of(new["mine"]).replace("mine.ics", "manager.ics")).status_code == 404
    with app.app_context():  # a deactivated account's feeds stop
        db.session.get(User, lab["alice_id"]).is_active_account = False
        db.session.commit()
    assert get_feed(client, new["mine"]).status_code == 404


def test_token_is_stored_hashed(client, lab, feed_urls, app):
    from sqlalchemy import select

    from bwq_lab.extensions import db
    from bwq_lab.models import FeedToken

    url = feed_urls("alice")["mine"]
    token = path_of(url).split("/")[2]
    assert token.startswith("bwqf_") and len(token) > 40
    with app.app_context():
        row = db.session.execute(select(FeedToken)).scalar_one()
        stored = " ".join(str(v) for v in (row.nonce, row.digest))
        assert token not in stored and token[5:] not in stored


def test_manager_feed_has_requesters_enterprises_maintenance_and_closures(client, lab, book, feed_urls, app):
    from bwq_lab.extensions import db
    from bwq_lab.models import MaintenanceWindow, ProviderClosure

    booking = book("alice")
    with app.app_context():
        db.session.add(
            MaintenanceWindow(
                instrument_id=lab["second_id"],
                start_at=local("2026-12-03 09:00"),
                end_at=local("2026-12-03 12:00"),
                reason="更换灯丝",
            )
        )
        db.session.add(
            ProviderClosure(
                provider_id=lab["provider_id"],
                start_at=local("2027-01-01 00:00"),
                end_at=local("2027-01-02 00:00"),
                reason="元旦",
            )
        )
        db.session.commit()
    urls = feed_urls("manager")
    assert set(urls) == {"mine", "manager"}
    _, events = parse_both(get_feed(client, urls["manager"]).data)
    event = events[f"booking-{booking['id']}@bwq-lab"]
    assert "李小红" in event.summary and lab["alice_enterprise"] in event.summary
    assert "扫描电镜观察涂层" in event.description
    maintenance = [e for e in events.values() if e.uid.startswith("maintenance-")]
    assert (
        len(maintenance) == 1 and "X射线衍射仪" in maintenance[0].summary and maintenance[0].description == "更换灯丝"
    )
    closure = next(e for e in events.values() if e.uid.startswith("closure-"))
    assert closure.start == datetime(2027, 1, 1).date() and closure.end == datetime(2027, 1, 2).date()
    assert "元旦" in closure.description


def test_a_manager_who_loses_an_instrument_no_longer_sees_it(client, lab, book, feed_urls, app):
    from bwq_lab.extensions import db
    from bwq_lab.models import Instrument, User

    on_first = book("alice")
    on_second = book(
        "bob", instrument_id=lab["second_id"], start="2026-12-02T13:30:00+08:00", end="2026-12-02T14:30:00+08:00"
    )
    url = feed_urls("manager")["manager"]
    response = get_feed(client, url)
    assert {f"booking-{on_first['id']}@bwq-lab", f"booking-{on_second['id']}@bwq-lab"} <= set(
        parse_both(response.data)[1]
    )

    with app.app_context():
        manager = db.session.get(User, lab["manager_id"])
        manager.instruments.remove(db.session.get(Instrument, lab["second_id"]))
        db.session.commit()
    after = get_feed(client, url, **{"If-None-Match": response.headers["ETag"]})
    assert after.status_code == 200
    _, events = parse_both(after.data)
    assert f"booking-{on_first['id']}@bwq-lab" in events
    assert f"booking-{on_second['id']}@bwq-lab" not in events

    with app.app_context():  # no longer a manager at all: the manager feed is gone
        db.session.get(User, lab["manager_id"]).role = "enterprise"
        db.session.commit()
    assert get_feed(client, url).status_code == 404


def test_a_swap_of_instruments_with_the_same_count_and_id_sum_changes_the_etag(
    client, lab, feed_urls, app, create_instrument
):
    """The scope's state is its count, id sum and sum of squares: {a, d} and {b, c} of four
    consecutive ids have the same count and sum, not the same squares."""
    from bwq_lab.extensions import db
    from bwq_lab.models import Instrument, Provider, User

    def manage(*ids: int) -> None:
        with app.app_context():
            manager = db.session.get(User, lab["manager_id"])
            manager.instruments[:] = [db.session.get(Instrument, i) for i in ids]
            db.session.commit()

    with app.app_context():
        provider = db.session.get(Provider, lab["provider_id"])
        a, b, c, d = (create_instrument(provider=provider, name=f"仪器 {n}").id for n in range(4))
        for i in (a, b, c, d):  # changed at the same moment: the scope's newest change says nothing
            db.session.get(Instrument, i).updated_at = datetime(2026, 11, 1, tzinfo=UTC)
        db.session.commit()
    assert [b, c, d] == [a + 1, a + 2, a + 3]
    manage(a, d)
    url = feed_urls("manager")["manager"]
    first = get_feed(client, url)
    assert get_feed(client, url, **{"If-None-Match": first.headers["ETag"]}).status_code == 304
    manage(b, c)
    assert get_feed(client, url, **{"If-None-Match": first.headers["ETag"]}).status_code == 200

    second = get_feed(client, url).headers["ETag"]
    with app.app_context():  # managing the whole provider is another scope again
        db.session.get(User, lab["manager_id"]).manages_all = True
        db.session.commit()
    assert get_feed(client, url, **{"If-None-Match": second}).status_code == 200


def test_busy_feed_is_public_and_leaks_no_name_purpose_or_enterprise(client, lab, book, app):
    from bwq_lab.extensions import db
    from bwq_lab.models import MaintenanceWindow

    booking = book("alice", purpose="机密项目 secret purpose")
    with app.app_context():
        db.session.add(
            MaintenanceWindow(
                instrument_id=lab["instrument_id"],
                start_at=local("2026-12-03 09:00"),
                end_at=local("2026-12-03 12:00"),
                reason="内部原因 internal reason",
            )
        )
        db.session.commit()
    response = client.get(f"/feeds/instruments/{lab['instrument_id']}/busy.ics")
    assert response.status_code == 200
    assert "public" in response.headers["Cache-Control"]
    text = response.data.decode()
    for secret in (
        "李小红",
        "机密项目",
        "secret purpose",
        lab["alice_enterprise"],
        "内部原因",
        "internal reason",
        "enterprise",
    ):
        assert secret not in text
    _, events = parse_both(response.data)
    busy = [e for e in events.values() if e.summary == "已预约"]
    assert len(busy) == 1 and busy[0].start == local("2026-12-02 10:00") and busy[0].description == ""
    assert str(booking["id"]) in busy[0].uid
    assert any(e.summary == "维护" for e in events.values())
    english = parse_both(client.get(f"/feeds/instruments/{lab['instrument_id']}/busy.ics?lang=en").data)[1]
    assert {e.summary for e in english.values()} == {"Booked", "Maintenance"}
    assert client.get("/feeds/instruments/999999/busy.ics").status_code == 404


def test_feed_token_api_needs_credentials(client, lab):
    response = client.post("/api/v1/me/feed-token")
    assert response.status_code == 401
    assert response.get_json()["errors"][0]["code"]
