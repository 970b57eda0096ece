"""One page of a list, as every list of the operations returns it (the pager itself is the
templates': templates/macros/forms.html; the API's page envelope is the api package's)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Select, func, select

from bwq_lab.extensions import db


@dataclass(frozen=True)
class Page:
    items: list
    total: int
    page: int
    per_page: int


def paged(
    query: Select, order_by: Iterable = (), *, page: int, per_page: int, count_query: Select | None = None
) -> Page:
    """One page of ``query`` in ``order_by`` order (ids last, so pages never overlap; none: the
    query's own order), with the total count of the whole query (or ``count_query``'s, where a
    cheaper count is known)."""
    if count_query is None:
        count_query = select(func.count()).select_from(query.order_by(None).subquery())
    total = db.session.execute(count_query).scalar_one()
    items = db.session.execute(query.order_by(*order_by).limit(per_page).offset((page - 1) * per_page)).scalars()
    return Page(list(items), total, page, per_page)
