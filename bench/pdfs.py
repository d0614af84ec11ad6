"""The printed contract of 60 rich fiches-actions (target: under 5 s) and one fiche (under 1 s).

The contract is built in a territory made for the run, inside a transaction rolled back at the
end, so that the database is left as it was. Its parts are kept in a cache of the run's own
(cls_platform/pdfparts.py), timed in the three cases a coordinator meets:

- first print: every fiche laid out (in PDF_PROCESSES processes, one per processor by default);
- after one fiche was edited (its title, so the contents change too): that fiche and the front
  matter laid out again: what the coordinator waits for on a normal day (the target);
- reprint with nothing changed.

Each is timed on the wall clock (the target) and in this process's processor time (the rendering
processes of a first print are not counted there). The text of the 60-action PDF is read back
(pdftotext) and every action's number and title checked.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
import tempfile
import time
from decimal import Decimal

from django.conf import settings
from django.db import connection, transaction
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from actions.models import (
    ActionPartner,
    ActionStatus,
    Axis,
    AxisKind,
    CollaborationLevel,
    Contract,
    ContractStatus,
    FicheAction,
    FundingLine,
    FundingStatus,
    Indicator,
    IndicatorKind,
    IndicatorValue,
    OttawaArea,
    Participation,
    Public,
    Signatory,
    TerritoryScope,
)
from actions.pdf import contract_pdf, fiche_action_pdf
from cls_platform.models import Territory
from partners.models import Contact, Organization, Qpv

ACTIONS = 60
THEMATIC_AXES = 6
LEVELS = [
    (1, "Échange d'informations"),
    (2, "Coordination"),
    (3, "Coopération"),
    (4, "Action en partenariat"),
]
TEXT = (
    "Les habitants des quartiers prioritaires déclarent plus souvent renoncer à des soins, "
    "faute de médecin traitant, de droits ouverts ou d'information sur l'offre existante. "
    "Les partenaires du groupe de travail ont partagé leurs constats lors de trois réunions."
)


def build_contract(actions: int = ACTIONS) -> tuple[Contract, FicheAction]:
    territory = Territory.objects.create(name="Banc d'essai PDF", slug="banc-essai-pdf")
    qpvs = [
        Qpv.objects.create(territory=territory, name=name)
        for name in ("Axe Majeur-Horloge", "Sébille")
    ]
    contract = Contract.objects.create(
        territory=territory,
        title="Contrat local de santé du banc d'essai",
        start_year=2023,
        end_year=2028,
        status=ContractStatus.SIGNED,
        signed_on=dt.date(2023, 9, 21),
    )
    organizations = Organization.objects.bulk_create(
        Organization(territory=territory, name=f"Structure partenaire n° {i}") for i in range(90)
    )
    contacts = Contact.objects.bulk_create(
        Contact(
            territory=territory,
            first_name="Camille",
            last_name=f"Durand {i}",
            email=f"camille.durand{i}@banc-essai.invalid",
            job_title="Chargée de mission santé",
            organization=organizations[i],
        )
        for i in range(90)
    )
    for order, organization in enumerate(organizations[:8]):
        Signatory.objects.create(
            contract=contract, organization=organization, order=order, signed_on=contract.signed_on
        )
    thematic = [
        Axis.objects.create(
            contract=contract,
            number=n,
            title=f"Axe thématique numéro {n}",
            description=TEXT,
            objectives="Réduire les inégalités sociales de santé\nCoordonner les acteurs",
        )
        for n in range(1, THEMATIC_AXES + 1)
    ]
    transversal = [
        Axis.objects.create(
            contract=contract, kind=AxisKind.TRANSVERSAL, number=n, title=f"Axe transversal {n}"
        )
        for n in range(1, 5)
    ]
    levels = [
        CollaborationLevel.objects.get_or_create(rank=rank, defaults={"label": label})[0]
        for rank, label in LEVELS
    ]
    publics = list(Public.objects.all()[:3])
    areas = list(OttawaArea.objects.all()[:2])
    fiches = []
    for i in range(actions):
        axis = thematic[i % THEMATIC_AXES]
        fiche = FicheAction.objects.create(
            territory=territory,
            contract=contract,
            number=f"{axis.number}.{i // THEMATIC_AXES + 1}",
            title=f"Action {i + 1} : accompagner les habitants vers les soins et la prévention",
            thematic_axis=axis,
            status=ActionStatus.IN_PROGRESS,
            progress=(i * 7) % 100,
            start_date=dt.date(2024, 1, 15),
            end_date=dt.date(2027, 6, 30),
            pilot_organization=organizations[i % 90],
            pilot_contact=contacts[i % 90],
            context=f"{TEXT}\n\n{TEXT}",
            general_objective="Réduire le renoncement aux soins des habitants des QPV.",
            operational_objectives="Informer les habitants\nAccompagner vers un médecin traitant\nFormer les professionnels",
            description=f"{TEXT}\n\n{TEXT}",
            territory_scope=TerritoryScope.QPV,
            participation=Participation.CONCERTATION,
            calendar="2024 : lancement ; 2025 : déploiement ; 2026 : évaluation.",
            budget_total=Decimal("24500.00"),
        )
        fiche.transversal_axes.set(transversal[: 1 + i % 3])
        fiche.copilots.set([contacts[(i + 1) % 90], contacts[(i + 2) % 90]])
        fiche.publics.set(publics)
        fiche.ottawa_areas.set(areas)
        fiche.qpvs.set(qpvs)
        ActionPartner.objects.bulk_create(
            ActionPartner(
                fiche=fiche,
                organization=organizations[(i + k * 7) % 90],
                role="Anime des ateliers et oriente les habitants",
                level=levels[k % 4],
            )
            for k in range(3)
        )
        FundingLine.objects.bulk_create(
            [
                FundingLine(
                    fiche=fiche,
                    funder="ARS Île-de-France",
                    amount=Decimal("12500"),
                    status=FundingStatus.SECURED,
                    year=2024,
                ),
                FundingLine(
                    fiche=fiche,
                    funder="Politique de la ville",
                    amount=Decimal("3250.50"),
                    status=FundingStatus.REQUESTED,
                    year=2025,
                ),
            ]
        )
        for k, kind in enumerate(
            (IndicatorKind.PROCESS, IndicatorKind.RESULT, IndicatorKind.IMPACT)
        ):
            indicator = Indicator.objects.create(
                fiche=fiche,
                kind=kind,
                title=f"Indicateur {k + 1} de l'action",
                unit="personnes",
                baseline=0,
                target=1500,
                order=k,
                source="Tableau de suivi des permanences",
            )
            IndicatorValue.objects.bulk_create(
                IndicatorValue(
                    indicator=indicator, measured_on=dt.date(2024 + y, 12, 31), value=400 * (y + 1)
                )
                for y in range(3)
            )
        fiches.append(fiche)
    return contract, fiches[0]


def run() -> list[str]:
    with (
        tempfile.TemporaryDirectory(prefix="trame-bench-pdf-") as cache_dir,
        override_settings(
            CACHES={**settings.CACHES, "pdf": {**settings.CACHES["pdf"], "LOCATION": cache_dir}}
        ),
        transaction.atomic(),
    ):
        contract, fiche = build_contract()
        fiche_action_pdf(fiche=fiche)  # fonts and stylesheets loaded once, as in a warm worker
        with CaptureQueriesContext(connection) as contract_queries:
            first, first_time, first_cpu = timed(lambda: contract_pdf(contract=contract))
        missing = missing_actions(first, contract)
        fiche.title = "Accompagner les habitants vers les soins, avec les médiateurs santé"
        fiche.save(update_fields=["title"])
        edited, edited_time, edited_cpu = timed(lambda: contract_pdf(contract=contract))
        missing += missing_actions(edited, contract)
        _same, same_time, same_cpu = timed(lambda: contract_pdf(contract=contract))
        with CaptureQueriesContext(connection) as fiche_queries:
            _one, fiche_time, fiche_cpu = timed(lambda: fiche_action_pdf(fiche=fiche))
        transaction.set_rollback(True)  # leave the database as it was
    return [
        f"PDF du contrat ({ACTIONS} fiches-actions, {page_count(edited)} pages, "
        f"{len(edited) // 1024} Kio), une fiche modifiée depuis l'impression précédente : "
        f"{edited_time:.2f} s, processeur {edited_cpu:.2f} s "
        f"(objectif < 5 s, {verdict(edited_time < 5)}) · "
        f"{len(contract_queries.captured_queries)} requêtes · texte relu : "
        + (f"{ACTIONS} numéros et titres trouvés" if not missing else f"ABSENTS : {missing}"),
        f"PDF du contrat, première impression ({settings.PDF_PROCESSES} processus de rendu) : "
        f"{first_time:.2f} s, processeur de ce processus {first_cpu:.2f} s "
        f"(objectif < 5 s, {verdict(first_time < 5)})",
        f"PDF du contrat, réimpression sans changement : {same_time:.2f} s, "
        f"processeur {same_cpu:.2f} s",
        f"PDF d'une fiche-action : {fiche_time:.2f} s, processeur {fiche_cpu:.2f} s "
        f"(objectif < 1 s, {verdict(fiche_time < 1)}) · "
        f"{len(fiche_queries.captured_queries)} requêtes",
    ]


def timed(render) -> tuple[bytes, float, float]:
    start, cpu = time.perf_counter(), time.process_time()
    document = render()
    return document, time.perf_counter() - start, time.process_time() - cpu


def missing_actions(document: bytes, contract: Contract) -> list[str]:
    """The actions whose "Fiche-action n" heading and title are not in the PDF's text."""
    if not shutil.which("pdftotext"):
        return ["(pdftotext absent)"]
    out = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-", "-"], input=document, capture_output=True, check=True
    )
    text = " ".join(out.stdout.decode().replace("\xa0", " ").split())
    return [
        number
        for number, title in contract.fiches_actions.values_list("number", "title")
        if f"Fiche-action {number} {title}" not in text
    ]


def verdict(ok: bool) -> str:
    return "OK" if ok else "AU-DELÀ DE L'OBJECTIF"


def page_count(document: bytes) -> str:
    """Read by poppler's pdfinfo when installed (the page tree sits in compressed streams)."""
    if not shutil.which("pdfinfo"):
        return "?"
    out = subprocess.run(["pdfinfo", "-"], input=document, capture_output=True, check=False)
    found = re.search(rb"^Pages:\s+(\d+)", out.stdout, re.MULTILINE)
    return found[1].decode() if found else "?"
