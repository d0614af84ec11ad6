"""`BENCH_QUICK=1 make bench`: the quick mode prints the whole table, every figure beside its
floor with a ratio, a target and whether it is met. Timings are not asserted (the machine's load
decides them); the rows and their columns are."""

from __future__ import annotations

import re

import pytest

# The send is committed for real (the quick mode sends in this process, on the commit).
pytestmark = pytest.mark.django_db(transaction=True)

COORDINATOR_PAGES = [
    "tableau de bord",
    "structures",
    "contacts",
    "fiches-actions",
    "contrat",
    "groupes",
    "groupe",
    "réunion (200 invités)",
]
# (label, floor): one row each, in this order.
ROWS = [
    *[(page, "vue nue") for page in COORDINATOR_PAGES],
    ("tableau de bord (lecture)", "vue nue"),
    ("fiches-actions (lecture)", "vue nue"),
    ("tableau ARS /contrats/ (2 territoires)", "vue nue"),
    ("accueil ARS, choix parmi 2 territoires", "vue nue"),
    *[
        row
        for page in COORDINATOR_PAGES
        for row in ((f"{page} ×10", "même page ×1"), (f"{page} ×10", "vue nue"))
    ],
    ("réunion tenue (200 invités, 45 présents)", "vue nue"),
    ("réunion à venir (200 invités)", "vue nue"),
    ("première impression (cache vide)", "WeasyPrint, même texte sans style"),
    ("réimpression sans changement", "WeasyPrint, même texte sans style"),
    ("après une fiche modifiée", "WeasyPrint, même texte sans style"),
    ("après une fiche modifiée, préparée en arrière-plan", "WeasyPrint, même texte sans style"),
    ("PDF d'une fiche-action", "WeasyPrint, même texte sans style"),
    ("bilan pour un signataire", "WeasyPrint, même HTML sans style"),
    ("envoi jusqu'au 20e message reçu", "Django, mêmes messages, 1 processus"),
    ("envoi jusqu'au 20e message reçu", "boucle smtplib, mêmes octets"),
    ("PDF du compte-rendu", "WeasyPrint, même texte sans style"),
    ("import du classeur (.xlsx)", "lecture seule (openpyxl)"),
    ("import du fichier CSV", "lecture seule (module csv)"),
]
TIME = r"\d+(,\d+)? m?s"
CELLS = re.compile(
    rf"^(?P<label>.+?)\s+{TIME}\s+(?P<runs>\d+)\s+(?P<queries>\d+|—)\s+(?P<floor>.+?)\s+{TIME}"
    rf"\s+(\d+|—)\s+(?P<ratio>\d+(,\d)?)×\s+(?P<target>≤\d+(,\d)?×|< \d+ s|—)"
    rf"\s+(?P<met>oui|non|—)$"
)


def test_the_quick_mode_prints_every_row_beside_its_floor(monkeypatch):
    from bench.suite import Sizes, report

    for name in ("BENCH_TERRITORIES", "BENCH_RUNS", "BENCH_PDF_RUNS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("BENCH_QUICK", "1")
    sizes = Sizes.from_env()
    assert (sizes.quick, sizes.territories, sizes.recipients) == (True, 2, 20)

    text = report(sizes)

    lines = text.splitlines()
    assert lines[0].startswith("Banc d'essai Trame (mode rapide)")
    rows = [m for line in lines if (m := CELLS.match(line))]
    found = [(m["label"], m["floor"]) for m in rows]
    for expected in ROWS:
        assert expected in found, (expected, text)
    by_label = {(m["label"], m["floor"]): m for m in rows}
    # Every page carries its query count and the target; the PDFs and the import a time.
    assert all(by_label[(page, "vue nue")]["queries"].isdigit() for page in COORDINATOR_PAGES)
    assert {by_label[row]["target"] for row in ROWS[:8]} == {"≤5×"}
    assert by_label[("contacts ×10", "même page ×1")]["target"] == "≤1,3×"
    assert by_label[("première impression (cache vide)", ROWS[-8][1])]["target"] == "< 5 s"
    prepared = ("après une fiche modifiée, préparée en arrière-plan", ROWS[-8][1])
    assert by_label[prepared]["target"] == "< 5 s"
    send = by_label[("envoi jusqu'au 20e message reçu", "Django, mêmes messages, 1 processus")]
    assert send["target"] == "≤2×" and send["met"] in ("oui", "non")
    met = [m["met"] for m in rows if m["met"] != "—"]
    assert f"cibles atteintes : {met.count('oui')} sur {len(met)}" in text
    assert "PDF du contrat, texte relu (pdftotext) : 3 numéros et titres trouvés" in text
    assert "envoi : 20 adresses servies, 20 une seule fois avec le PDF" in text
