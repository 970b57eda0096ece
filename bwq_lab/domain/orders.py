"""Lab-service orders (批次): the status machine and the rules that decide who may do what, when.

::

    submitted --accept--> accepted --receive--> samples_received --start--> in_progress
        |  \\--reject--> rejected                                              |
        \\--cancel--> cancelled <--cancel-- (accepted, samples_received, in_progress: managers)
    in_progress --deliver--> delivered --confirm/close--> closed
                                 \\--reopen--> reopened --start--> in_progress (the re-test)

The enterprise may cancel only before its samples are received; a manager may cancel any
order that has not been delivered, with a reason. A delivered order can be reopened for a
re-test within a window (default 15 days) after its delivery; after that window it closes itself.
Pure Python: explicit ``now``, no Flask, no database.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from bwq_lab.domain.lifecycle import StateMachine


class OrderStatus(StrEnum):
    SUBMITTED = "submitted"
    ACCEPTED = "accepted"
    SAMPLES_RECEIVED = "samples_received"
    IN_PROGRESS = "in_progress"
    DELIVERED = "delivered"
    CLOSED = "closed"
    REJECTED = "rejected"
    CANCELLED = "cancelled"
    REOPENED = "reopened"


class OrderAction(StrEnum):
    ACCEPT = "accept"
    REJECT = "reject"
    RECEIVE = "receive"
    START = "start"
    DELIVER = "deliver"
    CONFIRM = "confirm"
    CLOSE = "close"  # the job, after the re-test window
    CANCEL = "cancel"
    REOPEN = "reopen"


class Hazard(StrEnum):
    NONE = "none"
    CHEMICAL = "chemical"
    BIOLOGICAL = "biological"
    RADIOACTIVE = "radioactive"


S, A = OrderStatus, OrderAction

TRANSITIONS: dict[OrderStatus, dict[OrderAction, OrderStatus]] = {
    S.SUBMITTED: {A.ACCEPT: S.ACCEPTED, A.REJECT: S.REJECTED, A.CANCEL: S.CANCELLED},
    S.ACCEPTED: {A.RECEIVE: S.SAMPLES_RECEIVED, A.CANCEL: S.CANCELLED},
    S.SAMPLES_RECEIVED: {A.START: S.IN_PROGRESS, A.CANCEL: S.CANCELLED},
    S.IN_PROGRESS: {A.DELIVER: S.DELIVERED, A.CANCEL: S.CANCELLED},
    S.DELIVERED: {A.CONFIRM: S.CLOSED, A.CLOSE: S.CLOSED, A.REOPEN: S.REOPENED},
    S.REOPENED: {A.START: S.IN_PROGRESS, A.DELIVER: S.DELIVERED},
    S.CLOSED: {},
    S.REJECTED: {},
    S.CANCELLED: {},
}

MACHINE: StateMachine[OrderStatus, OrderAction] = StateMachine("order", OrderStatus, OrderAction, TRANSITIONS)

#: statuses whose order holds lab capacity (its planned processing days)
HOLDS_CAPACITY = frozenset({S.ACCEPTED, S.SAMPLES_RECEIVED, S.IN_PROGRESS})
#: statuses the enterprise may still cancel from (its samples are not in the lab yet)
ENTERPRISE_CANCELLABLE = frozenset({S.SUBMITTED, S.ACCEPTED})
#: what each side may do (the machine says when; these say who)
MANAGER_ACTIONS = frozenset({A.ACCEPT, A.REJECT, A.RECEIVE, A.START, A.DELIVER, A.CANCEL})
CUSTOMER_ACTIONS = frozenset({A.CONFIRM, A.CANCEL, A.REOPEN})

DEFAULT_RETEST_DAYS = 15


@dataclass(frozen=True)
class Quote:
    units: int
    unit_price_fen: int
    fee_fen: int
    tier: str  # "internal" | "external"


def quote(units: int, price_internal_fen: int, price_external_fen: int, *, internal: bool) -> Quote:
    """Price × units, at the internal price for the provider's own people, else the external one.
    Integer fen throughout."""
    if units < 0:
        raise ValueError("units must not be negative")
    unit_price = price_internal_fen if internal else price_external_fen
    return Quote(units, unit_price, unit_price * units, "internal" if internal else "external")


def order_problems(
    *,
    samples: int,
    min_samples: int,
    max_samples: int,
    hazard: Hazard | str,
    hazardous_accepted: bool,
    service_active: bool,
) -> list[tuple[str, str | None, dict]]:
    """Everything wrong with a new order at once, as ``(code, field, params)``."""
    problems: list[tuple[str, str | None, dict]] = []
    if not service_active:
        problems.append(("SERVICE_UNAVAILABLE", "service_id", {}))
    if samples < min_samples:
        problems.append(("TOO_FEW_SAMPLES", "samples", {"min": min_samples}))
    elif samples > max_samples:
        problems.append(("TOO_MANY_SAMPLES", "samples", {"max": max_samples}))
    if Hazard(hazard) is not Hazard.NONE and not hazardous_accepted:
        problems.append(("HAZARD_NOT_ACCEPTED", "hazard", {"hazard": str(hazard)}))
    return problems


def needs_hazard_acceptance(hazard: Hazard | str) -> bool:
    """A hazardous batch is accepted only with the manager's explicit acceptance of the hazard."""
    return Hazard(hazard) is not Hazard.NONE


def may_cancel(status: OrderStatus | str, *, by_manager: bool) -> bool:
    """Enterprises cancel before samples are received; managers (with a reason) until delivery."""
    if not MACHINE.can(status, A.CANCEL):
        return False
    return by_manager or OrderStatus(status) in ENTERPRISE_CANCELLABLE


def retest_deadline(delivered_at: datetime, window_days: int = DEFAULT_RETEST_DAYS) -> datetime:
    return delivered_at + timedelta(days=window_days)


def may_reopen(delivered_at: datetime | None, now: datetime, window_days: int = DEFAULT_RETEST_DAYS) -> bool:
    """A re-test may be asked for until ``window_days`` after the (latest) delivery."""
    return delivered_at is not None and now <= retest_deadline(delivered_at, window_days)


def due_to_close(delivered_at: datetime | None, now: datetime, window_days: int = DEFAULT_RETEST_DAYS) -> bool:
    """The job closes a delivered order once its re-test window has passed."""
    return delivered_at is not None and now > retest_deadline(delivered_at, window_days)
