"""Links that cannot be forwarded into someone else's account (issue 12).

Mass e-mails (compte-rendus, invitations, surveys) carry a link "Mettre à jour mes coordonnées"
that changes nothing by itself: its page's button sends a fresh link, valid
SELF_SERVICE_LINK_MINUTES, to the address on file, and only that link opens the details and
departure forms. The e-mails are read as their reader reads them: the MIME message parsed from
its bytes, its text part.
"""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import html
import re
import time
from unittest import mock

import pytest
from django.conf import settings
from django.core import mail, signing
from django.test import Client, TestCase
from django.utils import timezone

from cls_platform.models import Delivery, DeliveryStatus
from partners import services as partner_services
from partners.models import Contact, HandOver
from partners.tokens import SALT
from tests.factories import ContactFactory, ContractFactory, MeetingFactory, WorkGroupFactory
from tests.support.queries import assert_constant_queries, count_queries
from workgroups import services
from workgroups.models import Invitation

pytestmark = pytest.mark.django_db

LINK = re.compile(r"https?://\S+")
DETAILS_LABEL = "Mettre à jour mes coordonnées"


def text_part(message) -> str:
    """The text a mail client shows: the message parsed from the bytes that were sent."""
    whole = email.message_from_bytes(message.message().as_bytes(), policy=email.policy.default)
    return whole.get_body(preferencelist=("plain",)).get_content()


def path_of(url: str) -> str:
    assert url.startswith(settings.SITE_URL), url
    return url.removeprefix(settings.SITE_URL)


def link_after(text: str, label: str) -> str:
    """The address on the line of the text part that starts with `label`."""
    line = next(line for line in text.splitlines() if line.startswith(label))
    return path_of(LINK.search(line).group(0))


def page_text(response) -> str:
    return html.unescape(response.content.decode())


@pytest.fixture
def zoe(territory) -> Contact:
    return ContactFactory(
        territory=territory,
        first_name="Zoé",
        last_name="Faure",
        email="zoe@asso.fr",
        phone="01 02 03 04 05",
        job_title="Directrice",
    )


@pytest.fixture
def report_email(territory, coordinator, zoe):
    """The compte-rendu as it reached Zoé."""
    start = timezone.now() - dt.timedelta(days=2)
    meeting = MeetingFactory(
        group=WorkGroupFactory(contract=ContractFactory(territory=territory), name="GT Nutrition"),
        title="Printemps",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
    )
    Invitation.objects.create(meeting=meeting, contact=zoe)
    services.report_save(meeting=meeting, html="<p>Prochaine rencontre au printemps.</p>")
    with TestCase.captureOnCommitCallbacks(execute=True):
        services.report_send(meeting=meeting)
    (message,) = mail.outbox
    assert message.to == ["zoe@asso.fr"]
    mail.outbox.clear()
    return message


@pytest.fixture
def request_path(report_email) -> str:
    return link_after(text_part(report_email), DETAILS_LABEL)


def ask_fresh_link(path: str, **extra: str):
    with TestCase.captureOnCommitCallbacks(execute=True):
        return Client().post(path, {"action": "new_link", **extra})


def fresh_link(message) -> str:
    """The link of the details-check e-mail (the first of its text part)."""
    return path_of(LINK.search(text_part(message)).group(0))


def later(minutes: float):
    return mock.patch("django.core.signing.time.time", return_value=time.time() + minutes * 60)


def details_post(path: str, phone: str):
    return Client().post(
        path,
        {
            "action": "details",
            "details-first_name": "Zoé",
            "details-last_name": "Faure",
            "details-job_title": "Directrice",
            "details-phone": phone,
        },
    )


def departure_post(path: str):
    return Client().post(
        path,
        {
            "left_on": "2026-11-02",
            "successor_first_name": "Intrus",
            "successor_last_name": "Pirate",
            "successor_email": "intrus@pirate.fr",
        },
    )


# --- the compte-rendu's link changes nothing by itself -------------------------------------------


def test_the_compte_rendus_link_opens_a_page_that_names_no_one_and_sends_nothing(
    report_email, request_path, zoe
):
    response = Client().get(request_path)
    page = page_text(response)
    assert response.status_code == 200
    assert "<h1>Mettre à jour mes coordonnées</h1>" in page
    assert "Adresse enregistrée : <strong>z***@asso.fr</strong>" in page
    assert "Le lien sera valable 30 minutes" in page
    for secret in ("zoe@asso.fr", "Zoé", "Faure", "01 02 03 04 05", "Directrice"):
        assert secret not in page, secret
    assert 'name="details-phone"' not in page and "/depart/" not in page
    # Mail filters open every link of a message: opening the page sends nothing.
    assert not Delivery.objects.filter(kind="details_check").exists()
    assert not mail.outbox


def test_whoever_holds_the_forwarded_compte_rendu_can_change_nothing(request_path, zoe):
    token = request_path.strip("/").split("/")[1]
    assert details_post(f"/partenaire/{token}/", "06 66 66 66 66").status_code == 404
    assert departure_post(f"/partenaire/{token}/depart/").status_code == 404
    assert details_post(request_path, "06 66 66 66 66").status_code == 200
    zoe.refresh_from_db()
    assert zoe.phone == "01 02 03 04 05"
    assert not HandOver.objects.exists()


# --- the fresh link: to the address on file, short-lived -----------------------------------------


def test_the_fresh_link_reaches_only_the_address_on_file_and_opens_the_forms(request_path, zoe):
    # Whatever the person asking types, the link goes to the address the directory holds.
    response = ask_fresh_link(request_path, email="intrus@pirate.fr", to="intrus@pirate.fr")
    page = page_text(response)
    assert response.status_code == 200
    assert "Nous venons d'envoyer un lien à l'adresse enregistrée (z***@asso.fr)." in page
    assert "Il est valable 30 minutes" in page
    assert "zoe@asso.fr" not in page
    (row,) = Delivery.objects.filter(kind="details_check")
    assert (row.to_email, row.contact_id, row.status) == (
        "zoe@asso.fr",
        zoe.pk,
        DeliveryStatus.SENT,
    )
    (message,) = mail.outbox
    assert message.to == ["zoe@asso.fr"] and message.cc == [] and message.bcc == []
    text = text_part(message)
    assert "Ce lien est personnel et valable 30 minutes." in text

    link = fresh_link(message)
    opened = Client().get(link)
    assert opened.status_code == 200
    assert "Bonjour Zoé Faure" in page_text(opened)
    assert "Ce lien reste valable jusqu'à" in page_text(opened)
    assert details_post(link, "06 11 22 33 44").status_code == 302
    zoe.refresh_from_db()
    assert zoe.phone == "06 11 22 33 44"
    assert Client().get(f"{link}depart/").status_code == 200


def test_the_fresh_link_expires_and_then_only_offers_another(request_path, zoe):
    ask_fresh_link(request_path)
    link = fresh_link(mail.outbox[0])
    with later(31):
        response = Client().get(link)
        assert response.status_code == 404
        page = page_text(response)
        assert "Ce lien a expiré" in page and "z***@asso.fr" in page
        assert 'name="details-phone"' not in page
    # Past the link's 30 minutes and the two hours given to a form opened in time, nothing.
    with later(30 + 120 + 1):
        assert details_post(link, "06 66 66 66 66").status_code == 404
        assert departure_post(f"{link}depart/").status_code == 404
    zoe.refresh_from_db()
    assert zoe.phone == "01 02 03 04 05"
    assert not HandOver.objects.exists()


def test_details_typed_slowly_in_a_form_opened_in_time_are_not_lost(request_path, zoe):
    ask_fresh_link(request_path)
    link = fresh_link(mail.outbox[0])
    assert 'name="details-phone"' in page_text(Client().get(link))
    with later(75):  # the form was left open over a meeting
        assert details_post(link, "06 11 22 33 44").status_code == 302
    zoe.refresh_from_db()
    assert zoe.phone == "06 11 22 33 44"


def test_a_link_forwarded_from_an_old_email_is_useless(territory, zoe):
    """Compte-rendus sent before this change carry the details link itself, signed weeks ago."""
    with mock.patch("django.core.signing.time.time", return_value=time.time() - 40 * 86400):
        old = signing.dumps({"c": zoe.pk, "t": territory.pk}, salt=SALT, compress=True)
    response = Client().get(f"/partenaire/{old}/")
    assert response.status_code == 404
    assert 'name="details-phone"' not in page_text(response)
    assert details_post(f"/partenaire/{old}/", "06 66 66 66 66").status_code == 404
    assert departure_post(f"/partenaire/{old}/depart/").status_code == 404
    zoe.refresh_from_db()
    assert zoe.phone == "01 02 03 04 05" and not HandOver.objects.exists()
    # What it still does: send a fresh link to Zoé herself.
    ask_fresh_link(f"/partenaire/{old}/")
    assert [m.to for m in mail.outbox] == [["zoe@asso.fr"]]


def test_one_fresh_link_per_person_every_few_minutes(request_path, zoe):
    ask_fresh_link(request_path)
    again = ask_fresh_link(request_path)
    assert (
        "Un lien a déjà été envoyé à l'adresse enregistrée (z***@asso.fr) il y a moins de 5 minutes"
        in page_text(again)
    )
    assert len(mail.outbox) == 1
    Delivery.objects.filter(kind="details_check").update(
        created_at=timezone.now() - dt.timedelta(minutes=6)
    )
    ask_fresh_link(request_path)
    assert len(mail.outbox) == 2
    assert Delivery.objects.filter(kind="details_check", to_email="zoe@asso.fr").count() == 2


def test_no_link_for_someone_erased_and_none_sent_to_someone_unsubscribed(request_path, zoe):
    partner_services.contact_unsubscribe(contact=zoe)
    refused = ask_fresh_link(request_path)
    assert "Aucun lien ne peut être envoyé" in page_text(refused)
    partner_services.contact_erase(contact=zoe)
    assert Client().get(request_path).status_code == 404
    assert ask_fresh_link(request_path).status_code == 404
    assert not mail.outbox
    assert not Delivery.objects.filter(kind="details_check").exists()


# --- one-click unsubscribe stays one click -------------------------------------------------------


def test_unsubscribing_from_the_compte_rendu_stays_one_click(report_email, zoe):
    header = report_email.extra_headers["List-Unsubscribe"]
    assert report_email.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = path_of(header.strip("<>"))
    assert link_after(text_part(report_email), "Ne plus rien recevoir") == url
    # Its page offers, rather than leaving, to choose: through the asking page, not the forms.
    page = page_text(Client().get(url))
    choose = re.search(r'href="([^"]+/coordonnees/)">Choisir plutôt ce que je reçois', page)
    assert Client().get(choose.group(1)).status_code == 200
    # RFC 8058: the mail client POSTs once, with no form token and no page in between.
    response = Client(enforce_csrf_checks=True).post(
        url, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 200
    assert "Vous êtes désinscrit·e" in page_text(response)
    zoe.refresh_from_db()
    assert zoe.unsubscribed_at is not None


# --- every mass e-mail carries the asking link ---------------------------------------------------


def test_invitations_and_surveys_carry_the_asking_link_too(territory, coordinator, zoe):
    from tests.evaluation.test_survey_data import campaign
    from tests.evaluation.test_survey_data import send as send_survey

    start = timezone.now() + dt.timedelta(days=10)
    meeting = MeetingFactory(
        group=WorkGroupFactory(contract=ContractFactory(territory=territory)),
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
    )
    Invitation.objects.create(meeting=meeting, contact=zoe)
    with TestCase.captureOnCommitCallbacks(execute=True):
        services.invitations_send(meeting=meeting)
    send_survey(campaign(territory))
    assert len(mail.outbox) == 2
    for message in mail.outbox:
        path = link_after(text_part(message), DETAILS_LABEL)
        assert path.endswith("/coordonnees/"), path
        page = Client().get(path)
        assert page.status_code == 200
        assert 'name="details-phone"' not in page_text(page)


# --- the pages' queries do not grow --------------------------------------------------------------


def test_the_asking_page_reads_a_fixed_number_of_queries(request_path, territory, zoe):
    def grow() -> None:
        ContactFactory.create_batch(5, territory=territory)
        for _n in range(3):
            Delivery.objects.create(
                territory=territory,
                kind="details_check",
                topic=f"contact:{zoe.pk}",
                revision=_n + 10,
                contact_id=zoe.pk,
                to_email=zoe.email,
                status=DeliveryStatus.SENT,
                created_at=timezone.now() - dt.timedelta(days=1),
            )

    assert_constant_queries(Client(), request_path, grow, at_most=4)
    count, _sql = count_queries(Client(), request_path)
    assert count <= 4


# --- the asking page in a real Chromium ----------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_asking_page_passes_axe_and_works_by_keyboard(page, live_server, territory, zoe):
    from playwright.sync_api import expect

    from partners.tokens import mailing_token
    from tests.support.browser import assert_no_axe_violations

    page.goto(f"{live_server.url}/partenaire/{mailing_token(zoe)}/coordonnees/")
    expect(page.get_by_role("heading", level=1)).to_have_text(DETAILS_LABEL)
    assert_no_axe_violations(page)
    # From the top of the page, the keyboard alone reaches the button and presses it.
    button = page.get_by_role("button", name="M'envoyer un lien")
    for _press in range(15):
        page.keyboard.press("Tab")
        if button.evaluate("b => b === document.activeElement"):
            break
    else:
        pytest.fail("Le bouton « M'envoyer un lien » n'est pas atteint au clavier.")
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text(
        "Nous venons d'envoyer un lien à l'adresse enregistrée (z***@asso.fr)."
    )
    assert_no_axe_violations(page)
    assert Delivery.objects.filter(kind="details_check", to_email="zoe@asso.fr").count() == 1
