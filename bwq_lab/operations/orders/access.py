"""Who may see and act on an order, and the lists each side reads.

The ordering side is the enterprise (every active member of it) or, for an order placed without
an enterprise, the user who placed it. The lab side is the service's managers. Anyone else gets
404: an order (and its files) never reveals that it exists.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload, selectinload

from bwq_lab.domain.orders import OrderStatus
from bwq_lab.extensions import db
from bwq_lab.models import LabService, ServiceOrder, ServiceOrderEvent, User
from bwq_lab.models.user import managed_services
from bwq_lab.operations.paging import Page, paged
from bwq_lab.refusals import Problem, Refusal


def not_found() -> Refusal:
    return Refusal(404, [Problem("ORDER_NOT_FOUND")])


def is_orderer(actor: User, order: ServiceOrder) -> bool:
    if order.enterprise_id is not None:
        return actor.is_active_member and actor.enterprise_id == order.enterprise_id
    return actor.id == order.user_id


def is_lab_side(actor: User, order: ServiceOrder) -> bool:
    return actor.manages_service(order.service)


def can_view(actor: User, order: ServiceOrder) -> bool:
    return is_orderer(actor, order) or is_lab_side(actor, order)


def get_order(actor: User, order_id: int, *, for_update: bool = False, with_history: bool = False) -> ServiceOrder:
    """The order, if ``actor`` may see it; otherwise 404."""
    query = select(ServiceOrder).where(ServiceOrder.id == order_id).options(joinedload(ServiceOrder.service))
    if with_history:
        query = query.options(
            selectinload(ServiceOrder.events).joinedload(ServiceOrderEvent.actor),
            selectinload(ServiceOrder.files),
            selectinload(ServiceOrder.allocations),
        )
    if for_update and db.engine.dialect.name == "postgresql":
        query = query.with_for_update(of=ServiceOrder)
    order = db.session.execute(query).unique().scalar_one_or_none()
    if order is None or not can_view(actor, order):
        raise not_found()
    return order


def require_lab_side(actor: User, order: ServiceOrder) -> None:
    """Only the service's managers act for the lab (the orderer gets 403: they can see the order)."""
    if not is_lab_side(actor, order):
        raise Refusal(403, [Problem("LAB_ONLY")])


def require_orderer(actor: User, order: ServiceOrder) -> None:
    if not is_orderer(actor, order):
        raise Refusal(403, [Problem("ORDERER_ONLY")])


def managed_service_ids(manager: User):
    if manager.manages_all:
        return select(LabService.id).where(LabService.provider_id == manager.provider_id)
    return select(managed_services.c.service_id).where(managed_services.c.user_id == manager.id)


def list_orders(
    actor: User,
    *,
    scope: str = "own",
    status: Iterable[str] | None = None,
    service_id: int | None = None,
    created_from=None,
    created_to=None,
    page: int = 1,
    per_page: int = 20,
) -> Page:
    """``scope="own"``: the actor's enterprise's orders (or their own); ``"managed"``: orders
    for the services the actor manages."""
    query = select(ServiceOrder)
    if scope == "managed":
        if not actor.is_manager:
            raise Refusal(403, [Problem("LAB_ONLY")])
        query = query.where(ServiceOrder.service_id.in_(managed_service_ids(actor)))
    elif actor.is_active_member:
        query = query.where(ServiceOrder.enterprise_id == actor.enterprise_id)
    else:
        query = query.where(ServiceOrder.user_id == actor.id, ServiceOrder.enterprise_id.is_(None))
    wanted = [OrderStatus(s) for s in (status or []) if s]
    if wanted:
        query = query.where(ServiceOrder.status.in_(wanted))
    if service_id is not None:
        query = query.where(ServiceOrder.service_id == service_id)
    if created_from is not None:
        query = query.where(ServiceOrder.created_at >= created_from)
    if created_to is not None:
        query = query.where(ServiceOrder.created_at < created_to)
    return paged(
        query.options(joinedload(ServiceOrder.service), joinedload(ServiceOrder.user)),
        (ServiceOrder.created_at.desc(), ServiceOrder.id.desc()),
        page=page,
        per_page=per_page,
    )


def board(manager: User) -> dict[OrderStatus, list[ServiceOrder]]:
    """The manager's open orders by status (final ones are left out), oldest first."""
    final = [OrderStatus.CLOSED, OrderStatus.REJECTED, OrderStatus.CANCELLED]
    rows = (
        db.session.execute(
            select(ServiceOrder)
            .where(ServiceOrder.service_id.in_(managed_service_ids(manager)), ServiceOrder.status.not_in(final))
            .options(joinedload(ServiceOrder.service), joinedload(ServiceOrder.user))
            .order_by(ServiceOrder.created_at, ServiceOrder.id)
            .limit(1000)
        )
        .scalars()
        .all()
    )
    out: dict[OrderStatus, list[ServiceOrder]] = {s: [] for s in OrderStatus if s not in final}
    for order in rows:
        out[order.status].append(order)
    return out


def managers_of(service: LabService) -> list[User]:
    """The users who manage a service (for e-mail)."""
    return list(
        db.session.execute(
            select(User).where(
                User.role == "manager",
                User.provider_id == service.provider_id,
                User.is_active_account.is_(True),
                or_(
                    User.manages_all.is_(True),
                    User.id.in_(select(managed_services.c.user_id).where(managed_services.c.service_id == service.id)),
                ),
            )
        ).scalars()
    )


def today(now, tz) -> date:
    return now.astimezone(tz).date()
