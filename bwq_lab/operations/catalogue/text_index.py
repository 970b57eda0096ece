"""The instrument search's two engines over the search index (``models/search.py``): SQLite's
FTS5 table and PostgreSQL's text search. Both find the public instruments matching every term and
rank them by where the words matched (``domain/catalogue.py``: name > model > maker > capability >
provider), the word as typed one more than a synonym.
"""

from __future__ import annotations

import functools
import heapq
import json
from collections.abc import Mapping

from sqlalchemy import ColumnElement, case, column, func, select, table, text

from bwq_lab.domain import catalogue as vocab
from bwq_lab.extensions import db
from bwq_lab.models import Instrument, Provider, search

_FTS_TABLE = "instrument_search"


def matching_scores(hits: dict[int, dict[str, set[str]]], terms: list[vocab.SearchTerm]) -> dict[int, int]:
    """``{instrument id: relevance}`` for instruments matching every term."""
    scores: dict[int, int] = {}
    for iid, fields in hits.items():
        if all(any(t.typed in f or "~" + t.typed in f for f in fields.values()) for t in terms):
            scores[iid] = vocab.relevance(fields, terms)
    return scores


def _fts_phrase(alternative: str) -> str | None:
    parts, prefix = vocab.phrase_tokens(alternative)
    if not parts:
        return None
    return '"' + " ".join(parts) + '"' + ("*" if prefix else "")


@functools.lru_cache(maxsize=1024)
def _fts_any(alternatives: tuple[str, ...]) -> str | None:
    """Any of the alternatives, as an FTS5 query (those another one covers left out)."""
    phrases = [p for p in (_fts_phrase(a) for a in vocab.covering(tuple(alternatives))) if p]
    return "(" + " OR ".join(phrases) + ")" if phrases else None


def _fts_all(terms: list[vocab.SearchTerm]) -> str | None:
    per_term = [_fts_any(t.alternatives) for t in terms]
    if not per_term or any(p is None for p in per_term):
        return None
    return " AND ".join(per_term)  # type: ignore[arg-type]


def fts_candidates(
    terms: list[vocab.SearchTerm],
    *,
    category: str | None,
    city_id: int | None,
    provider_id: int | None,
    status: str | None,
    with_cities: bool = False,
) -> dict[int, int]:
    """SQLite: the public instruments matching every term somewhere (one FTS5 query) that pass
    the filters, as ``{id: city id}`` (the city is 0 unless asked for or filtered on)."""
    cities: dict[int, int] = {}
    match = _fts_all(terms)
    if match is None:
        return cities
    cursor = db.session.connection().connection.driver_connection.cursor()
    if not (status or category or city_id or provider_id or with_cities):
        # the index holds public instruments only: it alone answers an unfiltered query
        for (iid,) in cursor.execute(f"SELECT rowid FROM {_FTS_TABLE} WHERE {_FTS_TABLE} MATCH ?", (match,)):
            cities[iid] = 0
        return cities
    sql = (
        f"SELECT i.id, p.city_id FROM {_FTS_TABLE} s CROSS JOIN instruments i ON i.id = s.rowid"
        f" JOIN providers p ON p.id = i.provider_id WHERE s.{_FTS_TABLE} MATCH ?"
    )
    params: list = [match]
    for name, value in (
        ("i.status", status),
        ("i.category", category),
        ("p.city_id", city_id),
        ("i.provider_id", provider_id),
    ):
        if value:
            sql += f" AND {name} = ?"
            params.append(value)
    for iid, cid in cursor.execute(sql, params):
        cities[iid] = cid
    return cities


def fts_scores(terms: list[vocab.SearchTerm], candidates: Mapping[int, str], need: int | None) -> dict[int, int]:
    """Relevance of the candidates, asking the index field by field in weight order (name,
    model, maker, capability, provider). An item's score is final once each term has matched
    in some field asked so far; with ``need`` the asking stops as soon as ``need`` final scores
    beat anything still open (so a broad query reads the name field only). Items left open
    matched the remaining terms in a lower field: they get the lowest weight for those."""
    cursor = db.session.connection().connection.driver_connection.cursor()
    query = f"SELECT rowid FROM {_FTS_TABLE} WHERE {_FTS_TABLE} MATCH ?"
    fields = [f for f in vocab.SEARCH_FIELDS if f[0] != "description"]
    floor = dict(vocab.SEARCH_FIELDS)["description"]
    best: dict[int, dict[int, int]] = {}  # item -> {term index: weight}
    n_terms = len(terms)
    for level, (field, weight) in enumerate(fields):
        for k, term in enumerate(terms):
            found = [
                rowid
                for (rowid,) in cursor.execute(query, (f"{{{field}}} : {_fts_any(term.alternatives)}",))
                if rowid in candidates
            ]
            typed_found: set[int] = set()
            if field == "name" and (typed := _fts_phrase(term.typed)):
                typed_found = {rowid for (rowid,) in cursor.execute(query, (f"{{name}} : {typed}",))}
            for rowid in found:
                terms_best = best.setdefault(rowid, {})
                if k not in terms_best:
                    terms_best[k] = weight + (rowid in typed_found)
        if need is not None and level + 1 < len(fields):
            next_weight = fields[level + 1][1]
            final: list[int] = []
            open_bound = n_terms * next_weight if len(best) < len(candidates) else 0
            for b in best.values():
                if len(b) == n_terms:
                    final.append(sum(b.values()))
                else:
                    open_bound = max(open_bound, sum(b.values()) + (n_terms - len(b)) * next_weight)
            if len(final) >= need and heapq.nlargest(need, final)[-1] > open_bound:
                return {iid: sum(b.values()) for iid, b in best.items() if len(b) == n_terms}
    return {iid: sum(best.get(iid, {}).get(k, floor) for k in range(n_terms)) for iid in candidates}


def stored_scores(terms: list[vocab.SearchTerm], ids: list[int]) -> dict[int, int]:
    """SQLite: the relevance of a few candidates, from their rows of the index (the tokens as
    stored), matched in Python with the index's own semantics (``vocab.matches``)."""
    if not ids:
        return {}
    cursor = db.session.connection().connection.driver_connection.cursor()
    sql = f"SELECT rowid, {', '.join(search.COLUMNS)} FROM {_FTS_TABLE} WHERE rowid IN (SELECT value FROM json_each(?))"
    hits = {
        rowid: vocab.field_hits(terms, {f: t.split() for f, t in zip(search.COLUMNS, texts, strict=True)})
        for rowid, *texts in cursor.execute(sql, (json.dumps(ids),))
    }
    return matching_scores(hits, terms)


def pg_page(
    terms: list[vocab.SearchTerm],
    filters: list[ColumnElement[bool]],
    city_order: ColumnElement | None,
    page_no: int,
    size: int,
) -> tuple[list[int], int]:
    """PostgreSQL: one page of the public instruments matching every term, by relevance (after
    the city with ``city_order``), and how many match. The GIN index over the whole document
    finds them; each term's relevance is one CASE over the fields in weight order (the word as
    typed one more than a synonym), so most rows stop at their name; the database sorts."""
    per_term = [(search.tsquery_any(t.alternatives), search.tsquery_phrase(t.typed)) for t in terms]
    if any(q is None for q, _typed in per_term):
        return [], 0
    index = table(search.TABLE, column("instrument_id"), column("document"), *(column(f) for f in search.COLUMNS))
    scores = []
    for any_q, typed_q in per_term:
        whens = []
        for field, weight in vocab.SEARCH_FIELDS:
            if typed_q is not None:
                whens.append((index.c[field].op("@@")(search.as_tsquery(typed_q)), weight + 1))
            whens.append((index.c[field].op("@@")(search.as_tsquery(any_q)), weight))
        scores.append(case(*whens, else_=0))
    everything = search.as_tsquery(" & ".join(q for q, _typed in per_term))
    found = (
        select(index.c.instrument_id, *(s.label(f"s{n}") for n, s in enumerate(scores)))
        .where(index.c.document.op("@@")(everything))
        .cte("found")
        .prefix_with("MATERIALIZED")  # the GIN index first, whatever the statistics say
    )
    term_scores = [found.c[f"s{n}"] for n in range(len(scores))]
    relevance = sum(term_scores[1:], term_scores[0])
    query = select(found.c.instrument_id, func.count().over())
    if filters or city_order is not None:  # (none: the index alone answers)
        query = query.join(Instrument, Instrument.id == found.c.instrument_id).join(
            Provider, Instrument.provider_id == Provider.id
        )
    query = (
        query.where(*filters, *(s > 0 for s in term_scores))
        .order_by(*([city_order] if city_order is not None else []), relevance.desc(), found.c.instrument_id)
        .limit(size)
        .offset((page_no - 1) * size)
    )
    # The planner prices a phrase match like a comparison and picks a sequential scan for a
    # broad query (3x slower than the index, measured): the index is asked, for this statement.
    db.session.execute(text("SET LOCAL enable_seqscan = off"))
    try:
        rows = db.session.execute(query).all()
        total = rows[0][1] if rows else 0
        if not rows and page_no > 1:  # past the end: count alone
            total = db.session.execute(
                select(func.count()).select_from(query.order_by(None).limit(None).offset(None).subquery())
            ).scalar_one()
    finally:
        db.session.execute(text("SET LOCAL enable_seqscan = on"))
    return [r[0] for r in rows], total
