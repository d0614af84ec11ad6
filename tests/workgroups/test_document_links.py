"""The shared documents of a compte-rendu, as links (issue 12): each link names the person it was
sent to and is checked at each download, so it closes when that person is erased (404) or
unsubscribes (410, a French page saying why), however recent the e-mail that carried it.

The links are read from the e-mails as their readers read them: the MIME message parsed from the
bytes that were sent, its text part."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import html
import time
from unittest import mock

import pytest
from django.conf import settings
from django.core import mail
from django.core.files.base import ContentFile
from django.test import Client
from django.utils import timezone

from partners import services as partner_services
from tests.factories import ContactFactory, MeetingFactory
from tests.support.queries import assert_constant_queries
from workgroups import emails, services
from workgroups.models import Invitation, MeetingDocument
from workgroups.tokens import MAX_AGE, document_token

pytestmark = pytest.mark.django_db

CONTENT = b"%PDF-1.4 une longue presentation"


@pytest.fixture
def meeting(group):
    start = timezone.now() - dt.timedelta(days=2)
    return MeetingFactory(
        group=group, title="Printemps", starts_at=start, ends_at=start + dt.timedelta(hours=2)
    )


@pytest.fixture
def document(meeting) -> MeetingDocument:
    return MeetingDocument.objects.create(
        meeting=meeting,
        title="Diaporama du CMP",
        file=ContentFile(CONTENT, name="cmp.pdf"),
        file_name="cmp.pdf",
        size=len(CONTENT),
        content_type="application/pdf",
    )


@pytest.fixture
def links(meeting, document, coordinator, partners, send, monkeypatch) -> dict[str, str]:
    """The compte-rendu sent to two partners, its document too big to be attached: each
    reader's link to it, by address."""
    monkeypatch.setattr(emails, "MAX_ATTACHED_BYTES", 10)
    emails._report_bundle.cache_clear()
    for contact in partners[:2]:
        Invitation.objects.create(meeting=meeting, contact=contact)
    services.report_save(meeting=meeting, html="<p>Texte.</p>")
    send(services.report_send, meeting=meeting)
    found = {}
    for message in mail.outbox:
        whole = email.message_from_bytes(message.message().as_bytes(), policy=email.policy.default)
        assert not [p for p in whole.walk() if p.get_filename() == "cmp.pdf"]
        text = whole.get_body(preferencelist=("plain",)).get_content()
        line = next(line for line in text.splitlines() if line.startswith("- Diaporama du CMP : "))
        url = line.removeprefix("- Diaporama du CMP : ").strip()
        found[message.to[0]] = url.removeprefix(settings.SITE_URL)
    return found


def download(path: str):
    return Client().get(path)


def opens(path: str) -> bool:
    response = download(path)
    if response.status_code != 200:
        return False
    return b"".join(response.streaming_content) == CONTENT


def test_each_reader_gets_a_link_of_their_own_that_opens_the_file(links):
    assert set(links) == {"p0@asso.fr", "p1@asso.fr"}
    assert links["p0@asso.fr"] != links["p1@asso.fr"]
    assert opens(links["p0@asso.fr"]) and opens(links["p1@asso.fr"])


def test_an_unsubscribed_persons_link_closes_with_a_french_page(links, partners, coordinator):
    partner_services.contact_unsubscribe(contact=partners[0])
    response = download(links["p0@asso.fr"])
    page = html.unescape(response.content.decode())
    assert response.status_code == 410
    assert "<h1>Ce lien n'ouvre plus le document</h1>" in page
    assert "La personne à qui ce lien a été envoyé s'est désinscrite" in page
    assert 'href="mailto:coordinatrice@cergy.fr"' in page
    assert "p0@asso.fr" not in page and "P0" not in page
    # Someone else's link is theirs: it still opens.
    assert opens(links["p1@asso.fr"])
    # Checked at each download: choosing to receive again opens it again.
    partner_services.contact_set_preferences(
        contact=partners[0], invitations=True, reports=True, groups={}
    )
    assert opens(links["p0@asso.fr"])


def test_an_erased_persons_link_answers_404(links, partners):
    partner_services.contact_erase(contact=partners[0])
    response = download(links["p0@asso.fr"])
    assert response.status_code == 404
    assert "Ce lien a expiré ou n'est pas valide" in html.unescape(response.content.decode())
    assert opens(links["p1@asso.fr"])
    partners[1].delete()
    assert download(links["p1@asso.fr"]).status_code == 404


def test_a_link_naming_no_one_or_someone_of_another_territory_opens_nothing(
    document, partners, other_territory
):
    from django.core import signing

    from workgroups.tokens import DOCUMENT_SALT

    nobody = signing.dumps({"d": document.pk, "c": None}, salt=DOCUMENT_SALT, compress=True)
    stranger = ContactFactory(territory=other_territory, email="p0@ailleurs.fr")
    for token in (nobody, document_token(document.pk, stranger.pk)):
        response = download(f"/reunion/document/{token}/")
        assert response.status_code == 404
        assert b"%PDF" not in response.content
    assert opens(f"/reunion/document/{document_token(document.pk, partners[0].pk)}/")


def test_the_link_lasts_180_days(links):
    with mock.patch("django.core.signing.time.time", return_value=time.time() + MAX_AGE - 3600):
        assert opens(links["p0@asso.fr"])
    with mock.patch("django.core.signing.time.time", return_value=time.time() + MAX_AGE + 60):
        assert download(links["p0@asso.fr"]).status_code == 404


def test_a_download_reads_a_fixed_number_of_queries(document, partners, territory):
    path = f"/reunion/document/{document_token(document.pk, partners[0].pk)}/"
    count = assert_constant_queries(
        Client(), path, lambda: ContactFactory.create_batch(5, territory=territory), at_most=2
    )
    assert count == 2
