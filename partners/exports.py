"""Directory export (CSV for Excel in French, XLSX): the import's columns, so nothing is locked in."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from django.db.models import QuerySet
from django.utils import timezone

from .importing import EXPORT_HEADERS
from .models import Contact

EXTRA_HEADERS = [
    "Service de la collectivité",
    "En poste",
    "Désinscrit le",
    "Adresse en erreur depuis",
    "Origine",
    "Dernière interaction",
]


def _date(value) -> str:
    return timezone.localtime(value).strftime("%d/%m/%Y") if value else ""


def directory_rows(contacts: QuerySet[Contact]) -> Iterable[list[str]]:
    yield EXPORT_HEADERS + EXTRA_HEADERS
    for c in (
        contacts.filter(anonymized_at__isnull=True)
        .select_related("organization")
        .prefetch_related("organization__sectors")
    ):
        org = c.organization
        yield [
            c.last_name,
            c.first_name,
            org.name if org else "",
            c.job_title,
            c.email,
            c.phone,
            ", ".join(s.name for s in org.sectors.all()) if org else "",
            "oui" if org and org.is_internal else "non",
            "oui" if c.is_active and not c.left_at else "non",
            _date(c.unsubscribed_at),
            _date(c.bounced_at),
            c.get_source_display(),
            _date(c.last_activity_at),
        ]


def directory_csv(contacts: QuerySet[Contact]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerows(directory_rows(contacts))
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")  # BOM: Excel opens it in UTF-8


def directory_xlsx(contacts: QuerySet[Contact]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook(write_only=False)
    sheet = workbook.active
    sheet.title = "Annuaire"
    for row in directory_rows(contacts):
        sheet.append(row)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
