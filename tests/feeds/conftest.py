"""Feed fixtures: a lab with a manager and two enterprise users, and two independent parsers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import pytest
import vobject
from icalendar import Calendar


@dataclass
class Parsed:
    uid: str
    summary: str
    status: str
    sequence: int
    start: datetime | date
    end: datetime | date
    description: str
    location: str
    url: str


def parse_both(data: bytes) -> tuple[dict, dict[str, Parsed]]:
    """Parse a feed with ``icalendar`` and with ``vobject`` (an independent parser), check they
    read the same events, and return the calendar's properties and the events by UID."""
    assert isinstance(data, bytes)
    text = data.decode("utf-8")
    assert "\n" not in text.replace("\r\n", ""), "every line ends in CRLF"
    for line in text.split("\r\n"):
        assert len(line.encode()) <= 75, f"line longer than 75 octets: {line!r}"

    calendar = Calendar.from_ical(data)
    first = {}
    for e in calendar.walk("VEVENT"):
        uid = str(e["UID"])
        assert uid not in first, f"UID {uid} twice"
        first[uid] = Parsed(
            uid=uid,
            summary=str(e.get("SUMMARY", "")),
            status=str(e.get("STATUS", "")),
            sequence=int(e.get("SEQUENCE", 0)),
            start=e.decoded("DTSTART"),
            end=e.decoded("DTEND"),
            description=str(e.get("DESCRIPTION", "")),
            location=str(e.get("LOCATION", "")),
            url=str(e.get("URL", "")),
        )
        assert e.decoded("DTSTAMP") is not None and e.decoded("LAST-MODIFIED") is not None

    second = {}
    parsed = vobject.readOne(text)
    for e in getattr(parsed, "vevent_list", []):
        contents = e.contents
        uid = e.uid.value

        def value(name, contents=contents):
            return contents[name][0].value if name in contents else ""

        second[uid] = Parsed(
            uid=uid,
            summary=value("summary"),
            status=value("status"),
            sequence=int(value("sequence") or 0),
            start=e.dtstart.value,
            end=e.dtend.value,
            description=value("description"),
            location=value("location"),
            url=value("url"),
        )
    assert first == second, "icalendar and vobject read the feed differently"
    properties = {str(k): str(v) for k, v in calendar.items()}
    return properties, first


@pytest.fixture
def lab(app, frozen_clock, create_instrument, create_user, create_provider, token_for):
    """An instrument needing approval, its manager, a second instrument of the same provider, and
    two enterprise users with API tokens."""
    from bwq_lab.extensions import db

    with app.app_context():
        provider = create_provider(address="杭州市西湖区余杭塘路866号")
        first = create_instrument(provider=provider, approval_required=True, location="A楼 101")
        second = create_instrument(provider=provider, name="X射线衍射仪", name_en="X-ray diffractometer")
        manager = create_user("manager", provider_id=provider.id, manages_all=False, locale="zh", name="王经理")
        manager.instruments.extend([first, second])
        alice = create_user("enterprise", name="李小红", locale="zh")
        bob = create_user("enterprise", name="Bob Smith")
        db.session.commit()
        out = {
            "instrument_id": first.id,
            "second_id": second.id,
            "provider_id": provider.id,
            "manager_id": manager.id,
            "alice_id": alice.id,
            "bob_id": bob.id,
            "alice_enterprise": alice.enterprise.name,
            "manager": token_for(manager),
            "alice": token_for(alice),
            "bob": token_for(bob),
        }
        db.session.expunge_all()
    return out


@pytest.fixture
def book(client, lab):
    """Book through the API as someone: returns the booking's JSON."""

    def make(
        who: str = "alice", start: str = "2026-12-02T10:00:00+08:00", end: str = "2026-12-02T11:00:00+08:00", **extra
    ):
        body = {
            "instrument_id": extra.pop("instrument_id", lab["instrument_id"]),
            "start": start,
            "end": end,
            "purpose": extra.pop("purpose", "扫描电镜观察涂层；SEM imaging, coatings"),
        }
        body.update(extra)
        response = client.post("/api/v1/bookings", json=body, headers=lab[who])
        assert response.status_code == 201, response.get_json()
        return response.get_json()

    return make


@pytest.fixture
def feed_urls(client, lab):
    """New feed URLs for someone, through the API: ``{"mine": ..., "manager": ...}``."""

    def make(who: str = "alice") -> dict:
        response = client.post("/api/v1/me/feed-token", headers=lab[who])
        assert response.status_code == 200, response.get_json()
        return response.get_json()["urls"]

    return make


def path_of(url: str) -> str:
    from urllib.parse import urlsplit

    return urlsplit(url).path
