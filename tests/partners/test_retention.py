"""Contacts kept no longer than needed (partners/retention.py): the review lists exactly those
with no interaction of their own for CONTACT_REVIEW_MONTHS months, and each decision of the
coordinator (keep, ask, erase) has the outcome the page announces."""

from __future__ import annotations

import datetime as dt
import email
import html
import re
from email import policy

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.core import mail
from django.test import Client
from django.utils import timezone

from cls_platform.audit import AuditEntry, AuditEvent
from cls_platform.models import Delivery, DeliveryStatus
from evaluation.interviews.models import Interview
from evaluation.surveys.models import SurveyInvitation
from partners.emails import KIND_DETAILS_CHECK
from partners.importing import import_partners
from partners.models import Contact, HandOver, SuppressedAddress, email_hash
from partners.retention import months_before
from partners.services import contact_create
from tests.evaluation.test_survey_data import campaign
from tests.factories import (
    ContactFactory,
    ContractFactory,
    MeetingFactory,
    OrganizationFactory,
    UserFactory,
    WorkGroupFactory,
)
from tests.support.queries import assert_constant_queries
from workgroups.models import Invitation

pytestmark = pytest.mark.django_db

BASE = "/t/cergy/annuaire/contacts/revue/"
ERASE = "/t/cergy/annuaire/contacts/revue/effacer/"


def limit() -> dt.datetime:
    return months_before(timezone.now(), 36)


def idle(territory, days_past_limit: int = 30, **kwargs) -> Contact:
    """A contact whose record last moved `days_past_limit` days before the 36-month limit."""
    return ContactFactory(
        territory=territory,
        last_activity_at=limit() - dt.timedelta(days=days_past_limit),
        **kwargs,
    )


def listed(client: Client, url: str = BASE) -> list[int]:
    response = client.get(url)
    assert response.status_code == 200
    return [c.pk for c in response.context["contacts"]]


def text_of(response) -> str:
    return html.unescape(re.sub(r"\s+", " ", response.content.decode()))


def invitation(contact: Contact, *, starts_at: dt.datetime, **fields) -> Invitation:
    group = WorkGroupFactory(contract=ContractFactory(territory=contact.territory))
    meeting = MeetingFactory(
        group=group, starts_at=starts_at, ends_at=starts_at + dt.timedelta(hours=2)
    )
    return Invitation.objects.create(meeting=meeting, contact=contact, **fields)


# --- who is listed ---------------------------------------------------------------------------


def test_the_review_lists_exactly_the_contacts_idle_for_36_months(login_as, coordinator, outsider):
    territory = coordinator.territory
    now = timezone.now()
    year_ago = now - dt.timedelta(days=365)
    just_past = idle(territory, days_past_limit=1, last_name="Juste passé")
    just_inside = ContactFactory(
        territory=territory, last_activity_at=limit() + dt.timedelta(days=1)
    )
    # Added long ago, nothing recorded since: creation is the clock.
    never_recorded = ContactFactory(territory=territory, last_activity_at=None)
    Contact.objects.filter(pk=never_recorded.pk).update(created_at=limit() - dt.timedelta(days=5))
    # Each interaction of the person's own, a year ago, keeps them off the list.
    confirmed = idle(territory, confirmed_at=year_ago)
    answered = idle(territory)
    invitation(answered, starts_at=now + dt.timedelta(days=3), rsvp="yes", rsvp_at=year_ago)
    attended = idle(territory)
    invitation(attended, starts_at=year_ago, attendance="present")
    surveyed = idle(territory)
    SurveyInvitation.objects.create(
        survey=campaign(territory), contact=surveyed, submitted_at=year_ago, updated_at=year_ago
    )
    interviewed = idle(territory)
    Interview.objects.create(
        contract=ContractFactory(territory=territory),
        contact=interviewed,
        held_on=year_ago.date(),
    )
    departed = idle(territory)
    HandOver.objects.create(contact=departed, successor_email="suite@asso.fr")
    signed_in = idle(territory, user=UserFactory(last_login=year_ago))
    # What does not count: being invited (mail received), attending long ago, unsubscribing.
    only_invited = idle(territory, last_name="Invitée")
    invitation(only_invited, starts_at=now - dt.timedelta(days=20), attendance="absent")
    attended_long_ago = idle(territory, days_past_limit=400, last_name="Venue il y a longtemps")
    invitation(attended_long_ago, starts_at=limit() - dt.timedelta(days=2), attendance="present")
    unsubscribed = idle(territory, unsubscribed_at=now - dt.timedelta(days=3))
    # Never listed: an erased person, someone of another territory.
    idle(territory, anonymized_at=now - dt.timedelta(days=800))
    idle(outsider.territory)

    client = login_as(coordinator)
    # Exactly these, the longest idle first (by the activity noted on their record).
    assert listed(client) == [
        attended_long_ago.pk,
        only_invited.pk,
        unsubscribed.pk,
        never_recorded.pk,
        just_past.pk,
    ]
    pks = listed(client)
    for kept in (just_inside, confirmed, answered, attended, surveyed, interviewed, departed):
        assert kept.pk not in pks
    assert signed_in.pk not in pks
    page = text_of(client.get(BASE))
    assert "5 contacts à revoir" in page
    assert "plus de 36 mois" in page
    assert "présence à une réunion" in page  # what the longest idle last did
    assert "désinscrite : ne reçoit plus aucun e-mail" in page


def test_the_period_comes_from_the_setting(login_as, coordinator, settings):
    territory = coordinator.territory
    two_years_ago = idle(territory, days_past_limit=-365)  # 25 months idle
    client = login_as(coordinator)
    assert listed(client) == []
    settings.CONTACT_REVIEW_MONTHS = 24
    assert listed(client) == [two_years_ago.pk]
    assert "plus de 24 mois" in text_of(client.get(BASE))


def test_filters_separate_people_already_asked(login_as, coordinator):
    territory = coordinator.territory
    asked = idle(territory, last_name="Sollicitée")
    never = idle(territory, last_name="Jamais")
    Delivery.objects.create(
        territory=territory,
        kind=KIND_DETAILS_CHECK,
        topic=f"contact:{asked.pk}",
        contact_id=asked.pk,
        to_email=asked.email,
        status=DeliveryStatus.SENT,
    )
    client = login_as(coordinator)
    assert listed(client, f"{BASE}?etat=sollicites") == [asked.pk]
    assert listed(client, f"{BASE}?etat=jamais-sollicites") == [never.pk]
    assert set(listed(client, f"{BASE}?etat=nimporte")) == {asked.pk, never.pk}


def test_the_page_keeps_a_constant_query_count_up_to_2500_contacts(login_as, coordinator):
    territory = coordinator.territory
    org = OrganizationFactory(territory=territory)
    for _ in range(3):
        contact = idle(territory, organization=org)
        invitation(contact, starts_at=limit() - dt.timedelta(days=90), attendance="present")

    def grow() -> None:
        old = limit() - dt.timedelta(days=60)
        Contact.objects.bulk_create(
            Contact(
                territory=territory,
                organization=org,
                last_name=f"Nom {n:04d}",
                email=f"personne{n}@masse.fr",
                last_activity_at=old,
            )
            for n in range(2500)
        )
        for contact in Contact.objects.filter(territory=territory)[:40]:
            Delivery.objects.create(
                territory=territory,
                kind=KIND_DETAILS_CHECK,
                topic=f"contact:{contact.pk}",
                contact_id=contact.pk,
                to_email=contact.email,
                status=DeliveryStatus.SENT,
            )

    client = login_as(coordinator)
    count = assert_constant_queries(client, BASE, grow, at_most=12)
    response = client.get(BASE)
    assert response.context["paginator"].count == 2503
    assert len(response.context["contacts"]) == 100
    assert "Page 1 sur 26" in text_of(response)
    assert count == assert_constant_queries(client, f"{BASE}?page=26", lambda: None)


# --- decisions -------------------------------------------------------------------------------


def test_keeping_a_person_starts_their_clock_again_and_is_recorded(login_as, coordinator):
    territory = coordinator.territory
    kept = idle(territory, first_name="Paul", last_name="Gardé")
    other = idle(territory)
    client = login_as(coordinator)
    response = client.post(BASE, {"ligne": f"garder:{kept.pk}"}, follow=True)
    assert "1 personne est gardée" in text_of(response)
    assert [c.pk for c in response.context["contacts"]] == [other.pk]
    kept.refresh_from_db()
    assert timezone.now() - kept.last_activity_at < dt.timedelta(minutes=5)
    entry = LogEntry.objects.get(object_id=str(kept.pk))
    assert entry.user_id == coordinator.user_id
    assert entry.action_flag == CHANGE
    assert "Gardé après la revue" in entry.change_message
    assert "Gardé" not in entry.object_repr and "Paul" not in entry.object_repr


def test_keeping_the_whole_page_or_the_ticked_ones(login_as, coordinator):
    territory = coordinator.territory
    first, second, third = (idle(territory) for _ in range(3))
    client = login_as(coordinator)
    client.post(BASE, {"action": "garder", "portee": "cochees", "contact": [first.pk]})
    assert set(listed(client)) == {second.pk, third.pk}
    page_ids = [second.pk, third.pk]
    response = client.post(
        BASE, {"action": "garder", "portee": "page", "page_contact": page_ids}, follow=True
    )
    assert "2 personnes sont gardées" in text_of(response)
    assert listed(client) == []


def test_asking_sends_the_details_check_email_and_a_confirmation_keeps_the_person(
    login_as, coordinator, django_capture_on_commit_callbacks
):
    territory = coordinator.territory
    asked = idle(territory, first_name="Paul", last_name="Martin", email="paul.martin@asso.fr")
    unsubscribed = idle(territory, last_name="Désinscrite", unsubscribed_at=timezone.now())
    client = login_as(coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            BASE,
            {"action": "demander", "portee": "cochees", "contact": [asked.pk, unsubscribed.pk]},
            follow=True,
        )
    page = text_of(response)
    assert "1 personne va recevoir un lien pour confirmer ses coordonnées" in page
    assert "Camille Désinscrite n'a pas été sollicité·e : Cette personne s'est désinscrite" in page

    # One row in the outbox, for the reachable person only, and one e-mail.
    (delivery,) = Delivery.objects.filter(kind=KIND_DETAILS_CHECK)
    assert (delivery.contact_id, delivery.status) == (asked.pk, DeliveryStatus.SENT)
    (message,) = mail.outbox
    parsed = email.message_from_bytes(message.message().as_bytes(), policy=policy.default)
    assert parsed["To"] == "paul.martin@asso.fr"
    assert "Vos coordonnées sont-elles à jour" in parsed["Subject"]
    text = parsed.get_body(preferencelist=("plain",)).get_content()
    page_html = parsed.get_body(preferencelist=("html",)).get_content()
    assert "Bonjour Paul Martin" in text
    assert "Confirmer ou corriger mes coordonnées" in page_html
    link = next(w for w in text.split() if "/partenaire/" in w and "desinscription" not in w)
    path = link.split("127.0.0.1:8000", 1)[1]

    # The page says it was asked, and when.
    row = text_of(client.get(BASE))
    assert "demandée le" in row and "Envoyé" in row

    # The person confirms their details through the link: they leave the list.
    partner = Client()
    assert partner.get(path).status_code == 200
    partner.post(
        path,
        {
            "action": "details",
            "details-first_name": "Paul",
            "details-last_name": "Martin",
            "details-job_title": "Coordinateur",
            "details-phone": "",
        },
    )
    assert listed(client) == [unsubscribed.pk]


def test_asking_again_while_the_first_request_waits_adds_nothing(
    login_as, coordinator, django_capture_on_commit_callbacks
):
    person = idle(coordinator.territory)
    client = login_as(coordinator)
    with django_capture_on_commit_callbacks(execute=False):
        client.post(BASE, {"ligne": f"demander:{person.pk}"})
        response = client.post(BASE, {"ligne": f"demander:{person.pk}"}, follow=True)
    assert "1 personne a déjà une demande en attente d'envoi" in text_of(response)
    assert Delivery.objects.filter(kind=KIND_DETAILS_CHECK).count() == 1
    assert "En file d'attente" in text_of(client.get(BASE))


def test_erasing_asks_for_confirmation_then_erases_and_records(login_as, coordinator):
    territory = coordinator.territory
    gone = idle(territory, first_name="Jeanne", last_name="Effacée", email="jeanne@asso.fr")
    stays = idle(territory, last_name="Reste")
    client = login_as(coordinator)
    response = client.post(BASE, {"action": "effacer", "portee": "cochees", "contact": [gone.pk]})
    assert response.status_code == 302
    confirmation = client.get(response["Location"])
    page = text_of(confirmation)
    assert "Cette personne sera effacée" in page and "Jeanne Effacée" in page
    assert "Reste" not in page
    gone.refresh_from_db()
    assert gone.anonymized_at is None, "nothing is erased before the confirmation"

    response = client.post(ERASE, {"contact": [gone.pk]}, follow=True)
    assert "1 personne a été effacée" in text_of(response)
    gone.refresh_from_db()
    assert gone.anonymized_at is not None and gone.email.endswith("@anonyme.invalid")
    assert SuppressedAddress.objects.filter(
        territory=territory, email_sha256=email_hash("jeanne@asso.fr")
    ).exists()
    assert [c.pk for c in response.context["contacts"]] == [stays.pk]
    # The audit trail says who erased whom, by id, never by name.
    entry = AuditEntry.objects.get(event=AuditEvent.ERASURE, object_id=gone.pk)
    assert entry.actor_id == coordinator.user_id and entry.territory_id == territory.pk
    assert "Jeanne" not in entry.object_repr


def test_a_person_who_answered_in_the_meantime_is_not_erased(login_as, coordinator):
    person = idle(coordinator.territory)
    client = login_as(coordinator)
    Contact.objects.filter(pk=person.pk).update(confirmed_at=timezone.now())
    response = client.post(ERASE, {"contact": [person.pk]}, follow=True)
    assert "1 personne n'est plus à revoir" in text_of(response)
    person.refresh_from_db()
    assert person.anonymized_at is None


def test_an_unsubscribed_person_erased_stays_unsubscribed_when_imported_again(
    login_as, coordinator
):
    territory = coordinator.territory
    person = idle(territory, email="Claire.Dubois@Asso.fr", unsubscribed_at=timezone.now())
    login_as(coordinator).post(ERASE, {"contact": [person.pk]})
    person.refresh_from_db()
    assert person.anonymized_at is not None
    # Only a hash is left: the address itself is nowhere in the directory.
    assert not Contact.objects.filter(email__icontains="dubois").exists()

    report = import_partners(
        territory=territory,
        content=b"Nom;Courriel\nDubois;claire.dubois@asso.fr\n",
        file_name="ancien-fichier.csv",
    )
    assert report.summary["rejected"] == 1
    assert "RGPD" in report.lines[0].detail
    with pytest.raises(Exception, match="effacement"):
        contact_create(territory=territory, data={"email": " CLAIRE.dubois@asso.fr"})
    assert (
        not Contact.objects.filter(territory=territory)
        .mailable()
        .exclude(pk=person.pk)
        .filter(email__iexact="claire.dubois@asso.fr")
        .exists()
    )


# --- bad input loses nothing -----------------------------------------------------------------


def test_a_decision_without_anyone_ticked_says_so_and_changes_nothing(login_as, coordinator):
    person = idle(coordinator.territory)
    client = login_as(coordinator)
    response = client.post(BASE, {"action": "garder", "portee": "cochees"})
    assert response.status_code == 200
    assert "Cochez au moins une personne" in text_of(response)
    response = client.post(BASE, {"action": "partir", "contact": [person.pk]})
    assert "Choisissez une décision" in text_of(response)
    assert f'value="{person.pk}" id="contact-{person.pk}" checked' in response.content.decode()
    response = client.post(BASE, {"action": "garder", "contact": ["12x"]})
    assert "La sélection n'a pas pu être lue" in text_of(response)
    response = client.post(ERASE, {"contact": ["abc"]}, follow=True)
    assert "Aucune personne n'a été effacée" in text_of(response)
    assert client.get(f"{ERASE}?contact=zz").status_code == 200
    person.refresh_from_db()
    assert person.anonymized_at is None and person.last_activity_at < limit()
    assert not LogEntry.objects.exists()


# --- who may -------------------------------------------------------------------------------


@pytest.mark.parametrize("url", [BASE, ERASE])
def test_only_the_coordination_reviews(login_as, client, url, copilot, viewer, outsider):
    person = idle(copilot.territory)
    for access, status in ((copilot, 403), (viewer, 403), (outsider, 404)):
        client.logout()
        login_as(access)
        assert client.get(url).status_code == status
        assert client.post(url, {"contact": [person.pk], "action": "garder"}).status_code == status
    person.refresh_from_db()
    assert person.anonymized_at is None and person.last_activity_at < limit()


def test_the_review_is_never_cached(login_as, coordinator):
    response = login_as(coordinator).get(BASE)
    assert "no-store" in response["Cache-Control"]


def test_a_person_known_by_address_only_is_named_by_it(login_as, coordinator):
    idle(coordinator.territory, first_name="", last_name="", email="accueil@asso.fr")
    page = text_of(login_as(coordinator).get(BASE))
    words = " ".join(re.sub(r"<[^>]+>", "", page).split())
    assert "Cocher accueil@asso.fr" in words and "Garder accueil@asso.fr" in words
