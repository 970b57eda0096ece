"""Service records (技术帮扶, 培训, 成果转化, 合作开发…): what a provider did for an enterprise
that is neither a session nor a batch. Entered by the provider's managers; read by them, by the
enterprise's members and by the administrators of the provider's region.

Who may do what (docs/decisions.md, "Staff and service records"):
- every manager of the provider enters records (partial managers too: consultations and training
  belong to no instrument); a manager who manages all of the provider edits and deletes any of its
  records, a partial manager only those they entered;
- the enterprise's active members read their enterprise's records (read-only);
- province, city and county administrators read the records of the providers they oversee (the
  provider's city or county decides, as for bookings);
- anyone else gets 404 for a record, and an empty or refused list.
Deleting a record (and changing one) is written to the audit log.
"""

from __future__ import annotations

from datetime import date, datetime, tzinfo

from sqlalchemy import delete, false, or_, select
from sqlalchemy.orm import joinedload, selectinload

from bwq_lab.domain import uscc as uscc_rules
from bwq_lab.domain.records import RecordInput, check_record, titles_from_text
from bwq_lab.extensions import db
from bwq_lab.models import Enterprise, ServiceRecord, User
from bwq_lab.models.reports import service_record_staff
from bwq_lab.operations import audit
from bwq_lab.operations.paging import Page, paged
from bwq_lab.operations.regions import ADMIN_ROLES, overseen_providers, oversees
from bwq_lab.operations.staff import provider_staff_ids
from bwq_lab.refusals import Problem, Refusal

#: the values a record is made of (``enterprise_id`` and ``staff_ids`` are resolved and checked)
FIELDS = ("day", "kind", "minutes", "content", "project_code", "agreement_signed", "contract_fen", "paid_fen",
          "results_count", "results_titles")  # fmt: skip


def not_found() -> Refusal:
    return Refusal(404, [Problem("RECORD_NOT_FOUND")])


def local_today(now: datetime, tz: tzinfo) -> date:
    return now.astimezone(tz).date()


# ------------------------------------------------------------------------------------ access
def may_read(actor: User, record: ServiceRecord) -> bool:
    if actor.is_manager:
        return actor.provider_id == record.provider_id
    if actor.is_active_member:
        return actor.enterprise_id == record.enterprise_id
    provider = record.provider
    return oversees(actor, city_id=provider.city_id, region_id=provider.region_id)


def may_edit(actor: User, record: ServiceRecord) -> bool:
    if not (actor.is_manager and actor.provider_id == record.provider_id):
        return False
    return actor.manages_all or record.created_by_id == actor.id


def get_record(actor: User, record_id: int) -> ServiceRecord:
    """The record, if ``actor`` may read it; otherwise 404."""
    record = db.session.execute(
        select(ServiceRecord)
        .where(ServiceRecord.id == record_id)
        .options(joinedload(ServiceRecord.provider), joinedload(ServiceRecord.enterprise))
    ).scalar_one_or_none()
    if record is None or not may_read(actor, record):
        raise not_found()
    return record


def get_editable(actor: User, record_id: int) -> ServiceRecord:
    record = get_record(actor, record_id)
    if not may_edit(actor, record):
        raise Refusal(403, [Problem("RECORD_EDITORS_ONLY")])
    return record


def list_records(
    actor: User,
    *,
    day_from: date | None = None,
    day_to: date | None = None,
    kind: str | None = None,
    enterprise_id: int | None = None,
    provider_id: int | None = None,
    page: int = 1,
    per_page: int = 20,
) -> Page:
    """The records the actor may read, newest day first; ``day_from``/``day_to`` are whole local
    days, inclusive."""
    query = select(ServiceRecord)
    if actor.is_manager:
        query = query.where(ServiceRecord.provider_id == actor.provider_id)
    elif actor.is_active_member:
        query = query.where(ServiceRecord.enterprise_id == actor.enterprise_id)
    elif actor.role in ADMIN_ROLES:
        scope = overseen_providers(actor)
        if scope is not None:
            query = query.where(ServiceRecord.provider_id.in_(scope))
    else:
        query = query.where(false())
    if day_from is not None:
        query = query.where(ServiceRecord.day >= day_from)
    if day_to is not None:
        query = query.where(ServiceRecord.day <= day_to)
    if kind:
        query = query.where(ServiceRecord.kind == kind)
    if enterprise_id is not None:
        query = query.where(ServiceRecord.enterprise_id == enterprise_id)
    if provider_id is not None:
        query = query.where(ServiceRecord.provider_id == provider_id)
    query = query.options(
        joinedload(ServiceRecord.enterprise), joinedload(ServiceRecord.provider), selectinload(ServiceRecord.staff)
    )
    return paged(query, (ServiceRecord.day.desc(), ServiceRecord.id.desc()), page=page, per_page=per_page)


# ------------------------------------------------------------------------------ enterprises
def search_enterprises(q: str, *, limit: int = 10) -> list[Enterprise]:
    """Enterprises whose name contains ``q`` or whose code starts with it (for the picker)."""
    text = (q or "").strip()[:100]
    if len(text) < 2:
        return []
    return list(
        db.session.execute(
            select(Enterprise)
            .where(or_(Enterprise.name.contains(text, autoescape=True), Enterprise.uscc.startswith(text.upper())))
            .order_by(Enterprise.name, Enterprise.id)
            .limit(limit)
        ).scalars()
    )


def resolve_enterprise(data: dict) -> Enterprise:
    """The enterprise a record is for: ``enterprise_id``, or ``enterprise`` as its 18-character
    code or its exact name (or the one name containing it). 422 when none or several match."""
    if data.get("enterprise_id") is not None:
        enterprise = db.session.get(Enterprise, data["enterprise_id"])
        if enterprise is None:
            raise Refusal(422, [Problem("ENTERPRISE_UNKNOWN", field="enterprise_id")])
        return enterprise
    text = str(data.get("enterprise") or "").strip()
    if not text:
        raise Refusal(422, [Problem("ENTERPRISE_REQUIRED", field="enterprise")])
    code = text.upper()
    if len(code) == 18 and uscc_rules.is_valid(code):
        found = db.session.execute(select(Enterprise).where(Enterprise.uscc == code)).scalar_one_or_none()
        if found is not None:
            return found
    exact = db.session.execute(select(Enterprise).where(Enterprise.name == text).limit(2)).scalars().all()
    if len(exact) == 1:
        return exact[0]
    candidates = exact or search_enterprises(text, limit=6)
    if len(candidates) == 1:
        return candidates[0]
    if not candidates:
        raise Refusal(422, [Problem("ENTERPRISE_UNKNOWN", field="enterprise", params={"text": text})])
    names = "、".join(f"{e.name} ({e.uscc})" for e in candidates[:5])
    raise Refusal(422, [Problem("ENTERPRISE_AMBIGUOUS", field="enterprise", params={"text": text, "names": names})])


# ------------------------------------------------------------------------------------ writes
def _record_input(values: dict) -> RecordInput:
    titles = values.get("results_titles") or ()
    if isinstance(titles, str):
        titles = titles_from_text(titles)
    return RecordInput(
        day=values.get("day"),
        kind=str(values.get("kind") or ""),
        staff_ids=tuple(values.get("staff_ids") or ()),
        minutes=int(values.get("minutes") or 0),
        content=str(values.get("content") or "").strip(),
        project_code=str(values.get("project_code") or "").strip(),
        agreement_signed=bool(values.get("agreement_signed")),
        contract_fen=int(values.get("contract_fen") or 0),
        paid_fen=int(values.get("paid_fen") or 0),
        results_count=int(values.get("results_count") or 0),
        results_titles=tuple(t.strip() for t in titles if t and t.strip()),
    )


def _check(values: dict, provider_id: int, record: ServiceRecord | None, today: date) -> RecordInput:
    """Every problem at once: the domain's rules, the enterprise and the staff (of this provider;
    an inactive one only if the record already named them)."""
    problems: list[Problem] = []
    enterprise = None
    try:
        enterprise = resolve_enterprise(values)
    except Refusal as refusal:
        problems += refusal.problems
    entered = _record_input(values)
    problems += check_record(entered, today=today)
    found = provider_staff_ids(provider_id, entered.staff_ids)
    already = {s.id for s in record.staff} if record is not None else set()
    unknown = [i for i in entered.staff_ids if i not in found]
    inactive = [s.name for i, s in found.items() if not s.active and i not in already]
    if unknown:
        problems.append(Problem("STAFF_NOT_OF_PROVIDER", field="staff_ids"))
    if inactive:
        problems.append(Problem("STAFF_INACTIVE", field="staff_ids", params={"name": "、".join(inactive)}))
    if problems:
        raise Refusal(422, problems)
    values["enterprise_id"] = enterprise.id
    return entered


def _apply(record: ServiceRecord, entered: RecordInput, enterprise_id: int) -> None:
    record.enterprise_id = enterprise_id
    record.day = entered.day
    record.kind = entered.kind
    record.minutes = entered.minutes
    record.content = entered.content
    record.project_code = entered.project_code
    record.agreement_signed = entered.agreement_signed
    record.contract_fen = entered.contract_fen if entered.agreement_signed else 0
    record.paid_fen = entered.paid_fen if entered.agreement_signed else 0
    record.results_count = entered.results_count
    record.results_titles = "\n".join(entered.results_titles)


def _set_staff(record_id: int, staff_ids: tuple[int, ...]) -> None:
    db.session.execute(delete(service_record_staff).where(service_record_staff.c.record_id == record_id))
    ids = sorted(set(staff_ids))
    if ids:
        db.session.execute(service_record_staff.insert(), [{"record_id": record_id, "staff_id": i} for i in ids])


def create_record(actor: User, values: dict, *, now: datetime, tz: tzinfo) -> ServiceRecord:
    """A manager records a service of their provider. ``values``: ``enterprise_id`` (or
    ``enterprise``: a code or a name), ``day`` (a local day, not in the future), ``kind``,
    ``staff_ids``, ``minutes``, ``content``, ``project_code``, ``agreement_signed``,
    ``contract_fen``, ``paid_fen``, ``results_count``, ``results_titles``."""
    if not (actor.is_manager and actor.provider_id is not None):
        raise Refusal(403, [Problem("RECORD_MANAGERS_ONLY")])
    values = dict(values)
    entered = _check(values, actor.provider_id, None, local_today(now, tz))
    record = ServiceRecord(provider_id=actor.provider_id, created_by_id=actor.id, created_at=now, updated_at=now)
    _apply(record, entered, values["enterprise_id"])
    db.session.add(record)
    db.session.flush()
    _set_staff(record.id, entered.staff_ids)
    db.session.flush()
    db.session.expire(record, ["staff"])
    return record


def _current_values(record: ServiceRecord) -> dict:
    values = {name: getattr(record, name) for name in FIELDS}
    values["results_titles"] = titles_from_text(record.results_titles)
    values["enterprise_id"] = record.enterprise_id
    values["staff_ids"] = [s.id for s in record.staff]
    return values


def update_record(actor: User, record_id: int, changes: dict, *, now: datetime, tz: tzinfo) -> ServiceRecord:
    """Change the given keys (a PATCH: what is left out stays); the whole record is checked again."""
    record = get_editable(actor, record_id)
    values = _current_values(record)
    if "enterprise" in changes and changes.get("enterprise_id") is None:
        values.pop("enterprise_id")
    values.update(changes)
    entered = _check(values, record.provider_id, record, local_today(now, tz))
    before = (record.agreement_signed, record.contract_fen, record.paid_fen)
    _apply(record, entered, values["enterprise_id"])
    record.updated_at = now
    _set_staff(record.id, entered.staff_ids)
    db.session.flush()
    db.session.expire(record, ["staff", "enterprise"])
    after = (record.agreement_signed, record.contract_fen, record.paid_fen)
    if before != after:  # the amounts feed the programme's figures: who changed them is kept
        audit.record(actor, "service_record.edit", record, now=now, before=list(before), after=list(after))
    return record


def delete_record(actor: User, record_id: int, *, now: datetime) -> None:
    """Delete a record entered by mistake; the audit log keeps what it said."""
    record = get_editable(actor, record_id)
    audit.record(
        actor,
        "service_record.delete",
        record,
        now=now,
        enterprise_id=record.enterprise_id,
        day=record.day.isoformat(),
        kind=record.kind,
        minutes=record.minutes,
        contract_fen=record.contract_fen,
        paid_fen=record.paid_fen,
        staff_ids=[s.id for s in record.staff],
    )
    db.session.delete(record)
    db.session.flush()
