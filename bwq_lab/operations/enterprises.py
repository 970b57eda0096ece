"""Cities may verify new enterprises before they book: the city's setting, and verifying."""

from __future__ import annotations

from datetime import datetime

from bwq_lab.extensions import db
from bwq_lab.models import Enterprise, Region, User
from bwq_lab.refusals import forbidden, not_found


def _may_administer(actor: User, city_id: int) -> bool:
    return actor.is_province_admin or (actor.role == "city_admin" and actor.city_id == city_id)


def set_verification(actor: User, city_id: int, required: bool) -> Region:
    """Whether new enterprises of the city must be verified before they book (its administrator
    or a province administrator decides)."""
    city = db.session.get(Region, city_id)
    if city is None or city.level != "city":
        raise not_found()
    if not _may_administer(actor, city.id):
        raise forbidden()
    city.verify_enterprises = bool(required)
    db.session.flush()
    return city


def verify_enterprise(actor: User, enterprise_id: int, now: datetime) -> Enterprise:
    """Verify an enterprise (its city's administrator, or a province administrator); another
    city's enterprise is 404 to a city administrator. Verifying twice keeps the first stamp."""
    enterprise = db.session.get(Enterprise, enterprise_id)
    if enterprise is None or not _may_administer(actor, enterprise.city_id):
        raise not_found()
    if enterprise.verified_at is None:
        enterprise.verified_at, enterprise.verified_by_id = now, actor.id
        db.session.flush()
    return enterprise
