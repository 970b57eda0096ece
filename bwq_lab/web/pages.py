"""What the page blueprints share: the signed-in user, query arguments, and catching an
operation's refusal so that the page can be shown again with every problem.

    with refusals(form) as refused:
        booking = ops.cancel_booking(signed_in_user(), booking_id, clock.now())
    if refused:
        return _detail_page(booking_id, refused.status, cancel_form=form)
    db.session.commit()
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from flask import flash, request
from flask_login import current_user

from bwq_lab.edge.messages import localize
from bwq_lab.errors import OperationError, Problem
from bwq_lab.extensions import db
from bwq_lab.models import User

#: the refusals a page answers by showing itself again (403/404 go to the error pages)
REFUSALS = (409, 422)


def signed_in_user() -> User:
    """The signed-in user itself, not the proxy (operations keep and return what they are given)."""
    return current_user._get_current_object()


def int_arg(name: str) -> int | None:
    """A whole number from the query string, else None."""
    value = request.args.get(name, "").strip()
    return int(value) if value.isascii() and value.isdigit() and len(value) <= 10 else None


def page_arg() -> int:
    """``?page=`` (1 when missing or not a whole number)."""
    return max(1, int_arg("page") or 1)


def search_arg() -> str:
    """``?q=``, trimmed to the 100 characters a search takes."""
    return request.args.get("q", "").strip()[:100]


@dataclass
class Refusal:
    """What :func:`refusals` caught: false until an operation refused."""

    status: int | None = None
    problems: list[Problem] = field(default_factory=list)

    def __bool__(self) -> bool:
        return self.status is not None


@contextmanager
def refusals(form=None, statuses: tuple[int, ...] = REFUSALS) -> Iterator[Refusal]:
    """Catch an ``OperationError`` with one of ``statuses`` raised in the block: roll the
    transaction back, put its problems next to the form's fields (when a form is given) and
    record it in the yielded :class:`Refusal`. Any other error goes on to the error pages.
    The caller commits when nothing was refused."""
    refusal = Refusal()
    try:
        yield refusal
    except OperationError as exc:
        if exc.status not in statuses:
            raise
        db.session.rollback()
        refusal.status, refusal.problems = exc.status, localize(exc.problems)
        if form is not None:
            form.add_problems(exc.problems)


def flash_problems(problems: list[Problem], prefix: str = "") -> None:
    """Every problem as an error message on the next page (for buttons that have no form page)."""
    for p in localize(problems):
        flash(f"{prefix}{p.message}", "error")


def save_form(form, create, update, item=None):
    """Create (``create(user, values)``) or update (``update(user, item.id, values)``) from the
    form's values and commit; on a 422 the problems go next to the fields and None is returned."""
    with refusals(form, (422,)) as refused:
        if item is None:
            saved = create(signed_in_user(), form.values())
        else:
            saved = update(signed_in_user(), item.id, form.values())
    if refused:
        return None
    db.session.commit()
    return saved
