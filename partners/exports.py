"""Directory export (CSV for Excel in French, XLSX): the import's columns, so nothing is locked in."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import QuerySet
from django.utils import timezone

from cls_platform.spreadsheets import csv_bytes, xlsx_bytes

from .import_reading import EXPORT_HEADERS
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
    return csv_bytes(directory_rows(contacts))


def directory_xlsx(contacts: QuerySet[Contact]) -> bytes:
    return xlsx_bytes(directory_rows(contacts), title="Annuaire")
