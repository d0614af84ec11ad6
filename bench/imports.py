"""Import of a 1,000-row messy directory (target: under 5 s), as a spreadsheet and as a CSV, in
a territory made for each run and rolled back, beside reading the same file alone."""

from __future__ import annotations

import csv
import io
import random

from django.db import transaction

from bench.table import Row, time_row, timed
from cls_platform.models import Territory
from partners.importing import import_partners

ROWS = 1000


def messy_csv(rows: int = ROWS, seed: int = 42) -> bytes:
    rng = random.Random(seed)
    structures = [f"Structure {i}" for i in range(90)] + [
        "centre communal d'action sociale",
        "CENTRE COMMUNAL D’ACTION SOCIALE",
    ]
    lines = ["Annuaire CLS (export Outlook)", "NOM;Prénom;Structure;Fonction;Courriel;Tél.;Secteur"]
    for i in range(rows):
        kind = i % 20
        email = f"personne.{i % 900}@partenaire{i % 900 % 37}.fr"  # ~100 people twice: merged
        if kind == 3:
            email = f"pas-une-adresse-{i}"
        elif kind == 7:
            email = ""
        elif kind == 11:
            email = email.upper() + " "
        if kind == 13:
            lines.append(";;;;;;")
            continue
        phone = rng.choice(["0612345678", "01 23 45 67 89", "612345678", ""])
        sector = rng.choice(["Santé", "Social", "Éducation", "Sport/Santé", "Inconnu"])
        lines.append(
            f"NOM{i};Prénom{i};{rng.choice(structures)};Fonction {i % 13};{email};{phone};{sector}"
        )
    return "\n".join(lines).encode("cp1252", errors="replace")


def as_xlsx(content: bytes) -> bytes:
    """The same rows as a spreadsheet, as an Excel export would give them."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    for line in content.decode("cp1252").splitlines():
        sheet.append(line.split(";"))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def read_xlsx(content: bytes) -> int:
    """The floor: openpyxl reading every cell of the file, nothing else."""
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    cells = sum(len(row) for row in book.active.iter_rows(values_only=True))
    book.close()
    return cells


def read_csv(content: bytes) -> int:
    text = content.decode("cp1252")
    return sum(len(row) for row in csv.reader(io.StringIO(text), delimiter=";"))


def run(rows: int = ROWS, runs: int = 3) -> tuple[list[Row], list[str]]:
    content = messy_csv(rows)
    spreadsheet = as_xlsx(content)
    reports = []

    def imported(data: bytes, name: str) -> None:
        with transaction.atomic():
            territory = Territory.objects.create(
                name="Banc d'essai import", slug="banc-essai-import"
            )
            reports.append(import_partners(territory=territory, content=data, file_name=name))
            transaction.set_rollback(True)  # leave the database as it was

    section = f"import de {rows} lignes désordonnées"
    result = [
        time_row(
            section,
            "import du classeur (.xlsx)",
            timed(lambda: imported(spreadsheet, "messy.xlsx"), runs),
            "lecture seule (openpyxl)",
            timed(lambda: read_xlsx(spreadsheet), runs, count_queries=False),
            under=5,
        ),
        time_row(
            section,
            "import du fichier CSV",
            timed(lambda: imported(content, "messy.csv"), runs),
            "lecture seule (module csv)",
            timed(lambda: read_csv(content), runs, count_queries=False),
            under=5,
        ),
    ]
    s = reports[-1].summary
    return result, [
        f"import : {s['created']} créés, {s['merged']} fusionnés, {s['rejected']} rejetés, "
        f"{len(reports[-1].organizations_created)} structures"
    ]
