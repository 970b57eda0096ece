"""The single-booking iCalendar file: the same event as the feeds (UTC times, status, revision,
words, location and the link back), parsed with icalendar and vobject."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from icalendar import Calendar

from bwq_lab.feeds.ics import booking_calendar
from bwq_lab.models import Booking, BookingEvent, Instrument, Provider
from tests.conftest import local


def booking(booking_id: int, status: str, start: str, *, events: int = 1, purpose: str = "SEM imaging") -> Booking:
    provider = Provider(name="浙江大学分析测试中心", name_en="ZJU Analysis Centre", address="杭州市西湖区余杭塘路866号")
    instrument = Instrument(name="场发射扫描电子显微镜", name_en="FE-SEM", location="A楼 101", provider=provider)
    begin = local(start)
    return Booking(
        id=booking_id,
        instrument=instrument,
        status=status,
        start_at=begin,
        end_at=begin + timedelta(minutes=90),
        purpose=purpose,
        created_at=datetime(2026, 11, 30, 2, 0, tzinfo=UTC),
        updated_at=datetime(2026, 12, 1, 3, 4, 5, tzinfo=UTC),
        sequence=events - 1,
        events=[BookingEvent(action="created") for _ in range(events)],
    )


@pytest.fixture(autouse=True)
def _app_context(app):
    """Words (status names) come from the app's catalogue, in the feed's language; links from the
    request's address (http://localhost/)."""
    with app.test_request_context():
        yield


def events_of(data: bytes):
    return {str(e["UID"]): e for e in Calendar.from_ical(data).walk("VEVENT")}


def test_each_booking_becomes_one_event_in_utc():
    data = booking_calendar([booking(7, "approved", "2026-12-02 10:00", events=3)], "Asia/Shanghai")
    event = events_of(data)["booking-7@bwq-lab"]
    assert b"DTSTART:20261202T020000Z" in data and b"DTEND:20261202T033000Z" in data
    assert event.decoded("DTSTART") == local("2026-12-02 10:00")
    assert str(event["SUMMARY"]) == "场发射扫描电子显微镜（已批准）"
    assert "A楼 101" in str(event["LOCATION"]) and "浙江大学分析测试中心" in str(event["LOCATION"])
    assert str(event["DESCRIPTION"]) == "SEM imaging\n状态：已批准\n预约详情：http://localhost/bookings/7"
    assert str(event["URL"]) == "http://localhost/bookings/7"
    assert str(event["STATUS"]) == "CONFIRMED"
    assert event.decoded("LAST-MODIFIED") == datetime(2026, 12, 1, 3, 4, 5, tzinfo=UTC)
    assert int(event["SEQUENCE"]) == 2  # the booking's revision: two changes after its creation
    assert b"X-WR-TIMEZONE:Asia/Shanghai" in data


def test_status_maps_to_tentative_confirmed_or_cancelled():
    bookings = [
        booking(1, "pending", "2026-12-02 10:00"),
        booking(2, "cancelled", "2026-12-03 10:00", events=2),
        booking(3, "rejected", "2026-12-04 10:00"),
        booking(4, "completed", "2026-12-05 10:00"),
        booking(5, "no_show", "2026-12-06 10:00"),
    ]
    events = events_of(booking_calendar(bookings, "Asia/Shanghai", locale="en"))
    statuses = {uid: str(e["STATUS"]) for uid, e in events.items()}
    assert statuses == {
        "booking-1@bwq-lab": "TENTATIVE",
        "booking-2@bwq-lab": "CANCELLED",
        "booking-3@bwq-lab": "CANCELLED",
        "booking-4@bwq-lab": "CONFIRMED",
        "booking-5@bwq-lab": "CANCELLED",  # a missed session is no longer in anyone's day
    }
    assert str(events["booking-1@bwq-lab"]["SUMMARY"]) == "FE-SEM (awaiting approval)"
    assert int(events["booking-2@bwq-lab"]["SEQUENCE"]) == 1


def test_an_empty_purpose_leaves_status_and_link_only():
    event = events_of(booking_calendar([booking(9, "approved", "2026-12-02 10:00", purpose="")], "Asia/Shanghai"))
    assert str(event["booking-9@bwq-lab"]["DESCRIPTION"]) == "状态：已批准\n预约详情：http://localhost/bookings/9"


def test_both_parsers_read_the_file():
    from tests.feeds.conftest import parse_both

    _, events = parse_both(booking_calendar([booking(7, "approved", "2026-12-02 10:00", events=3)], "Asia/Shanghai"))
    assert events["booking-7@bwq-lab"].summary == "场发射扫描电子显微镜（已批准）"
