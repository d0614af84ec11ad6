"""The compte-rendu: a first draft built from the meeting itself, and a save that can never break
a sending under way (the PDF the queued e-mails attach stays)."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from actions.models import ActionUpdate
from cls_platform.models import Delivery, DeliveryStatus
from tests.factories import ContactFactory, FicheActionFactory, OrganizationFactory
from workgroups import selectors, services
from workgroups.models import (
    AgendaItem,
    AgendaKind,
    Attendance,
    Invitation,
    Meeting,
    MeetingAction,
    MeetingDocument,
    Rsvp,
)

pytestmark = pytest.mark.django_db

BASE = "/t/cergy"


def started(meeting: Meeting) -> Meeting:
    meeting.starts_at = timezone.now() - dt.timedelta(hours=3)
    meeting.ends_at = meeting.starts_at + dt.timedelta(hours=2)
    meeting.save()
    return meeting


def attend(meeting, territory, structure: str, attendance: str, rsvp: str = Rsvp.PENDING):
    organization = OrganizationFactory(territory=territory, name=structure)
    contact = ContactFactory(territory=territory, organization=organization)
    return Invitation.objects.create(
        meeting=meeting, contact=contact, attendance=attendance, rsvp=rsvp
    )


@pytest.fixture
def told(meeting, territory):
    """A meeting that took place: its agenda, who came and who did not, two fiches-actions
    with their news, a document shared."""
    started(meeting)
    cmp = OrganizationFactory(territory=territory, name="CMP de Cergy")
    AgendaItem.objects.create(
        meeting=meeting,
        kind=AgendaKind.INTERCONNAISSANCE,
        title="Le CMP se présente",
        presenter="Bruno Faure",
        organization=cmp,
        order=0,
    )
    AgendaItem.objects.create(meeting=meeting, title="Tour de table <script>", order=1)
    attend(meeting, territory, "Association Relais Santé", Attendance.PRESENT, Rsvp.YES)
    attend(meeting, territory, "Mission locale", Attendance.PRESENT)
    attend(meeting, territory, "CPTS de Cergy", Attendance.EXCUSED)
    attend(meeting, territory, "Maison des adolescents", Attendance.UNKNOWN, Rsvp.NO)
    attend(meeting, territory, "Bailleur social", Attendance.UNKNOWN)  # silent: not listed
    for number, title, news in (
        ("2.1", "Premiers secours en santé mentale", "Deux sessions de formation en juin."),
        ("2.3", "Maison des adolescents", ""),
    ):
        fiche = FicheActionFactory(contract=meeting.group.contract, number=number, title=title)
        if news:
            ActionUpdate.objects.create(
                fiche=fiche, happened_on=dt.date(2026, 1, 5), text="Ancienne."
            )
            ActionUpdate.objects.create(fiche=fiche, happened_on=dt.date(2026, 3, 2), text=news)
        MeetingAction.objects.create(meeting=meeting, fiche=fiche)
    MeetingDocument.objects.create(
        meeting=meeting, title="Diaporama du CMP", file="reunions/cmp.pdf"
    )
    return meeting


def test_the_draft_tells_what_the_meeting_already_knows(told):
    draft = selectors.report_draft(meeting=told)

    assert draft.startswith("<p>Réunion du ")
    assert ", Maison de quartier.</p>" in draft.split("\n")[0]
    assert "<h3>Ordre du jour</h3>" in draft
    assert "<li><strong>Le CMP se présente</strong> (Bruno Faure, CMP de Cergy)</li>" in draft
    assert "Tour de table &lt;script&gt;" in draft and "<script" not in draft
    assert (
        "<h3>Structures présentes</h3>\n<ul><li>Association Relais Santé</li>"
        "<li>Mission locale</li></ul>" in draft
    )
    # Excused: attendance "excusé·e", or answered no.
    assert (
        "<h3>Structures excusées</h3>\n<ul><li>CPTS de Cergy</li><li>Maison des adolescents</li></ul>"
        in draft
    )
    assert "Bailleur social" not in draft
    assert (
        "<li><strong>2.1 Premiers secours en santé mentale</strong> : Deux sessions de "
        "formation en juin. (2 mars 2026)</li>" in draft
    ), "the latest news of each fiche-action"
    assert "Ancienne." not in draft
    assert "<li><strong>2.3 Maison des adolescents</strong></li>" in draft
    assert "<h3>Documents partagés</h3>\n<ul><li>Diaporama du CMP</li></ul>" in draft
    assert draft == services.sanitize_report(draft)


def test_the_draft_counts_people_without_a_structure_and_never_names_them(told, territory):
    """The compte-rendu goes to every partner, and signatories read it: a person who came on
    their own is counted, not named."""
    for first, last, attendance in (
        ("Aïcha", "Benali", Attendance.PRESENT),
        ("Marc", "Lenoir", Attendance.PRESENT),
        ("Sophie", "Carré", Attendance.EXCUSED),
    ):
        Invitation.objects.create(
            meeting=told,
            contact=ContactFactory(
                territory=territory, first_name=first, last_name=last, organization=None
            ),
            attendance=attendance,
        )

    draft = selectors.report_draft(meeting=told)

    assert (
        "<h3>Structures présentes</h3>\n<ul><li>Association Relais Santé</li>"
        "<li>Mission locale</li><li>2 personnes sans structure</li></ul>" in draft
    )
    assert (
        "<h3>Structures excusées</h3>\n<ul><li>CPTS de Cergy</li><li>Maison des adolescents</li>"
        "<li>1 personne sans structure</li></ul>" in draft
    )
    for name in ("Aïcha", "Benali", "Marc", "Lenoir", "Sophie", "Carré"):
        assert name not in draft


def test_the_draft_costs_the_same_queries_whatever_the_meeting_s_size(told, territory):
    with CaptureQueriesContext(connection) as small:
        selectors.report_draft(meeting=told)
    for n in range(6):
        attend(told, territory, f"Structure {n}", Attendance.PRESENT)
        fiche = FicheActionFactory(contract=told.group.contract)
        ActionUpdate.objects.create(
            fiche=fiche, happened_on=dt.date(2026, 3, n + 1), text="Nouvelle."
        )
        MeetingAction.objects.create(meeting=told, fiche=fiche)
        AgendaItem.objects.create(meeting=told, title=f"Point {n}", order=n + 2)
    with CaptureQueriesContext(connection) as large:
        selectors.report_draft(meeting=told)
    assert len(large) == len(small) <= 5, [q["sql"][:150] for q in large.captured_queries]


def test_the_editor_starts_from_the_draft_when_the_report_is_empty(login_as, coordinator, told):
    client = login_as(coordinator)
    form = client.get(f"{BASE}/reunions/{told.pk}/compte-rendu/").context["form"]
    assert "<h3>Structures présentes</h3>" in form["report"].value()

    services.report_save(meeting=told, html="Le compte-rendu, tel qu'écrit.")
    form = client.get(f"{BASE}/reunions/{told.pk}/compte-rendu/").context["form"]
    assert form["report"].value() == "<p>Le compte-rendu, tel qu'écrit.</p>"


# --- saving while the sending is under way -----------------------------------------------


def sent_meanwhile(meeting: Meeting) -> None:
    """What report_send wrote while the page was open: the PDF, the rows, the date."""
    row = Meeting.objects.get(pk=meeting.pk)
    row.report_pdf.save("compte-rendu.pdf", ContentFile(b"%PDF-1.4 envoi"), save=False)
    row.report_sent_at = timezone.now()
    row.save(update_fields=["report_pdf", "report_sent_at"])
    Delivery.objects.create(
        territory=meeting.territory,
        kind="report",
        topic=meeting.topic,
        contact_id=ContactFactory(territory=meeting.territory).pk,
        to_email="partenaire@asso.fr",
        status=DeliveryStatus.QUEUED,
    )


def test_a_save_from_a_page_opened_before_the_sending_is_refused_and_keeps_the_pdf(meeting):
    started(meeting)
    services.report_save(meeting=meeting, html="Version envoyée.")
    stale = Meeting.objects.get(pk=meeting.pk)  # the editor, opened before the sending
    sent_meanwhile(meeting)

    with pytest.raises(ValidationError, match="déjà envoyé"):
        services.report_save(meeting=stale, html="Version modifiée trop tard.")

    meeting.refresh_from_db()
    assert meeting.report == "<p>Version envoyée.</p>"
    assert meeting.report_pdf.name.endswith(".pdf")


def test_a_pdf_is_never_cleared_once_a_report_delivery_exists(meeting):
    started(meeting)
    services.report_save(meeting=meeting, html="Texte.")
    sent_meanwhile(meeting)
    Meeting.objects.filter(pk=meeting.pk).update(report_sent_at=None)  # however it came to be

    services.report_save(meeting=meeting, html="Texte corrigé.")

    meeting.refresh_from_db()
    assert meeting.report == "<p>Texte corrigé.</p>"
    assert meeting.report_pdf, "the queued e-mails still need it"


def test_before_any_sending_a_save_drops_the_pdf_rebuilt_at_sending_time(meeting):
    started(meeting)
    Meeting.objects.get(pk=meeting.pk).report_pdf.save("apercu.pdf", ContentFile(b"%PDF"))
    services.report_save(meeting=meeting, html="Texte.")
    meeting.refresh_from_db()
    assert not meeting.report_pdf


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_a_save_waits_for_a_sending_under_way_then_is_refused(meeting):
    """Two transactions on PostgreSQL: the sending holds the meeting's row; the save, begun
    meanwhile from an older page, waits for it, then finds the report sent and changes nothing."""
    started(meeting)
    services.report_save(meeting=meeting, html="Version envoyée.")
    stale = Meeting.objects.get(pk=meeting.pk)
    locked, release = threading.Event(), threading.Event()
    outcome: dict[str, object] = {}

    def sending() -> None:
        try:
            with transaction.atomic():
                Meeting.objects.select_for_update().get(pk=meeting.pk)
                sent_meanwhile(meeting)
                locked.set()
                release.wait(10)
        finally:
            connection.close()

    def saving() -> None:
        try:
            services.report_save(meeting=stale, html="Version modifiée pendant l'envoi.")
        except ValidationError as exc:
            outcome["refused"] = " ".join(exc.messages)
        finally:
            connection.close()

    sender = threading.Thread(target=sending)
    sender.start()
    assert locked.wait(10)
    saver = threading.Thread(target=saving)
    saver.start()
    saver.join(1.0)
    assert saver.is_alive(), "the save waits for the sending's lock"
    release.set()
    sender.join(10)
    saver.join(10)

    assert "déjà envoyé" in str(outcome.get("refused"))
    meeting.refresh_from_db()
    assert meeting.report == "<p>Version envoyée.</p>"
    assert meeting.report_pdf.name.endswith(".pdf")
