"""The archive of a territory, written into a file the caller gives (a temporary file).

Memory stays flat whatever the territory holds: each table's rows come from the database in
chunks and go, one at a time, to a CSV and a JSON file in a temporary folder, which are then
added to the ZIP; documents are copied from the storage in chunks. The number of queries does
not grow with the rows: one per table, plus one per many-to-many column and per column naming
reference data or accounts.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import posixpath
import shutil
import tempfile
import uuid
import zipfile
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, BinaryIO

from django.db.models import Model, QuerySet
from django.utils import timezone
from django.utils.html import escape

from cls_platform.access import scoped
from cls_platform.mail.text import html_to_text
from cls_platform.models import Access, Territory, User
from cls_platform.spreadsheets import csv_cell

from . import readme
from .tables import (
    CHOICE_LABEL,
    FILE,
    LABEL,
    LABELS,
    PERSON,
    RICH_HTML,
    RICH_TEXT,
    ROW_ID,
    ROW_IDS,
    TABLES,
    VALUE,
    Column,
    Table,
)

CHUNK_ROWS = 2000
COPY_CHUNK = 1024 * 1024
LIST_SEPARATOR = " | "


@dataclass
class TableSummary:
    table: Table
    rows: int = 0


@dataclass
class ArchiveSummary:
    """What went into the archive: rows per table, documents copied, documents missing."""

    territory: Territory
    made_by: str
    made_at: dt.datetime
    tables: list[TableSummary] = field(default_factory=list)
    documents: int = 0
    reports: int = 0
    missing: list[tuple[str, str]] = field(default_factory=list)


def table_queryset(table: Table, access: Access) -> QuerySet[Any]:
    """The table's rows of the access's territory, always through `scoped()`."""
    model = table.model
    if model is Territory:
        queryset = Territory.objects.filter(pk=access.territory_id)
    elif table.parent is None:
        queryset = scoped(model._default_manager.all(), access)
    else:
        lookup, root = table.parent
        queryset = model._default_manager.filter(
            **{f"{lookup}__in": scoped(root._default_manager.all(), access).values("pk")}
        )
    return queryset.order_by(*table.order_by)


# --- values --------------------------------------------------------------------------------


NATIVE = (str, int, float, bool, type(None))


def plain(value: Any) -> Any:
    """A JSON-native value: dates in ISO 8601 (Paris time with its offset), exact decimals as
    text, identifiers as text."""
    if isinstance(value, NATIVE):
        return value
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = value.astimezone(timezone.get_current_timezone())
        return value.isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, bytes | memoryview):
        return None
    return value


def csv_value(value: Any) -> Any:
    """A CSV cell: empty for nothing, oui/non, lists joined, formulas neutralised."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, list):
        return csv_cell(LIST_SEPARATOR.join(str(item) for item in value))
    if isinstance(value, dict):
        return csv_cell(json.dumps(value, ensure_ascii=False))
    return csv_cell(value)


def safe_name(name: str) -> str:
    """A stored file's last segment, fit for a path inside the archive."""
    base = posixpath.basename(name.replace("\\", "/")) or "fichier"
    return "".join(ch if ch.isprintable() and ch not in '/\\:*?"<>|' else "_" for ch in base)


# --- lookups made once per table ------------------------------------------------------------


def _labels(model: type[Model], pks: QuerySet[Any]) -> dict[Any, str]:
    return {obj.pk: str(obj) for obj in model._default_manager.filter(pk__in=pks)}


def _lookups(table: Table, queryset: QuerySet[Any]) -> dict[str, dict[Any, Any]]:
    """For each column that names something outside its row: its values by key, read once."""
    lookups: dict[str, dict[Any, Any]] = {}
    rows = queryset.order_by()
    for column in table.columns:
        model_field = column.field
        if column.kind == CHOICE_LABEL:
            lookups[column.key] = {code: str(label) for code, label in model_field.flatchoices}
        elif column.kind == PERSON:
            lookups[column.key] = dict(
                User.objects.filter(pk__in=rows.values(model_field.attname)).values_list(
                    "pk", "full_name"
                )
            )
        elif column.kind == LABEL:
            lookups[column.key] = _labels(
                model_field.related_model, rows.values(model_field.attname)
            )
        elif column.kind in (ROW_IDS, LABELS):
            through = model_field.remote_field.through
            source = model_field.m2m_field_name()
            target = model_field.m2m_reverse_field_name()
            links = through._default_manager.filter(**{f"{source}__in": rows.values("pk")})
            names = (
                _labels(model_field.related_model, links.values(target))
                if column.kind == LABELS
                else None
            )
            grouped: dict[Any, list[Any]] = defaultdict(list)
            for row_pk, target_pk in links.order_by(target).values_list(source, target):
                grouped[row_pk].append(names.get(target_pk, "") if names is not None else target_pk)
            if names is not None:
                for values in grouped.values():
                    values.sort(key=str.casefold)
            lookups[column.key] = grouped
    return lookups


def _stored_fields(table: Table) -> list[str]:
    names = {table.model._meta.pk.attname}
    for column in table.columns:
        if column.kind not in (ROW_IDS, LABELS):
            names.add(column.field.attname)
    return sorted(names)


# --- writing -------------------------------------------------------------------------------


class ArchiveWriter:
    """Writes tables and files into one ZIP; keeps count of what went in."""

    def __init__(self, out: BinaryIO, work: Path, summary: ArchiveSummary) -> None:
        self.zip = zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True)
        self.work = work
        self.summary = summary

    def close(self) -> None:
        self.zip.writestr("README.txt", readme.readme_text(self.summary))
        self.zip.close()

    def copy_file(self, table: Table, column: Column, row_pk: Any, name: str) -> str:
        """Copy a stored file into documents/; its path in the archive, or "" if it is gone."""
        if not name:
            return ""
        arcname = f"documents/{table.path}/{row_pk}/{safe_name(name)}"
        storage = column.field.storage
        try:
            source = storage.open(name, "rb")
        except OSError:
            self.summary.missing.append((f"{table.path}.csv, ligne {row_pk}", name))
            return ""
        with source, self.zip.open(arcname, "w", force_zip64=True) as target:
            shutil.copyfileobj(source, target, COPY_CHUNK)
        self.summary.documents += 1
        return arcname

    def write_rich_text(self, table: Table, column: Column, row_pk: Any, html: str) -> str:
        if not html:
            return ""
        folder = f"{posixpath.dirname(table.path)}/comptes-rendus"
        if column.kind == RICH_HTML:
            arcname = f"{folder}/{row_pk}.html"
            self.zip.writestr(arcname, html_page(html, title=f"{table.title} {row_pk}"))
            self.summary.reports += 1
        else:
            arcname = f"{folder}/{row_pk}.txt"
            self.zip.writestr(arcname, html_to_text(html))
        return arcname

    def row(self, table: Table, stored: dict[str, Any], lookups: dict[str, dict]) -> dict:
        pk = stored[table.model._meta.pk.attname]
        values: dict[str, Any] = {}
        for column in table.columns:
            model_field = column.field
            raw = stored.get(model_field.attname)
            if column.kind in (VALUE, ROW_ID):
                values[column.key] = plain(raw)
            elif column.kind == CHOICE_LABEL:
                labels = lookups[column.key]
                values[column.key] = labels.get(raw, str(raw)) if raw not in (None, "") else ""
            elif column.kind in (PERSON, LABEL):
                values[column.key] = lookups[column.key].get(raw) if raw is not None else None
            elif column.kind in (ROW_IDS, LABELS):
                values[column.key] = list(lookups[column.key].get(pk, []))
            elif column.kind == FILE:
                values[column.key] = self.copy_file(table, column, pk, raw or "")
            elif column.kind in (RICH_HTML, RICH_TEXT):
                values[column.key] = self.write_rich_text(table, column, pk, raw or "")
        return values

    def table(self, table: Table, queryset: QuerySet[Any]) -> TableSummary:
        summary = TableSummary(table)
        lookups = _lookups(table, queryset)
        keys = [column.key for column in table.columns]
        csv_path = self.work / "table.csv"
        json_path = self.work / "table.json"
        with (
            csv_path.open("w", encoding="utf-8-sig", newline="") as csv_file,
            json_path.open("w", encoding="utf-8") as json_file,
        ):
            writer = csv.writer(csv_file, delimiter=";")
            writer.writerow(keys)
            json_file.write("[")
            for stored in rows_of(queryset, _stored_fields(table)):
                values = self.row(table, stored, lookups)
                writer.writerow([csv_value(values[key]) for key in keys])
                json_file.write(",\n" if summary.rows else "\n")
                json_file.write(json.dumps(values, ensure_ascii=False))
                summary.rows += 1
            json_file.write("\n]\n" if summary.rows else "]\n")
        self.zip.write(csv_path, f"{table.path}.csv")
        self.zip.write(json_path, f"{table.path}.json")
        csv_path.unlink()
        json_path.unlink()
        self.summary.tables.append(summary)
        return summary


def rows_of(queryset: QuerySet[Any], names: list[str]) -> Iterator[dict[str, Any]]:
    return queryset.values(*names).iterator(chunk_size=CHUNK_ROWS)


def html_page(body: str, *, title: str) -> str:
    """The compte-rendu as a page a browser opens on its own (its HTML was sanitised when it
    was saved)."""
    return (
        '<!DOCTYPE html>\n<html lang="fr">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{escape(title)}</title>\n</head>\n<body>\n{body}\n</body>\n</html>\n"
    )


def archive_build(*, access: Access, out: BinaryIO, made_by: str = "") -> ArchiveSummary:
    """Write the territory's archive into `out` (a binary file open for writing)."""
    summary = ArchiveSummary(
        territory=access.territory, made_by=made_by, made_at=timezone.localtime()
    )
    with tempfile.TemporaryDirectory(prefix="trame-archive-") as work:
        writer = ArchiveWriter(out, Path(work), summary)
        try:
            for table in TABLES:
                writer.table(table, table_queryset(table, access))
        except BaseException:
            writer.zip.close()
            raise
        writer.close()
    return summary
