"""The table of all one's contracts as CSV (French Excel) and XLSX: the same rows as the page,
with its filters and its order, every page at once; counts and percentages in columns of their
own, dates as dates."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any

from cls_platform.spreadsheets import csv_bytes, xlsx_bytes

from .selectors import ContractRow

HEADERS = [
    "Territoire",
    "Code INSEE",
    "Département",
    "Nom du département",
    "Population",
    "Année de la population",
    "Contrat",
    "Dispositif",
    "Année de début",
    "Année de fin",
    "État",
    "Signé le",
    "Fiches-actions",
    "Fiches réalisées",
    "% réalisées",
    "Fiches en cours",
    "% en cours",
    "Fiches en retard",
    "% en retard",
    "Indicateurs avec une cible",
    "Indicateurs atteints ou en bonne voie",
    "% en bonne voie",
    "Groupes actifs",
    "Groupes fragiles",
    "Groupes à l'arrêt",
    "Dernier COPIL",
    "Prochaine échéance",
    "Date de l'échéance",
    "Page d'avancement",
]


def rows(
    contract_rows: Iterable[ContractRow], *, absolute: Callable[[str], str]
) -> Iterable[list[Any]]:
    """The header, then one line per contract; `absolute` makes the page's address absolute."""
    yield HEADERS
    for row in contract_rows:
        figures = row.figures
        assert figures is not None, "fill() first"
        yield [
            row.territory_name,
            row.insee_code,
            row.department_code,
            row.department_name,
            row.population,
            row.population_year,
            row.title,
            row.kind_label,
            row.start_year,
            row.end_year,
            row.status_label,
            row.signed_on,
            figures.fiches,
            figures.done,
            figures.done_share if figures.fiches else None,
            figures.in_progress,
            row.in_progress_share if figures.fiches else None,
            figures.late,
            row.late_share if figures.fiches else None,
            figures.measurable,
            figures.on_track,
            row.on_track_share,
            row.active_groups,
            row.fragile_groups,
            row.stopped_groups,
            row.last_copil,
            row.milestone.label if row.milestone else "",
            row.milestone.on if row.milestone else None,
            absolute(row.url),
        ]


def _csv_value(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    return "" if value is None else value


def portfolio_csv(contract_rows: Iterable[ContractRow], *, absolute: Callable[[str], str]) -> bytes:
    return csv_bytes(
        [_csv_value(value) for value in line] for line in rows(contract_rows, absolute=absolute)
    )


def portfolio_xlsx(
    contract_rows: Iterable[ContractRow], *, absolute: Callable[[str], str]
) -> bytes:
    return xlsx_bytes(rows(contract_rows, absolute=absolute), title="Contrats")
