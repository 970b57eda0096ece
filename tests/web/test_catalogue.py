import re
from types import SimpleNamespace

import pytest

EN = {"Accept-Language": "en"}
ZH = {"Accept-Language": "zh-CN"}


@pytest.fixture
def within(app):
    """Run a factory in its own app context and return detached, loaded rows: requests then get
    fresh contexts (their own session, locale and user), as in production."""
    from bwq_lab.extensions import db

    def run(fn, *args, **kwargs):
        with app.app_context():
            result = fn(*args, **kwargs)
            if isinstance(result, db.Model):
                db.session.refresh(result)
                db.session.expunge(result)
            return result

    return run


def text(response) -> str:
    return response.get_data(as_text=True)


@pytest.fixture
def sem(within, create_instrument):
    return within(
        create_instrument,
        opening_hours=[[d, "08:30", "12:00"] for d in range(5)] + [[5, "09:00", "12:00"]],
        slot_minutes=30,
        min_minutes=60,
        max_minutes=240,
        min_notice_minutes=1440,
        max_days_ahead=45,
        approval_required=True,
        qualification_required=True,
        weekly_quota_minutes=600,
        voucher_eligible=True,
        location="A楼 101",
    )


@pytest.fixture
def lcms(within, create_instrument, create_provider, city):
    def make():
        provider = create_provider(name="宁波材料所", name_en="Ningbo Institute of Materials", city=city("宁波"))
        return create_instrument(
            provider=provider, name="液相色谱质谱联用仪", name_en="LC-MS", category="mass_spectrometry"
        )

    return within(make)


@pytest.fixture
def ningbo(within, city):
    return within(city, "宁波").id


@pytest.mark.parametrize("q", ["电子显微镜", "electron"])
def test_instrument_search_in_chinese_and_english(client, sem, lcms, q):
    page = text(client.get("/instruments", query_string={"q": q}, headers=EN))
    assert "Field-emission scanning electron microscope" in page
    assert "LC-MS" not in page
    assert "1 instruments found" in page


def test_instrument_search_by_category_label_and_filters(client, sem, lcms, ningbo):
    page = text(client.get("/instruments", query_string={"q": "质谱"}, headers=EN))
    assert "LC-MS" in page and "scanning electron" not in page
    page = text(client.get("/instruments", query_string={"city": ningbo}, headers=EN))
    assert "LC-MS" in page and "scanning electron" not in page
    page = text(client.get("/instruments", query_string={"category": "electron_microscopy"}, headers=EN))
    assert "LC-MS" not in page and "scanning electron" in page


def test_result_cards_show_price_provider_city_and_voucher(client, sem):
    page = text(client.get("/instruments", headers=ZH))
    assert "400.00" in page  # external price per hour, 40000 fen
    assert "浙江大学分析测试中心" in page and "杭州" in page
    assert "Vouchers accepted" in page or "创新券" in page


def test_pagination(client, within, create_provider, create_instrument, app):
    provider = within(create_provider)
    for n in range(app.config["PER_PAGE"] + 3):
        within(create_instrument, provider=provider, name=f"仪器{n:02d}", name_en="")
    first = text(client.get("/instruments", headers=EN))
    second = text(client.get("/instruments?page=2", headers=EN))
    assert "仪器00" in first and "仪器03" not in second
    assert "仪器22" in second and "仪器22" not in first
    assert "Page 2 of 2" in second
    assert client.get("/instruments?page=abc").status_code == 200


def test_retired_is_hidden_and_its_page_is_404(client, within, create_instrument):
    retired = within(create_instrument, name="旧显微镜", status="retired")
    assert "旧显微镜" not in text(client.get("/instruments"))
    assert client.get(f"/instruments/{retired.id}").status_code == 404
    assert client.get("/instruments/999999").status_code == 404
    # nor can its week be read or booked (the booking page reads it on its own)
    for path in (f"/instruments/{retired.id}/book", "/instruments/999999/book"):
        page = client.get(path, headers=EN)
        assert page.status_code == 404 and "No such instrument" in text(page)
    assert (
        client.get(
            f"/api/v1/instruments/{retired.id}/availability?from=2026-12-01T00:00:00%2B08:00&to=2026-12-08T00:00:00%2B08:00"
        ).status_code
        == 404
    )


def test_detail_page_tells_the_rules_in_words(client, sem):
    page = text(client.get(f"/instruments/{sem.id}", headers=EN))
    assert "Mon-Fri 08:30-12:00; Sat 09:00-12:00" in page
    assert "30 min grid" in page
    assert "from 1 h to 4 h" in page
    assert "at least 24 h in advance" in page
    assert "up to 45 days ahead" in page
    assert "approves each request" in page
    assert "qualification" in page
    assert "at most 10 h per week" in page
    assert "Innovation vouchers can pay for it" in page
    assert "200.00" in page and "400.00" in page  # internal and external per hour
    assert "A楼 101" in page
    assert 'class="breadcrumbs"' in page


def test_detail_page_in_chinese(client, sem):
    page = text(client.get(f"/instruments/{sem.id}", headers=ZH))
    assert "周一至周五 08:30-12:00；周六 09:00-12:00" in page
    assert "场发射扫描电子显微镜" in page


def test_detail_without_opening_hours_is_open_around_the_clock(client, within, create_instrument):
    inst = within(create_instrument, opening_hours=[], approval_required=False, voucher_eligible=False)
    page = text(client.get(f"/instruments/{inst.id}", headers=EN))
    assert "Open around the clock" in page
    assert "confirmed at once" in page
    assert "cannot be used" in page


def test_photo_served_from_upload_folder(client, app, within, create_instrument):
    import os

    folder = app.config["UPLOAD_FOLDER"]
    os.makedirs(os.path.join(folder, "instruments"), exist_ok=True)
    with open(os.path.join(folder, "instruments", "abc.png"), "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + b"0" * 20)
    inst = within(create_instrument, photo_path="instruments/abc.png")
    page = text(client.get(f"/instruments/{inst.id}"))
    assert f"/instruments/{inst.id}/photo" in page
    photo = client.get(f"/instruments/{inst.id}/photo")
    assert photo.status_code == 200 and photo.data.startswith(b"\x89PNG")
    bare = within(create_instrument, name="无图")
    assert client.get(f"/instruments/{bare.id}/photo").status_code == 404
    traversal = within(create_instrument, photo_path="../secret_key")
    assert client.get(f"/instruments/{traversal.id}/photo").status_code == 404


def test_services_list_and_detail(client, within, create_service):
    service = within(create_service, turnaround_days=5, unit="sample")
    within(create_service, name="停用的服务", status="retired")
    page = text(client.get("/services", query_string={"q": "composition"}, headers=EN))
    assert "Material composition testing" in page and "停用" not in page
    detail = text(client.get(f"/services/{service.id}", headers=EN))
    assert "500.00" in detail and "5 working days" in detail and "Testing &amp; analysis" in detail
    assert client.get("/services/999999").status_code == 404


def test_providers_list_and_detail(client, within, sem, lcms, create_service):
    within(create_service, provider=SimpleNamespace(id=sem.provider_id))
    listing = text(client.get("/providers", headers=EN))
    assert "Ningbo Institute of Materials" in listing
    assert "1 instruments, 1 lab services" in listing
    detail = text(client.get(f"/providers/{sem.provider_id}", headers=EN))
    assert "Field-emission scanning electron microscope" in detail and "LC-MS" not in detail
    assert "Material composition testing" in detail
    assert client.get("/providers/999999").status_code == 404


def test_home_page_has_search_tiles_and_counts(client, sem, lcms):
    page = text(client.get("/", headers=EN))
    assert 'action="/instruments"' in page and 'name="q"' in page
    assert "/instruments?category=mass_spectrometry" in page
    assert re.search(r"<strong>2</strong>\s*instruments", page)
