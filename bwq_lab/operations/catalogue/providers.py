"""Providers (the labs and centres that offer instruments and services): the public list, and the
province administrators' use cases (create, edit, assign managers).
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from bwq_lab.domain import catalogue as vocab
from bwq_lab.extensions import db
from bwq_lab.models import Instrument, LabService, Provider, Region, User
from bwq_lab.operations import audit
from bwq_lab.operations.catalogue.listing import PUBLIC_INSTRUMENT_STATUSES, Page, keyword_filters, page_args
from bwq_lab.operations.catalogue.values import Checker
from bwq_lab.refusals import Problem, Refusal, forbidden, not_found


def list_providers(
    q: str | None = None,
    kind: str | None = None,
    city_id: int | None = None,
    page: int | None = 1,
    per_page: int | None = 20,
    county_id: int | None = None,
) -> Page:
    conditions = keyword_filters(
        q,
        (Provider.name, Provider.name_en, Provider.description, Provider.address),
        Provider.kind,
        vocab.PROVIDER_KINDS,
    )
    if kind:
        conditions.append(Provider.kind == kind)
    if city_id:
        conditions.append(Provider.city_id == city_id)
    if county_id:
        conditions.append(Provider.region_id == county_id)
    # Chinese readers expect providers by city, then by the pinyin of the name (not by code
    # point): the keys are computed here; a province has hundreds of providers, not millions.
    page, per_page = page_args(page, per_page)
    city_codes = dict(db.session.execute(select(Region.id, Region.code).where(Region.level == "city")).all())
    rows = db.session.execute(select(Provider.id, Provider.name, Provider.city_id).where(*conditions)).all()
    rows.sort(key=lambda r: (city_codes.get(r.city_id) or "", vocab.pinyin_key(r.name), r.id))
    ids = [r.id for r in rows[(page - 1) * per_page : page * per_page]]
    found = {
        p.id: p
        for p in db.session.execute(
            select(Provider)
            .where(Provider.id.in_(ids))
            .options(selectinload(Provider.city), selectinload(Provider.region))
        ).scalars()
    }
    return Page([found[i] for i in ids], len(rows), page, per_page)


def offer_counts(provider_ids: Iterable[int]) -> dict[int, tuple[int, int]]:
    """``{provider_id: (public instruments, public services)}`` in two grouped queries."""
    ids = list(provider_ids)
    if not ids:
        return {}
    instruments = dict(
        db.session.execute(
            select(Instrument.provider_id, func.count(Instrument.id))
            .where(Instrument.provider_id.in_(ids), Instrument.status.in_(PUBLIC_INSTRUMENT_STATUSES))
            .group_by(Instrument.provider_id)
        ).all()
    )
    services = dict(
        db.session.execute(
            select(LabService.provider_id, func.count(LabService.id))
            .where(LabService.provider_id.in_(ids), LabService.status != "retired")
            .group_by(LabService.provider_id)
        ).all()
    )
    return {i: (instruments.get(i, 0), services.get(i, 0)) for i in ids}


def get_provider(provider_id: int) -> Provider:
    provider = db.session.get(Provider, provider_id)
    if provider is None:
        raise not_found("catalogue.no_such_provider")
    return provider


def _require_province_admin(actor: User) -> None:
    if not actor.is_province_admin:
        raise forbidden("catalogue.province_admins_only")


def _provider_values(data: Mapping[str, Any]) -> dict[str, Any]:
    c = Checker(data)
    v: dict[str, Any] = {
        "name": c.text("name", 120, required=True),
        "name_en": c.text("name_en", 160),
        "address": c.text("address", 200),
        "contact_name": c.text("contact_name", 60),
        "contact_phone": c.text("contact_phone", 40),
        "contact_email": c.text("contact_email", 120),
        "website": c.text("website", 200),
        "description": c.text("description", 8000),
    }
    v["kind"] = c.choice("kind", vocab.PROVIDER_KINDS)
    if v["contact_email"]:
        try:
            validate_email(v["contact_email"], check_deliverability=False)
        except EmailNotValidError:
            c.add("contact_email", "catalogue.email")
    if v["website"] and not v["website"].startswith(("http://", "https://")):
        c.add("website", "catalogue.website")
    city = db.session.get(Region, data.get("city_id")) if isinstance(data.get("city_id"), int) else None
    if city is None or city.level != "city":
        c.add("city_id", "catalogue.choose_city", "REQUIRED")
    county_id = data.get("county_id")
    region = city
    if city is not None and county_id:
        county = db.session.get(Region, county_id) if isinstance(county_id, int) else None
        if county is None or county.parent_id != city.id:
            c.add("county_id", "catalogue.county_of_city")
        else:
            region = county
    c.fail_if_any()
    v["city_id"] = city.id
    v["region_id"] = region.id
    return v


def create_provider(actor: User, data: Mapping[str, Any]) -> Provider:
    _require_province_admin(actor)
    provider = Provider(**_provider_values(data))
    db.session.add(provider)
    db.session.flush()
    audit.record(actor, "provider.create", provider, name=provider.name)
    return provider


def update_provider(actor: User, provider_id: int, data: Mapping[str, Any]) -> Provider:
    _require_province_admin(actor)
    provider = get_provider(provider_id)
    changed = {}
    for key, value in _provider_values(data).items():
        if getattr(provider, key) != value:
            changed[key] = [getattr(provider, key), value]
        setattr(provider, key, value)
    db.session.flush()
    audit.record(actor, "provider.edit", provider, changed=changed)
    return provider


def provider_managers(provider_id: int) -> list[User]:
    return list(
        db.session.execute(
            select(User)
            .where(User.role == "manager", User.provider_id == provider_id)
            .options(selectinload(User.instruments), selectinload(User.services))
            .order_by(User.name, User.id)
        ).scalars()
    )


@dataclass(frozen=True)
class Assignment:
    user: User
    created: bool
    initial_password: str | None  # shown once to the administrator, never stored in plain text


def assign_manager(
    actor: User,
    provider_id: int,
    user_or_email: User | str,
    manages_all: bool,
    instrument_ids: Iterable[int] = (),
    service_ids: Iterable[int] = (),
    name: str | None = None,
) -> Assignment:
    """Make a user a manager of a provider: an existing manager account (by e-mail), or a new
    manager account with a generated initial password. Re-assigning replaces their instruments."""
    _require_province_admin(actor)
    provider = get_provider(provider_id)
    problems: list[Problem] = []
    if isinstance(user_or_email, User):
        user: User | None = user_or_email
        email = user.email
    else:
        email = (user_or_email or "").strip()
        try:
            email = validate_email(email, check_deliverability=False).normalized.lower()
        except EmailNotValidError:
            raise Refusal(422, [Problem("INVALID", field="email", wording="catalogue.email")]) from None
        user = db.session.execute(select(User).where(func.lower(User.email) == email)).scalar_one_or_none()
    if user is not None:
        if user.role != "manager":
            problems.append(Problem("WRONG_ROLE", field="email", params={"email": user.email}))
        elif user.provider_id not in (None, provider.id):
            problems.append(Problem("OTHER_PROVIDER", field="email", params={"email": user.email}))
    instruments = _owned(Instrument, provider.id, instrument_ids, "instrument_ids", problems)
    services = _owned(LabService, provider.id, service_ids, "service_ids", problems)
    if problems:
        raise Refusal(422, problems)

    password = None
    created = user is None
    if user is None:
        password = secrets.token_urlsafe(9)
        display_name = (name or "").strip()[:80] or email.split("@", 1)[0]
        user = User(email=email, name=display_name, role="manager")
        user.set_password(password)
        db.session.add(user)
    user.provider_id = provider.id
    user.manages_all = bool(manages_all)
    user.instruments = [] if manages_all else instruments
    user.services = [] if manages_all else services
    db.session.flush()
    audit.record(
        actor,
        "manager.assign",
        user,
        email=user.email,
        provider_id=provider.id,
        created=created,
        manages_all=bool(manages_all),
        instrument_ids=sorted(i.id for i in user.instruments),
        service_ids=sorted(s.id for s in user.services),
    )
    return Assignment(user, created, password)


def _owned(model, provider_id: int, ids: Iterable[int], field: str, problems: list[Problem]) -> list:
    wanted = {int(i) for i in ids}
    if not wanted:
        return []
    rows = list(
        db.session.execute(select(model).where(model.id.in_(wanted), model.provider_id == provider_id)).scalars()
    )
    if len(rows) != len(wanted):
        problems.append(Problem("INVALID", field=field, wording="catalogue.own_items"))
    return rows
