"""Search that finds what people mean: abbreviations, synonyms, makers in both languages,
ranked by where the words matched; providers by city then pinyin. Runs on SQLite (FTS5) and
PostgreSQL (tsvector columns under a GIN index) alike; lab services rank the same way."""

from __future__ import annotations

import pytest

from bwq_lab.operations import catalogue as ops


@pytest.fixture
def ctx(app):
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        yield


def _names(page):
    return [i.name for i in page.items]


@pytest.fixture
def lab(create_instrument, create_provider, city):
    hz = create_provider()
    nb = create_provider(name="宁波材料所", name_en="Ningbo Institute of Materials", city=city("宁波"))
    make = create_instrument
    return {
        "sem": make(provider=hz),  # 场发射扫描电子显微镜, Hitachi SU8010
        "zeiss": make(
            provider=nb,
            name="场发射扫描电子显微镜 ",
            name_en="Field-emission SEM",
            model="Gemini 300",
            manufacturer="ZEISS",
        ),
        "tem": make(
            provider=hz,
            name="透射电子显微镜",
            name_en="Transmission electron microscope",
            model="JEM-2100F",
            manufacturer="JEOL",
            capabilities="高分辨晶格像",
        ),
        "coater": make(
            provider=hz,
            name="离子溅射镀膜仪",
            name_en="Sputter coater",
            model="Q150R",
            manufacturer="Quorum",
            category="materials_processing",
            capabilities="SEM 样品喷金制备",
        ),
        "chamber": make(
            provider=hz,
            name="3米法电波暗室",
            name_en="3 m semi-anechoic chamber",
            model="SAC-3",
            manufacturer="ETS-Lindgren",
            category="emc",
            capabilities="辐射发射",
        ),
        "nmr": make(
            provider=nb,
            name="400MHz 核磁共振波谱仪",
            name_en="400 MHz NMR spectrometer",
            model="AVANCE NEO 400",
            manufacturer="Bruker",
            category="nmr",
            capabilities="1H 13C",
        ),
        "lcms": make(
            provider=hz,
            name="液相色谱-质谱联用仪",
            name_en="Liquid chromatography–mass spectrometer",
            model="6546 Q-TOF",
            manufacturer="Agilent",
            category="mass_spectrometry",
            capabilities="LC-MS, accurate mass",
        ),
        "gc": make(
            provider=nb,
            name="气相色谱仪",
            name_en="Gas chromatograph",
            model="GC-2030",
            manufacturer="Shimadzu",
            category="chromatography",
            capabilities="残留溶剂",
        ),
        "retired": make(provider=hz, name="旧扫描电镜", manufacturer="Hitachi", status="retired"),
    }


def _ids(page):
    return {i.id for i in page.items}


def _want(lab, *keys):
    return {lab[k].id for k in keys}


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("电镜", ("sem", "zeiss", "tem", "coater")),  # the coater prepares SEM samples
        ("透射电镜", ("tem",)),
        ("扫描电镜", ("sem", "zeiss", "coater")),
        ("TEM", ("tem",)),
        ("核磁", ("nmr",)),
        ("NMR", ("nmr",)),
        ("液质", ("lcms",)),
        ("LC-MS", ("lcms",)),
        ("气相", ("gc",)),
        ("蔡司", ("zeiss",)),
        ("Zeiss", ("zeiss",)),
        ("日立", ("sem",)),
        ("日本电子", ("tem",)),
        ("布鲁克", ("nmr",)),
        ("岛津", ("gc",)),
        ("安捷伦", ("lcms",)),
        ("蔡司电镜", ("zeiss",)),
        ("宁波 电镜", ("zeiss",)),
    ],
)
def test_search_understands_what_people_mean(ctx, lab, q, expected):
    assert _ids(ops.search_instruments(q=q, per_page=50)) == _want(lab, *expected)


def test_sem_ranks_by_where_it_matched_and_skips_semi_anechoic(ctx, lab):
    names = _names(ops.search_instruments(q="SEM"))
    assert "3米法电波暗室" not in names
    # name matches (both SEMs: one names "SEM" as typed, in English) before the coater whose capabilities mention it
    assert names[-1] == "离子溅射镀膜仪"
    assert names[0] == "场发射扫描电子显微镜 "  # "SEM" as typed in its name beats a synonym


def test_retired_instruments_never_match(ctx, lab):
    assert lab["retired"].id not in _ids(ops.search_instruments(q="扫描电镜", per_page=50))


def test_sort_by_city_puts_the_nearest_first(ctx, lab, city):
    ningbo = city("宁波")
    page = ops.search_instruments(q="电镜", sort="city", near_city_id=ningbo.id)
    assert [i.provider.city_id for i in page.items][0] == ningbo.id
    hangzhou = city("杭州")
    page = ops.search_instruments(q="电镜", sort="city", near_city_id=hangzhou.id)
    assert page.items[0].provider.city_id == hangzhou.id
    # without a query too
    page = ops.search_instruments(sort="city", near_city_id=ningbo.id, per_page=50)
    cities = [i.provider.city_id for i in page.items]
    assert cities == sorted(cities, key=lambda c: c != ningbo.id)


def test_search_edits_are_searchable_at_once(ctx, lab):
    from bwq_lab.extensions import db

    lab["gc"].manufacturer = "Agilent"
    db.session.commit()
    assert _ids(ops.search_instruments(q="安捷伦")) == _want(lab, "lcms", "gc")
    lab["gc"].provider.name = "绍兴检测院"
    db.session.commit()
    assert _ids(ops.search_instruments(q="绍兴检测")) == _want(lab, "nmr", "zeiss", "gc")


def test_pagination_counts_every_match(ctx, lab):
    page = ops.search_instruments(q="电镜", per_page=3)
    assert page.total == 4 and len(page.items) == 3
    second = ops.search_instruments(q="电镜", per_page=3, page=2)
    assert len(second.items) == 1 and not (_ids(page) & _ids(second))
    beyond = ops.search_instruments(q="电镜", per_page=3, page=5)
    assert beyond.items == [] and beyond.total == 4  # past the end, still counted
    by_city = ops.search_instruments(q="电镜", per_page=3, page=2, sort="city")
    assert by_city.total == 4 and len(by_city.items) == 1


def test_providers_sort_by_city_then_pinyin(ctx, create_provider, city):
    for name, c in [("浙江大学", "杭州"), ("宁波大学", "宁波"), ("杭州电子科技大学", "杭州"), ("阿里研究院", "杭州")]:
        create_provider(name=name, name_en="", city=city(c))
    names = [p.name for p in ops.list_providers(per_page=10).items]
    assert names == ["阿里研究院", "杭州电子科技大学", "浙江大学", "宁波大学"]


def test_search_page_ranks_and_sorts(ctx, client, lab, city):
    response = client.get("/instruments?q=透射电镜")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "JEM-2100F" in page and "SU8010" not in page
    ningbo = city("宁波")
    page = client.get(f"/instruments?q=电镜&sort=city&near={ningbo.id}").get_data(as_text=True)
    assert page.index("Gemini 300") < page.index("SU8010")  # the Ningbo instrument first
    assert 'value="city" selected' in page


def test_search_api_takes_sort_and_near(ctx, client, lab):
    body = client.get("/api/v1/instruments?q=蔡司").get_json()
    assert [i["id"] for i in body["items"]] == [lab["zeiss"].id]
    body = client.get("/api/v1/instruments?q=电镜&sort=city&near=宁波").get_json()
    assert body["items"][0]["id"] == lab["zeiss"].id
    response = client.get("/api/v1/instruments?near=Atlantis&sort=city")
    assert response.status_code == 422 and response.get_json()["errors"][0]["field"] == "near"


def test_result_cards_show_the_next_free_slot_and_sort_by_it(app, client, frozen_clock, create_instrument):
    from bwq_lab.extensions import db
    from bwq_lab.models import MaintenanceWindow
    from tests.conftest import local

    with app.app_context():
        busy = create_instrument(name="忙碌的扫描电镜", model="BUSY-1", min_notice_minutes=0)
        create_instrument(name="空闲的扫描电镜", model="FREE-1", min_notice_minutes=0)
        # the busy one is under maintenance for the rest of the week (clock: Tue 2026-12-01 09:00)
        db.session.add(
            MaintenanceWindow(
                instrument_id=busy.id, start_at=local("2026-12-01 00:00"), end_at=local("2026-12-07 00:00"), reason="x"
            )
        )
        db.session.commit()
    page = client.get("/instruments?q=扫描电镜&sort=next_free").get_data(as_text=True)
    assert page.index("FREE-1") < page.index("BUSY-1")
    assert "Tue 12-01 09:00" in page or "12-01 09:00" in page  # the free one: now
    assert "12-07 08:30" in page  # the busy one: Monday after the maintenance


def test_lab_services_are_understood_and_ranked_like_instruments(ctx, create_service, create_provider):
    hz = create_provider()
    by_description = create_service(
        provider=hz, name="材料表征套餐", name_en="Characterisation bundle", description="含 XRD 物相分析"
    )
    by_name = create_service(provider=hz, name="X射线衍射物相分析", name_en="XRD phase analysis")
    by_capability = create_service(
        provider=hz, name="粉末物相分析", name_en="Powder phase analysis", capabilities="X射线衍射"
    )
    create_service(provider=hz, name="扫描电镜形貌观察", name_en="SEM imaging")
    create_service(provider=hz, name="退役的衍射检测", name_en="Retired XRD", status="retired")
    page = ops.search_services(q="XRD")
    # name > capability > description; the synonym (X射线衍射) finds what the abbreviation misses
    assert [s.id for s in page.items] == [by_name.id, by_capability.id, by_description.id]
    assert page.total == 3
    assert [s.name for s in ops.search_services(q="电镜").items] == ["扫描电镜形貌观察"]
    assert ops.search_services(q="透射电镜").total == 0  # a TEM is not a SEM
