"""Export of the interviews (CSV for Excel in French, XLSX), for the review's synthesis."""

from __future__ import annotations

from collections.abc import Iterable

from cls_platform.spreadsheets import csv_bytes, xlsx_bytes

from .models import Interview

HEADERS = [
    "Date",
    "Personne rencontrée",
    "Fonction",
    "Structure",
    "Contrat",
    "Axe",
    "Groupe de travail",
    "Missions de la structure",
    "Actions menées sur le territoire",
    "Besoins",
    "Possibilités de collaboration",
    "Suites décidées",
    "Mené par",
]


def rows(interviews: Iterable[Interview]) -> Iterable[list[str]]:
    yield HEADERS
    for i in interviews:
        axis = i.axis_of_record
        yield [
            i.held_on.strftime("%d/%m/%Y"),
            i.person_label,
            i.contact.job_title if i.contact else "",
            i.organization.name if i.organization else "",
            i.contract.title,
            str(axis) if axis else "",
            i.group.name if i.group else "",
            i.missions,
            i.territory_actions,
            i.needs,
            i.collaboration,
            i.follow_up,
            i.conducted_by.get_full_name() if i.conducted_by else "",
        ]


def interviews_csv(interviews: Iterable[Interview]) -> bytes:
    return csv_bytes(rows(interviews))


def interviews_xlsx(interviews: Iterable[Interview]) -> bytes:
    return xlsx_bytes(rows(interviews), title="Entretiens")
