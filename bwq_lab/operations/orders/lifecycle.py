"""Ordering a batch and every step of its lifecycle. Each step checks who acts, applies the
transition through ``operations.lifecycle.transition`` (the one owner of ``status``), stamps what
the step records, and queues the e-mail. Operations only flush; the edge commits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bwq_lab.domain import capacity as cap
from bwq_lab.domain import orders as rules
from bwq_lab.domain.orders import Hazard, OrderAction, OrderStatus
from bwq_lab.extensions import db
from bwq_lab.models import LabService, ServiceOrder, User
from bwq_lab.operations.lifecycle import check, transition
from bwq_lab.operations.orders import capacity, files, notify
from bwq_lab.operations.orders.access import (
    get_order,
    is_lab_side,
    is_orderer,
    require_lab_side,
    require_orderer,
    today,
)
from bwq_lab.operations.staff import require_staff_of
from bwq_lab.refusals import Problem, Refusal, refuse

A = OrderAction


# ------------------------------------------------------------------------------ ordering
def may_order(actor: User) -> bool:
    return actor.is_active_member or actor.is_manager


def is_internal(actor: User, service: LabService) -> bool:
    """The provider's own staff pay the internal price; everyone else the external one."""
    return actor.provider_id is not None and actor.provider_id == service.provider_id


def orderable_service(service_id: int) -> LabService:
    service = db.session.get(LabService, service_id)
    if service is None:
        raise refuse(404, "SERVICE_NOT_FOUND", field="service_id")
    return service


@dataclass(frozen=True)
class Preview:
    """What an orderer sees before submitting: the quote and the earliest promised date."""

    service: LabService
    quote: rules.Quote
    plan: cap.Plan | None
    problems: list[Problem]

    @property
    def earliest_promised(self) -> date | None:
        return self.plan.promised if self.plan else None


def preview(
    actor: User | None,
    service_id: int,
    samples: int,
    *,
    requested: date | None,
    now: datetime,
    tz: ZoneInfo,
    hazard: str = "none",
) -> Preview:
    service = orderable_service(service_id)
    internal = actor is not None and is_internal(actor, service)
    quote = rules.quote(max(samples, 0), service.price_internal_fen, service.price_external_fen, internal=internal)
    problems = _order_problems(service, samples, hazard, requested, now, tz)
    plan = None
    if samples >= 1:
        result = capacity.plan_for(service, samples, today=today(now, tz), tz=tz, requested=requested)
        if isinstance(result, cap.NoCapacity):
            problems.append(Problem(result.code, field="samples", params=dict(result.params)))
        else:
            plan = result
    return Preview(service, quote, plan, problems)


def _order_problems(
    service: LabService, samples: int, hazard: str, requested: date | None, now: datetime, tz: ZoneInfo
) -> list[Problem]:
    try:
        hazard_value = Hazard(hazard)
    except ValueError:
        return [Problem("INVALID", field="hazard")]
    found = [
        Problem(code, field=field, params=params or None)
        for code, field, params in rules.order_problems(
            samples=samples,
            min_samples=service.min_samples,
            max_samples=service.max_samples,
            hazard=hazard_value,
            hazardous_accepted=service.hazardous_accepted,
            service_active=service.status == "active",
        )
    ]
    if requested is not None and requested <= today(now, tz):
        found.append(Problem("REQUESTED_DATE_PAST", field="requested_date"))
    return found


def create_order(
    actor: User,
    service_id: int,
    *,
    samples: int,
    sample_description: str,
    hazard: str,
    requested_date: date | None,
    project_code: str,
    now: datetime,
    tz: ZoneInfo,
) -> ServiceOrder:
    """Submit an order (422 with every problem at once)."""
    if not may_order(actor):
        raise Refusal(403, [Problem("ORDERING_NOT_ALLOWED")])
    service = orderable_service(service_id)
    problems = _order_problems(service, samples, hazard, requested_date, now, tz)
    if problems:
        raise Refusal(422, problems)
    quote = rules.quote(
        samples, service.price_internal_fen, service.price_external_fen, internal=is_internal(actor, service)
    )
    order = ServiceOrder(
        service=service,
        provider_id=service.provider_id,
        user=actor,
        enterprise_id=actor.enterprise_id if actor.is_active_member else None,
        status=OrderStatus.SUBMITTED,
        samples=samples,
        sample_description=sample_description.strip(),
        hazard=Hazard(hazard),
        requested_date=requested_date,
        project_code=project_code.strip(),
        price_tier=quote.tier,
        quoted_fee_fen=quote.fee_fen,
        created_at=now,
        updated_at=now,
    )
    db.session.add(order)
    order.new_event(action="submit", from_status=None, to_status=str(OrderStatus.SUBMITTED), actor_id=actor.id, at=now)
    db.session.flush()
    notify.order_event(order, "submitted", actor)
    return order


# ------------------------------------------------------------------------------ lab side
def _for_lab(actor: User, order_id: int, action: OrderAction) -> ServiceOrder:
    order = get_order(actor, order_id, for_update=True)
    require_lab_side(actor, order)
    check(order, action)  # 409 before anything else is looked at
    return order


def _reason(reason: str | None) -> str:
    text = (reason or "").strip()
    if not text:
        raise refuse(422, "REASON_REQUIRED", field="reason")
    return text


@dataclass(frozen=True)
class Acceptance:
    order: ServiceOrder
    plan: cap.Plan


def accept_order(
    actor: User,
    order_id: int,
    *,
    now: datetime,
    tz: ZoneInfo,
    hazard_accepted: bool = False,
    note: str | None = None,
) -> Acceptance:
    """Plan the samples into the lab's capacity, take the fee snapshot, promise a date."""
    order = _for_lab(actor, order_id, A.ACCEPT)
    if rules.needs_hazard_acceptance(order.hazard) and not hazard_accepted:
        raise refuse(422, "HAZARD_ACCEPTANCE_REQUIRED", field="hazard_accepted", hazard=str(order.hazard))
    service = order.service
    plan = capacity.reserve(order, service, today=today(now, tz), tz=tz)
    quote = rules.quote(
        order.samples, service.price_internal_fen, service.price_external_fen, internal=order.price_tier == "internal"
    )
    order.unit_price_fen, order.fee_fen = quote.unit_price_fen, quote.fee_fen
    order.promised_date, order.first_day, order.last_day = plan.promised, plan.first_day, plan.last_day
    order.decided_by_id, order.decided_at = actor.id, now
    if rules.needs_hazard_acceptance(order.hazard):
        order.hazard_accepted_by_id = actor.id
    transition(order, A.ACCEPT, actor_id=actor.id, now=now, reason=(note or "").strip() or None)
    order.updated_at = now
    db.session.flush()
    notify.order_event(order, "accepted", actor)
    return Acceptance(order, plan)


def preview_acceptance(actor: User, order_id: int, *, now: datetime, tz: ZoneInfo) -> cap.Plan | cap.NoCapacity:
    """The plan accepting now would make (nothing is held)."""
    order = get_order(actor, order_id)
    require_lab_side(actor, order)
    return capacity.plan_for(order.service, order.samples, today=today(now, tz), tz=tz, requested=order.requested_date)


def reject_order(actor: User, order_id: int, *, reason: str | None, now: datetime) -> ServiceOrder:
    order = _for_lab(actor, order_id, A.REJECT)
    order.reject_reason = _reason(reason)
    order.decided_by_id, order.decided_at = actor.id, now
    capacity.release(order)
    transition(order, A.REJECT, actor_id=actor.id, now=now, reason=order.reject_reason)
    order.updated_at = now
    db.session.flush()
    notify.order_event(order, "rejected", actor, reason=order.reject_reason)
    return order


def receive_samples(actor: User, order_id: int, *, now: datetime, note: str | None = None) -> ServiceOrder:
    order = _for_lab(actor, order_id, A.RECEIVE)
    order.received_at = now
    transition(order, A.RECEIVE, actor_id=actor.id, now=now, reason=(note or "").strip() or None)
    order.updated_at = now
    db.session.flush()
    notify.order_event(order, "received", actor)
    return order


def start_work(
    actor: User, order_id: int, *, now: datetime, note: str | None = None, staff_id: int | None = None
) -> ServiceOrder:
    """Start the work; ``staff_id`` names the analyst (active staff of the provider, else 422)."""
    order = _for_lab(actor, order_id, A.START)
    require_staff_of(order.provider_id, staff_id)
    order.started_at = now
    order.analyst_id = actor.id
    if staff_id is not None:
        order.staff_id = staff_id
    transition(order, A.START, actor_id=actor.id, now=now, reason=(note or "").strip() or None)
    order.updated_at = now
    db.session.flush()
    return order


def deliver_results(
    actor: User,
    order_id: int,
    uploads: list[files.Upload],
    *,
    now: datetime,
    folder: str,
    max_bytes: int,
    max_files: int = 10,
    note: str | None = None,
    staff_id: int | None = None,
) -> ServiceOrder:
    """Attach the result files and deliver. At least one file; every file checked by content.
    ``staff_id`` names the analyst (active staff of the provider), if not named at the start."""
    order = _for_lab(actor, order_id, A.DELIVER)
    require_staff_of(order.provider_id, staff_id)
    uploads = [u for u in uploads if u is not None and (u.filename or "") != ""]
    if not uploads:
        raise refuse(422, "FILE_REQUIRED", field="files")
    if len(uploads) > max_files:
        raise refuse(422, "TOO_MANY_FILES", field="files", max=max_files)
    stored = files.check_and_store(uploads, folder, max_bytes)
    try:
        files.attach(order, stored, actor, now)
        order.delivered_at = now
        if order.first_delivered_at is None:
            order.first_delivered_at = now  # reports count a batch once, even after a re-test
        if order.analyst_id is None:
            order.analyst_id = actor.id
        if staff_id is not None:
            order.staff_id = staff_id
        transition(order, A.DELIVER, actor_id=actor.id, now=now, reason=(note or "").strip() or None)
        order.updated_at = now
        db.session.flush()
    except BaseException:
        files.discard(stored)
        raise
    notify.order_event(order, "delivered", actor)
    return order


# ------------------------------------------------------------------------------ ordering side
def confirm_receipt(actor: User, order_id: int, *, now: datetime) -> ServiceOrder:
    order = get_order(actor, order_id, for_update=True)
    require_orderer(actor, order)
    transition(order, A.CONFIRM, actor_id=actor.id, now=now)
    order.closed_at = order.updated_at = now
    db.session.flush()
    notify.order_event(order, "confirmed", actor)
    return order


def reopen_order(
    actor: User, order_id: int, *, reason: str | None, now: datetime, window_days: int = rules.DEFAULT_RETEST_DAYS
) -> ServiceOrder:
    """Ask for a re-test within the window after delivery (a reason says what to re-test)."""
    order = get_order(actor, order_id, for_update=True)
    require_orderer(actor, order)
    check(order, A.REOPEN)
    if not rules.may_reopen(order.delivered_at, now, window_days):
        raise refuse(409, "RETEST_WINDOW_PASSED", days=window_days)
    text = _reason(reason)
    order.reopen_count += 1
    transition(order, A.REOPEN, actor_id=actor.id, now=now, reason=text)
    order.updated_at = now
    db.session.flush()
    notify.order_event(order, "reopened", actor, reason=text)
    return order


def cancel_order(actor: User, order_id: int, *, reason: str | None, now: datetime) -> ServiceOrder:
    """The enterprise cancels before its samples are received; a manager, with a reason, until
    delivery. The order's capacity is freed."""
    order = get_order(actor, order_id, for_update=True)
    lab = is_lab_side(actor, order)
    if not lab and not is_orderer(actor, order):
        raise Refusal(403, [Problem("FORBIDDEN")])
    check(order, A.CANCEL)
    if not rules.may_cancel(order.status, by_manager=lab):
        raise refuse(409, "TOO_LATE_TO_CANCEL", order_status=str(order.status))
    text = _reason(reason) if lab else ((reason or "").strip() or None)
    order.cancel_reason = text
    order.cancelled_by_id = actor.id
    capacity.release(order)
    transition(order, A.CANCEL, actor_id=actor.id, now=now, reason=text)
    order.updated_at = now
    db.session.flush()
    notify.order_event(order, "cancelled_by_lab" if lab else "cancelled_by_customer", actor, reason=text)
    return order


# ------------------------------------------------------------------------------ notes and the job
MAX_NOTE = 2000


def add_note(actor: User, order_id: int, text: str, *, now: datetime) -> ServiceOrder:
    """A manager's note the enterprise sees (in the order's history)."""
    order = get_order(actor, order_id)
    require_lab_side(actor, order)
    body = (text or "").strip()
    if not body:
        raise refuse(422, "NOTE_REQUIRED", field="note")
    if len(body) > MAX_NOTE:
        raise refuse(422, "NOTE_TOO_LONG", field="note", max=MAX_NOTE)
    order.new_event(action="note", from_status=None, to_status=None, actor_id=actor.id, at=now, reason=body)
    order.updated_at = now
    db.session.flush()
    notify.order_event(order, "note", actor, reason=body)
    return order


def close_expired(now: datetime, window_days: int = rules.DEFAULT_RETEST_DAYS) -> int:
    """The job: delivered orders whose re-test window has passed close themselves."""
    cutoff = now - timedelta(days=window_days)
    orders = db.session.execute(
        select(ServiceOrder)
        .where(ServiceOrder.status == OrderStatus.DELIVERED, ServiceOrder.delivered_at < cutoff)
        .order_by(ServiceOrder.id)
        .limit(500)
    ).scalars()
    count = 0
    for order in orders:
        if not rules.due_to_close(order.delivered_at, now, window_days):
            continue
        transition(order, A.CLOSE, actor_id=None, now=now)
        order.closed_at = order.updated_at = now
        notify.order_event(order, "closed", None)
        count += 1
    db.session.flush()
    return count


def allowed_actions(actor: User, order: ServiceOrder, now: datetime, window_days: int) -> list[str]:
    """The buttons ``actor`` has on this order now (from the state machine, then who may)."""
    lab, orderer = is_lab_side(actor, order), is_orderer(actor, order)
    out = []
    for action in sorted(rules.MACHINE.actions_from(order.status), key=list(A).index):
        if action is A.CLOSE:
            continue
        if action is A.CANCEL:
            if rules.may_cancel(order.status, by_manager=lab) and (lab or orderer):
                out.append(str(action))
        elif action in rules.MANAGER_ACTIONS and lab:
            out.append(str(action))
        elif action in rules.CUSTOMER_ACTIONS and orderer:
            if action is A.REOPEN and not rules.may_reopen(order.delivered_at, now, window_days):
                continue
            out.append(str(action))
    return out
