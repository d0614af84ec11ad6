"""Export of the fiches-actions list (CSV for Excel in French, XLSX)."""

from __future__ import annotations

from collections.abc import Iterable

from cls_platform.spreadsheets import csv_bytes, xlsx_bytes

from .models import FicheAction

HEADERS = [
    "Contrat",
    "Numéro",
    "Intitulé",
    "Axe thématique",
    "Axes transversaux",
    "État",
    "Avancement (%)",
    "En retard",
    "Début",
    "Fin prévue",
    "Structure pilote",
    "Partenaires",
    "Publics",
    "QPV",
    "Charte d'Ottawa",
    "Participation des habitants",
    "Budget (€)",
]


def _d(value) -> str:
    return value.strftime("%d/%m/%Y") if value else ""


def rows(fiches: Iterable[FicheAction]) -> Iterable[list[str]]:
    yield HEADERS
    for f in fiches:
        yield [
            f.contract.title,
            f.number,
            f.title,
            f.thematic_axis.title,
            ", ".join(a.title for a in f.transversal_axes.all()),
            f.get_status_display(),
            str(f.progress),
            "oui" if getattr(f, "late", f.is_late) else "non",
            _d(f.start_date),
            _d(f.end_date),
            f.pilot_organization.name if f.pilot_organization else "",
            ", ".join(o.name for o in f.partners.all()),
            ", ".join(p.name for p in f.publics.all()),
            ", ".join(q.name for q in f.qpvs.all()),
            ", ".join(o.name for o in f.ottawa_areas.all()),
            f.get_participation_display(),
            f"{f.budget_total:.2f}".replace(".", ",") if f.budget_total is not None else "",
        ]


def fiches_csv(fiches: Iterable[FicheAction]) -> bytes:
    return csv_bytes(rows(fiches))


def fiches_xlsx(fiches: Iterable[FicheAction]) -> bytes:
    return xlsx_bytes(rows(fiches), title="Fiches-actions")
