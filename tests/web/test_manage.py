import io
import os
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from bwq_lab.extensions import db
from bwq_lab.models import Instrument, LabService


def _image(kind: str = "PNG", size=(8, 6), **save) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, kind, **save)
    return out.getvalue()


PNG = _image("PNG")


def form(**overrides):
    data = {
        "name": "X射线衍射仪",
        "name_en": "X-ray diffractometer",
        "model": "D8 Advance",
        "manufacturer": "Bruker",
        "category": "xray_diffraction",
        "capabilities": "物相分析",
        "location": "B楼 203",
        "description": "",
        "status": "active",
        "price_internal": "150",
        "price_external": "300.50",
        "voucher_eligible": "y",
        "opening_hours": "周一至周五 08:30-12:00，13:30-17:30；Sat 09:00-12:00",
        "slot_minutes": "30",
        "min_minutes": "30",
        "max_minutes": "240",
        "buffer_minutes": "15",
        "min_notice_minutes": "120",
        "max_days_ahead": "60",
        "approval_required": "y",
        "weekly_quota_hours": "10",
        "monthly_quota_hours": "",
        "max_future_bookings": "3",
        "cancel_deadline_hours": "24",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


@pytest.fixture
def within(app):
    """Run a function in its own app context; rows come back detached with their columns loaded,
    so requests get fresh contexts (their own session, locale and user) as in production."""

    def run(fn, *args, **kwargs):
        with app.app_context():
            result = fn(*args, **kwargs)
            if isinstance(result, db.Model):
                db.session.refresh(result)
                db.session.expunge(result)
            return result

    return run


@pytest.fixture
def count(within):
    return lambda model: within(lambda: db.session.execute(select(func.count(model.id))).scalar_one())


@pytest.fixture
def only(within):
    """The one row of a model."""
    return lambda model: within(lambda: db.session.execute(select(model)).scalar_one())


@pytest.fixture
def manager(within, create_user, login):
    user = within(create_user, "manager")
    login(user)
    return user


def provider_of(user):
    return SimpleNamespace(id=user.provider_id)


def test_manager_creates_instrument_with_fen_and_opening_hours(chinese_browser, client, manager, post_form, only):
    response = post_form("/manage/instruments/new", form())
    assert response.status_code == 302, response.get_data(as_text=True)
    instrument = only(Instrument)
    assert instrument.provider_id == manager.provider_id
    assert (instrument.price_internal_fen, instrument.price_external_fen) == (15000, 30050)
    assert instrument.opening_hours == sorted(
        [[d, "08:30", "12:00"] for d in range(5)] + [[d, "13:30", "17:30"] for d in range(5)] + [[5, "09:00", "12:00"]]
    )
    assert instrument.weekly_quota_minutes == 600 and instrument.monthly_quota_minutes is None
    assert instrument.qualification_required is False and instrument.voucher_eligible is True
    listing = client.get("/manage/instruments").get_data(as_text=True)
    assert "X射线衍射仪" in listing and "300.50" in listing


def test_manager_edits_instrument_and_form_shows_current_values(
    client, manager, within, create_instrument, post_form, only
):
    instrument = within(
        create_instrument,
        provider=provider_of(manager),
        opening_hours=[[0, "09:00", "10:00"]],
        price_internal_fen=12345,
    )
    page = client.get(f"/manage/instruments/{instrument.id}/edit", headers={"Accept-Language": "en"}).get_data(
        as_text=True
    )
    assert "Mon 09:00-10:00" in page and 'value="123.45"' in page
    response = post_form(
        f"/manage/instruments/{instrument.id}/edit",
        form(name="新名字", status="maintenance", opening_hours="Tue 10:00-11:00", monthly_quota_hours="1.5"),
    )
    assert response.status_code == 302
    instrument = only(Instrument)
    assert (instrument.name, instrument.status) == ("新名字", "maintenance")
    assert instrument.opening_hours == [[1, "10:00", "11:00"]]
    assert instrument.monthly_quota_minutes == 90


def test_bad_form_shows_errors_next_to_fields_and_saves_nothing(client, manager, post_form, count):
    response = post_form(
        "/manage/instruments/new",
        form(min_minutes="240", max_minutes="60", opening_hours="Funday 25:00-26:00", price_external="abc"),
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    # the form's own check (price) and the rule checks (hours, durations) all show at once
    assert "Enter an amount in yuan" in page
    assert "Unknown day: “Funday”" in page
    assert "must not be shorter than the shortest" in page
    assert count(Instrument) == 0
    # the form-level check passes but the rule check fails: still nothing saved
    response = post_form("/manage/instruments/new", form(min_minutes="240", max_minutes="60"))
    assert response.status_code == 200
    assert "has-error" in response.get_data(as_text=True)
    assert count(Instrument) == 0


def test_manager_cannot_edit_another_providers_instrument(
    client, manager, within, create_instrument, create_provider, post_form, only
):
    other = within(lambda: create_instrument(provider=create_provider(name="别家中心")))
    assert client.get(f"/manage/instruments/{other.id}/edit").status_code in (403, 404)
    response = post_form(f"/manage/instruments/{other.id}/edit", form(name="篡改"))
    assert response.status_code in (403, 404)
    assert only(Instrument).name != "篡改"
    assert client.get("/manage/instruments/999999/edit").status_code == 404


def test_enterprise_user_gets_403_and_anonymous_is_sent_to_login(client, within, create_user, login):
    assert client.get("/manage/instruments").status_code in (302, 303)
    login(within(create_user, "enterprise"))
    assert client.get("/manage/instruments").status_code == 403
    assert client.get("/manage/services").status_code == 403


def test_photo_upload_is_stored_outside_static(client, app, manager, post_form, only):
    data = form(photo=(io.BytesIO(PNG), "scope.png"))
    response = post_form("/manage/instruments/new", data, content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    instrument = only(Instrument)
    assert instrument.photo_path.startswith("instruments/") and instrument.photo_path.endswith(".png")
    stored = os.path.join(app.config["UPLOAD_FOLDER"], instrument.photo_path)
    assert os.path.isfile(stored)
    assert not os.path.abspath(stored).startswith(os.path.abspath(app.static_folder))
    served = client.get(f"/instruments/{instrument.id}/photo")
    assert served.status_code == 200 and served.data.startswith(b"\x89PNG")


def test_jpeg_header_followed_by_html_is_stored_as_a_clean_jpeg(client, app, manager, post_form, only):
    """Finding 9: a JPEG with HTML after it, and with EXIF (GPS), is kept only as re-encoded pixels."""
    from PIL import Image

    exif = Image.Exif()
    exif[0x010F] = "SpyCam Inc."  # Make
    polyglot = _image("JPEG", exif=exif.tobytes()) + b"<html><script>alert(document.cookie)</script></html>"
    data = form(photo=(io.BytesIO(polyglot), "scope.jpg"))
    assert post_form("/manage/instruments/new", data, content_type="multipart/form-data").status_code == 302
    served = client.get(f"/instruments/{only(Instrument).id}/photo")
    assert served.data.startswith(b"\xff\xd8\xff") and b"<script" not in served.data
    assert b"SpyCam" not in served.data
    assert Image.open(io.BytesIO(served.data)).getexif() == {}
    assert served.headers["X-Content-Type-Options"] == "nosniff"


def test_image_with_too_many_pixels_is_refused_before_decoding(client, manager, post_form, count):
    import struct
    import zlib

    # a valid PNG header claiming 20000 x 20000 pixels (400 megapixels) with almost no data
    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    bomb = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 20000, 20000, 8, 2, 0, 0, 0))
    bomb += chunk(b"IDAT", zlib.compress(b"\x00" * 1000)) + chunk(b"IEND", b"")
    response = post_form("/manage/instruments/new", form(photo=(io.BytesIO(bomb), "big.png")),
                         content_type="multipart/form-data")  # fmt: skip
    assert response.status_code == 200 and "too many pixels" in response.get_data(as_text=True)
    assert count(Instrument) == 0


def test_photo_that_is_not_an_image_is_refused(client, manager, post_form, count):
    data = form(photo=(io.BytesIO(b"<script>alert(1)</script>"), "evil.png"))
    response = post_form("/manage/instruments/new", data, content_type="multipart/form-data")
    assert response.status_code == 200
    assert "PNG, JPEG or WebP" in response.get_data(as_text=True)
    assert count(Instrument) == 0


def test_manager_creates_and_edits_service(client, manager, post_form, within, only, create_service, create_provider):
    data = {
        "name": "材料成分分析",
        "name_en": "Composition analysis",
        "kind": "testing_analysis",
        "unit": "sample",
        "price_internal": "60",
        "price_external": "88.8",
        "turnaround_days": "5",
        "min_samples": "1",
        "max_samples": "20",
        "daily_capacity": "8",
        "working_weekdays": ["0", "1", "2", "3", "4", "5"],
        "sample_requirements": "5 g powder",
        "status": "active",
        "voucher_eligible": "y",
    }
    assert post_form("/manage/services/new", data).status_code == 302
    service = only(LabService)
    assert (service.price_internal_fen, service.price_external_fen, service.provider_id) == (
        6000,
        8880,
        manager.provider_id,
    )
    assert (service.daily_capacity, service.max_samples, service.working_weekdays) == (8, 20, [0, 1, 2, 3, 4, 5])
    assert service.sample_requirements == "5 g powder" and not service.hazardous_accepted
    assert post_form(f"/manage/services/{service.id}/edit", dict(data, price_external="-1")).status_code == 200
    page = post_form(f"/manage/services/{service.id}/edit", dict(data, min_samples="30"))
    assert page.status_code == 200 and "smallest" in page.get_data(as_text=True)
    assert only(LabService).price_external_fen == 8880 and only(LabService).min_samples == 1
    other = within(lambda: create_service(provider=create_provider(name="别家")))
    assert post_form(f"/manage/services/{other.id}/edit", data).status_code in (403, 404)


def test_manager_names_an_explicit_slot_anchor(client, manager, post_form, only, count, frozen_clock):
    response = post_form(
        "/manage/instruments/new",
        form(slot_minutes="60", min_minutes="60", opening_hours="Mon-Fri 08:30-12:00", slot_anchor="25:00"),
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 200 and "A time such as 09:00." in response.get_data(as_text=True)
    assert count(Instrument) == 0
    response = post_form(
        "/manage/instruments/new",
        form(slot_minutes="60", min_minutes="60", opening_hours="Mon-Fri 08:30-12:00", slot_anchor="09:00"),
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    instrument = only(Instrument)
    assert instrument.slot_anchor == "09:00"
    page = client.get(f"/manage/instruments/{instrument.id}/edit").get_data(as_text=True)
    assert 'name="slot_anchor"' in page and 'value="09:00"' in page
    page = client.get(f"/instruments/{instrument.id}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Time slots are counted from 09:00." in page
    # the week offers the anchored grid: Wednesday from 09:00, not the opening's 08:30; a time
    # input steps in whole hours from midnight, which 09:00 is on
    week = client.get(f"/instruments/{instrument.id}/book?week=2026-11-30").get_data(as_text=True)
    assert 'data-date="2026-12-02" data-start="09:00"' in week
    assert 'data-date="2026-12-02" data-start="08:30"' not in week
    assert 'step="3600"' in week
    # without an anchor the step lets 08:30 be typed
    post_form(f"/manage/instruments/{instrument.id}/edit", form(slot_minutes="60", min_minutes="60",
              opening_hours="Mon-Fri 08:30-12:00", slot_anchor=""))  # fmt: skip
    assert only(Instrument).slot_anchor is None
    assert 'step="1800"' in client.get(f"/instruments/{instrument.id}/book").get_data(as_text=True)
