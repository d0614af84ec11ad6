"""The printed contract of 60 rich fiches-actions (target: under 5 s) and one fiche (under 1 s).

The contract is built in a territory made for the run, inside a transaction rolled back at the
end, so that the database is left as it was. Its parts are kept in a cache of the run's own
(cls_platform/pdf/parts.py), timed in the four cases a coordinator meets:

- first print: every fiche laid out (in PDF_PROCESSES processes, one per processor by default);
- after one fiche was edited (its title, so the contents change too), before any warming: that
  fiche, the axes and the front matter laid out again by the print itself;
- after one fiche was edited and the worker's warming ran (actions.tasks.warm_contract_pdf, run
  here as a worker runs it, untimed, through the same part cache): what the coordinator waits
  for on a normal day, the first print after a change (the issue's target);
- reprint with nothing changed.

Each is timed on the wall clock (median of BENCH_PDF_RUNS runs) beside its floor: WeasyPrint laying
out the same text (read back with pdftotext) with no stylesheet. The text of the contract is
read back and every action's number and title checked.
"""

from __future__ import annotations

import datetime as dt
import html
import re
import shutil
import statistics
import subprocess
import tempfile
import time
from collections.abc import Iterator
from decimal import Decimal

from django.conf import settings
from django.core.cache import caches
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
from bench.table import Figure, Row, time_row, timed
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


def run(actions: int = ACTIONS, runs: int = 3) -> tuple[list[Row], list[str]]:
    """The contract's three prints and one fiche, each beside WeasyPrint laying out the same
    text with no stylesheet; and a line saying whether the text read back is complete."""
    with (
        tempfile.TemporaryDirectory(prefix="trame-bench-pdf-") as cache_dir,
        override_settings(
            CACHES={**settings.CACHES, "pdf": {**settings.CACHES["pdf"], "LOCATION": cache_dir}}
        ),
        transaction.atomic(),
    ):
        contract, fiche = build_contract(actions)
        fiche_action_pdf(fiche=fiche)  # fonts and stylesheets loaded once, as in a warm worker
        with CaptureQueriesContext(connection) as ctx:
            document = contract_pdf(contract=contract)
        contract_queries = len(ctx.captured_queries)
        missing = missing_actions(document, contract)
        floor = timed(lambda: bare_pdf(pdf_text(document)), runs, count_queries=False)

        def cold() -> None:
            caches["pdf"].clear()
            contract_pdf(contract=contract)

        edits = iter(range(1_000_000))

        def edited() -> None:
            fiche.title = f"Accompagner les habitants vers les soins, version {next(edits)}"
            fiche.save(update_fields=["title"])
            contract_pdf(contract=contract)

        first = timed(cold, runs, count_queries=False, warm_up=False)
        after_edit = timed(edited, runs, count_queries=False, warm_up=False)
        after_warming = warmed_print(contract, fiche, runs, edits)
        reprint = timed(lambda: contract_pdf(contract=contract), runs, count_queries=False)
        missing += missing_actions(contract_pdf(contract=contract), contract)
        with CaptureQueriesContext(connection) as ctx:
            one = fiche_action_pdf(fiche=fiche)
        fiche_queries = len(ctx.captured_queries)
        one_time = timed(lambda: fiche_action_pdf(fiche=fiche), runs, count_queries=False)
        one_floor = timed(lambda: bare_pdf(pdf_text(one)), runs, count_queries=False)
        transaction.set_rollback(True)  # leave the database as it was
    section = (
        f"PDF du contrat ({actions} fiches-actions, {page_count(document)} pages, "
        f"{settings.PDF_PROCESSES} processus de rendu)"
    )
    bare = "WeasyPrint, même texte sans style"
    first = with_queries(first, contract_queries)
    one_time = with_queries(one_time, fiche_queries)
    rows = [
        time_row(section, "première impression (cache vide)", first, bare, floor, under=5),
        time_row(section, "réimpression sans changement", reprint, bare, floor, under=5),
        time_row(section, "après une fiche modifiée", after_edit, bare, floor, under=5),
        time_row(
            section,
            "après une fiche modifiée, préparée en arrière-plan",
            after_warming,
            bare,
            floor,
            under=5,
        ),
        time_row(section, "PDF d'une fiche-action", one_time, bare, one_floor, under=1),
    ]
    checked = f"{actions} numéros et titres trouvés" if not missing else f"ABSENTS : {missing}"
    return rows, [f"PDF du contrat, texte relu (pdftotext) : {checked}"]


def warmed_print(contract: Contract, fiche: FicheAction, runs: int, edits: Iterator[int]) -> Figure:
    """The first print after a fiche's title was edited and the worker's warming task ran (in
    this process, as a worker runs it, untimed: the edit's on-commit never comes inside the
    run's transaction): median of `runs`."""
    from actions.tasks import warm_contract_pdf

    timings = []
    for _ in range(runs):
        fiche.title = f"Accompagner les habitants vers les soins, version {next(edits)}"
        fiche.save(update_fields=["title"])
        warm_contract_pdf.apply(args=(contract.pk,), throw=True)
        start = time.perf_counter()
        contract_pdf(contract=contract)
        timings.append(time.perf_counter() - start)
    return Figure(statistics.median(timings), runs)


def with_queries(figure: Figure, queries: int) -> Figure:
    return Figure(figure.median, figure.runs, queries)


def pdf_text(document: bytes) -> str:
    """The document's text as bare HTML paragraphs: what the floor lays out."""
    out = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-", "-"], input=document, capture_output=True, check=True
    )
    paragraphs = out.stdout.decode().replace("\f", "\n\n").split("\n\n")
    return "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs if p.strip())


def bare_pdf(markup: str) -> bytes:
    import weasyprint

    return weasyprint.HTML(string=markup).write_pdf()


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


def page_count(document: bytes) -> str:
    """Read by poppler's pdfinfo when installed (the page tree sits in compressed streams)."""
    if not shutil.which("pdfinfo"):
        return "?"
    out = subprocess.run(["pdfinfo", "-"], input=document, capture_output=True, check=False)
    found = re.search(rb"^Pages:\s+(\d+)", out.stdout, re.MULTILINE)
    return found[1].decode() if found else "?"
