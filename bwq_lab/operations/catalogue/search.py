"""Public searches: instruments (relevance, nearest city or name order, over the search index of
``text_index``), lab services (ranked in Python: a province lists hundreds) and a city by id or
name. Retired instruments and services never appear.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from sqlalchemy import ColumnElement, case, func, select
from sqlalchemy.orm import joinedload, selectinload

from bwq_lab.domain import catalogue as vocab
from bwq_lab.extensions import db
from bwq_lab.models import Instrument, LabService, Provider, Region
from bwq_lab.operations.catalogue.listing import PUBLIC_INSTRUMENT_STATUSES, Page, keyword_filters, page_args, paginate
from bwq_lab.operations.catalogue.text_index import fts_candidates, fts_scores, matching_scores, pg_page, stored_scores
from bwq_lab.operations.regions import city_by_name

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
    page_no, size = page_args(page, per_page)
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
        return paginate(query, count, page_no, size)

    if db.session.get_bind().dialect.name == "sqlite":
        cities = fts_candidates(
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
            rows = [(iid, score, cities[iid]) for iid, score in stored_scores(terms, ids).items()]
            rows.sort(key=lambda r: (window.cities[r[2]], -r[1], r[0]))
            ids = [r[0] for r in rows[window.skip : window.skip + size]]
            return Page(_instruments_in_order(ids), total, page_no, size)
        scores = fts_scores(terms, cities, page_no * size)  # the relevance order needs only the top
        rows = sorted(scores.items(), key=lambda r: (-r[1], r[0]))  # equal relevance: the longer-listed first
        ids = [iid for iid, _score in rows[(page_no - 1) * size : page_no * size]]
    else:  # (the index holds public instruments only: the status filter is not needed)
        city_order = _city_rank(near_city_id) if sort == "city" else None
        ids, total = pg_page(terms, filters[1:], city_order, page_no, size)
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
    ranked = sorted(matching_scores(hits, terms).items(), key=lambda r: (-r[1], r[0]))
    page_no, size = page_args(page, per_page)
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
        *keyword_filters(q, (*text_columns, Provider.name, Provider.name_en), code_column, vocabulary),
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
    return paginate(query, count, page, per_page)


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
