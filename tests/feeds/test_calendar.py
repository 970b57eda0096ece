"""The VEVENT text writer says exactly what icalendar's object model says (no app needed)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from icalendar import Calendar, Event

from bwq_lab.feeds.calendar import EventCache, FeedEvent, build_calendar, calendar_head, event_text
from tests.feeds.conftest import parse_both

STAMP = datetime(2026, 12, 1, 3, 4, 5, tzinfo=UTC)

EVENTS = [
    FeedEvent(
        uid="booking-7@bwq-lab",
        sequence=3,
        start=datetime(2026, 12, 2, 2, 0, tzinfo=UTC),
        end=datetime(2026, 12, 2, 3, 30, tzinfo=UTC),
        summary="场发射扫描电子显微镜（已批准）",
        status="CONFIRMED",
        changed=STAMP,
        created=STAMP - timedelta(days=1),
        location="浙江大学分析测试中心, 杭州市西湖区余杭塘路866号, A楼 101 " * 3,
        description="用途：涂层；截面 \\ backslash, comma; semicolon\n第二行 second line\r\nthird 😀 emoji",
        url="https://lab.example.edu.cn/bookings/7",
    ),
    FeedEvent(
        uid="order-3-due@bwq-lab",
        sequence=0,
        start=date(2026, 12, 9),
        end=date(2026, 12, 10),
        summary="材料成分检测 预计完成",
        status="TENTATIVE",
        changed=STAMP,
        transparent=True,
    ),
    FeedEvent(
        uid="booking-8@bwq-lab",
        sequence=1,
        start=datetime(2026, 12, 3, 2, 0, tzinfo=UTC),
        end=datetime(2026, 12, 3, 3, 0, tzinfo=UTC),
        summary="Cancelled",
        status="CANCELLED",
        changed=STAMP,
        transparent=True,
    ),
]


def library_event(e: FeedEvent) -> Event:
    event = Event()
    event.add("uid", e.uid)
    event.add("dtstamp", e.changed)
    event.add("dtstart", e.start)
    event.add("dtend", e.end)
    event.add("sequence", e.sequence)
    event.add("status", e.status)
    event.add("summary", e.summary)
    if e.location:
        event.add("location", e.location)
    if e.description:
        event.add("description", e.description)
    if e.url:
        event.add("url", e.url)
    if e.created:
        event.add("created", e.created)
    event.add("last-modified", e.changed)
    event.add("transp", "TRANSPARENT" if e.transparent else "OPAQUE")
    return event


def as_dict(component) -> dict:
    return {str(k): component.decoded(k) for k in component}


@pytest.mark.parametrize("event", EVENTS, ids=lambda e: e.uid)
def test_text_reads_back_as_the_library_writes_it(event):
    ours = Calendar.from_ical(event_text(event).encode())
    theirs = Calendar.from_ical(library_event(event).to_ical())
    assert as_dict(ours) == as_dict(theirs)


def test_whole_document_parses_with_both_parsers_and_keeps_chinese():
    data = build_calendar(calendar_head("BWQ Lab：我的预约", "Asia/Shanghai"), EVENTS)
    assert data.startswith(b"BEGIN:VCALENDAR\r\n") and data.endswith(b"END:VCALENDAR\r\n")
    calendar, events = parse_both(data)  # also checks CRLF and 75-octet lines
    assert calendar["X-WR-CALNAME"] == "BWQ Lab：我的预约"
    assert calendar["X-WR-TIMEZONE"] == "Asia/Shanghai"
    first = events["booking-7@bwq-lab"]
    assert first.description == EVENTS[0].description.replace("\r\n", "\n")
    assert first.location == EVENTS[0].location
    assert events["order-3-due@bwq-lab"].start == date(2026, 12, 9)
    assert b"DTSTART;VALUE=DATE:20261209\r\n" in data
    assert events["booking-8@bwq-lab"].status == "CANCELLED"


def test_folding_never_splits_a_character():
    text = event_text(EVENTS[0])
    for line in text.split("\r\n"):
        assert len(line.encode()) <= 75
        line.encode().decode()  # every physical line is valid UTF-8 on its own


def test_cache_serves_the_same_bytes_and_builds_only_on_a_miss():
    cache = EventCache(size=2)
    built = []

    def item(e):
        def make():
            built.append(e.uid)
            return e

        return (e.uid, e.sequence), make

    head = calendar_head("x", "UTC")
    first = build_calendar(head, [item(e) for e in EVENTS[:2]], cache)
    second = build_calendar(head, [item(e) for e in EVENTS[:2]], cache)
    assert first == second
    assert built == ["booking-7@bwq-lab", "order-3-due@bwq-lab"]
    build_calendar(head, [item(EVENTS[2])], cache)  # evicts the least recently used
    build_calendar(head, [item(EVENTS[0])], cache)
    assert built[-1] == "booking-7@bwq-lab" and len(built) == 4
