"""Seeding: the demo plan turned into rows (and one login per role), added in one flush; never a
commit, and nothing when the database already has providers.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from bwq_lab.demo.data import (
    CITY_ADMIN_CITY,
    COUNTY_ADMIN_COUNTY,
    DEMO_LOGINS,
    DEMO_PASSWORD,
    MANAGER2_PROVIDER,
    MANAGER_PROVIDER,
    SEED,
)
from bwq_lab.demo.plan import build_plan
from bwq_lab.demo.specs import DemoLogin
from bwq_lab.extensions import db
from bwq_lab.models import Enterprise, Instrument, LabService, Provider, Qualification, Region, User
from bwq_lab.operations.regions import ensure_regions


@dataclass(frozen=True)
class SeedResult:
    seeded: bool  # False when the database already had providers and nothing was added
    providers: int
    instruments: int
    services: int
    enterprises: int
    users: int


def seed_demo(seed: int = SEED) -> SeedResult:
    """Add the demo province and its logins in one flush, unless the database has providers already.

    Enterprises whose credit code and logins whose e-mail already exist are left alone."""
    ensure_regions()
    if db.session.execute(select(Provider.id).limit(1)).first() is not None:
        return SeedResult(False, *_counts())
    plan = build_plan(seed)
    regions = list(db.session.execute(select(Region)).scalars())
    cities = {r.code: r for r in regions if r.level == "city"}
    counties = {(r.parent.code, r.name): r for r in regions if r.level == "county"}

    rows: list = []
    providers: dict[str, Provider] = {}
    for p in plan.providers:
        provider = Provider(
            name=p.name,
            name_en=p.name_en,
            kind=p.kind,
            region=counties[(p.city_code, p.county)],
            city=cities[p.city_code],
            address=p.address,
            contact_name=p.contact_name,
            contact_phone=p.contact_phone,
            contact_email=p.contact_email,
            description=p.description,
        )
        providers[p.key] = provider
        rows.append(provider)
        for i in p.instruments:
            values = {k: v for k, v in vars(i).items() if k != "opening_hours"}
            rows.append(Instrument(provider=provider, opening_hours=[list(r) for r in i.opening_hours], **values))
        rows.extend(LabService(provider=provider, **vars(s)) for s in p.services)

    taken = set(db.session.execute(select(Enterprise.uscc)).scalars())
    enterprises = [
        Enterprise(
            name=e.name,
            uscc=e.uscc,
            region=counties[(e.city_code, e.county)],
            city=cities[e.city_code],
            category=e.category,
        )
        for e in plan.enterprises
        if e.uscc not in taken
    ]
    rows.extend(enterprises)
    users = _demo_users(
        providers, rows, enterprises[0], cities[CITY_ADMIN_CITY], counties[(CITY_ADMIN_CITY, COUNTY_ADMIN_COUNTY)]
    )
    rows.extend(users)
    rows.extend(_demo_qualifications(users, providers[MANAGER_PROVIDER], rows))
    db.session.add_all(rows)
    db.session.flush()
    return SeedResult(True, *_counts())


def _demo_users(
    providers: dict[str, Provider], rows: list, enterprise: Enterprise, city: Region, county: Region
) -> list[User]:
    existing = set(db.session.execute(select(User.email)).scalars())
    second = providers[MANAGER2_PROVIDER]
    instruments = [r for r in rows if isinstance(r, Instrument) and r.provider is second and r.status == "active"]
    services = [r for r in rows if isinstance(r, LabService) and r.provider is second]
    extra = {
        "enterprise@demo.bwq": {"enterprise": enterprise, "membership": "active"},
        "manager@demo.bwq": {"provider": providers[MANAGER_PROVIDER], "manages_all": True},
        "manager2@demo.bwq": {
            "provider": second,
            "manages_all": False,
            "instruments": instruments[:3],
            "services": services[:1],
        },
        "city@demo.bwq": {"city": city},
        "county@demo.bwq": {"city": city, "county": county},
        "admin@demo.bwq": {},
    }
    users = []
    for login in DEMO_LOGINS:
        if login.email in existing:
            continue
        user = User(email=login.email, name=login.name, role=login.role, **extra[login.email])
        user.set_password(DEMO_PASSWORD)
        users.append(user)
    return users


def _demo_qualifications(users: list[User], provider: Provider, rows: list) -> list[Qualification]:
    """The demo enterprise user may operate the demo manager's instruments that need a
    qualification (TEM, NMR, ...), so every kind of booking can be tried with the demo logins."""
    booker = next((u for u in users if u.email == "enterprise@demo.bwq"), None)
    if booker is None:
        return []
    return [
        Qualification(user=booker, instrument=r, note="演示数据 demo")
        for r in rows
        if isinstance(r, Instrument) and r.provider is provider and r.qualification_required
    ]


def _counts() -> tuple[int, int, int, int, int]:
    return tuple(
        db.session.execute(select(func.count()).select_from(model)).scalar_one()
        for model in (Provider, Instrument, LabService, Enterprise, User)
    )


def demo_logins_present() -> list[tuple[DemoLogin, User]]:
    """The demo logins that exist in this database, with their users (to print after seeding)."""
    emails = [login.email for login in DEMO_LOGINS]
    users = {u.email: u for u in db.session.execute(select(User).where(User.email.in_(emails))).scalars()}
    return [(login, users[login.email]) for login in DEMO_LOGINS if login.email in users]
