"""The region tree: Zhejiang, its 11 cities and their counties."""

from __future__ import annotations

from sqlalchemy import false, func, or_, select

from bwq_lab.domain.regions import CITIES, PROVINCE
from bwq_lab.extensions import db
from bwq_lab.models import Provider, Region, User


def ensure_regions() -> int:
    """Insert the region tree if it is missing; safe to run twice. Returns rows added."""
    if db.session.execute(select(Region.id).limit(1)).first() is not None:
        return 0
    province = Region(name=PROVINCE[0], name_en=PROVINCE[1], code=PROVINCE[2], level="province")
    db.session.add(province)
    added = 1
    for zh, en, code, counties in CITIES:
        city = Region(name=zh, name_en=en, code=code, level="city", parent=province)
        db.session.add(city)
        added += 1
        for czh, cen in counties:
            db.session.add(Region(name=czh, name_en=cen, level="county", parent=city))
            added += 1
    db.session.flush()
    return added


def cities() -> list[Region]:
    return list(db.session.execute(select(Region).where(Region.level == "city").order_by(Region.code)).scalars())


def city_by_name(name: str) -> Region | None:
    """A city by its Chinese name (with or without 市) or its English name (any case), or None."""
    text = name.strip()
    return db.session.execute(
        select(Region).where(
            Region.level == "city",
            or_(
                Region.name == text, Region.name == text.removesuffix("市"), func.lower(Region.name_en) == text.lower()
            ),
        )
    ).scalar_one_or_none()


def counties_by_name(name: str, *, city_id: int | None = None) -> list[Region]:
    """Counties by Chinese name (with or without its 区/县/市 suffix) or English name (any
    case), within one city when ``city_id`` is given."""
    text = name.strip()
    query = select(Region).where(
        Region.level == "county",
        or_(Region.name == text, func.lower(Region.name_en) == text.lower(),
            *(Region.name == text + suffix for suffix in ("区", "县", "市"))),
    )  # fmt: skip
    if city_id is not None:
        query = query.where(Region.parent_id == city_id)
    return list(db.session.execute(query.order_by(Region.id)).scalars())


# ------------------------------------------------------------------ what an administrator oversees
ADMIN_ROLES = ("province_admin", "city_admin", "county_admin")


def oversees(actor: User, *, city_id: int | None, region_id: int | None) -> bool:
    """Whether a province, city or county administrator oversees a provider (or enterprise) with
    this city and region (its county, or its city when it has none). Other roles: False."""
    if actor.role == "province_admin":
        return True
    if actor.role == "city_admin":
        return actor.city_id is not None and city_id == actor.city_id
    if actor.role == "county_admin":
        return actor.county_id is not None and region_id == actor.county_id
    return False


def overseen_providers(actor: User):
    """The ids of the providers an administrator oversees, as a subquery (None: every provider)."""
    if actor.role == "province_admin":
        return None
    if actor.role == "city_admin":
        return select(Provider.id).where(Provider.city_id == actor.city_id)
    if actor.role == "county_admin":
        return select(Provider.id).where(Provider.region_id == actor.county_id)
    return select(Provider.id).where(false())
