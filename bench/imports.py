"""Import of a 1,000-row messy CSV (target: under 5 s), in a territory made for the run."""

from __future__ import annotations

import random
import time

from django.db import transaction

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


def run() -> list[str]:
    content = messy_csv()
    with transaction.atomic():
        territory = Territory.objects.create(name="Banc d'essai import", slug="banc-essai-import")
        start = time.perf_counter()
        report = import_partners(territory=territory, content=content, file_name="messy.csv")
        elapsed = time.perf_counter() - start
        transaction.set_rollback(True)  # leave the database as it was
    s = report.summary
    verdict = "OK" if elapsed < 5 else "AU-DELÀ DE L'OBJECTIF"
    return [
        f"import de {ROWS} lignes : {elapsed:.2f} s (objectif < 5 s, {verdict}) · "
        f"{s['created']} créés, {s['merged']} fusionnés, {s['rejected']} rejetés, "
        f"{len(report.organizations_created)} structures"
    ]
