"""The audit log: who did what, when and from where, for every privileged action.

Operations call ``record`` in the same transaction as the change, so the row exists exactly when
the change committed::

    audit.record(actor, "provider.edit", provider, now=now, fields=sorted(changed))

*From where* is set once per request by the edge (``audit.origin.set(ip)``; the CLI sets
``"cli"``), so operations need neither Flask nor a parameter for it. Actions in use (keep the list
in docs/security.md): ``booking.approve``, ``booking.reject``, ``booking.override``,
``booking.record_use``, ``manager.assign``, ``provider.create``, ``provider.edit``,
``membership.approve``, ``membership.reject``, ``token.create``, ``token.revoke``,
``tokens.revoke_all``, ``staff.deactivate``, ``staff.activate``, ``service_record.edit``,
``service_record.delete``, ``goals.set``.
"""

from __future__ import annotations

from contextvars import ContextVar
from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from bwq_lab.extensions import db
from bwq_lab.models import AuditEvent, User
from bwq_lab.models.base import utcnow

ACTIONS = (
    "booking.approve", "booking.reject", "booking.override", "booking.record_use", "manager.assign",
    "provider.create", "provider.edit", "membership.approve", "membership.reject", "token.create",
    "token.revoke", "tokens.revoke_all", "staff.deactivate", "staff.activate", "service_record.edit",
    "service_record.delete", "goals.set",
)  # fmt: skip

#: where the current request or command comes from (an IP address, or "cli")
origin: ContextVar[str | None] = ContextVar("bwq_audit_origin", default=None)


def record(
    actor: User | None, action: str, target: Any = None, *, now: datetime | None = None, **details: Any
) -> AuditEvent:
    """Append one audit row (flushed with the caller's transaction, never committed here).
    Without ``now`` the row is stamped when it is written."""
    event = AuditEvent(
        at=now or utcnow(),
        actor_id=getattr(actor, "id", None),
        actor_email=getattr(actor, "email", None),
        action=action,
        target_kind=(getattr(target, "__tablename__", None) or type(target).__name__.lower())
        if target is not None
        else None,
        target_id=getattr(target, "id", None),
        details={k: _plain(v) for k, v in details.items()},
        ip=(origin.get() or None),
    )
    db.session.add(event)
    return event


def _plain(value: Any) -> Any:
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return str(value)


def recent(*, page: int = 1, per_page: int = 50, action: str | None = None) -> tuple[list[AuditEvent], int]:
    """Newest first, for the administrators' page."""
    query = select(AuditEvent)
    if action:
        query = query.where(AuditEvent.action == action)
    total = db.session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    rows = db.session.execute(
        query.order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).offset((page - 1) * per_page).limit(per_page)
    ).scalars()
    return list(rows), total
