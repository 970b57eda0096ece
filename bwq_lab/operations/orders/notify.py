"""E-mails about orders, queued in the transactional outbox (sent only if the change commits).

No words here: each message names a template ``templates/mail/order_<what>.txt`` and carries the
facts it needs; the delivery renders it in each recipient's own language."""

from __future__ import annotations

from bwq_lab import mail
from bwq_lab.models import ServiceOrder, User
from bwq_lab.operations.orders.access import managers_of

#: what happened -> who hears of it
TO_LAB = {"submitted", "cancelled_by_customer", "confirmed", "reopened"}
TO_CUSTOMER = {"accepted", "rejected", "received", "delivered", "cancelled_by_lab", "note", "closed"}


def language_of(user: User) -> str | None:
    return getattr(user, "language", None) or user.locale


def order_facts(order: ServiceOrder) -> dict:
    service = order.service
    return {
        "order_id": order.id,
        "service": service.name,
        "service_en": service.name_en or service.name,
        "samples": order.samples,
        "status": str(order.status),
        "promised_date": order.promised_date.isoformat() if order.promised_date else None,
        "fee_fen": order.fee_fen,
    }


def order_event(order: ServiceOrder, what: str, actor: User | None, *, reason: str | None = None) -> None:
    if what in TO_LAB:
        recipients = [m for m in managers_of(order.service) if actor is None or m.id != actor.id]
    else:
        recipients = [order.user] if actor is None or order.user_id != actor.id else []
    if not recipients:
        return
    mail.queue_template(
        [(user.email, language_of(user)) for user in recipients],
        f"order_{what}",
        actor_name=actor.name if actor else "",
        reason=reason or "",
        **order_facts(order),
    )
