"""The catalogue: search what providers open, and let managers and administrators edit it.

Searches are public and hide retired instruments and services. Editing use cases check who may
do what on every object, validate every field at once (raising :class:`Refusal` with one
:class:`Problem` per mistake, ``field`` naming the data key) and only flush. Problems are codes;
their words are in ``edge/messages/catalogue.py``.
"""

from __future__ import annotations

import functools
import heapq
import json
import re
import secrets
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    bindparam,
    case,
    column,
    func,
    literal_column,
    or_,
    select,
    table,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import joinedload, selectinload

from bwq_lab.domain import catalogue as vocab
from bwq_lab.domain import opening_hours
from bwq_lab.extensions import db
from bwq_lab.models import Enterprise, Instrument, LabService, Provider, Region, User, search
from bwq_lab.operations import audit
from bwq_lab.operations.regions import city_by_name
from bwq_lab.refusals import Problem, Refusal, forbidden, not_found

MAX_PER_PAGE = 100
SLOT_CHOICES = (5, 10, 15, 20, 30, 60, 120)
LATE_CANCELLATION = ("refuse", "allow")
PUBLIC_INSTRUMENT_STATUSES = ("active", "maintenance")


@dataclass(frozen=True)
class Page:
    items: list
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def _page_args(page: int | None, per_page: int | None) -> tuple[int, int]:
    page = max(1, int(page or 1))
    per_page = min(MAX_PER_PAGE, max(1, int(per_page or 20)))
    return page, per_page


def _paginate(query: Select, count_query: Select, page: int | None, per_page: int | None) -> Page:
    page, per_page = _page_args(page, per_page)
    total = db.session.execute(count_query).scalar_one()
    items = list(db.session.execute(query.limit(per_page).offset((page - 1) * per_page)).scalars())
    return Page(items, total, page, per_page)


def _like(column, term: str) -> ColumnElement[bool]:
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return func.lower(column).like(f"%{escaped}%", escape="\\")


def _terms(q: str | None) -> list[str]:
    return [t.lower() for t in (q or "").split() if t.strip()]


def _keyword_filters(
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


# ------------------------------------------------------------------------------------ searches


SORTS = ("relevance", "city", "next_free")


def search_instruments(
    q: str | None = None,
    category: str | None = None,
    city_id: int | None = None,
    provider_id: int | None = None,
    status: str | None = None,
    page: int | None = 1,
    per_page: int | None = 20,
    *,
    sort: str | None = None,
    near_city_id: int | None = None,
) -> Page:
    """Public instrument search; retired instruments never appear.

    ``q`` is understood with the domain vocabulary (abbreviations, synonyms, makers' Chinese and
    English names); every word must match somewhere. ``sort``: ``relevance`` (default with a
    query: where the words matched, name > model > maker > capability > provider), ``city``
    (nearest to ``near_city_id`` first, else by city), or name order without a query.
    (``next_free`` is ordered by the caller, which knows the viewer and the clock.)"""
    filters = [Instrument.status.in_(PUBLIC_INSTRUMENT_STATUSES)]
    if category:
        filters.append(Instrument.category == category)
    if status:
        filters.append(Instrument.status == status)
    if city_id:
        filters.append(Provider.city_id == city_id)
    if provider_id:
        filters.append(Instrument.provider_id == provider_id)
    terms = vocab.expand_query(q)
    page_no, size = _page_args(page, per_page)
    if not terms:
        if sort == "city":
            return _listing_by_city(filters, near_city_id, page_no, size)
        query = (
            select(Instrument)
            .join(Provider, Instrument.provider_id == Provider.id)
            .where(*filters)
            .options(selectinload(Instrument.provider).selectinload(Provider.city))
            .order_by(Instrument.name, Instrument.id)  # read in order from ix_instruments_name_id
        )
        count = select(func.count(Instrument.id)).where(*filters)
        if city_id:  # the only filter on the provider; every instrument has one
            count = count.join(Provider, Instrument.provider_id == Provider.id)
        return _paginate(query, count, page_no, size)

    if db.session.get_bind().dialect.name == "sqlite":
        cities = _fts_candidates(
            terms,
            category=category,
            city_id=city_id,
            provider_id=provider_id,
            status=status,
            with_cities=sort == "city",
        )
        total = len(cities)
        if sort == "city":
            # only the cities that hold the page are ranked by relevance (from the stored text)
            window = _cities_holding(Counter(cities.values()), near_city_id, page_no, size)
            ids = [iid for iid, cid in cities.items() if cid in window.cities]
            rows = [(iid, score, cities[iid]) for iid, score in _stored_scores(terms, ids).items()]
            rows.sort(key=lambda r: (window.cities[r[2]], -r[1], r[0]))
            ids = [r[0] for r in rows[window.skip : window.skip + size]]
            return Page(_instruments_in_order(ids), total, page_no, size)
        scores = _fts_scores(terms, cities, page_no * size)  # the relevance order needs only the top
        rows = sorted(scores.items(), key=lambda r: (-r[1], r[0]))  # equal relevance: the longer-listed first
        ids = [iid for iid, _score in rows[(page_no - 1) * size : page_no * size]]
    else:  # (the index holds public instruments only: the status filter is not needed)
        city_order = _city_rank(near_city_id) if sort == "city" else None
        ids, total = _pg_page(terms, filters[1:], city_order, page_no, size)
    return Page(_instruments_in_order(ids), total, page_no, size)


@dataclass(frozen=True)
class _CityWindow:
    cities: dict[int | None, int]  # the cities holding the page -> their order
    skip: int  # how many of their items come before the page


def _cities_holding(counts: Mapping[int | None, int], near_city_id: int | None, page_no: int, size: int) -> _CityWindow:
    """Nearest city first (``_city_ranks``; no city last): which cities, in order, hold the items
    of page ``page_no``, given how many items each city has."""
    rank = _city_ranks(near_city_id)
    ordered = sorted(counts, key=lambda c: (c is None, rank.get(c, len(rank)), c or 0))
    first, last = (page_no - 1) * size, page_no * size
    seen, skip, window = 0, 0, {}
    for city in ordered:
        n = counts[city]
        if seen + n > first and seen < last:
            if not window:
                skip = first - seen
            window[city] = len(window)
        seen += n
    return _CityWindow(window, skip)


def _listing_by_city(filters: list[ColumnElement[bool]], near_city_id: int | None, page_no: int, size: int) -> Page:
    """Nearest city first, name order inside a city: one grouped count says which cities hold
    the page; only those are read, each in name order (``ix_instruments_name_id``)."""
    joined = select(Provider.city_id, func.count(Instrument.id)).join(Provider, Instrument.provider_id == Provider.id)
    counts = dict(db.session.execute(joined.where(*filters).group_by(Provider.city_id)).tuples().all())
    window = _cities_holding(counts, near_city_id, page_no, size)
    items: list[Instrument] = []
    skip = window.skip
    for city in window.cities:
        in_city = Provider.city_id.is_(None) if city is None else Provider.city_id == city
        query = (
            select(Instrument)
            .join(Provider, Instrument.provider_id == Provider.id)
            .where(*filters, in_city)
            .options(selectinload(Instrument.provider).selectinload(Provider.city))
            .order_by(Instrument.name, Instrument.id)
            .offset(skip)
            .limit(size - len(items))
        )
        items.extend(db.session.execute(query).scalars())
        skip = 0
    return Page(items, sum(counts.values()), page_no, size)


Candidate = tuple[int, int, int]  # (instrument id, relevance, city id)


def _instruments_in_order(ids: list[int]) -> list[Instrument]:
    return _in_order(Instrument, ids)


def _in_order(model, ids: list[int]) -> list:
    """Instruments or services by id, in the order given, with provider and city loaded."""
    if not ids:
        return []
    found = {
        i.id: i
        for i in db.session.execute(
            select(model).where(model.id.in_(ids)).options(joinedload(model.provider).joinedload(Provider.city))
        )
        .unique()
        .scalars()
    }
    return [found[i] for i in ids if i in found]


def _city_ranks(near_city_id: int | None) -> dict[int, int]:
    """``{city id: rank}``: by distance from ``near_city_id``, or by the cities' division codes
    (the province's usual order) when no city is given."""
    from bwq_lab.domain.regions import city_distance_km

    rows = db.session.execute(select(Region.id, Region.code).where(Region.level == "city")).all()
    codes = dict(rows)
    if near_city_id in codes:
        near = codes[near_city_id]
        ordered = sorted(rows, key=lambda r: (city_distance_km(near, r.code), r.code or ""))
    else:
        ordered = sorted(rows, key=lambda r: r.code or "")
    return {cid: rank for rank, (cid, _) in enumerate(ordered)}


def _city_rank(near_city_id: int | None):
    """The same order as an SQL expression over the provider's city."""
    ranks = _city_ranks(near_city_id)
    return case(ranks, value=Provider.city_id, else_=len(ranks))


def _id_in(column, ids: Iterable[int]) -> ColumnElement[bool]:
    """``column IN ids`` for thousands of ids as ONE bound value (a JSON list on SQLite, an
    array on PostgreSQL) instead of thousands of bind parameters."""
    values = [int(i) for i in ids]
    if db.session.get_bind().dialect.name == "postgresql":
        return column == func.any(bindparam("ids", values, type_=ARRAY(Integer)))
    return column.in_(select(literal_column("value")).select_from(func.json_each(json.dumps(values))))


def _scores(hits: dict[int, dict[str, set[str]]], terms: list[vocab.SearchTerm]) -> dict[int, int]:
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


def _fts_candidates(
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


_FTS_TABLE = "instrument_search"


def _fts_all(terms: list[vocab.SearchTerm]) -> str | None:
    per_term = [_fts_any(t.alternatives) for t in terms]
    if not per_term or any(p is None for p in per_term):
        return None
    return " AND ".join(per_term)  # type: ignore[arg-type]


def _fts_scores(terms: list[vocab.SearchTerm], candidates: Mapping[int, str], need: int | None) -> dict[int, int]:
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


def _stored_scores(terms: list[vocab.SearchTerm], ids: list[int]) -> dict[int, int]:
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
    return _scores(hits, terms)


def _pg_page(
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


def search_services(
    q: str | None = None,
    kind: str | None = None,
    city_id: int | None = None,
    provider_id: int | None = None,
    page: int | None = 1,
    per_page: int | None = 20,
) -> Page:
    """Public lab-service search; retired services never appear. ``q`` is understood and ranked
    like the instruments' (``vocab.expand_query``; name > capability and kind > provider >
    description); without it, name order."""
    filters = [LabService.status != "retired"]
    if kind:
        filters.append(LabService.kind == kind)
    terms = vocab.expand_query(q)
    if terms:
        return _ranked_services(terms, filters, city_id=city_id, provider_id=provider_id, page=page, per_page=per_page)
    return _search_offers(
        LabService,
        (LabService.name, LabService.name_en, LabService.capabilities, LabService.description),
        LabService.kind,
        vocab.SERVICE_KINDS,
        filters,
        q=q,
        city_id=city_id,
        provider_id=provider_id,
        page=page,
        per_page=per_page,
    )


def _ranked_services(
    terms: list[vocab.SearchTerm],
    filters: list[ColumnElement[bool]],
    *,
    city_id: int | None,
    provider_id: int | None,
    page: int | None,
    per_page: int | None,
) -> Page:
    """Services matching every term, by relevance (then the longer-listed first). A province
    lists hundreds of services, not tens of thousands: their text is read and matched here,
    with the instrument index's semantics (``vocab.matcher``)."""
    if city_id:
        filters = [*filters, Provider.city_id == city_id]
    if provider_id:
        filters = [*filters, LabService.provider_id == provider_id]
    rows = db.session.execute(
        select(
            LabService.id,
            LabService.name,
            LabService.name_en,
            LabService.kind,
            LabService.capabilities,
            LabService.description,
            Provider.name,
            Provider.name_en,
        )
        .join(Provider, LabService.provider_id == Provider.id)
        .where(*filters)
    ).all()
    hits = {}
    for sid, name, name_en, kind, capabilities, description, p_name, p_name_en in rows:
        zh, en = vocab.SERVICE_KINDS.get(kind, ("", ""))
        texts = {
            "name": f"{name} {name_en}",
            "capability": f"{zh} {en} {capabilities or ''}",
            "provider": f"{p_name} {p_name_en}",
            "description": description or "",
        }
        hits[sid] = vocab.field_hits(terms, {field: vocab.tokens(t) for field, t in texts.items()})
    ranked = sorted(_scores(hits, terms).items(), key=lambda r: (-r[1], r[0]))
    page_no, size = _page_args(page, per_page)
    ids = [sid for sid, _score in ranked[(page_no - 1) * size : page_no * size]]
    return Page(_in_order(LabService, ids), len(ranked), page_no, size)


def _search_offers(
    model: type[Instrument] | type[LabService],
    text_columns: Iterable,
    code_column,
    vocabulary: Mapping[str, tuple[str, str]],
    filters: list[ColumnElement[bool]],
    *,
    q: str | None,
    city_id: int | None,
    provider_id: int | None,
    page: int | None,
    per_page: int | None,
) -> Page:
    """What an instrument or a lab service search shares: every word of ``q`` in one of the
    item's text columns, its provider's names or a label of its code; the city and provider
    filters; name order, with the provider (and its city) loaded for the cards."""
    conditions = [
        *filters,
        *_keyword_filters(q, (*text_columns, Provider.name, Provider.name_en), code_column, vocabulary),
    ]
    if city_id:
        conditions.append(Provider.city_id == city_id)
    if provider_id:
        conditions.append(model.provider_id == provider_id)
    query = (
        select(model)
        .join(Provider, model.provider_id == Provider.id)
        .where(*conditions)
        .options(selectinload(model.provider).selectinload(Provider.city))
        .order_by(model.name, model.id)
    )
    count = select(func.count(model.id)).join(Provider, model.provider_id == Provider.id).where(*conditions)
    return _paginate(query, count, page, per_page)


def list_providers(
    q: str | None = None,
    kind: str | None = None,
    city_id: int | None = None,
    page: int | None = 1,
    per_page: int | None = 20,
    county_id: int | None = None,
) -> Page:
    conditions = _keyword_filters(
        q,
        (Provider.name, Provider.name_en, Provider.description, Provider.address),
        Provider.kind,
        vocab.PROVIDER_KINDS,
    )
    if kind:
        conditions.append(Provider.kind == kind)
    if city_id:
        conditions.append(Provider.city_id == city_id)
    if county_id:
        conditions.append(Provider.region_id == county_id)
    # Chinese readers expect providers by city, then by the pinyin of the name (not by code
    # point): the keys are computed here; a province has hundreds of providers, not millions.
    page, per_page = _page_args(page, per_page)
    city_codes = dict(db.session.execute(select(Region.id, Region.code).where(Region.level == "city")).all())
    rows = db.session.execute(select(Provider.id, Provider.name, Provider.city_id).where(*conditions)).all()
    rows.sort(key=lambda r: (city_codes.get(r.city_id) or "", vocab.pinyin_key(r.name), r.id))
    ids = [r.id for r in rows[(page - 1) * per_page : page * per_page]]
    found = {
        p.id: p
        for p in db.session.execute(
            select(Provider)
            .where(Provider.id.in_(ids))
            .options(selectinload(Provider.city), selectinload(Provider.region))
        ).scalars()
    }
    return Page([found[i] for i in ids], len(rows), page, per_page)


def offer_counts(provider_ids: Iterable[int]) -> dict[int, tuple[int, int]]:
    """``{provider_id: (public instruments, public services)}`` in two grouped queries."""
    ids = list(provider_ids)
    if not ids:
        return {}
    instruments = dict(
        db.session.execute(
            select(Instrument.provider_id, func.count(Instrument.id))
            .where(Instrument.provider_id.in_(ids), Instrument.status.in_(PUBLIC_INSTRUMENT_STATUSES))
            .group_by(Instrument.provider_id)
        ).all()
    )
    services = dict(
        db.session.execute(
            select(LabService.provider_id, func.count(LabService.id))
            .where(LabService.provider_id.in_(ids), LabService.status != "retired")
            .group_by(LabService.provider_id)
        ).all()
    )
    return {i: (instruments.get(i, 0), services.get(i, 0)) for i in ids}


@dataclass(frozen=True)
class Summary:
    instruments: int
    services: int
    providers: int
    by_category: dict[str, int]


def catalogue_summary() -> Summary:
    """Counts for the home page: public instruments per category, services, providers."""
    by_category = dict(
        db.session.execute(
            select(Instrument.category, func.count(Instrument.id))
            .where(Instrument.status.in_(PUBLIC_INSTRUMENT_STATUSES))
            .group_by(Instrument.category)
        ).all()
    )
    services = db.session.execute(select(func.count(LabService.id)).where(LabService.status != "retired")).scalar_one()
    providers = db.session.execute(select(func.count(Provider.id))).scalar_one()
    return Summary(sum(by_category.values()), services, providers, by_category)


def city_by_id_or_name(value: str | int | None) -> Region | None:
    """A city from its id, Chinese or English name (case-insensitive), or None."""
    if value is None or str(value).strip() == "":
        return None
    value_text = str(value).strip()
    if value_text.isascii() and value_text.isdigit():  # ("¹".isdigit() is true, but int() refuses it)
        if len(value_text) > 10 or int(value_text) > 2**31 - 1:
            return None
        region = db.session.get(Region, int(value_text))
        return region if region is not None and region.level == "city" else None
    return city_by_name(value_text)


# ------------------------------------------------------------------------------- public lookups


def _public(model, object_id: int, missing: str):
    """An instrument or lab service as the public catalogue shows it (with its provider and
    city, in the same query); retired ones are gone from the public view."""
    row = db.session.execute(
        select(model).where(model.id == object_id).options(joinedload(model.provider).joinedload(Provider.city))
    ).scalar_one_or_none()
    if row is None or row.status == "retired":
        raise not_found(missing)
    return row


def public_instrument(instrument_id: int) -> Instrument:
    return _public(Instrument, instrument_id, "catalogue.no_such_instrument")


def public_service(service_id: int) -> LabService:
    return _public(LabService, service_id, "catalogue.no_such_service")


def get_provider(provider_id: int) -> Provider:
    provider = db.session.get(Provider, provider_id)
    if provider is None:
        raise not_found("catalogue.no_such_provider")
    return provider


# ------------------------------------------------------------------------------ manager views


def managed_instruments(actor: User) -> list[Instrument]:
    """Every instrument the manager may edit, retired ones included."""
    if not actor.is_manager or actor.provider_id is None:
        return []
    query = select(Instrument).where(Instrument.provider_id == actor.provider_id)
    if not actor.manages_all:
        query = query.where(Instrument.managers.any(User.id == actor.id))
    return list(db.session.execute(query.order_by(Instrument.name, Instrument.id)).scalars())


def managed_services(actor: User) -> list[LabService]:
    if not actor.is_manager or actor.provider_id is None:
        return []
    query = select(LabService).where(LabService.provider_id == actor.provider_id)
    if not actor.manages_all:
        query = query.where(LabService.managers.any(User.id == actor.id))
    return list(db.session.execute(query.order_by(LabService.name, LabService.id)).scalars())


def instrument_for_editing(actor: User, instrument_id: int) -> Instrument:
    instrument = db.session.get(Instrument, instrument_id)
    if instrument is None:
        raise not_found("catalogue.no_such_instrument")
    if not (actor.is_province_admin or actor.manages_instrument(instrument)):
        raise forbidden("catalogue.not_your_instrument")
    return instrument


def service_for_editing(actor: User, service_id: int) -> LabService:
    service = db.session.get(LabService, service_id)
    if service is None:
        raise not_found("catalogue.no_such_service")
    if not (actor.is_province_admin or actor.manages_service(service)):
        raise forbidden("catalogue.not_your_service")
    return service


# ---------------------------------------------------------------------------------- validation


class _Checker:
    """Collects problems for one data dict: a code (``INVALID`` unless said), the data key as the
    field, and the wording (``edge/messages/catalogue.py``) with its params."""

    def __init__(self, data: Mapping[str, Any]):
        self.data = data
        self.problems: list[Problem] = []

    def add(self, field: str, wording: str | None, code: str = "INVALID", **params: Any) -> None:
        self.problems.append(Problem(code, field=field, params=params or None, wording=wording))

    def text(self, key: str, max_len: int, required: bool = False) -> str:
        value = str(self.data.get(key) or "").strip()
        if required and not value:
            self.add(key, None, "REQUIRED")
        elif len(value) > max_len:
            self.add(key, "catalogue.too_long", n=max_len)
        return value

    def choice(self, key: str, vocabulary: Mapping[str, Any]) -> str:
        value = self.data.get(key)
        if value not in vocabulary:
            self.add(key, "catalogue.not_listed")
        return value or ""

    def integer(self, key: str, lo: int | None = 0, hi: int | None = None, optional: bool = False) -> int | None:
        value = self.data.get(key)
        if value is None or value == "":
            if optional:
                return None
            self.add(key, None, "REQUIRED")
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            self.add(key, "catalogue.whole_number")
            return None
        if lo is not None and value < lo:
            self.add(key, "catalogue.at_least", n=lo)
        elif hi is not None and value > hi:
            self.add(key, "catalogue.at_most", n=hi)
        return value

    def flag(self, key: str) -> bool:
        return bool(self.data.get(key))

    def fail_if_any(self) -> None:
        if self.problems:
            raise Refusal(422, self.problems)


def _opening_hours(check: _Checker) -> list | None:
    raw = check.data.get("opening_hours")
    try:
        if raw is None or isinstance(raw, str):
            return opening_hours.parse(raw)
        return opening_hours.validate_rows(raw)
    except opening_hours.OpeningHoursError as exc:
        for issue in exc.issues:
            check.add("opening_hours", None, "BAD_OPENING_HOURS", **issue.params())
        return None


INSTRUMENT_TEXT_FIELDS = {
    "name": 120,
    "name_en": 160,
    "model": 80,
    "manufacturer": 80,
    "capabilities": 4000,
    "location": 160,
    "description": 8000,
}


def _slot_anchor(check: _Checker) -> str | None:
    """The grid's explicit anchor, "HH:MM", or None (each opening period's start)."""
    value = str(check.data.get("slot_anchor") or "").strip()
    if not value:
        return None
    if not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", value):
        check.add("slot_anchor", "catalogue.time_of_day")
        return None
    return value


def _instrument_values(data: Mapping[str, Any]) -> dict[str, Any]:
    """Every field of an instrument, checked; raises with every problem at once."""
    c = _Checker(data)
    v: dict[str, Any] = {k: c.text(k, n, required=(k == "name")) for k, n in INSTRUMENT_TEXT_FIELDS.items()}
    v["category"] = c.choice("category", vocab.INSTRUMENT_CATEGORIES)
    v["status"] = c.choice("status", vocab.INSTRUMENT_STATUSES)
    v["price_internal_fen"] = c.integer("price_internal_fen", 0, 10**9)
    v["price_external_fen"] = c.integer("price_external_fen", 0, 10**9)
    v["voucher_eligible"] = c.flag("voucher_eligible")
    v["charge_by_use"] = c.flag("charge_by_use")
    v["opening_hours"] = _opening_hours(c)
    slot = c.integer("slot_minutes", None)
    if slot is not None and slot not in SLOT_CHOICES:
        c.add("slot_minutes", "catalogue.slot_choices", choices=", ".join(map(str, SLOT_CHOICES)))
        slot = None
    v["slot_minutes"] = slot
    v["slot_anchor"] = _slot_anchor(c)
    v["min_minutes"] = lo = c.integer("min_minutes", 1, 7 * 24 * 60)
    v["max_minutes"] = hi = c.integer("max_minutes", 1, 7 * 24 * 60)
    for key, value in (("min_minutes", lo), ("max_minutes", hi)):
        if slot and value and value % slot:
            c.add(key, "catalogue.multiple_of_slot", "NOT_ON_SLOT_GRID", slot=slot)
    if lo and hi and lo > hi:
        c.add("max_minutes", "catalogue.longest_booking", "MIN_ABOVE_MAX")
    v["buffer_minutes"] = c.integer("buffer_minutes", 0, 24 * 60)
    v["min_notice_minutes"] = c.integer("min_notice_minutes", 0, 90 * 24 * 60)
    v["max_days_ahead"] = c.integer("max_days_ahead", 1, 730)
    v["approval_required"] = c.flag("approval_required")
    v["qualification_required"] = c.flag("qualification_required")
    v["weekly_quota_minutes"] = c.integer("weekly_quota_minutes", 0, 7 * 24 * 60, optional=True)
    v["monthly_quota_minutes"] = c.integer("monthly_quota_minutes", 0, 31 * 24 * 60, optional=True)
    v["max_future_bookings"] = c.integer("max_future_bookings", 0, 1000, optional=True)
    v["cancel_deadline_hours"] = c.integer("cancel_deadline_hours", 0, 30 * 24)
    v["late_cancellation"] = data.get("late_cancellation") or "refuse"
    if v["late_cancellation"] not in LATE_CANCELLATION:
        c.add("late_cancellation", "catalogue.not_listed")
    if "photo_path" in data:
        v["photo_path"] = data["photo_path"] or None
    c.fail_if_any()
    return v


def _service_values(data: Mapping[str, Any]) -> dict[str, Any]:
    c = _Checker(data)
    v: dict[str, Any] = {
        "name": c.text("name", 120, required=True),
        "name_en": c.text("name_en", 160),
        "capabilities": c.text("capabilities", 4000),
        "description": c.text("description", 8000),
    }
    v["kind"] = c.choice("kind", vocab.SERVICE_KINDS)
    v["unit"] = c.choice("unit", vocab.SERVICE_UNITS)
    v["status"] = c.choice("status", {"active": 1, "retired": 1})
    v["price_internal_fen"] = c.integer("price_internal_fen", 0, 10**9)
    v["price_external_fen"] = c.integer("price_external_fen", 0, 10**9)
    v["turnaround_days"] = c.integer("turnaround_days", 0, 365)
    v["voucher_eligible"] = c.flag("voucher_eligible")
    v["min_samples"] = lo = c.integer("min_samples", 1, 100_000)
    v["max_samples"] = hi = c.integer("max_samples", 1, 100_000)
    if lo and hi and lo > hi:
        c.add("max_samples", "catalogue.largest_order", "MIN_ABOVE_MAX")
    v["daily_capacity"] = c.integer("daily_capacity", 1, 100_000)
    v["working_weekdays"] = _weekdays(c)
    v["sample_requirements"] = c.text("sample_requirements", 4000)
    v["hazardous_accepted"] = c.flag("hazardous_accepted")
    c.fail_if_any()
    return v


def _weekdays(check: _Checker) -> list[int]:
    raw = check.data.get("working_weekdays")
    if raw is None:
        return [0, 1, 2, 3, 4]
    try:
        days = sorted({int(d) for d in raw})
    except (TypeError, ValueError):
        days = []
    if not days or any(d < 0 or d > 6 for d in days):
        check.add("working_weekdays", "catalogue.working_weekdays")
    return days


def instrument_problems(data: Mapping[str, Any]) -> list[Problem]:
    """Every problem with an instrument's data, without changing anything (for forms that
    already found some mistakes of their own and want to show the rest at once)."""
    try:
        _instrument_values(data)
    except Refusal as exc:
        return exc.problems
    return []


def service_problems(data: Mapping[str, Any]) -> list[Problem]:
    try:
        _service_values(data)
    except Refusal as exc:
        return exc.problems
    return []


# ------------------------------------------------------------------------- instrument/service edits


def _provider_for_new_item(actor: User, data: Mapping[str, Any]) -> int:
    if actor.is_manager and actor.provider_id is not None:
        return actor.provider_id
    if actor.is_province_admin:
        provider_id = data.get("provider_id")
        if not isinstance(provider_id, int) or db.session.get(Provider, provider_id) is None:
            raise Refusal(422, [Problem("INVALID", field="provider_id", wording="catalogue.choose_provider")])
        return provider_id
    raise forbidden("catalogue.managers_publish")


def create_instrument(actor: User, data: Mapping[str, Any]) -> Instrument:
    provider_id = _provider_for_new_item(actor, data)
    instrument = Instrument(provider_id=provider_id, **_instrument_values(data))
    db.session.add(instrument)
    if actor.is_manager and not actor.manages_all:
        actor.instruments.append(instrument)  # a manager keeps what they publish
    db.session.flush()
    return instrument


def update_instrument(actor: User, instrument_id: int, data: Mapping[str, Any]) -> Instrument:
    instrument = instrument_for_editing(actor, instrument_id)
    for key, value in _instrument_values(data).items():
        setattr(instrument, key, value)
    db.session.flush()
    return instrument


def create_service(actor: User, data: Mapping[str, Any]) -> LabService:
    provider_id = _provider_for_new_item(actor, data)
    service = LabService(provider_id=provider_id, **_service_values(data))
    db.session.add(service)
    if actor.is_manager and not actor.manages_all:
        actor.services.append(service)
    db.session.flush()
    return service


def update_service(actor: User, service_id: int, data: Mapping[str, Any]) -> LabService:
    service = service_for_editing(actor, service_id)
    for key, value in _service_values(data).items():
        setattr(service, key, value)
    db.session.flush()
    return service


# ------------------------------------------------------------------------------------ providers


def _require_province_admin(actor: User) -> None:
    if not actor.is_province_admin:
        raise forbidden("catalogue.province_admins_only")


def _provider_values(data: Mapping[str, Any]) -> dict[str, Any]:
    c = _Checker(data)
    v: dict[str, Any] = {
        "name": c.text("name", 120, required=True),
        "name_en": c.text("name_en", 160),
        "address": c.text("address", 200),
        "contact_name": c.text("contact_name", 60),
        "contact_phone": c.text("contact_phone", 40),
        "contact_email": c.text("contact_email", 120),
        "website": c.text("website", 200),
        "description": c.text("description", 8000),
    }
    v["kind"] = c.choice("kind", vocab.PROVIDER_KINDS)
    if v["contact_email"]:
        try:
            validate_email(v["contact_email"], check_deliverability=False)
        except EmailNotValidError:
            c.add("contact_email", "catalogue.email")
    if v["website"] and not v["website"].startswith(("http://", "https://")):
        c.add("website", "catalogue.website")
    city = db.session.get(Region, data.get("city_id")) if isinstance(data.get("city_id"), int) else None
    if city is None or city.level != "city":
        c.add("city_id", "catalogue.choose_city", "REQUIRED")
    county_id = data.get("county_id")
    region = city
    if city is not None and county_id:
        county = db.session.get(Region, county_id) if isinstance(county_id, int) else None
        if county is None or county.parent_id != city.id:
            c.add("county_id", "catalogue.county_of_city")
        else:
            region = county
    c.fail_if_any()
    v["city_id"] = city.id
    v["region_id"] = region.id
    return v


def create_provider(actor: User, data: Mapping[str, Any]) -> Provider:
    _require_province_admin(actor)
    provider = Provider(**_provider_values(data))
    db.session.add(provider)
    db.session.flush()
    audit.record(actor, "provider.create", provider, name=provider.name)
    return provider


def update_provider(actor: User, provider_id: int, data: Mapping[str, Any]) -> Provider:
    _require_province_admin(actor)
    provider = get_provider(provider_id)
    changed = {}
    for key, value in _provider_values(data).items():
        if getattr(provider, key) != value:
            changed[key] = [getattr(provider, key), value]
        setattr(provider, key, value)
    db.session.flush()
    audit.record(actor, "provider.edit", provider, changed=changed)
    return provider


def provider_managers(provider_id: int) -> list[User]:
    return list(
        db.session.execute(
            select(User)
            .where(User.role == "manager", User.provider_id == provider_id)
            .options(selectinload(User.instruments), selectinload(User.services))
            .order_by(User.name, User.id)
        ).scalars()
    )


@dataclass(frozen=True)
class Assignment:
    user: User
    created: bool
    initial_password: str | None  # shown once to the administrator, never stored in plain text


def assign_manager(
    actor: User,
    provider_id: int,
    user_or_email: User | str,
    manages_all: bool,
    instrument_ids: Iterable[int] = (),
    service_ids: Iterable[int] = (),
    name: str | None = None,
) -> Assignment:
    """Make a user a manager of a provider: an existing manager account (by e-mail), or a new
    manager account with a generated initial password. Re-assigning replaces their instruments."""
    _require_province_admin(actor)
    provider = get_provider(provider_id)
    problems: list[Problem] = []
    if isinstance(user_or_email, User):
        user: User | None = user_or_email
        email = user.email
    else:
        email = (user_or_email or "").strip()
        try:
            email = validate_email(email, check_deliverability=False).normalized.lower()
        except EmailNotValidError:
            raise Refusal(422, [Problem("INVALID", field="email", wording="catalogue.email")]) from None
        user = db.session.execute(select(User).where(func.lower(User.email) == email)).scalar_one_or_none()
    if user is not None:
        if user.role != "manager":
            problems.append(Problem("WRONG_ROLE", field="email", params={"email": user.email}))
        elif user.provider_id not in (None, provider.id):
            problems.append(Problem("OTHER_PROVIDER", field="email", params={"email": user.email}))
    instruments = _owned(Instrument, provider.id, instrument_ids, "instrument_ids", problems)
    services = _owned(LabService, provider.id, service_ids, "service_ids", problems)
    if problems:
        raise Refusal(422, problems)

    password = None
    created = user is None
    if user is None:
        password = secrets.token_urlsafe(9)
        display_name = (name or "").strip()[:80] or email.split("@", 1)[0]
        user = User(email=email, name=display_name, role="manager")
        user.set_password(password)
        db.session.add(user)
    user.provider_id = provider.id
    user.manages_all = bool(manages_all)
    user.instruments = [] if manages_all else instruments
    user.services = [] if manages_all else services
    db.session.flush()
    audit.record(
        actor,
        "manager.assign",
        user,
        email=user.email,
        provider_id=provider.id,
        created=created,
        manages_all=bool(manages_all),
        instrument_ids=sorted(i.id for i in user.instruments),
        service_ids=sorted(s.id for s in user.services),
    )
    return Assignment(user, created, password)


def _owned(model, provider_id: int, ids: Iterable[int], field: str, problems: list[Problem]) -> list:
    wanted = {int(i) for i in ids}
    if not wanted:
        return []
    rows = list(
        db.session.execute(select(model).where(model.id.in_(wanted), model.provider_id == provider_id)).scalars()
    )
    if len(rows) != len(wanted):
        problems.append(Problem("INVALID", field=field, wording="catalogue.own_items"))
    return rows


# ---------------------------------------------------------------------------- administrators


@dataclass(frozen=True)
class AdminHome:
    """What a city or province administrator looks after: their providers and enterprises."""

    city: Region | None  # None: the whole province
    providers: list[Provider]
    provider_counts: dict[int, tuple[int, int]]
    enterprises: list
    enterprise_total: int
    summary: Summary
    unverified: list  # enterprises awaiting verification (the city verifies before they book)


def admin_home(city_id: int | None, *, county_id: int | None = None, limit: int = 50) -> AdminHome:
    """A county administrator's (``county_id``), a city administrator's (``city_id``) or a
    province administrator's (neither) overview."""
    providers = list_providers(city_id=city_id, county_id=county_id, per_page=MAX_PER_PAGE)
    if county_id:
        in_region = (Enterprise.region_id == county_id,)
    else:
        in_region = (Enterprise.city_id == city_id,) if city_id else ()
    query = select(Enterprise).options(selectinload(Enterprise.city)).where(*in_region)
    count = select(func.count(Enterprise.id)).where(*in_region)
    enterprises = list(
        db.session.execute(query.order_by(Enterprise.created_at.desc(), Enterprise.id.desc()).limit(limit)).scalars()
    )
    return AdminHome(
        city=db.session.get(Region, county_id or city_id) if (county_id or city_id) else None,
        providers=providers.items,
        provider_counts=offer_counts(p.id for p in providers.items),
        enterprises=enterprises,
        enterprise_total=db.session.execute(count).scalar_one(),
        summary=_summary_for(city_id, county_id),
        unverified=list(
            db.session.execute(
                select(Enterprise)
                .where(Enterprise.verified_at.is_(None), *in_region)
                .options(selectinload(Enterprise.city))
                .order_by(Enterprise.created_at, Enterprise.id)
                .limit(limit)
            ).scalars()
        ),
    )


def _summary_for(city_id: int | None, county_id: int | None = None) -> Summary:
    if city_id is None and county_id is None:
        return catalogue_summary()
    in_city = Provider.region_id == county_id if county_id else Provider.city_id == city_id
    by_category = dict(
        db.session.execute(
            select(Instrument.category, func.count(Instrument.id))
            .join(Provider, Provider.id == Instrument.provider_id)
            .where(Instrument.status.in_(PUBLIC_INSTRUMENT_STATUSES), in_city)
            .group_by(Instrument.category)
        ).all()
    )
    services = db.session.execute(
        select(func.count(LabService.id))
        .join(Provider, Provider.id == LabService.provider_id)
        .where(LabService.status != "retired", in_city)
    ).scalar_one()
    providers = db.session.execute(select(func.count(Provider.id)).where(in_city)).scalar_one()
    return Summary(sum(by_category.values()), services, providers, by_category)
