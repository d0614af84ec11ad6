"""The progress page of a signed contract (evaluation:contract_progress): its figures are the
database's, it reads in a constant number of queries, a signatory reads counts and structures
and never a person, and it is reached from the contract's page and the signatory's dashboard."""

from __future__ import annotations

import datetime as dt
import html
import re
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from actions.models import (
    ActionStatus,
    AxisKind,
    ContractStatus,
    FicheAction,
    Indicator,
    IndicatorValue,
    Signatory,
)
from actions.progress import percent
from evaluation.progress.models import CopilDecision, DecisionStatus
from evaluation.progress.selectors import MilestoneKind, milestones
from evaluation.surveys.models import SurveyInvitation
from tests.conftest import login
from tests.evaluation.html_tables import table_by_headers
from tests.evaluation.test_survey_data import campaign, partner, question, respond, send
from tests.factories import (
    AxisFactory,
    ContactFactory,
    ContractFactory,
    FicheActionFactory,
    MeetingFactory,
    OrganizationFactory,
    WorkGroupFactory,
)
from tests.support.queries import assert_constant_queries
from workgroups.models import GroupKind, Invitation, MeetingStatus

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
PAST, FUTURE = TODAY - dt.timedelta(days=40), TODAY + dt.timedelta(days=200)
# People of the contract: none of them may appear on a signatory's page.
PEOPLE = ("Nadia", "Benali", "Bertrand", "Lefort", "Camille")


def url(contract) -> str:
    return f"/t/cergy/contrats/{contract.pk}/avancement/"


def text_of(page: str) -> str:
    """The page as a reader reads it: tags out, spaces folded, entities decoded."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def table_with(page: str, words: str) -> str:
    """The HTML of the first table that holds `words`."""
    return next(t for t in re.findall(r"<table.*?</table>", page, re.S) if words in t)


def row_starting(page: str, first_header: str, start: str) -> dict[str, str]:
    """The row of the table (whose first column is `first_header`) whose first cell starts
    with `start` (a line break joins the name and the muted words after it)."""
    rows = table_by_headers(page, first_header)
    return next(row for key, row in rows.items() if key.startswith(start))


def group_row(page: str, name: str) -> dict[str, str]:
    return row_starting(page, "Groupe", name)


def post_forms(page: str) -> list[str]:
    """The forms that would change data: every <form method="post"> but signing out."""
    forms = re.findall(r"<form\b[^>]*>", page)
    return [f for f in forms if 'method="post"' in f and "/deconnexion/" not in f]


def held(group, days_ago: int, *, title: str = "", report: bool = False, present=()):
    starts = timezone.now() - dt.timedelta(days=days_ago)
    meeting = MeetingFactory(
        group=group,
        title=title,
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=2),
        status=MeetingStatus.HELD,
        report="<p>Compte-rendu.</p>" if report else "",
        report_sent_at=starts + dt.timedelta(days=2) if report else None,
    )
    for contact in present:
        Invitation.objects.create(meeting=meeting, contact=contact, attendance="present")
    return meeting


def add_axis(contract, number: int, fiches) -> object:
    """An axis with one fiche per (status, end) and, on each, an indicator 0 → 10 measured at
    `value` (None: not measured)."""
    axis = AxisFactory(contract=contract, number=number, title=f"Axe numéro {number}")
    for index, (status, end, value) in enumerate(fiches, start=1):
        fiche = FicheActionFactory(
            contract=contract,
            thematic_axis=axis,
            number=f"{number}.{index}",
            status=status,
            end_date=end,
        )
        made = Indicator.objects.create(
            fiche=fiche, title=f"Indicateur {number}.{index}", baseline=0, target=10
        )
        if value is not None:
            IndicatorValue.objects.create(indicator=made, measured_on=PAST, value=value)
    return axis


@pytest.fixture
def cls(territory):
    """A CLS of six years started three years ago (its mid-term review past, half of its
    period or more gone), as a COPIL would review it."""
    contract = ContractFactory(
        territory=territory,
        title="CLS de Cergy",
        start_year=TODAY.year - 3,
        end_year=TODAY.year + 2,
    )
    Signatory.objects.create(
        contract=contract, organization=OrganizationFactory(territory=territory, name="ARS 95")
    )
    first = add_axis(
        contract,
        1,
        [
            (ActionStatus.DONE, PAST, 10),  # reached
            (ActionStatus.IN_PROGRESS, PAST, 1),  # late; behind
            (ActionStatus.PLANNED, FUTURE, None),  # unmeasured
        ],
    )
    second = add_axis(
        contract,
        2,
        [
            (ActionStatus.DONE, PAST, 12),  # reached
            (ActionStatus.ABANDONED, PAST, None),
            (ActionStatus.POSTPONED, PAST, 9),  # late; on track
        ],
    )
    AxisFactory(contract=contract, kind=AxisKind.TRANSVERSAL, number=1, title="Coordination")
    nadia = partner(territory, first_name="Nadia", last_name="Benali")
    copil = WorkGroupFactory(contract=contract, kind=GroupKind.COPIL, name="COPIL du CLS")
    copil.pilots.add(nadia)
    copil_meeting = held(copil, 60, title="COPIL annuel", report=True, present=[nadia])
    upcoming = MeetingFactory(
        group=copil,
        title="COPIL de renouvellement",
        starts_at=timezone.now() + dt.timedelta(days=30),
    )
    group = WorkGroupFactory(contract=contract, name="GT Santé mentale", axis=first)
    gone = ContactFactory(
        territory=territory, first_name="Bertrand", last_name="Lefort", left_at=PAST
    )
    group.pilots.add(gone)
    held(group, 20, title="Réunion écrite", report=False, present=[nadia])
    held(group, 10, title="Réunion envoyée", report=True, present=[nadia, gone])
    survey = campaign(territory, contract=contract, opens=-20, closes=5)
    people = [partner(territory) for _ in range(3)]
    send(survey)
    known = question(survey, "Connaissez-vous le CLS")
    respond(survey, people[0], {known: "Oui, bien"})
    respond(survey, people[1], {known: "Non"})
    late = CopilDecision.objects.create(
        contract=contract,
        meeting=copil_meeting,
        what="Publier un annuaire de l'offre de santé",
        who_label="Coordination CLS",
        due_on=TODAY - dt.timedelta(days=1),
        status=DecisionStatus.IN_PROGRESS,
    )
    done = CopilDecision.objects.create(
        contract=contract,
        what="Renouveler le CLS",
        organization=nadia.organization,
        status=DecisionStatus.DONE,
        order=1,
    )
    return {
        "contract": contract,
        "axes": (first, second),
        "copil": copil,
        "upcoming": upcoming,
        "group": group,
        "survey": survey,
        "decisions": (late, done),
        "nadia": nadia,
    }


def test_the_figures_are_those_of_the_database(login_as, coordinator, cls):
    contract = cls["contract"]
    response = login_as(coordinator).get(url(contract))
    assert response.status_code == 200
    page = response.content.decode()
    read = text_of(page)

    fiches = FicheAction.objects.filter(contract=contract)
    done = fiches.filter(status=ActionStatus.DONE).count()
    late = sum(1 for f in fiches if f.is_late)
    assert (done, fiches.count(), late) == (2, 6, 2)
    assert f"Fiches-actions réalisées {done} / {fiches.count()} (33 %)" in read
    assert f"Fiches-actions en retard {late}" in read
    # reached 2 and on track 1, of the 5 indicators with a target (and measured or not)
    assert "Indicateurs atteints ou en bonne voie 3 / 6" in read
    assert "Groupes de travail actifs" in read
    assert "Décisions du COPIL à suivre 1 (1 en retard)" in read
    invited = SurveyInvitation.objects.filter(survey=cls["survey"])
    answered = invited.filter(submitted_at__isnull=False).count()
    assert answered == 2
    assert f"Réponses au questionnaire {percent(answered, invited.count())} %" in read

    by_axis = table_by_headers(page, "Axe")
    for axis in cls["axes"]:
        row = by_axis[f"Axe {axis.number} : {axis.title}"]
        mine = fiches.filter(thematic_axis=axis)
        assert row["Fiches"] == str(mine.count())
        assert row["Réalisées"] == str(mine.filter(status=ActionStatus.DONE).count())
        assert row["En cours"] == str(mine.filter(status=ActionStatus.IN_PROGRESS).count())
        assert row["Reportées"] == str(mine.filter(status=ActionStatus.POSTPONED).count())
        assert row["Abandonnées"] == str(mine.filter(status=ActionStatus.ABANDONED).count())
        assert row["En retard"] == str(sum(1 for f in mine if f.is_late))
    assert by_axis["Axe 1 : Axe numéro 1"]["Indicateurs atteints ou en bonne voie"] == "1 / 3"
    assert by_axis["Axe 2 : Axe numéro 2"]["Indicateurs atteints ou en bonne voie"] == "2 / 3"
    assert by_axis["Ensemble du contrat"]["Fiches"] == "6"
    assert by_axis["Ensemble du contrat"]["Part réalisée"] == "33 %"
    assert "Coordination" not in by_axis  # transversal axes carry no fiche of their own

    indicators = table_by_headers(table_with(page, "Indicateur 2.3"), "Indicateur")
    assert indicators["Indicateur 2.3"]["Dernière valeur"] == "9"
    assert indicators["Indicateur 2.3"]["Situation"].startswith("en bonne voie")
    assert indicators["Indicateur 2.2"]["Dernière valeur"] == "—"
    assert indicators["Indicateur 2.2"]["Situation"] == "sans mesure"


def test_the_indicators_show_their_latest_value_its_date_and_trend(login_as, coordinator, cls):
    indicator = Indicator.objects.get(title="Indicateur 1.2")
    IndicatorValue.objects.create(indicator=indicator, measured_on=TODAY, value=Decimal("2.5"))
    page = login_as(coordinator).get(url(cls["contract"])).content.decode()
    row = table_by_headers(table_with(page, "Indicateur 1.2"), "Indicateur")["Indicateur 1.2"]
    assert row["Dernière valeur"] == "2,5"
    assert row["Mesurée le"] == TODAY.strftime("%-d ") + row["Mesurée le"].split(" ", 1)[1]
    assert row["Tendance"] == "en hausse"
    assert row["Situation"] == "en retard (25 % du chemin)"


def test_groups_reports_survey_decisions_and_milestones(login_as, coordinator, cls):
    page = login_as(coordinator).get(url(cls["contract"])).content.decode()
    read = text_of(page)
    groups = list(table_by_headers(page, "Groupe"))
    # The steering committee first, then the thematic groups; each with its kind.
    assert groups == [
        "COPIL du CLSComité de pilotage (COPIL)",
        "GT Santé mentaleGroupe de travail thématique",
    ]
    mental = group_row(page, "GT Santé mentale")
    assert mental["Postes de pilote vacants"] == "1"
    assert mental["Participants sur 12 mois"] == "2"
    # Only the compte-rendus sent, the latest first.
    sent = read.index("Réunion envoyée"), read.index("COPIL annuel")
    assert sent[0] < sent[1] and "Réunion écrite" not in read
    assert re.search(r"compte-rendu du \d+ \w+ \d{4} \(PDF\)", read)
    invited = SurveyInvitation.objects.filter(survey=cls["survey"]).count()
    share = percent(2, invited)
    assert f"réponses 2 sur {invited} personnes interrogées ({share} %)" in read
    assert "Connaissez-vous le CLS ?" in read
    late = row_starting(page, "Décision ou recommandation", "Publier un annuaire de l'offre")
    assert "en retard" in late["Échéance"] and late["État"] == "En cours"
    assert late["Prise lors de"].startswith("COPIL du ")
    assert late["Portée par"] == "Coordination CLS"
    assert late["Décision ou recommandation"].endswith("Décision")
    done = row_starting(page, "Décision ou recommandation", "Renouveler le CLS")
    assert "en retard" not in done["Échéance"] and done["Prise lors de"] == "hors séance"
    assert done["Portée par"] == cls["nadia"].organization.name
    assert "Revue à mi-parcours" in read and "Fin du contrat et évaluation finale" in read
    upcoming = timezone.localdate(cls["upcoming"].starts_at)
    assert f"Prochaine étape : Comité de pilotage, le {upcoming.day} " in read


def test_milestones_derive_from_the_period_and_the_planned_copils(cls):
    contract = ContractFactory.build(start_year=2023, end_year=2028, status=ContractStatus.SIGNED)
    copil = cls["upcoming"]
    day = timezone.localdate(copil.starts_at)
    steps = milestones(contract, [copil], dt.date(2026, 1, 1))
    assert [(m.kind, m.on, m.past) for m in steps if m.kind != MilestoneKind.COPIL] == [
        (MilestoneKind.MIDTERM, dt.date(2025, 12, 31), True),
        (MilestoneKind.END, dt.date(2028, 12, 31), False),
    ]
    assert [(m.kind, m.on) for m in steps if m.kind == MilestoneKind.COPIL] == [
        (MilestoneKind.COPIL, day)
    ]
    assert [m.on for m in steps] == sorted(m.on for m in steps)
    # A COPIL already held, or after today, as the page reads them.
    assert not [m for m in milestones(contract, [copil], day + dt.timedelta(days=1)) if m.meeting]
    contract.status, contract.closed_on = ContractStatus.CLOSED, dt.date(2028, 11, 30)
    end = [m for m in milestones(contract, [], dt.date(2029, 1, 1)) if m.kind == "end"]
    assert [(m.label, m.on, m.past) for m in end] == [("Contrat clos", dt.date(2028, 11, 30), True)]


def test_a_signatory_reads_counts_and_structures_never_a_person(login_as, viewer, cls):
    cls["decisions"][0].changes.create(new_status="in_progress", note="Lancé", author=viewer.user)
    response = login_as(viewer).get(url(cls["contract"]))
    assert response.status_code == 200
    page = response.content.decode()
    read = text_of(page)
    for name in PEOPLE:
        assert name not in read, name
    assert "@" not in read
    assert "sans aucune donnée personnelle" in read
    # The vacant seat is counted, without the reason that names who left.
    mental = group_row(page, "GT Santé mentale")
    assert mental["Postes de pilote vacants"] == "1"
    assert "quitté" not in read
    # The compte-rendu's PDF lists the people present: the meeting's page instead.
    assert "compte-rendu du" not in read and "/compte-rendu.pdf" not in page
    assert "la réunion du" in read
    # Structures are read: the signatories and who carries a decision.
    assert "ARS 95" in read and cls["nadia"].organization.name in read
    assert "Modifier" not in read and "Ajouter une décision" not in read
    assert post_forms(page) == []


def test_the_coordination_reads_the_reasons(login_as, coordinator, cls):
    read = text_of(login_as(coordinator).get(url(cls["contract"])).content.decode())
    assert "Bertrand Lefort" in read and "a quitté sa structure" in read
    assert "Ajouter une décision ou une recommandation" in read


def test_a_draft_is_the_coordinations_only(login_as, coordinator, copilot, viewer, territory):
    draft = ContractFactory(territory=territory, status=ContractStatus.DRAFT, signed_on=None)
    assert login_as(viewer).get(url(draft)).status_code == 404
    page = login_as(coordinator).get(url(draft)).content.decode()
    assert "les signataires ne voient pas encore cette page" in page
    assert Client().get(url(draft)).status_code == 302


def test_a_copilot_reads_it_too(copilot, cls):
    assert login(Client(), copilot).get(url(cls["contract"])).status_code == 200


def test_another_territorys_contract_is_not_found(outsider, cls):
    client = login(Client(), outsider)
    assert client.get(url(cls["contract"])).status_code == 404
    assert (
        client.get(f"/t/vitry-sur-seine/contrats/{cls['contract'].pk}/avancement/").status_code
        == 404
    )


def grow(cls, territory, n: int = 4) -> None:
    """More of everything the page reads: axes, fiches, indicators, values, groups, meetings,
    people present, reports, answers, decisions, signatories."""
    contract = cls["contract"]
    for k in range(n):
        add_axis(
            contract,
            10 + k,
            [(ActionStatus.IN_PROGRESS, PAST, 3), (ActionStatus.DONE, FUTURE, 10)],
        )
        for indicator in Indicator.objects.filter(fiche__thematic_axis__number=10 + k):
            IndicatorValue.objects.create(indicator=indicator, measured_on=TODAY, value=5)
        group = WorkGroupFactory(contract=contract, name=f"GT {k}")
        pilot = partner(territory, first_name="Camille")
        group.pilots.add(pilot)
        held(group, 5 + k, title=f"Séance {k}", report=True, present=[pilot, cls["nadia"]])
        CopilDecision.objects.create(
            contract=contract,
            meeting=cls["copil"].meetings.first(),
            what=f"Décision {k}",
            organization=OrganizationFactory(territory=territory),
            due_on=PAST,
        )
        Signatory.objects.create(
            contract=contract, organization=OrganizationFactory(territory=territory)
        )
    survey = cls["survey"]
    known = question(survey, "Connaissez-vous le CLS")
    for invitation in survey.invitations.filter(submitted_at__isnull=True):
        respond(survey, invitation.contact, {known: "Oui, bien"})


@pytest.mark.parametrize("who", ["coordinator", "viewer"])
def test_constant_queries_at_two_sizes(request, cls, who):
    access = request.getfixturevalue(who)
    client = login(Client(), access)
    count = assert_constant_queries(
        client, url(cls["contract"]), lambda: grow(cls, access.territory), at_most=30
    )
    assert count > 10


# --- Reached from the contract's page and the dashboard ---------------------------------------


def test_the_contract_page_leads_to_its_progress(login_as, viewer, cls):
    page = login_as(viewer).get(f"/t/cergy/contrats/{cls['contract'].pk}/").content.decode()
    assert f'href="{url(cls["contract"])}"' in page
    assert "Avancement du contrat" in page


def test_a_signatorys_dashboard_leads_with_the_signed_contracts_progress(login_as, viewer, cls):
    ContractFactory(territory=viewer.territory, status=ContractStatus.DRAFT, title="Brouillon")
    page = login_as(viewer).get("/t/cergy/").content.decode()
    headings = re.findall(r"<h2[^>]*>(.*?)</h2>", page)
    assert headings[0] == "Avancement des contrats signés"
    first = page.index("Avancement des contrats signés")
    assert page.index(f'href="{url(cls["contract"])}"') > first
    read = text_of(page[first : page.index("</section>", first)])
    assert "Avancement · CLS de Cergy" in read
    assert "Fiches-actions réalisées 2 / 6 (33 %)" in read
    assert "En retard 2" in read
    assert "Brouillon" not in page


def test_the_coordinations_dashboard_links_each_signed_contract(login_as, coordinator, cls):
    draft = ContractFactory(territory=coordinator.territory, status=ContractStatus.DRAFT)
    page = login_as(coordinator).get("/t/cergy/").content.decode()
    assert f'href="{url(cls["contract"])}"' in page
    assert f'href="{url(draft)}"' not in page
    assert "Avancement des contrats signés" not in page
