"""Which rows a reader may count: the province, a city, a county, a provider or an enterprise.

Every figure is counted inside one :class:`Scope`; :func:`scope_for` decides it from the reader's
role, narrowed by the region or provider they ask for. Rows belong to the region of the *provider*
that served them (a city counts its providers' sessions, whichever city the enterprise is in); an
enterprise sees only what it used. Asking for a region or provider outside your own is 404 (it is
not yours to know of); a role that reads no figures is 403.
"""

from __future__ import annotations

from dataclasses import dataclass

from bwq_lab.extensions import db
from bwq_lab.models import Provider, Region
from bwq_lab.refusals import Refusal, forbidden, not_found

LEVELS = ("province", "city", "county", "provider", "enterprise")


@dataclass(frozen=True)
class Scope:
    """Which rows a reader may count."""

    level: str  # "province" | "city" | "county" | "provider" | "enterprise"
    id: int | None  # the region / provider / enterprise id (None for the province)

    def __post_init__(self) -> None:
        if self.level not in LEVELS:
            raise ValueError(f"unknown scope level {self.level!r}")
        if (self.level == "province") != (self.id is None):
            raise ValueError("the province has no id; every other scope needs one")


PROVINCE = Scope("province", None)


def scope_for(
    user, *, city_id: int | None = None, county_id: int | None = None, provider_id: int | None = None
) -> Scope:
    """The scope ``user`` reads, narrowed to the most specific of the ids given.

    - province admin: the province, or any city, county or provider asked for;
    - city admin: their city, or a county or provider inside it;
    - county admin: their county (``user.county_id``), or a provider inside it;
    - manager: their provider;
    - enterprise (an active member): their enterprise; they name no region or provider.
    Ids outside the reader's own area, or unknown ones, are ``Refusal(404)``; a county that is not
    in the city asked for, or a provider in neither, too. Any other reader: ``Refusal(403)``."""
    role = getattr(user, "role", None)
    if role == "enterprise":
        if not user.is_active_member:
            raise forbidden()
        if city_id is not None or county_id is not None or provider_id is not None:
            raise not_found()
        return Scope("enterprise", user.enterprise_id)
    if role == "province_admin":
        own = PROVINCE
    elif role == "city_admin" and user.city_id is not None:
        own = Scope("city", user.city_id)
    elif role == "county_admin" and user.county_id is not None:
        own = Scope("county", user.county_id)
    elif role == "manager" and user.provider_id is not None:
        own = Scope("provider", user.provider_id)
    else:
        raise forbidden()
    return _narrow(own, city_id=city_id, county_id=county_id, provider_id=provider_id)


def _narrow(own: Scope, *, city_id: int | None, county_id: int | None, provider_id: int | None) -> Scope:
    """The most specific of the asked ids, each checked to lie inside the others and inside ``own``."""
    chosen = own
    city = county = None
    if city_id is not None:
        city = _region(city_id, "city")
        chosen = Scope("city", city.id)
    if county_id is not None:
        county = _region(county_id, "county")
        if city is not None and county.parent_id != city.id:
            raise not_found()
        chosen = Scope("county", county.id)
    if provider_id is not None:
        provider = db.session.get(Provider, provider_id)
        if provider is None:
            raise not_found()
        if (city is not None and provider.city_id != city.id) or (
            county is not None and provider.region_id != county.id
        ):
            raise not_found()
        chosen = Scope("provider", provider.id)
    if not _inside(chosen, own):
        raise not_found()
    return chosen


def _region(region_id: int, level: str) -> Region:
    region = db.session.get(Region, region_id)
    if region is None or region.level != level:
        raise not_found()
    return region


def _inside(inner: Scope, outer: Scope) -> bool:
    """Whether every row of ``inner`` is a row of ``outer`` (a manager naming their own provider's
    city reads their provider, not the city: only narrowing is allowed)."""
    if outer.level == "province" or inner == outer:
        return True
    if outer.level == "city":
        if inner.level == "county":
            county = db.session.get(Region, inner.id)
            return county is not None and county.parent_id == outer.id
        if inner.level == "provider":
            provider = db.session.get(Provider, inner.id)
            return provider is not None and provider.city_id == outer.id
        return False
    if outer.level == "county" and inner.level == "provider":
        provider = db.session.get(Provider, inner.id)
        return provider is not None and provider.region_id == outer.id
    return False


__all__ = ["LEVELS", "PROVINCE", "Refusal", "Scope", "scope_for"]
