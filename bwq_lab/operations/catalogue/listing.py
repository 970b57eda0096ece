"""What a public listing of the catalogue is: which instruments the public sees, a page of
results, and the word filters every listing shares (a word in any column, or a label of a code).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from sqlalchemy import ColumnElement, Select, func, or_

from bwq_lab.domain import catalogue as vocab
from bwq_lab.operations.paging import Page, paged

MAX_PER_PAGE = 100


PUBLIC_INSTRUMENT_STATUSES = ("active", "maintenance")


def page_args(page: int | None, per_page: int | None) -> tuple[int, int]:
    page = max(1, int(page or 1))
    per_page = min(MAX_PER_PAGE, max(1, int(per_page or 20)))
    return page, per_page


def paginate(query: Select, count_query: Select, page: int | None, per_page: int | None) -> Page:
    """A public listing's page: the asked page and size bounded (``page_args``), ``query`` in its
    own order."""
    page, per_page = page_args(page, per_page)
    return paged(query, page=page, per_page=per_page, count_query=count_query)


def _like(column, term: str) -> ColumnElement[bool]:
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return func.lower(column).like(f"%{escaped}%", escape="\\")


def _terms(q: str | None) -> list[str]:
    return [t.lower() for t in (q or "").split() if t.strip()]


def keyword_filters(
    q: str | None, columns: Iterable, code_column, vocabulary: Mapping[str, tuple[str, str]]
) -> list[ColumnElement[bool]]:
    """One condition per word (all must match): the word in any column, or a label of the code."""
    columns = list(columns)
    conditions = []
    for term in _terms(q):
        alternatives = [_like(c, term) for c in columns]
        codes = vocab.codes_matching(vocabulary, term)
        if codes:
            alternatives.append(code_column.in_(codes))
        conditions.append(or_(*alternatives))
    return conditions
