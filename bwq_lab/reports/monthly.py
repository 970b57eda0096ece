"""The monthly summary of an area (a provider, a county, a city or the province) for a year: the
figures month by month, and the instruments, lab services and service-record kinds that did the
most — every number from ``figures.summary`` (nothing here counts anything itself).

And the city's yearly work summary (due to the province by 15 January): the indicators the
programme's announcement names, per county and per provider of the city, with the city's totals.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from bwq_lab.models import Enterprise, Provider, Region
from bwq_lab.reports import figures
from bwq_lab.reports.figures import Group, Summary
from bwq_lab.reports.scope import Scope

#: how many instruments (and kinds) a monthly summary lists
TOP = 20
#: the announcement's indicators for judging carriers (staff organised, enterprises served, times
#: enterprises were served, agreements signed, new technologies and results), with the sessions,
#: batches and service records that make them up
CITY_YEAR_FIGURES = (
    "providers",
    "staff",
    "enterprises",
    "enterprise_visits",
    "sessions",
    "batches",
    "service_records",
    "agreements",
    "agreements_paid_fen",
    "provincial_projects",
    "results",
)


#: what each of the monthly summary's ranked tables shows (only these are counted for it): sums
#: only, no distinct counts (enterprises, staff), which cost a pass over every row per grouping
INSTRUMENT_FIGURES = (
    "sessions", "booked_hours", "effective_hours", "external_hours", "utilisation", "no_shows",
    "revenue_internal_fen", "revenue_external_fen",
)  # fmt: skip
SERVICE_FIGURES = ("batches", "samples", "revenue_internal_fen", "revenue_external_fen")
RECORD_FIGURES = (
    "service_records", "service_hours", "agreements", "agreements_paid_fen", "provincial_projects", "results",
)  # fmt: skip


@dataclass(frozen=True)
class MonthlyReport:
    scope: Scope
    name: str  # the area's name (zh)
    name_en: str
    year: int
    months: Summary  # grouped by month, every month of the year
    instruments: list[Group]  # the TOP instruments by sessions
    services: list[Group]  # the TOP lab services by batches
    record_kinds: list[Group]  # service-record kinds by records


def monthly_report(session: Session, scope: Scope, year: int, *, tz: ZoneInfo, top: int = TOP) -> MonthlyReport:
    first, last = date(year, 1, 1), date(year, 12, 31)

    def grouped(group_by: str, keys: tuple[str, ...] | None = None, only=None) -> Summary:
        # the ranked tables show their groups only: no totals counted for them
        return figures.summary(
            session, scope, first, last, group_by=group_by, tz=tz, figures=keys, with_totals=keys is None, keys=only
        )

    def ranked(groups: list[Group], *figure_keys: str) -> list[Group]:
        def rank(group: Group):
            return tuple(-(group.figures.get(k) or 0) for k in figure_keys) + (group.name,)

        return sorted((g for g in groups if any(g.figures.get(k) for k in figure_keys)), key=rank)

    name, name_en = scope_name(session, scope)
    return MonthlyReport(
        scope=scope,
        name=name,
        name_en=name_en,
        year=year,
        months=grouped("month"),
        instruments=ranked(
            grouped("instrument", INSTRUMENT_FIGURES, only=_candidates(session, scope, year, tz, top)).groups,
            "sessions",
            "effective_hours",
        )[:top],
        services=ranked(grouped("service", SERVICE_FIGURES).groups, "batches", "samples")[:top],
        record_kinds=ranked(grouped("record_kind", RECORD_FIGURES).groups, "service_records", "service_hours"),
    )


def _candidates(session: Session, scope: Scope, year: int, tz: ZoneInfo, top: int) -> tuple | None:
    """The instruments that can be among the ``top`` by sessions (ranked by sessions first): the
    ranking counts its figures for these only, not for every instrument of the area."""
    frame = figures.make_frame(session, scope, date(year, 1, 1), date(year, 12, 31), tz=tz, group_by="instrument")
    return figures.busiest(session, frame, top)


@dataclass(frozen=True)
class CityYear:
    city_id: int
    name: str
    name_en: str
    year: int
    counties: Summary  # the city's figures grouped by county (totals: the city's)
    providers: Summary  # grouped by provider


def city_year(session: Session, scope: Scope, year: int, *, tz: ZoneInfo) -> CityYear:
    """The yearly work summary of the city ``scope`` (a city scope: the caller checks who asks)."""
    if scope.level != "city":
        raise ValueError("a city's yearly summary needs a city scope")
    first, last = date(year, 1, 1), date(year, 12, 31)
    name, name_en = scope_name(session, scope)
    return CityYear(
        city_id=scope.id,
        name=name,
        name_en=name_en,
        year=year,
        counties=figures.summary(session, scope, first, last, group_by="county", tz=tz, figures=CITY_YEAR_FIGURES),
        providers=figures.summary(session, scope, first, last, group_by="provider", tz=tz, figures=CITY_YEAR_FIGURES),
    )


# ------------------------------------------------------------------------------------- areas
PROVINCE_NAME = ("全省", "The province")


def scope_name(session: Session, scope: Scope) -> tuple[str, str]:
    """(zh, en) name of the area a scope reads."""
    if scope.level == "province":
        return PROVINCE_NAME
    model = {"city": Region, "county": Region, "provider": Provider, "enterprise": Enterprise}[scope.level]
    row = session.execute(select(model.name, getattr(model, "name_en", model.name)).where(model.id == scope.id)).one()
    return row[0], row[1] or row[0]


@dataclass(frozen=True)
class Area:
    level: str  # city | county | provider
    id: int
    name: str
    name_en: str
    parent_id: int | None  # a county's city, a provider's county


def areas_within(session: Session, scope: Scope) -> list[Area]:
    """The cities, counties and providers inside ``scope`` a reader may narrow to (by name)."""
    areas: list[Area] = []
    if scope.level in ("province", "city"):
        regions = select(Region.id, Region.name, Region.name_en, Region.level, Region.parent_id).order_by(Region.id)
        if scope.level == "province":
            regions = regions.where(Region.level.in_(("city", "county")))
        else:
            regions = regions.where(Region.level == "county", Region.parent_id == scope.id)
        areas += [
            Area(level, id_, name, en or name, parent) for id_, name, en, level, parent in session.execute(regions)
        ]
    if scope.level in ("province", "city", "county"):
        providers = select(Provider.id, Provider.name, Provider.name_en, Provider.region_id).order_by(
            Provider.name, Provider.id
        )
        if scope.level == "city":
            providers = providers.where(Provider.city_id == scope.id)
        elif scope.level == "county":
            providers = providers.where(Provider.region_id == scope.id)
        areas += [
            Area("provider", id_, name, en or name, county) for id_, name, en, county in session.execute(providers)
        ]
    return areas
