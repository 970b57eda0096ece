"""Hot statements compiled once per dialect and run on the transaction's DB-API connection.

The booking create path runs six statements per request. Through ``Connection.execute`` each one
paid, besides the driver's own work, about as much again in SQLAlchemy's Python: the compiled-cache
lookup, an execution context, the parameters processed one by one, a cursor wrapper and a
``Result`` (measured: ~500 us against ~260 us for one INSERT of a booking, on a loaded machine).
A :class:`Prepared` statement keeps what SQLAlchemy would compute for it on every execution,
computed once per dialect: the SQL text, the order of its parameters and the types' bind and result
processors (the very functions ``Connection.execute`` applies, so a value goes to and comes from
the database exactly as it would), and runs it on the DB-API cursor of the session's connection,
inside the transaction the session began. A driver error is handed to SQLAlchemy's own handler
(``IntegrityError`` / ``OperationalError`` with the SQLSTATE in ``.orig``, a lost connection
invalidated), as from ``Connection.execute``.

What it does not do (so it refuses such statements when it compiles them): Python-side column
defaults (an INSERT must name every column that has one), expanding ``IN`` lists and other
parameters rendered into the SQL per execution. No ``before/after_cursor_execute`` events run (the
app listens to none); ORM events never ran for Core statements anyway.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.sql import ClauseElement


class _Form:
    """One statement compiled for one dialect."""

    __slots__ = ("compiled", "escaped", "order", "processors", "results", "sql")

    def __init__(self, statement: ClauseElement, dialect, keys: Sequence[str] | None) -> None:
        compiled = statement.compile(dialect=dialect, column_keys=list(keys) if keys is not None else None)
        if compiled.insert_prefetch or compiled.update_prefetch:
            names = [c.key for c in (*compiled.insert_prefetch, *compiled.update_prefetch)]
            raise ValueError(f"Prepared: give these columns, their defaults are Python-side: {names}")
        if compiled.literal_execute_params or compiled.post_compile_params:
            raise ValueError("Prepared: parameters rendered per execution (expanding IN) are not supported")
        self.compiled = compiled
        self.sql = compiled.string
        self.order = tuple(compiled.positiontup) if compiled.positional else None
        self.processors = dict(compiled._bind_processors)
        self.escaped = dict(compiled.escaped_bind_names or {})
        self.results: list | None = None  # the result columns' processors, on the first result

    def parameters(self, params: dict) -> Sequence[Any] | dict[str, Any]:
        values = self.compiled.construct_params(params, escape_names=False)
        processors = self.processors
        for key, process in processors.items():
            if key in values:
                values[key] = process(values[key])
        if self.order is not None:
            return [values[key] for key in self.order]
        if self.escaped:
            return {self.escaped.get(key, key): value for key, value in values.items()}
        return values

    def result_processors(self, dialect, description) -> list:
        columns = self.compiled._result_columns
        processors = [
            column.type._cached_result_processor(dialect, description[i][1]) for i, column in enumerate(columns)
        ]
        self.results = processors
        return processors


class Prepared:
    """A Core statement run straight on the DB-API cursor; ``keys``: an INSERT's columns."""

    __slots__ = ("__weakref__", "_forms", "keys", "statement")

    def __init__(self, statement: ClauseElement, keys: Iterable[str] | None = None) -> None:
        self.statement = statement
        self.keys = tuple(keys) if keys is not None else None
        self._forms: dict[int, _Form] = {}
        _MADE.add(self)

    def _form(self, dialect) -> _Form:
        form = self._forms.get(id(dialect))
        if form is None:
            form = self._forms[id(dialect)] = _Form(self.statement, dialect, self.keys)
        return form

    def rows(self, connection: Connection, params: dict) -> list[tuple]:
        """Execute with ``params``; every row it returns (processed like a ``Result``'s)."""
        dialect = connection.dialect
        form = self._form(dialect)
        parameters = form.parameters(params)
        cursor = connection.connection.dbapi_connection.cursor()
        try:
            cursor.execute(form.sql, parameters)
            if cursor.description is None:
                return []
            processors = form.results or form.result_processors(dialect, cursor.description)
            fetched = cursor.fetchall()
        except dialect.loaded_dbapi.Error as exc:
            connection._handle_dbapi_exception(exc, form.sql, parameters, cursor, None)
            raise  # (the handler raises the wrapped error)
        finally:
            cursor.close()
        if not any(processors):
            return fetched
        return [
            tuple(value if process is None else process(value) for process, value in zip(processors, row, strict=True))
            for row in fetched
        ]

    def first(self, connection: Connection, params: dict) -> tuple | None:
        found = self.rows(connection, params)
        return found[0] if found else None

    def execute_many(self, connection: Connection, many: Sequence[dict]) -> None:
        """One execution per parameter set (a statement that returns nothing)."""
        dialect = connection.dialect
        form = self._form(dialect)
        batch = [form.parameters(params) for params in many]
        cursor = connection.connection.dbapi_connection.cursor()
        try:
            cursor.executemany(form.sql, batch)
        except dialect.loaded_dbapi.Error as exc:
            connection._handle_dbapi_exception(exc, form.sql, batch, cursor, None)
            raise
        finally:
            cursor.close()


#: every statement made so far: the modules' own (made at import) and those made on demand
_MADE: weakref.WeakSet[Prepared] = weakref.WeakSet()


def compile_all(dialect) -> int:
    """Compile every statement made so far for ``dialect`` (a new worker's warm-up: its first
    requests need not compile the statements they run); returns how many."""
    made = list(_MADE)
    for statement in made:
        statement._form(dialect)
    return len(made)
