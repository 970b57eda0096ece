"""The instrument search index, kept in step with instruments by ORM events (in the same
transaction as the instrument or its provider's name), holding public instruments only.

Each row holds an instrument's text cut into tokens by ``domain.catalogue.tokens`` (Chinese as
overlapping character pairs, Latin words whole), one column per place a match can be
(``domain.catalogue.SEARCH_FIELDS``), so a query asks for phrases of tokens in a column.

- SQLite: an FTS5 table; the rowid is the instrument's id.
- PostgreSQL: a table of ``tsvector`` columns written as lexemes with positions (the tokens as
  they are: no text-search parser or dictionary touches them), one per field, and ``document``,
  every field with a gap between them (so a phrase never spans two fields) under a GIN index.
  A query is a ``tsquery`` of the same phrases (``'电子' <-> '子显'``, ``'microscop':*``).
"""

from __future__ import annotations

from sqlalchemy import DDL, Connection, event, select, text
from sqlalchemy.dialects.postgresql import TSQUERY

from bwq_lab.domain import catalogue as vocab
from bwq_lab.models.catalogue import Instrument
from bwq_lab.models.provider import Provider

TABLE = "instrument_search"
PUBLIC_STATUSES = ("active", "maintenance")
COLUMNS = tuple(name for name, _ in vocab.SEARCH_FIELDS)

CREATE = DDL(f"CREATE VIRTUAL TABLE IF NOT EXISTS {TABLE} USING fts5({', '.join(COLUMNS)}, tokenize='unicode61')")
DROP = DDL(f"DROP TABLE IF EXISTS {TABLE}")

CREATE_PG = [
    DDL(
        f"CREATE TABLE IF NOT EXISTS {TABLE} (instrument_id integer PRIMARY KEY"
        " REFERENCES instruments(id) ON DELETE CASCADE, "
        + ", ".join(f"{c} tsvector NOT NULL" for c in COLUMNS)
        + ", document tsvector NOT NULL)"
    ),
    DDL(f"CREATE INDEX IF NOT EXISTS ix_{TABLE}_document ON {TABLE} USING gin (document)"),
]

event.listen(Instrument.__table__, "after_create", CREATE.execute_if(dialect="sqlite"))
event.listen(Instrument.__table__, "before_drop", DROP.execute_if(dialect="sqlite"))
for _ddl in CREATE_PG:
    event.listen(Instrument.__table__, "after_create", _ddl.execute_if(dialect="postgresql"))
event.listen(Instrument.__table__, "before_drop", DROP.execute_if(dialect="postgresql"))


def _lexeme(token: str) -> str:
    return "'" + token.replace("\\", "\\\\").replace("'", "''") + "'"


def tsvector_text(fields: list[list[str]]) -> str:
    """Token lists as one ``tsvector`` literal (``'电子':1 '子显':2``), each list after the one
    before it with a position left empty, so no phrase runs from one into the next."""
    positions: dict[str, list[int]] = {}
    at = 0
    for tokens in fields:
        for token in tokens:
            at += 1
            if at > 16383:  # PostgreSQL's largest position; a longer text is indexed in part
                break
            positions.setdefault(token, []).append(at)
        at += 1
    return " ".join(f"{_lexeme(t)}:{','.join(map(str, p[:256]))}" for t, p in positions.items())


def tsquery_phrase(alternative: str) -> str | None:
    """One alternative as a ``tsquery`` phrase, the last token a prefix where the index's
    semantics say so (``domain.catalogue.phrase_tokens``)."""
    parts, prefix = vocab.phrase_tokens(alternative)
    if not parts:
        return None
    return " <-> ".join(_lexeme(p) for p in parts) + (":*" if prefix else "")


def tsquery_any(alternatives) -> str | None:
    """Any of the alternatives (those another one covers left out)."""
    phrases = [p for p in (tsquery_phrase(a) for a in vocab.covering(tuple(alternatives))) if p]
    return "(" + " | ".join(phrases) + ")" if phrases else None


def as_tsquery(value: str):
    """A ``tsquery`` literal as a bound value (no parser, no dictionary)."""
    from sqlalchemy import bindparam, cast
    from sqlalchemy.types import String

    return cast(bindparam(None, value, type_=String), TSQUERY)


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


def _pg_rows(rows) -> list[dict]:
    out = []
    for doc in documents(rows):
        fields = {c: doc[c].split() for c in COLUMNS}
        out.append(
            {"instrument_id": doc["rowid"]}
            | {c: tsvector_text([fields[c]]) for c in COLUMNS}
            | {"document": tsvector_text(list(fields.values()))}
        )
    return out


def _reindex_pg(connection: Connection, instrument_ids=None) -> int:
    query = _source()
    if instrument_ids is not None:
        ids = [int(i) for i in instrument_ids]
        if not ids:
            return 0
        query = query.where(Instrument.id.in_(ids))
        connection.execute(text(f"DELETE FROM {TABLE} WHERE instrument_id = ANY(:ids)"), {"ids": ids})
    else:
        connection.execute(text(f"DELETE FROM {TABLE}"))
    rows = _pg_rows(connection.execute(query.where(Instrument.status.in_(PUBLIC_STATUSES))).all())
    if rows:
        values = ", ".join(f"CAST(:{c} AS tsvector)" for c in (*COLUMNS, "document"))
        connection.execute(
            text(
                f"INSERT INTO {TABLE} (instrument_id, {', '.join(COLUMNS)}, document) VALUES (:instrument_id, {values})"
            ),
            rows,
        )
    return len(rows)


def reindex(connection: Connection, instrument_ids=None) -> int:
    """(Re)write the index rows of these instruments (all when None)."""
    if connection.dialect.name == "postgresql":
        return _reindex_pg(connection, instrument_ids)
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
    if connection.dialect.name == "sqlite":  # PostgreSQL: ON DELETE CASCADE
        connection.execute(text(f"DELETE FROM {TABLE} WHERE rowid = :id"), {"id": target.id})


@event.listens_for(Provider, "after_update")
def _provider_changed(mapper, connection: Connection, target: Provider) -> None:
    if connection.dialect.name in ("sqlite", "postgresql"):
        ids = connection.execute(select(Instrument.id).where(Instrument.provider_id == target.id)).scalars().all()
        reindex(connection, ids)


def include_name(name, type_, parent_names) -> bool:
    """For Alembic: the search tables (SQLite: FTS5 and its shadow tables) are made by their
    migrations by hand."""
    return not (type_ == "table" and name and name.startswith(TABLE))
