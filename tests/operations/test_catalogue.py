import pytest
from sqlalchemy import event

from bwq_lab.errors import OperationError
from bwq_lab.extensions import db
from bwq_lab.models import Instrument, Provider, User
from bwq_lab.operations import catalogue as ops


@pytest.fixture
def ctx(app):
    """Operations speak the user's language: they run inside a request."""
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        yield


def _ids(page):
    return [i.id for i in page.items]


@pytest.fixture
def sem(create_instrument):
    return create_instrument()


@pytest.fixture
def ms(create_instrument, create_provider, city):
    provider = create_provider(name="宁波材料所", name_en="Ningbo Institute of Materials", city=city("宁波"))
    return create_instrument(
        provider=provider,
        name="液相色谱-质谱联用仪",
        name_en="LC-MS",
        model="Q Exactive",
        manufacturer="Thermo",
        category="mass_spectrometry",
        capabilities="小分子定量",
    )


@pytest.mark.parametrize("q", ["电子显微镜", "electron", "ELECTRON", "su8010", "hitachi", "morphology", "扫描 电子"])
def test_keyword_finds_the_sem_in_chinese_and_english(ctx, sem, ms, q):
    assert _ids(ops.search_instruments(q=q)) == [sem.id]


@pytest.mark.parametrize("q", ["质谱", "mass spec", "Mass Spectrometry"])
def test_keyword_matches_category_labels(ctx, sem, ms, q):
    assert _ids(ops.search_instruments(q=q)) == [ms.id]


def test_keyword_matches_provider_name(ctx, sem, ms):
    assert _ids(ops.search_instruments(q="宁波材料")) == [ms.id]
    assert _ids(ops.search_instruments(q="zhejiang university")) == [sem.id]


def test_like_wildcards_are_literal(ctx, sem, create_instrument):
    odd = create_instrument(name="100%_纯度分析仪", category="chromatography")
    assert _ids(ops.search_instruments(q="100%")) == [odd.id]
    assert _ids(ops.search_instruments(q="100_")) == [odd.id]
    assert sorted(_ids(ops.search_instruments(q="%"))) == sorted([sem.id, odd.id])  # punctuation filters nothing


def test_filters_by_category_city_provider(ctx, sem, ms, city):
    assert _ids(ops.search_instruments(category="mass_spectrometry")) == [ms.id]
    assert _ids(ops.search_instruments(city_id=city("宁波").id)) == [ms.id]
    assert _ids(ops.search_instruments(city_id=city("杭州").id)) == [sem.id]
    assert _ids(ops.search_instruments(provider_id=sem.provider_id)) == [sem.id]
    assert ops.search_instruments(q="electron", category="mass_spectrometry").total == 0


def test_retired_instruments_are_hidden(ctx, sem, create_instrument):
    create_instrument(name="旧电子显微镜", status="retired")
    maint = create_instrument(name="维护中电子显微镜", status="maintenance")
    page = ops.search_instruments(q="电子显微镜")
    assert sorted(_ids(page)) == sorted([sem.id, maint.id])
    assert ops.search_instruments(status="retired").total == 0


def test_pagination_counts_everything_and_pages(ctx, create_provider, create_instrument):
    provider = create_provider()
    made = [create_instrument(provider=provider, name=f"仪器{n:02d}") for n in range(25)]
    first = ops.search_instruments(page=1, per_page=10)
    third = ops.search_instruments(page=3, per_page=10)
    # (the page count is the pager's, tested with the page: tests/web/test_catalogue.py)
    assert (first.total, first.per_page, len(first.items), len(third.items)) == (25, 10, 10, 5)
    assert _ids(first) == [m.id for m in made[:10]]
    assert ops.search_instruments(per_page=1000).per_page == 100


def test_search_loads_providers_without_n_plus_one(ctx, create_provider, create_instrument, city):
    for name in ("杭州", "宁波", "温州"):
        p = create_provider(city=city(name), name=f"{name}中心")
        create_instrument(provider=p)
        create_instrument(provider=p)
    db.session.expire_all()
    statements = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        page = ops.search_instruments()
        names = [(i.provider.name, i.provider.city.name) for i in page.items]
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    assert len(names) == 6
    selects = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    assert len(selects) == 4  # count, instruments, providers, cities


def test_services_and_providers_search(ctx, create_service, create_provider, city):
    wz = create_provider(
        name="温州检测中心", name_en="Wenzhou Testing Centre", city=city("温州"), kind="innovation_complex"
    )
    s1 = create_service()
    s2 = create_service(provider=wz, name="专利检索", name_en="Patent search", kind="ip_services")
    create_service(provider=wz, name="停用服务", status="retired")
    assert _ids(ops.search_services(q="检验检测")) == [s1.id]  # by kind label
    assert _ids(ops.search_services(q="patent")) == [s2.id]
    assert _ids(ops.search_services(city_id=city("温州").id)) == [s2.id]
    assert ops.search_services().total == 2
    assert _ids(ops.list_providers(q="综合体")) == [wz.id]
    assert ops.offer_counts([wz.id]) == {wz.id: (0, 1)}


def test_city_lookup_by_id_or_name(ctx, city):
    hz = city("杭州")
    assert ops.city_by_id_or_name(str(hz.id)) is hz
    assert ops.city_by_id_or_name("hangzhou") is hz
    assert ops.city_by_id_or_name("杭州市") is hz
    assert ops.city_by_id_or_name("Atlantis") is None


# ------------------------------------------------------------------------------ editing


def instrument_data(**overrides):
    data = dict(
        name="X射线衍射仪",
        name_en="X-ray diffractometer",
        model="D8",
        manufacturer="Bruker",
        category="xray_diffraction",
        capabilities="物相分析",
        location="A楼101",
        description="",
        status="active",
        price_internal_fen=15000,
        price_external_fen=30050,
        voucher_eligible=True,
        opening_hours="Mon-Fri 09:00-17:00",
        slot_minutes=30,
        min_minutes=30,
        max_minutes=240,
        buffer_minutes=15,
        min_notice_minutes=120,
        max_days_ahead=60,
        approval_required=True,
        qualification_required=False,
        weekly_quota_minutes=600,
        monthly_quota_minutes=None,
        max_future_bookings=3,
        cancel_deadline_hours=24,
    )
    data.update(overrides)
    return data


def test_manager_creates_instrument_for_own_provider(ctx, create_user):
    manager = create_user("manager")
    instrument = ops.create_instrument(manager, instrument_data())
    db.session.commit()
    assert instrument.provider_id == manager.provider_id
    assert instrument.opening_hours == [[d, "09:00", "17:00"] for d in range(5)]
    assert instrument.price_external_fen == 30050
    assert instrument.weekly_quota_minutes == 600


def test_assigned_only_manager_keeps_what_they_create(ctx, create_user):
    manager = create_user("manager", manages_all=False)
    manager.manages_all = False
    instrument = ops.create_instrument(manager, instrument_data())
    db.session.commit()
    assert manager.manages_instrument(instrument)


def test_validation_reports_every_problem(ctx, create_user):
    manager = create_user("manager")
    bad = instrument_data(
        name="",
        category="nope",
        slot_minutes=7,
        min_minutes=300,
        max_minutes=60,
        buffer_minutes=-5,
        max_days_ahead=0,
        weekly_quota_minutes=-1,
        opening_hours="Funday 25:00-26:00",
    )
    with pytest.raises(OperationError) as info:
        ops.create_instrument(manager, bad)
    fields = {p.field for p in info.value.problems}
    assert info.value.status == 422
    assert {
        "name",
        "category",
        "slot_minutes",
        "max_minutes",
        "buffer_minutes",
        "max_days_ahead",
        "weekly_quota_minutes",
        "opening_hours",
    } <= fields
    codes = {p.code for p in info.value.problems}
    assert "MIN_ABOVE_MAX" in codes and "BAD_OPENING_HOURS" in codes
    db.session.rollback()
    assert db.session.query(Instrument).count() == 0


def test_durations_must_sit_on_the_slot_grid(ctx, create_user):
    manager = create_user("manager")
    with pytest.raises(OperationError) as info:
        ops.create_instrument(manager, instrument_data(slot_minutes=60, min_minutes=90, max_minutes=120))
    assert [(p.code, p.field) for p in info.value.problems] == [("NOT_ON_SLOT_GRID", "min_minutes")]


def test_manager_cannot_edit_another_providers_instrument(ctx, create_user, create_instrument, create_provider):
    manager = create_user("manager")
    other = create_instrument(provider=create_provider(name="别家"))
    with pytest.raises(OperationError) as info:
        ops.update_instrument(manager, other.id, instrument_data())
    assert info.value.status == 403
    with pytest.raises(OperationError) as info:
        ops.update_instrument(manager, 999999, instrument_data())
    assert info.value.status == 404


def test_assigned_only_manager_cannot_edit_unassigned(ctx, create_user, create_instrument, create_provider):
    provider = create_provider()
    mine = create_instrument(provider=provider)
    theirs = create_instrument(provider=provider, name="别人的仪器")
    manager = create_user("manager", provider=provider, manages_all=False)
    manager.instruments.append(mine)
    db.session.commit()
    ops.update_instrument(manager, mine.id, instrument_data(name="改名"))
    assert mine.name == "改名"
    with pytest.raises(OperationError) as info:
        ops.update_instrument(manager, theirs.id, instrument_data())
    assert info.value.status == 403
    assert [i.id for i in ops.managed_instruments(manager)] == [mine.id]


def test_enterprise_user_cannot_create(ctx, create_user):
    with pytest.raises(OperationError) as info:
        ops.create_instrument(create_user("enterprise"), instrument_data())
    assert info.value.status == 403


def test_service_create_and_validate(ctx, create_user):
    manager = create_user("manager")
    data = dict(
        name="成分分析",
        kind="testing_analysis",
        unit="sample",
        status="active",
        price_internal_fen=10000,
        price_external_fen=12345,
        turnaround_days=5,
        min_samples=1,
        max_samples=50,
        daily_capacity=10,
    )
    service = ops.create_service(manager, data)
    assert service.provider_id == manager.provider_id and service.price_external_fen == 12345
    assert service.price_internal_fen == 10000 and service.working_weekdays == [0, 1, 2, 3, 4]
    with pytest.raises(OperationError) as info:
        ops.update_service(
            manager,
            service.id,
            dict(data, kind="x", turnaround_days=-1, price_external_fen=-1, daily_capacity=0, working_weekdays=[9]),
        )
    assert {p.field for p in info.value.problems} == {
        "kind",
        "turnaround_days",
        "price_external_fen",
        "daily_capacity",
        "working_weekdays",
    }
    with pytest.raises(OperationError) as info:
        ops.update_service(manager, service.id, dict(data, min_samples=60))
    assert info.value.codes == ["MIN_ABOVE_MAX"]


def provider_data(city, **overrides):
    hz = city("杭州")
    data = dict(
        name="之江实验室",
        name_en="Zhejiang Lab",
        kind="key_lab",
        city_id=hz.id,
        county_id=hz.children[2].id,
        address="余杭区",
        contact_name="王老师",
        contact_phone="0571-1234567",
        contact_email="lab@example.com",
        website="https://example.com",
        description="",
    )
    data.update(overrides)
    return data


def test_province_admin_creates_provider(ctx, create_user, city):
    admin = create_user("province_admin")
    provider = ops.create_provider(admin, provider_data(city))
    assert provider.city_id == city("杭州").id
    assert provider.region_id == city("杭州").children[2].id
    with pytest.raises(OperationError) as info:
        ops.create_provider(admin, provider_data(city, county_id=city("宁波").children[0].id, website="ftp://x"))
    assert {p.field for p in info.value.problems} == {"county_id", "website"}
    with pytest.raises(OperationError) as info:
        ops.create_provider(create_user("manager"), provider_data(city))
    assert info.value.status == 403


def test_assign_new_manager_with_initial_password(ctx, create_user, create_provider, create_instrument):
    admin = create_user("province_admin")
    provider = create_provider()
    instrument = create_instrument(provider=provider)
    result = ops.assign_manager(admin, provider.id, "New.Manager@Example.com", False, [instrument.id], [], name="李工")
    db.session.commit()
    assert result.created and result.initial_password
    user = db.session.get(User, result.user.id)
    assert (user.email, user.role, user.provider_id, user.name) == (
        "new.manager@example.com",
        "manager",
        provider.id,
        "李工",
    )
    assert user.check_password(result.initial_password)
    assert user.manages_instrument(instrument)


def test_assign_existing_manager_and_refusals(ctx, create_user, create_provider, create_instrument):
    admin = create_user("province_admin")
    provider = create_provider()
    other = create_provider(name="别家")
    foreign = create_instrument(provider=other)
    manager = create_user("manager", provider_id=None, manages_all=False)
    result = ops.assign_manager(admin, provider.id, manager.email, True)
    assert not result.created and result.initial_password is None
    assert (manager.provider_id, manager.manages_all) == (provider.id, True)
    enterprise_user = create_user("enterprise")
    with pytest.raises(OperationError) as info:
        ops.assign_manager(admin, provider.id, enterprise_user.email, False, [foreign.id])
    assert {p.code for p in info.value.problems} == {"WRONG_ROLE", "INVALID"}
    with pytest.raises(OperationError) as info:
        ops.assign_manager(admin, other.id, manager.email, True)
    assert info.value.problems[0].code == "OTHER_PROVIDER"
    with pytest.raises(OperationError):
        ops.assign_manager(admin, provider.id, "not-an-email", True)
    assert db.session.query(Provider).count() == 2
