"""A provider's staff (科技人员): the roster its managers keep, and who may read it.

Who may do what (docs/decisions.md, "Staff and service records"):
- the provider's managers who manage all of it (``manages_all``) add, edit, deactivate and
  reactivate staff: the roster is the provider's, not one instrument's;
- every manager of the provider (partial ones too) reads the roster, to name staff on a service
  record, a session or a batch;
- province, city and county administrators read the rosters of the providers they oversee;
- anyone else: 403 for the list, 404 for one staff member.
Staff are never deleted: sessions, batches and records keep naming them (``active=False`` hides
them from the pickers).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select

from bwq_lab.domain.records import StaffInput, check_staff
from bwq_lab.extensions import db
from bwq_lab.models import Staff, User
from bwq_lab.operations import audit
from bwq_lab.operations.paging import Page, paged
from bwq_lab.operations.regions import ADMIN_ROLES, overseen_providers, oversees
from bwq_lab.refusals import Problem, Refusal


def not_found() -> Refusal:
    return Refusal(404, [Problem("STAFF_NOT_FOUND")])


def may_read(actor: User, staff: Staff) -> bool:
    if actor.is_manager:
        return actor.provider_id == staff.provider_id
    return oversees(actor, city_id=staff.provider.city_id, region_id=staff.provider.region_id)


def may_edit_roster(actor: User, provider_id: int) -> bool:
    return actor.is_manager and actor.manages_all and actor.provider_id == provider_id


def get_staff(actor: User, staff_id: int) -> Staff:
    staff = db.session.get(Staff, staff_id)
    if staff is None or not may_read(actor, staff):
        raise not_found()
    return staff


def list_staff(
    actor: User,
    *,
    provider_id: int | None = None,
    active: bool | None = None,
    q: str | None = None,
    page: int = 1,
    per_page: int = 50,
) -> Page:
    """Managers: their provider's staff; administrators: those of the providers they oversee
    (``provider_id`` narrows it). Active first, then by name."""
    query = select(Staff)
    if actor.is_manager:
        if provider_id is not None and provider_id != actor.provider_id:
            return Page([], 0, page, per_page)
        query = query.where(Staff.provider_id == actor.provider_id)
    elif actor.role in ADMIN_ROLES:
        scope = overseen_providers(actor)
        if scope is not None:
            query = query.where(Staff.provider_id.in_(scope))
        if provider_id is not None:
            query = query.where(Staff.provider_id == provider_id)
    else:
        raise Refusal(403, [Problem("STAFF_READERS_ONLY")])
    if active is not None:
        query = query.where(Staff.active.is_(active))
    if q:
        query = query.where(Staff.name.contains(q.strip(), autoescape=True))
    return paged(query, (Staff.active.desc(), Staff.name, Staff.id), page=page, per_page=per_page)


def active_staff(provider_id: int) -> list[Staff]:
    """The provider's active staff, for pickers."""
    return list(
        db.session.execute(
            select(Staff).where(Staff.provider_id == provider_id, Staff.active.is_(True)).order_by(Staff.name, Staff.id)
        ).scalars()
    )


def linkable_users(provider_id: int) -> list[User]:
    """The accounts a staff member may be linked to: the provider's own users (its managers)."""
    return list(
        db.session.execute(
            select(User).where(User.provider_id == provider_id, User.is_active_account.is_(True)).order_by(User.name)
        ).scalars()
    )


def require_roster_editor(actor: User, provider_id: int | None = None) -> int:
    if not (actor.is_manager and actor.provider_id is not None):
        raise Refusal(403, [Problem("STAFF_MANAGERS_ONLY")])
    if provider_id is not None and provider_id != actor.provider_id:
        raise not_found()
    if not actor.manages_all:
        raise Refusal(403, [Problem("STAFF_MANAGERS_ONLY")])
    return actor.provider_id


def _text(data: dict, name: str, default: str = "") -> str:
    value = data.get(name)
    return default if value is None else str(value).strip()


def _check(data: dict, provider_id: int, staff: Staff | None) -> list[Problem]:
    def value(name: str) -> str:
        if name in data or staff is None:
            return _text(data, name)
        return getattr(staff, name) or ""

    values = StaffInput(name=value("name"), title=value("title"), field=value("field"))
    problems = check_staff(values)
    if data.get("user_id") is not None:
        user = db.session.get(User, data["user_id"])
        if user is None or user.provider_id != provider_id:
            problems.append(Problem("STAFF_USER_NOT_OF_PROVIDER", field="user_id"))
        else:
            taken = db.session.execute(
                select(Staff.id).where(
                    Staff.provider_id == provider_id,
                    Staff.user_id == user.id,
                    Staff.active.is_(True),
                    Staff.id != (staff.id if staff is not None and staff.id else 0),
                )
            ).first()
            if taken is not None:
                problems.append(Problem("STAFF_USER_TAKEN", field="user_id"))
    return problems


EDITABLE = ("name", "title", "field", "user_id", "active")


def create_staff(actor: User, data: dict, *, now: datetime) -> Staff:
    """Add a staff member to the manager's provider: name, title, field, optional ``user_id``."""
    provider_id = require_roster_editor(actor)
    problems = _check(data, provider_id, None)
    if problems:
        raise Refusal(422, problems)
    staff = Staff(
        provider_id=provider_id,
        name=_text(data, "name"),
        title=_text(data, "title"),
        field=_text(data, "field"),
        user_id=data.get("user_id"),
        active=bool(data.get("active", True)),
        created_at=now,
    )
    db.session.add(staff)
    db.session.flush()
    return staff


def update_staff(actor: User, staff_id: int, data: dict, *, now: datetime) -> Staff:
    """Change the keys of ``data`` that are given (a PATCH); ``active=False`` deactivates."""
    staff = get_staff(actor, staff_id)
    require_roster_editor(actor, staff.provider_id)
    problems = _check(data, staff.provider_id, staff)
    if problems:
        raise Refusal(422, problems)
    was_active = staff.active
    for name in EDITABLE:
        if name in data:
            value = data[name]
            setattr(staff, name, value.strip() if isinstance(value, str) else value)
    if was_active != staff.active:
        audit.record(actor, "staff.activate" if staff.active else "staff.deactivate", staff, now=now, name=staff.name)
    db.session.flush()
    return staff


def set_active(actor: User, staff_id: int, active: bool, *, now: datetime) -> Staff:
    return update_staff(actor, staff_id, {"active": active}, now=now)


def provider_staff_ids(provider_id: int, staff_ids: Iterable[int]) -> dict[int, Staff]:
    """The given ids that are staff of the provider, by id."""
    ids = {int(i) for i in staff_ids}
    if not ids:
        return {}
    rows = db.session.execute(select(Staff).where(Staff.id.in_(ids), Staff.provider_id == provider_id)).scalars()
    return {s.id: s for s in rows}


def staff_problem(provider_id: int, staff_id: int | None, *, field: str = "staff_id") -> Problem | None:
    """What is wrong with naming ``staff_id`` on a session or batch of the provider, if anything:
    not its staff (``STAFF_NOT_OF_PROVIDER``) or no longer active (``STAFF_INACTIVE``)."""
    if staff_id is None:
        return None
    staff = db.session.get(Staff, staff_id)
    if staff is None or staff.provider_id != provider_id:
        return Problem("STAFF_NOT_OF_PROVIDER", field=field)
    if not staff.active:
        return Problem("STAFF_INACTIVE", field=field, params={"name": staff.name})
    return None


def require_staff_of(provider_id: int, staff_id: int | None, *, field: str = "staff_id") -> None:
    """422 unless ``staff_id`` (when given) is active staff of the provider."""
    problem = staff_problem(provider_id, staff_id, field=field)
    if problem is not None:
        raise Refusal(422, [problem])


def staff_of_user(user: User) -> Staff | None:
    """The active staff member linked to this account at its provider (the picker's default)."""
    if user.provider_id is None:
        return None
    return db.session.execute(
        select(Staff).where(Staff.provider_id == user.provider_id, Staff.user_id == user.id, Staff.active.is_(True))
    ).scalar_one_or_none()


def default_staff_id(user: User) -> int | None:
    own = staff_of_user(user)
    return own.id if own is not None else None
