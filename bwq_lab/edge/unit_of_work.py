"""One unit of work per request: open the write transaction, run the view, commit once.

Pages and the API decorate every view that changes something::

    @bp.post("/orders/<int:order_id>/accept")
    @unit_of_work
    def accept(order_id): ...

    class Orders(MethodView):
        @unit_of_work(keep_loaded=True)      # the response is dumped from the objects as committed
        def post(self, data): ...

- Before the view of a writing request (POST, PUT, PATCH, DELETE): SQLite's write lock is taken
  (``BEGIN IMMEDIATE`` behind the file gate), unless ``locks_itself=True`` says the operation takes
  it itself, late, after its reads (hot paths), or that the view only reads. PostgreSQL: nothing
  (its constraints and row locks decide races).
- The view returns: a response below 400 is committed once; a page shown again with a 4xx status
  (a form with problems) is rolled back, so nothing is half-saved.
- A :class:`~bwq_lab.refusals.Refusal` or any other exception: rolled back, then handed to the
  error handlers (JSON for API clients, a page for browsers). Pages that show a refusal on their
  own form catch it inside the view with ``web.pages.refusals``.
- Side effects (e-mail) are outbox rows written in the same transaction: they exist only if the
  commit happened.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import Flask, Response, request

from bwq_lab.extensions import db
from bwq_lab.operations.transactions import begin_write, commit

F = TypeVar("F", bound=Callable[..., Any])
WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def _status_of(rv: Any) -> int:
    if isinstance(rv, Response):
        return rv.status_code
    if isinstance(rv, tuple) and len(rv) >= 2 and isinstance(rv[1], int):
        return rv[1]
    if isinstance(rv, tuple) and rv and isinstance(rv[0], Response):
        return rv[0].status_code
    return 200


def unit_of_work(view: F | None = None, *, locks_itself: bool = False, keep_loaded: bool = False):
    def decorator(fn: F) -> F:
        @wraps(fn)
        def wrapped(*args, **kwargs):
            if not locks_itself and request.method in WRITES:
                begin_write()
            try:
                rv = fn(*args, **kwargs)
            except BaseException:
                db.session.rollback()
                raise
            if _status_of(rv) < 400:
                commit(keep_loaded=keep_loaded)
            else:
                db.session.rollback()
            return rv

        wrapped._bwq_locks_itself = locks_itself  # type: ignore[attr-defined]
        wrapped._bwq_unit_of_work = True  # type: ignore[attr-defined]
        return wrapped  # type: ignore[return-value]

    if view is not None:
        return decorator(view)
    return decorator


__all__ = ["unit_of_work"]


def _is_unit_of_work(view: Any, method: str) -> bool:
    """The view (a function, or a MethodView's method for ``method``) manages its own transaction."""
    cls = getattr(view, "view_class", None)
    if cls is not None:
        view = getattr(cls, method.lower(), None)
    return bool(getattr(view, "_bwq_unit_of_work", False))


def register(app: Flask) -> None:
    """The same lock protocol for writing views not (yet) decorated: a request that writes holds
    SQLite's write lock from its first statement, so a check and the write that follows cannot
    interleave with another writer, and no read snapshot goes stale ("database is locked")."""

    @app.before_request
    def _writes_take_the_lock_first():
        if request.method in WRITES and not _is_unit_of_work(app.view_functions.get(request.endpoint), request.method):
            begin_write()
