"""The instrument search index on SQLite: an FTS5 table kept in step with instruments.

Each row holds an instrument's text cut into tokens by ``domain.catalogue.index_text`` (every
Chinese character one token, Latin words whole), one column per place a match can be
(``domain.catalogue.SEARCH_FIELDS``), so a query asks FTS5 for phrases of tokens in a column.
The rowid is the instrument's id. ORM events update it in the same transaction as the
instrument (or its provider's name). PostgreSQL has no such table: there the search matches
with regular expressions (see ``operations.catalogue``).
"""

from __future__ import annotations

from sqlalchemy import DDL, Connection, event, select, text

from bwq_lab.domain import catalogue as vocab
from bwq_lab.models.catalogue import Instrument
from bwq_lab.models.provider import Provider

TABLE = "instrument_search"
PUBLIC_STATUSES = ("active", "maintenance")
COLUMNS = tuple(name for name, _ in vocab.SEARCH_FIELDS)

CREATE = DDL(f"CREATE VIRTUAL TABLE IF NOT EXISTS {TABLE} USING fts5({', '.join(COLUMNS)}, tokenize='unicode61')")
DROP = DDL(f"DROP TABLE IF EXISTS {TABLE}")

event.listen(Instrument.__table__, "after_create", CREATE.execute_if(dialect="sqlite"))
event.listen(Instrument.__table__, "before_drop", DROP.execute_if(dialect="sqlite"))


def documents(rows) -> list[dict]:
    """Index rows for ``(id, name, name_en, model, manufacturer, category, capabilities,
    description, provider name, provider name_en)`` tuples."""
    out = []
    for row in rows:
        iid, name, name_en, model, maker, category, capabilities, description, p_name, p_name_en = row
        zh, en = vocab.INSTRUMENT_CATEGORIES.get(category, ("", ""))
        out.append(
            {
                "rowid": iid,
                "name": vocab.index_text(f"{name} {name_en}"),
                "model": vocab.index_text(model or ""),
                "maker": vocab.index_text(maker or ""),
                "capability": vocab.index_text(f"{zh} {en} {capabilities or ''}"),
                "provider": vocab.index_text(f"{p_name} {p_name_en}"),
                "description": vocab.index_text(description or ""),
            }
        )
    return out


def _source():
    return select(
        Instrument.id,
        Instrument.name,
        Instrument.name_en,
        Instrument.model,
        Instrument.manufacturer,
        Instrument.category,
        Instrument.capabilities,
        Instrument.description,
        Provider.name,
        Provider.name_en,
    ).join(Provider, Provider.id == Instrument.provider_id)


def reindex(connection: Connection, instrument_ids=None) -> int:
    """(Re)write the index rows of these instruments (all when None). SQLite only; no-op elsewhere."""
    if connection.dialect.name != "sqlite":
        return 0
    query = _source()
    if instrument_ids is not None:
        ids = list(instrument_ids)
        if not ids:
            return 0
        query = query.where(Instrument.id.in_(ids))
        connection.execute(text(f"DELETE FROM {TABLE} WHERE rowid IN ({','.join(str(int(i)) for i in ids)})"))
    else:
        connection.execute(text(f"DELETE FROM {TABLE}"))
    # only what the public search may show: retired instruments are not in the index
    docs = documents(connection.execute(query.where(Instrument.status.in_(PUBLIC_STATUSES))).all())
    if docs:
        connection.execute(
            text(f"INSERT INTO {TABLE}(rowid, {', '.join(COLUMNS)}) VALUES (:rowid, :{', :'.join(COLUMNS)})"), docs
        )
    return len(docs)


@event.listens_for(Instrument, "after_insert")
@event.listens_for(Instrument, "after_update")
def _instrument_changed(mapper, connection: Connection, target: Instrument) -> None:
    reindex(connection, [target.id])


@event.listens_for(Instrument, "after_delete")
def _instrument_deleted(mapper, connection: Connection, target: Instrument) -> None:
    if connection.dialect.name == "sqlite":
        connection.execute(text(f"DELETE FROM {TABLE} WHERE rowid = :id"), {"id": target.id})


@event.listens_for(Provider, "after_update")
def _provider_changed(mapper, connection: Connection, target: Provider) -> None:
    if connection.dialect.name == "sqlite":
        ids = connection.execute(select(Instrument.id).where(Instrument.provider_id == target.id)).scalars().all()
        reindex(connection, ids)


def include_name(name, type_, parent_names) -> bool:
    """For Alembic: the FTS5 table and its shadow tables are made by their migration by hand."""
    return not (type_ == "table" and name and name.startswith(TABLE))
