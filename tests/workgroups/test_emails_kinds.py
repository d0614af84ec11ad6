"""Every kind of e-mail a partner or a coordinator receives, as it leaves the outbox: subjects and
text parts that read as text (no "l&#x27;OPH"), a reply that reaches a person, the headers of
automatic mail.

Names and titles carry apostrophes, « », & and <: what HTML escaping would turn into entities.
Messages go to Django's in-memory backend and are read back from the bytes Django produces.
"""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import email.utils
import re
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.files.base import ContentFile
from django.utils import timezone

from cls_platform.mail import outbox
from cls_platform.models import Delivery, DeliveryStatus
from partners import services as partner_services
from tests.factories import (
    AccessFactory,
    ContactFactory,
    ContractFactory,
    MeetingFactory,
    WorkGroupFactory,
)
from workgroups.models import AgendaItem, Invitation, Meeting, MeetingStatus

pytestmark = pytest.mark.django_db

ENTITY = re.compile(r"&(#\d+|#x[0-9a-f]+|[a-z]+);", re.IGNORECASE)
TAG = re.compile(
    r"</?(?:p|br|strong|em|b|i|u|ul|ol|li|h[1-6]|a|div|span|table|thead|tbody|tr|td|th"
    r"|blockquote|hr|html|body|head|img|title|meta)\b[^>]*>",
    re.IGNORECASE,
)
GROUP = "GT « Santé » d'Éragny & <Co>"
TITLE = "Intervention de l'OPH — « Habitat » & <suite>"
REPORT = (
    "<h2>Fiches-actions discutées</h2><p>3.2 Prévention de l'habitat indigne &amp; "
    "<strong>l'Espace santé</strong></p><ul><li>Point « un »</li><li>Point &lt;deux&gt;</li></ul>"
    "<h3>Décisions</h3><ol><li>Écrire à l'OPH</li></ol>"
    '<p>Voir <a href="https://exemple.fr/cr">le dossier</a>.</p>'
)
KINDS = [
    "invitation",
    "update",
    "reminder",
    "cancellation",
    "report",
    "details_check",
    "hand_over",
]


@pytest.fixture
def people(territory):
    coordinator = AccessFactory(
        territory=territory, role="coordinator", user__email="coordinatrice@cergy.fr"
    )
    partner = ContactFactory(
        territory=territory,
        first_name="Zoé",
        last_name="D'Arc & <Fils>",
        email="zoe@asso.fr",
        job_title="Chargée « prévention »",
    )
    return coordinator, partner


def meeting_of(territory, *, days: int, **fields) -> Meeting:
    group = WorkGroupFactory(contract=ContractFactory(territory=territory), name=GROUP)
    start = timezone.now() + dt.timedelta(days=days)
    meeting = MeetingFactory(
        group=group,
        title=TITLE,
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
        place="Salle « Rousseau » & co",
        description="Bienvenue à l'OPH & à <tous>.",
        **fields,
    )
    AgendaItem.objects.create(meeting=meeting, title="Tour de table d'accueil", order=1)
    return meeting


def deliver(territory, kind: str, topic: str, contact, revision: int = 0) -> Delivery:
    queued = outbox.enqueue(
        territory=territory,
        kind=kind,
        topic=topic,
        recipients=[outbox.Recipient(email=contact.email, contact_id=contact.pk)],
        revision=revision,
    )
    (pk,) = queued.queued
    assert outbox.deliver(pk) == DeliveryStatus.SENT, Delivery.objects.get(pk=pk).last_error
    return Delivery.objects.get(pk=pk)


@pytest.fixture
def sent(territory, people, django_capture_on_commit_callbacks):
    """One message of each kind, by kind: (the Django message, the parsed bytes, its row)."""
    _coordinator, partner = people
    messages: dict[str, tuple[object, email.message.EmailMessage]] = {}

    def take(kind: str) -> None:
        message = mail.outbox[-1]
        parsed = email.message_from_bytes(message.message().as_bytes(), policy=email.policy.default)
        messages[kind] = (message, parsed)

    with django_capture_on_commit_callbacks(execute=False):
        upcoming = meeting_of(territory, days=2, organizer_email="organisatrice@cergy.fr")
        Invitation.objects.create(meeting=upcoming, contact=partner)
        deliver(territory, "invitation", upcoming.topic, partner)
        take("invitation")
        upcoming.sequence = 1
        upcoming.starts_at += dt.timedelta(hours=1)
        upcoming.ends_at += dt.timedelta(hours=1)
        upcoming.change_note = "La salle a changé : rendez-vous à l'étage « B » & <C>."
        upcoming.save()
        deliver(territory, "invitation", upcoming.topic, partner, revision=1)
        take("update")
        deliver(territory, "reminder", upcoming.topic, partner)
        take("reminder")

        cancelled = meeting_of(territory, days=5)  # no organiser stored: the coordination
        Invitation.objects.create(meeting=cancelled, contact=partner)
        cancelled.status = MeetingStatus.CANCELLED
        cancelled.sequence = 1
        cancelled.change_note = "Reportée à cause de la grève d'« ici » & <là>."
        cancelled.save()
        deliver(territory, "cancellation", cancelled.topic, partner, revision=1)
        take("cancellation")

        held = meeting_of(territory, days=-3, organizer_email="organisatrice@cergy.fr")
        Invitation.objects.create(meeting=held, contact=partner)
        held.report = REPORT
        held.report_sent_at = timezone.now()
        held.report_pdf.save("cr.pdf", ContentFile(b"%PDF-1.4 compte-rendu"), save=True)
        deliver(territory, "report", held.topic, partner)
        take("report")

        assert partner_services.contact_request_confirmation(contact=partner)
        (check,) = Delivery.objects.filter(kind="details_check").values_list("pk", flat=True)
        assert outbox.deliver(check) == DeliveryStatus.SENT
        take("details_check")

        hand_over = partner_services.hand_over_declare(
            contact=partner,
            data={
                "successor_first_name": "Léa",
                "successor_last_name": "L'Hôte & <Fille>",
                "successor_email": "lea@asso.fr",
                "message": "Je pars « vite » & loin, à l'OPH <bientôt>.",
            },
        )
        (notice,) = Delivery.objects.filter(kind="hand_over").values_list("pk", flat=True)
        assert outbox.deliver(notice) == DeliveryStatus.SENT
        take("hand_over")
        assert hand_over.pk
    return messages


def subject_of(parsed: email.message.EmailMessage) -> str:
    # Django folds a long encoded subject right after "Subject:"; the parser keeps the folding
    # white space in front.
    return str(parsed["Subject"]).strip()


def text_part(parsed: email.message.EmailMessage) -> str:
    return parsed.get_body(preferencelist=("plain",)).get_content()


@pytest.mark.parametrize("kind", KINDS)
def test_subject_and_text_part_hold_no_html_escape_nor_tag(sent, kind):
    message, parsed = sent[kind]
    subject = subject_of(parsed)
    text = text_part(parsed)
    assert not ENTITY.search(subject), subject
    assert not ENTITY.search(text), ENTITY.search(text)
    assert not TAG.search(subject)
    assert not TAG.search(text), TAG.search(text)
    assert text == message.body


@pytest.mark.parametrize(
    ("kind", "shown"),
    [
        ("invitation", [GROUP, TITLE, "Bienvenue à l'OPH & à <tous>.", "Zoé D'Arc & <Fils>"]),
        ("update", [GROUP, "La salle a changé : rendez-vous à l'étage « B » & <C>."]),
        ("reminder", [GROUP, "Salle « Rousseau » & co", "Tour de table d'accueil"]),
        ("cancellation", [GROUP, "Reportée à cause de la grève d'« ici » & <là>."]),
        ("report", [GROUP, "3.2 Prévention de l'habitat indigne & l'Espace santé"]),
        ("details_check", ["Zoé D'Arc & <Fils>", "Chargée « prévention »"]),
        ("hand_over", ["Zoé D'Arc & <Fils>", "L'Hôte & <Fille>", "à l'OPH <bientôt>"]),
    ],
)
def test_names_and_titles_come_back_as_typed(sent, kind, shown):
    _message, parsed = sent[kind]
    text = text_part(parsed)
    for words in shown:
        assert words in text, words


@pytest.mark.parametrize(
    ("kind", "subject"),
    [
        ("invitation", f"Invitation : {GROUP} du"),
        ("update", f"[Modifié] Invitation : {GROUP}"),
        ("reminder", f"Rappel : {GROUP} le"),
        ("cancellation", f"[Annulé] {GROUP} du"),
        ("report", f"Compte-rendu : {GROUP} du"),
        ("hand_over", "[Cergy] Zoé D'Arc & <Fils> signale un départ"),
    ],
)
def test_subjects_read_as_typed(sent, kind, subject):
    _message, parsed = sent[kind]
    assert subject_of(parsed).startswith(subject)
    if kind == "invitation":
        assert subject_of(parsed).endswith(f"· {TITLE}")


def test_the_report_text_reads_on_its_own(sent):
    _message, parsed = sent["report"]
    lines = text_part(parsed).splitlines()
    heading = lines.index("Fiches-actions discutées")
    assert lines[heading - 1] == "" and lines[heading + 1] == ""
    assert lines[heading + 2] == "3.2 Prévention de l'habitat indigne & l'Espace santé"
    assert "- Point « un »" in lines and "- Point <deux>" in lines
    decisions = lines.index("Décisions")
    assert lines[decisions + 2] == "1. Écrire à l'OPH"
    assert "Voir le dossier (https://exemple.fr/cr)." in lines
    # The HTML part keeps the rich text.
    html = parsed.get_body(preferencelist=("html",)).get_content()
    assert "<h2>Fiches-actions discutées</h2>" in html


# --- whom a reply reaches ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "reply_to"),
    [
        ("invitation", "organisatrice@cergy.fr"),  # the meeting's organiser
        ("update", "organisatrice@cergy.fr"),
        ("reminder", "organisatrice@cergy.fr"),
        ("cancellation", "coordinatrice@cergy.fr"),  # none stored: the first coordinator
        ("report", "organisatrice@cergy.fr"),
        ("details_check", "coordinatrice@cergy.fr"),
        ("hand_over", "zoe@asso.fr"),  # the partner who declared it
    ],
)
def test_a_reply_reaches_a_person(sent, kind, reply_to):
    _message, parsed = sent[kind]
    assert str(parsed["Reply-To"]) == reply_to


def test_the_coordination_address_of_the_territory_comes_first(territory, people, settings):
    _coordinator, partner = people
    territory.coordination_email = "sante@ville-cergy.fr"
    territory.save()
    meeting = meeting_of(territory, days=4)
    Invitation.objects.create(meeting=meeting, contact=partner)
    deliver(territory, "invitation", meeting.topic, partner)
    assert mail.outbox[-1].reply_to == ["sante@ville-cergy.fr"]
    assert partner_services.contact_request_confirmation(contact=partner)
    row = Delivery.objects.get(kind="details_check")
    outbox.deliver(row.pk)
    assert mail.outbox[-1].reply_to == ["sante@ville-cergy.fr"]


# --- the headers of automatic mail -----------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_every_message_says_it_is_automatic_french_local_and_ours(sent, kind, settings):
    _message, parsed = sent[kind]
    assert parsed["Auto-Submitted"] == "auto-generated"
    assert parsed["Content-Language"] == "fr"
    date = email.utils.parsedate_to_datetime(str(parsed["Date"]))
    paris = date.astimezone(ZoneInfo("Europe/Paris"))
    assert date.utcoffset() == paris.utcoffset(), "the Date is in Paris time"
    assert abs((timezone.now() - date).total_seconds()) < 3600
    domain = settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[1].strip(">")
    assert re.fullmatch(
        rf"<delivery-\d+\.{kind if kind != 'update' else 'invitation'}\.r\d+@{domain}>",
        str(parsed["Message-ID"]),
    )


@pytest.mark.parametrize("kind", [k for k in KINDS if k != "hand_over"])
def test_partner_mail_offers_a_one_click_unsubscribe(sent, kind, settings):
    _message, parsed = sent[kind]
    header = str(parsed["List-Unsubscribe"]).strip()  # folded after the name
    assert header.startswith(f"<{settings.SITE_URL}/partenaire/")
    assert header.endswith("/desinscription/>")
    assert parsed["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_the_notice_to_coordinators_has_no_unsubscribe_link(sent):
    _message, parsed = sent["hand_over"]
    assert parsed["List-Unsubscribe"] is None
