"""Model instances from the rows of statements written out in SQL.

Where building a query with the ORM costs more Python than the database takes to run it (a
page's every request, a table of many territories), the statement is written out once and its
rows made into instances here, as the ORM makes them: `from_db`, with each field's converters
(SQLite's booleans and datetimes, for one), so that the instances are the ORM's own.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Sequence
from typing import Any

import psycopg
from django.db import connection
from django.db.models import Model


class Loader:
    """A model's columns read under `alias`, and its instances made from a row as the ORM makes
    them (`from_db`, with each field's converters): for statements written out whose rows hold
    several models side by side."""

    def __init__(self, model: type[Model], alias: str, names: tuple[str, ...] = ()) -> None:
        # `names`: some columns only (their attnames), the rest deferred as with `only()`.
        fields = [f for f in model._meta.concrete_fields if not names or f.attname in names]
        self.model, self.width = model, len(fields)
        self.names = [f.attname for f in fields]
        self.columns = ", ".join(f"{alias}.{connection.ops.quote_name(f.column)}" for f in fields)
        self.pk = self.names.index(model._meta.pk.attname)
        self.converters = []
        for i, f in enumerate(fields):
            col = f.get_col(model._meta.db_table)
            for convert in connection.ops.get_db_converters(col) + f.get_db_converters(connection):
                self.converters.append((i, convert, col))

    @classmethod
    def of(cls, model: type[Model], alias: str, *names: str) -> Loader:
        """The loader of `model` under `alias` (of the columns `names` only, primary key
        included, when given), made once per database (the columns and converters never change
        while the process runs)."""
        return _loader(cls, model, alias, names, connection.alias, connection.vendor)

    def load(self, row: Sequence[Any], start: int) -> Model | None:
        """The instance whose columns begin at `row[start]`; None for a LEFT JOIN that found
        nothing (no primary key)."""
        values = row[start : start + self.width]
        if values[self.pk] is None:
            return None
        if self.converters:
            values = list(values)
            for i, convert, col in self.converters:
                values[i] = convert(values[i], col, connection)
        return self.model.from_db(connection.alias, self.names, values)


@functools.cache
def _loader(
    cls: type[Loader], model: type[Model], alias: str, names: tuple[str, ...], *database: str
) -> Loader:
    return cls(model, alias, names)


def placeholders(values: Sequence[object]) -> str:
    """As many parameters as `values` ("%s, %s"), for a statement whose text stays the same
    whatever the values (prepared by `results`); "NULL" for none, which matches nothing.
    Portable: SQLite, the embedded default, has no arrays."""
    return ", ".join(["%s"] * len(values)) or "NULL"


def results(statements: Sequence[str | tuple[str, Sequence[Any]]]) -> list[list[tuple]]:
    """The rows of each statement (a string, or a string and its parameters): on PostgreSQL
    sent together, one round trip (`_pipelined`); one by one elsewhere (SQLite runs one
    statement per call). The statements of the groups' health (`workgroups.health_sql`), the
    pages that read it, the options of the lists' filters (`partners.filter_form`)."""
    pairs = [(s, []) if isinstance(s, str) else (s[0], list(s[1])) for s in statements]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            return _pipelined(cursor, pairs)
        rows = []
        for statement, params in pairs:
            cursor.execute(statement, params)
            rows.append(cursor.fetchall())
        return rows


def _pipelined(cursor: Any, pairs: list[tuple[str, list[Any]]]) -> list[list[tuple]]:
    """The statements sent in one round trip (psycopg's pipeline), each with its parameters
    bound by the server rather than written into its text. A statement whose text the
    connection has sent PREPARE_THRESHOLD times already (settings.DATABASES' OPTIONS) is
    prepared, and PostgreSQL no longer plans it at each page: planning took it longer than
    running them (a group's page, the table of all one's contracts), and a statement whose
    varying values (a group's id) are parameters keeps one text for every group. A statement
    sent only once (ids written into its text) is run as before, unprepared. Logged as one query
    where queries are logged (DEBUG, the tests' counts)."""
    raw = connection.connection
    log = getattr(cursor, "debug_sql", None)  # a debug cursor: the batch is one query
    text = ";\n".join(s for s, _p in pairs)
    logged = log(text, [p for _s, ps in pairs for p in ps]) if log else contextlib.nullcontext()
    with logged, connection.wrap_database_errors:
        cursors = []
        with raw.pipeline():
            for statement, params in pairs:
                # No parameters at all: None, so that a "%" in the SQL is not taken for a
                # placeholder.
                cursors.append(psycopg.Cursor(raw).execute(statement, params or None))
        return [c.fetchall() for c in cursors]
