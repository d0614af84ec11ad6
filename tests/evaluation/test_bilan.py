"""The bilan PDF of a contract (evaluation:contract_bilan), read back with poppler: its figures
are the database's, it has a table of contents with page numbers, it is tagged PDF/UA with a
scope on every table header and a text alternative on every chart, and a signatory's holds no
person's name, e-mail or phone. Rendered once per reader for the whole module."""

from __future__ import annotations

import datetime as dt
import io
import re
import subprocess
from dataclasses import dataclass

import pikepdf
import pytest
from django.db import transaction
from django.test import Client
from django.utils import timezone

from actions.models import ActionStatus, ContractStatus, FicheAction, Indicator, IndicatorValue
from actions.progress import percent
from cls_platform.models import Role
from cls_platform.pdf.rendering import scope_table_headers
from evaluation.progress.bilan import (
    MIDTERM,
    bilan_choices,
    parse_choice,
)
from evaluation.progress.models import CopilDecision, DecisionStatus
from evaluation.surveys.models import SurveyInvitation
from tests.evaluation.test_survey_data import campaign, partner, question, respond, send
from tests.factories import (
    AccessFactory,
    AxisFactory,
    ContractFactory,
    FicheActionFactory,
    MeetingFactory,
    TerritoryFactory,
    WorkGroupFactory,
)
from workgroups.models import GroupKind, Invitation, MeetingStatus

TODAY = timezone.localdate()
PAST, FUTURE = TODAY - dt.timedelta(days=40), TODAY + dt.timedelta(days=200)
PHONE = "01 34 25 99 99"
NBSP = "\xa0"


@dataclass
class Read:
    pdf: bytes
    text: str  # squashed, every page
    lines: list[str]  # -layout lines, squashed
    pages: list[str]
    status: int
    headers: dict[str, str]


@dataclass
class World:
    viewer: Read
    coordinator: Read
    midterm_cover: str
    expected: dict
    people: list[str]
    secrets: list[str]
    refusals: dict[str, int]
    bad_choice: tuple[int, str]


def read(response) -> Read:
    pdf = response.content
    text = subprocess.run(
        ["pdftotext", "-layout", "-enc", "UTF-8", "-", "-"],
        input=pdf,
        capture_output=True,
        check=True,
    ).stdout.decode()
    pages = text.replace(NBSP, " ").replace("\u202f", " ").split("\f")
    pages = pages[:-1] if pages and not pages[-1].strip() else pages
    lines = [" ".join(line.split()) for page in pages for line in page.splitlines()]
    return Read(
        pdf=pdf,
        text=" ".join(" ".join(pages).split()),
        lines=[line for line in lines if line],
        pages=pages,
        status=response.status_code,
        headers=dict(response.headers),
    )


def add_axis(contract, number, fiches):
    axis = AxisFactory(contract=contract, number=number, title=f"Axe numéro {number}")
    for index, (status, end, value) in enumerate(fiches, start=1):
        fiche = FicheActionFactory(
            contract=contract,
            thematic_axis=axis,
            number=f"{number}.{index}",
            title=f"Action {number}.{index} du bilan",
            status=status,
            end_date=end,
        )
        made = Indicator.objects.create(
            fiche=fiche, title=f"Indicateur {number}.{index}", baseline=0, target=10
        )
        if value is not None:
            IndicatorValue.objects.create(indicator=made, measured_on=PAST, value=value)
    return axis


def build():
    territory = TerritoryFactory(name="Cergy", slug="cergy")
    other = TerritoryFactory(name="Vitry-sur-Seine", slug="vitry-sur-seine")
    contract = ContractFactory(
        territory=territory,
        title="CLS de Cergy",
        start_year=TODAY.year - 3,
        end_year=TODAY.year + 2,
    )
    draft = ContractFactory(
        territory=territory, title="CLS en préparation", status=ContractStatus.DRAFT
    )
    first = add_axis(
        contract,
        1,
        [
            (ActionStatus.DONE, PAST, 10),
            (ActionStatus.IN_PROGRESS, PAST, 1),
            (ActionStatus.PLANNED, FUTURE, None),
        ],
    )
    add_axis(
        contract,
        2,
        [
            (ActionStatus.DONE, PAST, 12),
            (ActionStatus.ABANDONED, PAST, None),
            (ActionStatus.POSTPONED, PAST, 9),
            (ActionStatus.IN_PROGRESS, FUTURE, 2),
        ],
    )
    nadia = partner(territory, first_name="Nadia", last_name="Benali", phone=PHONE)
    structure = nadia.organization
    structure.name = "Maison de santé des Linandes"
    structure.save()
    copil = WorkGroupFactory(contract=contract, kind=GroupKind.COPIL, name="COPIL du CLS")
    copil.pilots.add(nadia)
    group = WorkGroupFactory(contract=contract, name="GT Santé mentale", axis=first)
    meeting = None
    for days, target in ((60, copil), (20, group), (10, group)):
        starts = timezone.now() - dt.timedelta(days=days)
        meeting = MeetingFactory(
            group=target,
            starts_at=starts,
            ends_at=starts + dt.timedelta(hours=2),
            status=MeetingStatus.HELD,
            report="<p>Compte-rendu.</p>",
            report_sent_at=starts + dt.timedelta(days=1),
        )
        Invitation.objects.create(meeting=meeting, contact=nadia, attendance="present")
    survey = campaign(territory, contract=contract, opens=-20, closes=5)
    people = [
        partner(territory, last_name=f"Lefort{i}", phone=f"06 12 00 00 0{i}") for i in range(3)
    ]
    send(survey)
    known = question(survey, "Connaissez-vous le CLS")
    respond(survey, people[0], {known: "Oui, bien"})
    respond(survey, people[1], {known: "Non"})
    CopilDecision.objects.create(
        contract=contract,
        what="Publier un annuaire de l'offre de santé",
        who_label="Coordination CLS",
        due_on=TODAY - dt.timedelta(days=1),
        status=DecisionStatus.IN_PROGRESS,
    )
    CopilDecision.objects.create(
        contract=contract,
        what="Renouveler le CLS",
        organization=structure,
        status=DecisionStatus.DONE,
        order=1,
    )
    viewer = AccessFactory(territory=territory, role=Role.VIEWER, user__email="ars@ars.fr")
    coordinator = AccessFactory(
        territory=territory, role=Role.COORDINATOR, user__email="c@cergy.fr"
    )
    outsider = AccessFactory(territory=other, role=Role.COORDINATOR, user__email="c@vitry.fr")
    return contract, draft, viewer, coordinator, outsider


def expected_figures(contract) -> dict:
    fiches = FicheAction.objects.filter(contract=contract).select_related("thematic_axis")
    axes = {}
    for fiche in fiches:
        row = axes.setdefault(fiche.thematic_axis.number, {"total": 0, "late": 0})
        row["total"] += 1
        row[fiche.status] = row.get(fiche.status, 0) + 1
        row["late"] += int(fiche.is_late)
    invited = SurveyInvitation.objects.filter(survey__contract=contract)
    answered = invited.filter(submitted_at__isnull=False).count()
    latest = {
        i.title: i.values.order_by("-measured_on", "-pk").first()
        for i in Indicator.objects.filter(fiche__contract=contract)
    }
    return {
        "fiches": fiches.count(),
        "done": fiches.filter(status=ActionStatus.DONE).count(),
        "axes": axes,
        "rate": percent(answered, invited.count()),
        "answered": answered,
        "invited": invited.count(),
        "latest": {title: v.value if v else None for title, v in latest.items()},
        "statuses": {(f.number, f.title): f.get_status_display() for f in fiches},
    }


def test_the_choices_are_the_years_begun_then_the_mid_term(db):
    # First, and with `db`: when this module runs alone, the database is set up before the
    # module's fixture needs it (a module fixture first to touch it finds no tables).
    from actions.models import Contract

    contract = Contract(start_year=2023, end_year=2028)
    values = [c.value for c in bilan_choices(contract, dt.date(2025, 3, 1))]
    assert values == ["2025", "2024", "2023", MIDTERM]
    assert parse_choice(contract, "", dt.date(2025, 3, 1)).value == "2025"
    with pytest.raises(ValueError, match="Bilan inconnu"):
        parse_choice(contract, "2027", dt.date(2025, 3, 1))


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker) -> World:
    with django_db_blocker.unblock(), transaction.atomic():
        contract, draft, viewer, coordinator, outsider = build()
        url = f"/t/cergy/contrats/{contract.pk}/bilan.pdf"
        clients = {}
        for name, access in (("viewer", viewer), ("coordinator", coordinator), ("out", outsider)):
            clients[name] = Client()
            clients[name].force_login(access.user)
        year = bilan_choices(contract)[0].value
        viewer_read = read(clients["viewer"].get(f"{url}?bilan={year}"))
        coordinator_read = read(clients["coordinator"].get(f"{url}?bilan={MIDTERM}"))
        bad = clients["coordinator"].get(f"{url}?bilan=1789")
        refusals = {
            "anonymous": Client().get(url).status_code,
            "viewer_draft": clients["viewer"]
            .get(f"/t/cergy/contrats/{draft.pk}/bilan.pdf")
            .status_code,
            "other_territory": clients["out"].get(url).status_code,
            "own_slug_other_object": clients["out"]
            .get(f"/t/vitry-sur-seine/contrats/{contract.pk}/bilan.pdf")
            .status_code,
            "viewer_post": clients["viewer"].post(url).status_code,
        }
        expected = expected_figures(contract)
        names = ["Nadia", "Benali", "Lefort"]
        secrets = [PHONE, "06 12 00 00 0", "@"]
        transaction.set_rollback(True)
    return World(
        viewer=viewer_read,
        coordinator=coordinator_read,
        midterm_cover=coordinator_read.pages[0],
        expected=expected,
        people=names,
        secrets=secrets,
        refusals=refusals,
        bad_choice=(bad.status_code, bad.content.decode()),
    )


def test_the_bilan_downloads_as_a_private_pdf(world):
    for reader in (world.viewer, world.coordinator):
        assert reader.status == 200
        assert reader.pdf.startswith(b"%PDF-")
        assert reader.headers["Content-Type"] == "application/pdf"
        assert reader.headers["Cache-Control"] == "private, no-store"
        assert reader.headers["Content-Disposition"].startswith("attachment;")


def test_cover_names_the_chosen_bilan(world):
    year = bilan_choices_year()
    assert f"Bilan annuel {year}" in " ".join(world.viewer.pages[0].split())
    assert "Bilan à mi-parcours" in " ".join(world.midterm_cover.split())
    assert "CLS de Cergy" in world.viewer.text
    assert f"En {year} : " in world.viewer.text
    assert "La revue à mi-parcours du contrat tombe en" in " ".join(world.coordinator.text.split())


def bilan_choices_year() -> int:
    return min(TODAY.year, TODAY.year + 2)


def test_progress_per_axis_is_the_database_s(world):
    expected = world.expected
    for number, row in expected["axes"].items():
        prefix = f"Axe {number} : Axe numéro {number} "
        rows = [line for line in world.viewer.lines if line.startswith(prefix)]
        # the contents' line ends with a page number; the table's row has the figures
        figures = max((row.removeprefix(prefix).split() for row in rows), key=len)
        statuses = [s for s, _label in ActionStatus.choices]
        counts = [str(row.get(s, 0)) for s in statuses]
        done_share = percent(row.get(ActionStatus.DONE, 0), row["total"])
        assert figures == [*counts, str(row["late"]), str(row["total"]), str(done_share), "%"]
    assert f"Fiches-actions {expected['fiches']}" in world.viewer.text
    done_share = percent(expected["done"], expected["fiches"])
    assert f"Fiches-actions réalisées {expected['done']} ({done_share} %)" in world.viewer.text


def test_each_indicator_prints_its_latest_value_and_target(world):
    for title, value in world.expected["latest"].items():
        line = next(line for line in world.viewer.lines if line.startswith(title + " "))
        if value is None:
            assert "non mesuré" in line, line
        else:
            assert f"{value.normalize():f}".replace(".", ",") in line.split(), line
        assert " 10 " in f" {line} "  # the target


def test_group_health_and_the_survey_s_response_rate(world):
    text = world.viewer.text
    assert "COPIL du CLS" in text and "GT Santé mentale" in text
    assert re.search(r"Actif : \d+", text) or re.search(r"Actifs? : \d+", text, re.I)
    e = world.expected
    assert e["answered"] == 2
    assert (
        f"{e['answered']} réponses sur {e['invited']} personnes interrogées, "
        f"taux de réponse {e['rate']} %" in text
    )
    assert f"Taux de réponse des partenaires {e['rate']} %" in text


def test_every_fiche_is_listed_with_its_status(world):
    for (number, title), status in world.expected["statuses"].items():
        assert any(line.startswith(f"{number} {title} {status}") for line in world.viewer.lines), (
            number,
            title,
            status,
        )


def test_copil_decisions_and_ottawa_matrix_are_printed(world):
    text = world.viewer.text
    late = next(line for line in world.viewer.lines if line.startswith("Publier un annuaire"))
    assert "Coordination" in late and "En cours" in late and "hors séance" in late
    done = next(line for line in world.viewer.lines if line.startswith("Renouveler le CLS"))
    assert "Maison de santé" in done and "Faite" in done  # a structure, not a person
    assert "Matrice de la charte d'Ottawa" in text


def test_table_of_contents_gives_each_part_its_page(world):
    pages = world.viewer.pages
    contents = next(page for page in pages if "Sommaire" in page)
    for title in (
        "Chiffres clés",
        "Avancement par axe",
        "Indicateurs et cibles",
        "Santé des groupes de travail",
        "Ce que disent les partenaires",
        "Matrice de la charte d'Ottawa",
        "Décisions du comité de pilotage",
        "Les fiches-actions et leur état",
    ):
        found = re.search(re.escape(title) + r"\s+(\d+)\s*$", contents, re.M)
        assert found, f"{title} sans numéro de page dans le sommaire"
        page = int(found[1])
        assert title in " ".join(pages[page - 1].split()), (title, page)


def test_pages_are_numbered(world):
    pages = world.viewer.pages
    assert f"page 2 / {len(pages)}" in " ".join(pages[1].split())


def test_a_signatory_s_bilan_names_no_person_and_holds_no_address_or_phone(world):
    text = world.viewer.text
    for name in world.people:
        assert name not in text, name
    for secret in world.secrets:
        assert secret not in text, secret


def test_the_pdf_is_tagged_pdf_ua_with_scoped_headers_and_described_charts(world):
    with pikepdf.open(io.BytesIO(world.viewer.pdf)) as pdf:
        meta = pdf.open_metadata()
        assert meta.get("pdfuaid:part") == "1"
        assert str(pdf.Root.Lang) == "fr"
        headers, figures = [], []
        walk(pdf.Root.StructTreeRoot, headers, figures)
    assert len(headers) > 40
    scopes = [str(h.A.get("/Scope")) if "/A" in h else None for h in headers]
    assert None not in scopes and "None" not in scopes
    assert {"/Column", "/Row"} == set(scopes)
    assert figures, "aucun graphique balisé"
    alts = [str(f.get("/Alt", "")) for f in figures]
    assert all(alts), "un graphique sans texte de remplacement"
    assert any("Indicateur 2.3 : 9 pour une cible de 10" in alt for alt in alts)


def walk(element, headers, figures):
    kids = element.get("/K")
    if kids is None:
        return
    for kid in list(kids) if isinstance(kids, pikepdf.Array) else [kids]:
        if not isinstance(kid, pikepdf.Dictionary) or "/S" not in kid:
            continue
        if kid.S == "/TH":
            headers.append(kid)
        elif kid.S == "/Figure":
            figures.append(kid)
        walk(kid, headers, figures)


def test_every_header_cell_of_the_html_has_a_scope(world):
    from pathlib import Path

    from django.conf import settings

    for template in Path(settings.BASE_DIR, "templates", "pdf").glob("*.html"):
        cells = re.findall(r"<th\b[^>]*>", template.read_text())
        assert all(re.search(r'scope="(col|row)"', c) for c in cells), template.name


def test_readers_of_other_territories_and_drafts_are_refused(world):
    assert world.refusals["anonymous"] == 302
    assert world.refusals["viewer_draft"] == 404
    assert world.refusals["other_territory"] == 404
    assert world.refusals["own_slug_other_object"] == 404
    assert world.refusals["viewer_post"] == 403


def test_an_unknown_bilan_gets_a_french_message(world):
    status, message = world.bad_choice
    assert status == 400
    assert "Bilan inconnu" in message and "mi-parcours" in message


def test_scope_is_added_to_header_cells_of_any_tagged_pdf():
    from cls_platform.pdf.rendering import write_pdf

    html = (
        '<html lang="fr"><head><title>t</title></head><body><table>'
        '<thead><tr><th scope="col">A</th><th scope="col">B</th></tr></thead>'
        '<tbody><tr><th scope="row">x</th><td>1</td></tr></tbody></table></body></html>'
    )
    with pikepdf.open(io.BytesIO(scope_table_headers(write_pdf(html)))) as pdf:
        headers: list = []
        walk(pdf.Root.StructTreeRoot, headers, [])
        assert [str(h.A.Scope) for h in headers] == ["/Column", "/Column", "/Row"]
