"""The demo plan, drawn from the data tables with one seed: pure (no clock, no database); same
seed, same plan, every run.
"""

from __future__ import annotations

import random

from bwq_lab.demo.data import (
    AREA_CODES,
    BUILDINGS,
    CITY_CODES,
    COMPANY_SUFFIXES,
    ENTERPRISE_CITIES,
    FIRST_SERVICE_KINDS,
    GIVEN,
    INSTRUMENTS,
    NMR,
    OTHER_BUILDINGS,
    PROVIDERS,
    SAMPLE_REQUIREMENTS,
    SEED,
    SERVICE_KINDS_BY_PROVIDER,
    SERVICES,
    SERVICES_PER_PROVIDER,
    SURNAMES,
    TRADE_WORDS,
)
from bwq_lab.demo.specs import DemoPlan, EnterpriseSpec, InstrumentSpec, ProviderSpec, ServiceSpec
from bwq_lab.domain import uscc
from bwq_lab.domain.catalogue import ENTERPRISE_CATEGORIES
from bwq_lab.domain.regions import CITIES


def build_plan(seed: int = SEED) -> DemoPlan:
    """The whole demo province from one seed; pure (no clock, no database)."""
    rng = random.Random(seed)
    providers = []
    ordinals: dict[str, int] = {}
    for row in PROVIDERS:
        key, kind, city, county, name, name_en, street, categories, size, tags, focus = row
        city_code = CITY_CODES[city]
        ordinal = ordinals[kind] = ordinals.get(kind, -1) + 1
        contact = _person(rng)
        phone = f"{AREA_CODES[city_code]}-{rng.randint(8000_0000, 8999_9999)}"
        instruments = _instruments(rng, kind, categories, size, contact, phone)
        providers.append(
            ProviderSpec(
                key=key,
                name=name,
                name_en=name_en,
                kind=kind,
                city_code=city_code,
                county=county,
                address=f"浙江省{city}市{county}{street}",
                contact_name=contact,
                contact_phone=phone,
                contact_email=f"{key}.openlab@example.cn",
                description=_provider_description(kind, name, city, focus),
                instruments=instruments,
                services=_services(rng, kind, ordinal, name, tags),
            )
        )
    return DemoPlan(providers=tuple(providers), enterprises=_enterprises(rng))


def _person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def _provider_description(kind: str, name: str, city: str, focus: str) -> str:
    if kind == "innovation_complex":
        return (
            f"省级产业创新服务综合体，{focus}，为企业提供创意设计、研究开发、检验检测、标准信息、"
            "成果推广、创业孵化和教育培训等全流程创新服务。"
        )
    if kind == "incubator":
        return f"{city}市科技企业孵化器，{focus}，为入驻企业提供场地、公共仪器、创业辅导和投融资对接。"
    if kind == "key_lab":
        return f"省级重点实验室，研究方向为{focus}，向企业开放仪器设备并承接技术攻关。"
    return f"{name}，{focus}，参与科技服务企业“百千万”行动，面向全省企业开放科研设施与仪器和实验室服务。"


def _instruments(
    rng: random.Random, kind: str, categories: tuple[str, ...], size: tuple[int, int], contact: str, phone: str
) -> tuple[InstrumentSpec, ...]:
    pool = [t for t in INSTRUMENTS if t[0] in categories]
    count = min(rng.randint(*size), len(pool))
    chosen = sorted(rng.sample(range(len(pool)), count))  # catalogue order: grouped by category
    academic = kind in ("university", "institute", "key_lab")
    return tuple(_instrument(rng, pool[i], academic, contact, phone) for i in chosen)


def _instrument(rng: random.Random, template: tuple, academic: bool, contact: str, phone: str) -> InstrumentSpec:
    category, zh, en, model, maker, capability, keywords, (lo, hi), flags = template
    step = 50 if hi >= 1000 else 10
    external_yuan = rng.randrange(lo, hi + 1, step)
    internal_yuan = max(step, external_yuan * rng.choice((50, 60, 70, 80)) // 100 // step * step)
    building = rng.choice(BUILDINGS[category] if academic else OTHER_BUILDINGS)
    wing = f"{rng.choice('ABC')}座" if rng.random() < 0.3 else ""
    location = f"{building}{wing} {rng.randint(1, 5)}{rng.randint(1, 20):02d}室"
    roll = rng.random()
    status = "retired" if roll < 0.03 else "maintenance" if roll < 0.08 else "active"
    year = rng.randint(2012, 2024)
    voucher = rng.random() < 0.9
    qualification = "Q" in flags or category == NMR
    if "H" in flags:  # runs unattended for days: open around the clock, long sessions
        hours = tuple((d, "00:00", "24:00") for d in range(7))
        slot, minimum = 60, 60
        maximum = rng.choice((1440, 2880, 4320))
        buffer = 30
        notice = rng.choice((1440, 2880))
    else:
        pattern = rng.random()
        weekdays = [(d, "08:30", "12:00") for d in range(5)] + [(d, "13:30", "17:30") for d in range(5)]
        if pattern < 0.2:
            weekdays.append((5, "08:30", "12:00"))  # Saturday mornings
        elif pattern < 0.3:
            weekdays = [(d, "08:00", "20:00") for d in range(5)]  # extended weekday hours, staffed in shifts
        hours = tuple(sorted(weekdays))
        slot = 60 if "L" in flags or external_yuan >= 800 else rng.choice((30, 30, 60))
        minimum = slot * (2 if "L" in flags else 1)
        maximum = 480 if "L" in flags else rng.choice((120, 240, 240, 480))
        buffer = rng.choice((15, 30)) if qualification else rng.choice((0, 0, 0, 10, 15, 30))
        notice = rng.choice((120, 120, 240, 720, 1440, 2880))
    description = (
        f"{year}年购置。{'可使用创新券抵扣测试费用。' if voucher else '暂不支持创新券。'}"
        f"设备负责人：{contact}，电话 {phone}。" + ("首次使用须参加上机培训并通过考核。" if qualification else "")
    )
    return InstrumentSpec(
        name=zh,
        name_en=en,
        model=model,
        manufacturer=maker,
        category=category,
        capabilities=f"{capability}。Keywords: {keywords}",
        location=location,
        description=description,
        status=status,
        price_internal_fen=internal_yuan * 100,
        price_external_fen=external_yuan * 100,
        voucher_eligible=voucher,
        opening_hours=hours,
        slot_minutes=slot,
        min_minutes=minimum,
        max_minutes=maximum,
        buffer_minutes=buffer,
        min_notice_minutes=notice,
        max_days_ahead=rng.choice((30, 60, 60, 90)),
        approval_required=qualification or rng.random() < 0.8,
        qualification_required=qualification,
        weekly_quota_minutes=rng.choice((480, 960)) if rng.random() < 0.15 else None,
        monthly_quota_minutes=rng.choice((1920, 2880)) if rng.random() < 0.08 else None,
        max_future_bookings=rng.choice((3, 5)) if rng.random() < 0.15 else None,
        cancel_deadline_hours=rng.choice((12, 24, 24, 48)),
    )


def _services(
    rng: random.Random, kind: str, ordinal: int, provider_name: str, tags: tuple[str, ...]
) -> tuple[ServiceSpec, ...]:
    """One service of the provider's turn in FIRST_SERVICE_KINDS, then others drawn from the kinds
    such providers usually offer that suit its industries."""
    kinds = SERVICE_KINDS_BY_PROVIDER[kind]
    pool = [t for t in SERVICES if t[0] in kinds and (not t[7] or set(t[7]) & set(tags))]
    primary = FIRST_SERVICE_KINDS[kind][ordinal % len(FIRST_SERVICE_KINDS[kind])]
    first = [i for i, t in enumerate(pool) if t[0] == primary]
    picked = [rng.choice(first)] if first else []
    rest = [i for i in range(len(pool)) if i not in picked]
    count = min(rng.randint(*SERVICES_PER_PROVIDER[kind]), len(pool))
    picked += rng.sample(rest, count - len(picked))
    specs = []
    for i in sorted(picked):
        service_kind, zh, en, unit, (lo, hi), (fast, slow), capability, _tags = pool[i]
        step = 1000 if hi >= 20000 else 100 if hi >= 2000 else 50
        price_yuan = rng.randrange(lo, hi + 1, step)
        internal_yuan = max(step, price_yuan * rng.choice((60, 70, 80)) // 100 // step * step)
        days = rng.randint(fast, slow)
        per_sample = unit == "sample"
        capacity = rng.choice((8, 10, 12, 16, 20, 30)) if per_sample else rng.choice((1, 2, 3))
        report_days = max(1, min(10, days // 2))
        specs.append(
            ServiceSpec(
                name=zh,
                name_en=en,
                kind=service_kind,
                capabilities=capability,
                description=f"在线下单后送样或提交需求至{provider_name}，约{days}个工作日交付。",
                unit=unit,
                price_internal_fen=internal_yuan * 100,
                price_external_fen=price_yuan * 100,
                turnaround_days=report_days,
                voucher_eligible=service_kind != "incubation" and rng.random() < 0.9,
                status="retired" if rng.random() < 0.03 else "active",
                min_samples=1,
                max_samples=rng.choice((20, 50, 100)) if per_sample else rng.choice((1, 3, 5)),
                daily_capacity=capacity,
                sample_requirements=SAMPLE_REQUIREMENTS.get(service_kind, "") if per_sample else "",
                hazardous_accepted=per_sample and service_kind == "testing_analysis" and rng.random() < 0.3,
            )
        )
    return tuple(specs)


def _enterprises(rng: random.Random) -> tuple[EnterpriseSpec, ...]:
    counties = {zh: [c for c, _ in cs] for zh, _en, _code, cs in CITIES}
    suffixes, weights = zip(*COMPANY_SUFFIXES, strict=True)
    categories = list(ENTERPRISE_CATEGORIES)
    names: set[str] = set()
    codes: set[str] = set()
    specs = []
    for city, (count, industries) in ENTERPRISE_CITIES.items():
        city_code = CITY_CODES[city]
        for _ in range(count):
            trade, typical = rng.choice(industries)
            name = ""
            while not name or name in names:
                brand = "".join(rng.sample(TRADE_WORDS, 2))
                name = f"{city}{brand}{trade}{rng.choices(suffixes, weights)[0]}"
            names.add(name)
            code = ""
            while not code or code in codes:
                code = uscc.generate(rng, city_code)
            codes.add(code)
            # half follow the city's typical target group for the trade, half are spread over all five
            category = typical if rng.random() < 0.5 else rng.choice(categories)
            specs.append(EnterpriseSpec(name, code, city_code, rng.choice(counties[city]), category))
    return tuple(specs)
