"""Counts of what the catalogue offers: the home page's summary, and an administrator's overview of
the providers and enterprises of their province, city or county.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from bwq_lab.extensions import db
from bwq_lab.models import Enterprise, Instrument, LabService, Provider, Region
from bwq_lab.operations.catalogue.listing import MAX_PER_PAGE, PUBLIC_INSTRUMENT_STATUSES
from bwq_lab.operations.catalogue.providers import list_providers, offer_counts


@dataclass(frozen=True)
class Summary:
    instruments: int
    services: int
    providers: int
    by_category: dict[str, int]


def catalogue_summary() -> Summary:
    """Counts for the home page: public instruments per category, services, providers."""
    by_category = dict(
        db.session.execute(
            select(Instrument.category, func.count(Instrument.id))
            .where(Instrument.status.in_(PUBLIC_INSTRUMENT_STATUSES))
            .group_by(Instrument.category)
        ).all()
    )
    services = db.session.execute(select(func.count(LabService.id)).where(LabService.status != "retired")).scalar_one()
    providers = db.session.execute(select(func.count(Provider.id))).scalar_one()
    return Summary(sum(by_category.values()), services, providers, by_category)


@dataclass(frozen=True)
class AdminHome:
    """What a city or province administrator looks after: their providers and enterprises."""

    city: Region | None  # None: the whole province
    providers: list[Provider]
    provider_counts: dict[int, tuple[int, int]]
    enterprises: list
    enterprise_total: int
    summary: Summary
    unverified: list  # enterprises awaiting verification (the city verifies before they book)


def admin_home(city_id: int | None, *, county_id: int | None = None, limit: int = 50) -> AdminHome:
    """A county administrator's (``county_id``), a city administrator's (``city_id``) or a
    province administrator's (neither) overview."""
    providers = list_providers(city_id=city_id, county_id=county_id, per_page=MAX_PER_PAGE)
    if county_id:
        in_region = (Enterprise.region_id == county_id,)
    else:
        in_region = (Enterprise.city_id == city_id,) if city_id else ()
    query = select(Enterprise).options(selectinload(Enterprise.city)).where(*in_region)
    count = select(func.count(Enterprise.id)).where(*in_region)
    enterprises = list(
        db.session.execute(query.order_by(Enterprise.created_at.desc(), Enterprise.id.desc()).limit(limit)).scalars()
    )
    return AdminHome(
        city=db.session.get(Region, county_id or city_id) if (county_id or city_id) else None,
        providers=providers.items,
        provider_counts=offer_counts(p.id for p in providers.items),
        enterprises=enterprises,
        enterprise_total=db.session.execute(count).scalar_one(),
        summary=_summary_for(city_id, county_id),
        unverified=list(
            db.session.execute(
                select(Enterprise)
                .where(Enterprise.verified_at.is_(None), *in_region)
                .options(selectinload(Enterprise.city))
                .order_by(Enterprise.created_at, Enterprise.id)
                .limit(limit)
            ).scalars()
        ),
    )


def _summary_for(city_id: int | None, county_id: int | None = None) -> Summary:
    if city_id is None and county_id is None:
        return catalogue_summary()
    in_city = Provider.region_id == county_id if county_id else Provider.city_id == city_id
    by_category = dict(
        db.session.execute(
            select(Instrument.category, func.count(Instrument.id))
            .join(Provider, Provider.id == Instrument.provider_id)
            .where(Instrument.status.in_(PUBLIC_INSTRUMENT_STATUSES), in_city)
            .group_by(Instrument.category)
        ).all()
    )
    services = db.session.execute(
        select(func.count(LabService.id))
        .join(Provider, Provider.id == LabService.provider_id)
        .where(LabService.status != "retired", in_city)
    ).scalar_one()
    providers = db.session.execute(select(func.count(Provider.id)).where(in_city)).scalar_one()
    return Summary(sum(by_category.values()), services, providers, by_category)
