"""COPIL decisions followed up: the coordination records, corrects, closes and deletes them;
bad input comes back in French with nothing lost; the meeting's page of the COPIL lists them
(through the reverse relation); signatories read them, and change nothing."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest
from django.test import Client
from django.utils import timezone

from evaluation.progress.models import CopilDecision, CopilDecisionChange, DecisionStatus
from tests.conftest import login
from tests.factories import (
    ContractFactory,
    MeetingFactory,
    OrganizationFactory,
    WorkGroupFactory,
)
from tests.support.queries import assert_constant_queries
from workgroups.models import GroupKind, MeetingStatus

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def text_of(response) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


@pytest.fixture
def copil(territory):
    contract = ContractFactory(territory=territory, title="CLS de Cergy")
    group = WorkGroupFactory(contract=contract, kind=GroupKind.COPIL, name="COPIL du CLS")
    starts = timezone.now() - dt.timedelta(days=30)
    meeting = MeetingFactory(
        group=group,
        title="COPIL annuel",
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=2),
        status=MeetingStatus.HELD,
    )
    return {
        "contract": contract,
        "group": group,
        "meeting": meeting,
        "ars": OrganizationFactory(territory=territory, name="ARS 95"),
    }


def create_url(contract) -> str:
    return f"/t/cergy/contrats/{contract.pk}/decisions/nouvelle/"


def data(copil, **changes) -> dict[str, object]:
    values = {
        "kind": "decision",
        "what": "Publier un annuaire de l'offre de santé",
        "meeting": copil["meeting"].pk,
        "organization": "",
        "organization_id": copil["ars"].pk,
        "who_label": "avec la coordination CLS",
        "due_on": (TODAY + dt.timedelta(days=90)).isoformat(),
        "status": "todo",
        "note": "",
        "order": "",
    }
    values.update(changes)
    return values


def test_the_coordination_records_a_decision_of_its_copil(login_as, coordinator, copil):
    client = login_as(coordinator)
    contract = copil["contract"]
    response = client.post(create_url(contract), data(copil, note="Décidé à l'unanimité"))
    decision = CopilDecision.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/t/cergy/contrats/{contract.pk}/avancement/#decisions"
    assert (decision.contract, decision.meeting, decision.organization) == (
        contract,
        copil["meeting"],
        copil["ars"],
    )
    assert decision.territory == contract.territory
    assert decision.due_on == TODAY + dt.timedelta(days=90)
    assert decision.who == "ARS 95 · avec la coordination CLS"
    (change,) = decision.changes.all()
    assert (change.old_status, change.new_status, change.note) == (
        "",
        "todo",
        "Décidé à l'unanimité",
    )
    assert change.author == coordinator.user
    page = text_of(client.get(response["Location"]))
    assert "Publier un annuaire de l'offre de santé" in page
    assert "La décision est enregistrée." in page
    # Another one goes to the end of the list.
    client.post(create_url(contract), data(copil, what="Renouveler le CLS", meeting=""))
    assert list(CopilDecision.objects.values_list("what", "order")) == [
        ("Publier un annuaire de l'offre de santé", 0),
        ("Renouveler le CLS", 1),
    ]


def test_the_meeting_of_the_copil_is_chosen_from_its_page(login_as, coordinator, copil):
    client = login_as(coordinator)
    meeting_page = client.get(f"/t/cergy/reunions/{copil['meeting'].pk}/").content.decode()
    link = f"{create_url(copil['contract'])}?reunion={copil['meeting'].pk}"
    assert html.escape(link) in meeting_page or link in meeting_page
    form = client.get(link).content.decode()
    assert re.search(rf'<option value="{copil["meeting"].pk}" selected>', form)


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"what": "   "}, "what", "Indiquez la décision ou la recommandation."),
        (
            {"organization_id": "", "who_label": ""},
            "who_label",
            "Indiquez qui la porte : une structure de l'annuaire, ou un libellé",
        ),
        ({"due_on": "31/02/2027"}, "due_on", "Indiquez une date valide"),
        ({"due_on": "1999-12-31"}, "due_on", "Indiquez une échéance entre 2000 et 2100."),
        ({"status": "perdue"}, "status", "Sélectionnez un choix valide"),
        ({"order": "-3"}, "order", "Indiquez un nombre positif ou nul."),
    ],
)
def test_bad_input_is_said_in_french_and_nothing_typed_is_lost(
    login_as, coordinator, copil, changes, field, message
):
    client = login_as(coordinator)
    typed = data(copil, what="Associer les conseils citoyens", **{"who_label": "Direction DSS"})
    typed.update(changes)
    response = client.post(create_url(copil["contract"]), typed)
    assert response.status_code == 200
    page = html.unescape(response.content.decode())
    assert message in page
    assert "Rien de ce que vous avez saisi n'est perdu." in page
    form = response.context["form"]
    assert field in form.errors
    for name in ("what", "who_label", "due_on"):
        value = str(typed[name]).strip()
        if value:
            assert value in page, name
    assert not CopilDecision.objects.exists()


def test_the_meeting_must_be_one_of_this_contracts_copil(login_as, coordinator, copil):
    client = login_as(coordinator)
    thematic = MeetingFactory(group=WorkGroupFactory(contract=copil["contract"]))
    other_contract = WorkGroupFactory(
        contract=ContractFactory(territory=coordinator.territory), kind=GroupKind.COPIL
    )
    elsewhere = MeetingFactory(group=other_contract)
    for meeting in (thematic, elsewhere):
        response = client.post(create_url(copil["contract"]), data(copil, meeting=meeting.pk))
        assert "Choisissez une réunion du comité de pilotage de ce contrat." in html.unescape(
            response.content.decode()
        )
    assert not CopilDecision.objects.exists()


def test_the_due_date_cannot_precede_the_meeting_that_decided(login_as, coordinator, copil):
    client = login_as(coordinator)
    before = timezone.localdate(copil["meeting"].starts_at) - dt.timedelta(days=1)
    response = client.post(create_url(copil["contract"]), data(copil, due_on=before.isoformat()))
    assert "précède la réunion qui a pris la décision" in html.unescape(response.content.decode())
    assert not CopilDecision.objects.exists()


def test_a_structure_of_another_territory_is_refused(login_as, coordinator, copil, outsider):
    foreign = OrganizationFactory(territory=outsider.territory, name="Structure de Vitry")
    response = login_as(coordinator).post(
        create_url(copil["contract"]), data(copil, organization_id=foreign.pk, who_label="")
    )
    assert response.status_code == 200
    assert "organization" in response.context["form"].errors
    assert not CopilDecision.objects.exists()


def test_following_up_keeps_the_history_and_the_day_it_closed(login_as, coordinator, copil):
    client = login_as(coordinator)
    client.post(create_url(copil["contract"]), data(copil))
    decision = CopilDecision.objects.get()
    edit = f"/t/cergy/decisions/{decision.pk}/modifier/"
    form = client.get(edit).content.decode()
    assert "Publier un annuaire de l&#x27;offre de santé" in form  # the form starts filled in
    client.post(edit, data(copil, status="in_progress", note="Structures sollicitées"))
    client.post(edit, data(copil, status="done", note="Annuaire en ligne"))
    decision.refresh_from_db()
    assert decision.status == DecisionStatus.DONE and decision.closed_on == TODAY
    history = list(
        decision.changes.order_by("changed_at", "id").values_list(
            "old_status", "new_status", "note"
        )
    )
    assert history == [
        ("", "todo", ""),
        ("todo", "in_progress", "Structures sollicitées"),
        ("in_progress", "done", "Annuaire en ligne"),
    ]
    page = text_of(client.get(edit))
    assert "Annuaire en ligne" in page and "Structures sollicitées" in page
    # Reopened: no longer closed; a correction without a change of state adds nothing.
    client.post(edit, data(copil, status="in_progress"))
    client.post(edit, data(copil, status="in_progress", what="Publier l'annuaire en ligne"))
    decision.refresh_from_db()
    assert decision.closed_on is None and decision.what == "Publier l'annuaire en ligne"
    assert decision.changes.count() == 4


def test_a_late_decision_is_marked_and_a_closed_one_is_not(login_as, viewer, copil):
    contract = copil["contract"]
    yesterday = TODAY - dt.timedelta(days=1)
    CopilDecision.objects.create(
        contract=contract, what="En retard", who_label="CLS", due_on=yesterday
    )
    CopilDecision.objects.create(
        contract=contract,
        what="Faite à temps",
        who_label="CLS",
        due_on=yesterday,
        status=DecisionStatus.DONE,
    )
    CopilDecision.objects.create(
        contract=contract, what="Pour demain", who_label="CLS", due_on=TODAY
    )
    assert [d.what for d in CopilDecision.objects.late()] == ["En retard"]
    page = login_as(viewer).get(f"/t/cergy/contrats/{contract.pk}/avancement/").content.decode()
    rows = re.findall(r"<tr>.*?</tr>", page, re.S)
    late = [r for r in rows if "en retard</span>" in r]
    assert len(late) == 1 and "En retard" in late[0]


def test_a_decision_recorded_by_mistake_is_deleted_after_a_confirmation(
    login_as, coordinator, copil
):
    client = login_as(coordinator)
    client.post(create_url(copil["contract"]), data(copil, what="Doublon"))
    decision = CopilDecision.objects.get()
    CopilDecisionChange.objects.create(decision=decision, old_status="todo", new_status="doing")
    delete_url = f"/t/cergy/decisions/{decision.pk}/supprimer/"
    # Its page links to the confirmation; no form there posts the deletion (RGAA 11.12).
    form = client.get(f"/t/cergy/decisions/{decision.pk}/modifier/").content.decode()
    assert f'href="{delete_url}"' in form and f'action="{delete_url}"' not in form
    page = client.get(delete_url)
    assert page.status_code == 200
    text = text_of(page)
    assert "Supprimer cette décision ?" in text
    assert "Décision du COPIL de « CLS de Cergy » : Doublon" in text
    assert "Les 2 étapes de son suivi seront supprimées avec elle." in text
    assert "La suppression est définitive" in text
    cancel = f'href="/t/cergy/decisions/{decision.pk}/modifier/">Ne pas supprimer'
    assert cancel in page.content.decode()
    assert CopilDecision.objects.filter(pk=decision.pk).exists()  # looking deletes nothing
    assert CopilDecisionChange.objects.filter(decision=decision).count() == 2

    response = client.post(delete_url)
    assert response["Location"].endswith("/avancement/#decisions")
    assert not CopilDecision.objects.exists() and not CopilDecisionChange.objects.exists()
    assert client.get(delete_url).status_code == 404


def test_the_confirmation_reads_in_as_many_queries_whatever_the_follow_up(
    login_as, coordinator, copil
):
    decision = CopilDecision.objects.create(
        contract=copil["contract"], what="Publier", who_label="CLS"
    )
    client = login_as(coordinator)

    def follow_up() -> None:
        for status in ("doing", "done", "todo"):
            CopilDecisionChange.objects.create(decision=decision, new_status=status)

    assert_constant_queries(client, f"/t/cergy/decisions/{decision.pk}/supprimer/", follow_up)
    assert "Les 3 étapes" in text_of(client.get(f"/t/cergy/decisions/{decision.pk}/supprimer/"))


@pytest.mark.parametrize("who", ["copilot", "viewer"])
def test_only_the_coordination_writes_them(request, copil, who):
    access = request.getfixturevalue(who)
    decision = CopilDecision.objects.create(
        contract=copil["contract"], what="Décision", who_label="CLS"
    )
    client = login(Client(), access)
    for path in (
        create_url(copil["contract"]),
        f"/t/cergy/decisions/{decision.pk}/modifier/",
        f"/t/cergy/decisions/{decision.pk}/supprimer/",
    ):
        assert client.get(path).status_code == 403
        assert client.post(path, data(copil, what="Modifiée")).status_code == 403
    decision.refresh_from_db()
    assert decision.what == "Décision"
    assert CopilDecision.objects.count() == 1


def test_another_territorys_decision_is_not_found(outsider, copil):
    decision = CopilDecision.objects.create(
        contract=copil["contract"], what="Décision", who_label="CLS"
    )
    client = login(Client(), outsider)
    assert client.get(f"/t/vitry-sur-seine/decisions/{decision.pk}/modifier/").status_code == 404
    assert client.get(f"/t/vitry-sur-seine/decisions/{decision.pk}/supprimer/").status_code == 404
    assert client.post(f"/t/vitry-sur-seine/decisions/{decision.pk}/supprimer/").status_code == 404
    assert CopilDecision.objects.exists()


# --- On the meeting's page ------------------------------------------------------------------


def test_the_copil_meeting_lists_its_decisions(login_as, coordinator, viewer, copil):
    meeting = copil["meeting"]
    CopilDecision.objects.create(
        contract=copil["contract"],
        meeting=meeting,
        what="Renouveler le CLS",
        organization=copil["ars"],
        due_on=TODAY - dt.timedelta(days=2),
    )
    CopilDecision.objects.create(contract=copil["contract"], what="Hors séance", who_label="CLS")
    path = f"/t/cergy/reunions/{meeting.pk}/"
    page = text_of(login_as(coordinator).get(path))
    assert "Décisions et recommandations de ce comité de pilotage" in page
    assert "Renouveler le CLS" in page and "portée par ARS 95" in page and "en retard" in page
    assert "Hors séance" not in page
    assert "Ajouter une décision de ce comité de pilotage" in page
    read = text_of(login(Client(), viewer).get(path))
    assert "Renouveler le CLS" in read
    assert "Ajouter une décision" not in read and "Modifier :" not in read


def test_other_meetings_have_no_decisions_section(login_as, coordinator, copil):
    meeting = MeetingFactory(group=WorkGroupFactory(contract=copil["contract"]))
    page = login_as(coordinator).get(f"/t/cergy/reunions/{meeting.pk}/").content.decode()
    assert "Décisions et recommandations de ce comité" not in page


def test_the_meeting_page_reads_its_decisions_in_one_query(login_as, coordinator, copil):
    def more() -> None:
        for n in range(5):
            CopilDecision.objects.create(
                contract=copil["contract"],
                meeting=copil["meeting"],
                what=f"Décision {n}",
                organization=OrganizationFactory(territory=coordinator.territory),
            )

    more()
    assert_constant_queries(
        login_as(coordinator), f"/t/cergy/reunions/{copil['meeting'].pk}/", more
    )
    assert CopilDecisionChange.objects.count() == 0
