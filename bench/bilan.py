"""The bilan PDF of a 60-action contract (target: under 10 s), beside the floor:
WeasyPrint laying out the same text with no stylesheet at all.

The contract is bench/pdfs.py's (60 rich fiches-actions, three indicators each, measured three
times), with work groups, their meetings and COPIL decisions added, built in a territory made for
the run inside a transaction rolled back at the end. The bilan is printed for a signatory (the
viewer's document: structures only), its text read back (pdftotext) and its fiches checked.
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess

from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from actions.models import Contract
from bench.pdfs import ACTIONS, build_contract, page_count
from bench.table import Figure, Row, time_row, timed
from cls_platform.models import Access, Role, User
from evaluation.progress.bilan import (
    bilan_choices,
    bilan_html,
    bilan_pdf,
    contract_bilan,
)
from evaluation.progress.models import CopilDecision, DecisionStatus
from workgroups.models import GroupKind, Meeting, MeetingStatus, WorkGroup

TARGET = 10.0


def add_groups(contract: Contract) -> None:
    now = timezone.now()
    kinds = [GroupKind.COPIL, GroupKind.PLENARY, *[GroupKind.THEMATIC] * 6]
    for n, kind in enumerate(kinds):
        group = WorkGroup.objects.create(
            territory=contract.territory, contract=contract, kind=kind, name=f"Groupe {n + 1}"
        )
        for k in range(4):
            starts = now - dt.timedelta(days=60 * k + n)
            Meeting.objects.create(
                territory=contract.territory,
                group=group,
                starts_at=starts,
                ends_at=starts + dt.timedelta(hours=2),
                status=MeetingStatus.HELD,
                report="<p>Compte-rendu.</p>",
                report_sent_at=starts + dt.timedelta(days=2),
            )
        if kind == GroupKind.COPIL:
            copil = group.meetings.order_by("-starts_at").first()
            CopilDecision.objects.bulk_create(
                CopilDecision(
                    territory=contract.territory,
                    contract=contract,
                    meeting=copil,
                    what=f"Décision n° {d + 1} : renforcer la médiation en santé",
                    who_label="Coordination CLS",
                    due_on=timezone.localdate() + dt.timedelta(days=30 * (d - 3)),
                    status=DecisionStatus.values[d % len(DecisionStatus.values)],
                    order=d,
                )
                for d in range(12)
            )


def run(actions: int = ACTIONS, runs: int = 1) -> tuple[list[Row], list[str]]:
    with transaction.atomic():
        contract, _fiche = build_contract(actions)
        add_groups(contract)
        user = User.objects.create_user("signataire@banc-essai.invalid", "x")
        access = Access.objects.create(user=user, territory=contract.territory, role=Role.VIEWER)
        choice = bilan_choices(contract)[0]
        with CaptureQueriesContext(connection) as queries:
            bilan = contract_bilan(contract=contract, access=access, choice=choice)
        html = bilan_html(bilan)
        document = bilan_pdf(bilan)
        figure = timed(lambda: bilan_pdf(bilan), runs, count_queries=False, warm_up=False)
        floor = timed(lambda: bare_pdf(html), runs, count_queries=False, warm_up=False)
        missing = missing_fiches(document, contract)
        transaction.set_rollback(True)  # leave the database as it was
    figure = Figure(figure.median, figure.runs, len(queries.captured_queries))
    section = f"bilan PDF ({actions} fiches-actions, {page_count(document)} pages)"
    checked = f"{actions} fiches trouvées" if not missing else f"ABSENTES : {missing}"
    return [
        time_row(
            section,
            "bilan pour un signataire",
            figure,
            "WeasyPrint, même HTML sans style",
            floor,
            under=TARGET,
        )
    ], [f"bilan PDF, texte relu (pdftotext) : {checked}"]


def bare_pdf(html: str) -> bytes:
    import weasyprint

    return weasyprint.HTML(string=html).write_pdf()


def missing_fiches(document: bytes, contract: Contract) -> list[str]:
    if not shutil.which("pdftotext"):
        return ["(pdftotext absent)"]
    out = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-", "-"], input=document, capture_output=True, check=True
    )
    text = " ".join(out.stdout.decode().replace("\xa0", " ").split())
    return [
        number
        for number, title in contract.fiches_actions.values_list("number", "title")
        if f"{number} {title}" not in text
    ]
