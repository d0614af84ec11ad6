""" "Retirer" on the invitation list asks first: a page (no script needed) names the person and
the meeting, and only its second button takes them off the list; the way back removes nobody
and returns to the list as it was filtered."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.utils import timezone

from cls_platform.models import Delivery, DeliveryStatus
from workgroups import services
from workgroups.models import KIND_INVITATION

pytestmark = pytest.mark.django_db

BASE = "/t/cergy"


@pytest.fixture
def listed(meeting, partners):
    services.invitations_prepare(meeting=meeting)
    return meeting.invitations.select_related("contact").get(contact=partners[0])


def remove_url(meeting) -> str:
    return f"{BASE}/invitations/{meeting.pk}/retirer/"


def text_of(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def test_retirer_asks_first_and_removes_nobody(login_as, coordinator, meeting, partners, listed):
    client = login_as(coordinator)
    page = client.get(f"{BASE}/reunions/{meeting.pk}/").content.decode()
    assert f'form="retrait" name="invitation" value="{listed.pk}"' in page

    response = client.post(remove_url(meeting), {"invitation": listed.pk, "q": "P0"})

    assert response.status_code == 200
    html = response.content.decode()
    name = str(listed.contact)
    h1 = re.search(r"<h1[^>]*>(.*?)</h1>", html, re.S)[1]
    assert text_of(h1) == f"Retirer {name} de la liste des invités ?"
    assert f"{name} ne recevra pas l'invitation à cette réunion." in text_of(html)
    # The second press, a real submit button, names the person; the way back keeps the filter.
    assert re.search(
        rf'<button type="submit" name="confirm" value="1" class="button">Retirer {re.escape(name)}'
        r"</button>",
        html,
    )
    assert f'name="invitation" value="{listed.pk}"' in html and 'name="q" value="P0"' in html
    assert f'href="/t/cergy/reunions/{meeting.pk}/?q=P0#invites"' in html
    assert "Revenir à la réunion sans retirer personne" in html
    assert meeting.invitations.filter(pk=listed.pk).exists(), "nothing removed yet"
    assert meeting.invitations.count() == len(partners)


def test_the_second_press_removes_the_person_and_says_so(
    login_as, coordinator, meeting, partners, listed
):
    client = login_as(coordinator)
    response = client.post(
        remove_url(meeting), {"invitation": listed.pk, "q": "", "confirm": "1"}, follow=True
    )
    assert response.redirect_chain[-1][0] == f"/t/cergy/reunions/{meeting.pk}/#invites"
    assert f"{listed.contact} est retiré·e de la liste." in text_of(response.content.decode())
    assert not meeting.invitations.filter(pk=listed.pk).exists()
    assert meeting.invitations.count() == len(partners) - 1


def test_an_invitation_already_sent_is_still_refused_on_confirmation(
    login_as, coordinator, meeting, listed
):
    Delivery.objects.create(
        territory=meeting.territory,
        kind=KIND_INVITATION,
        topic=meeting.topic,
        contact_id=listed.contact_id,
        to_email=listed.contact.email,
        status=DeliveryStatus.SENT,
    )
    meeting.invitations_sent_at = timezone.now()
    meeting.save(update_fields=["invitations_sent_at"])
    response = login_as(coordinator).post(
        remove_url(meeting), {"invitation": listed.pk, "confirm": "1"}, follow=True
    )
    assert "L'invitation est déjà partie" in text_of(response.content.decode())
    assert meeting.invitations.filter(pk=listed.pk).exists()


def test_the_question_is_not_asked_to_whom_may_not_remove(
    login_as, viewer, outsider, meeting, listed
):
    for who in (viewer, outsider):
        response = login_as(who).post(remove_url(meeting), {"invitation": listed.pk})
        assert response.status_code in (403, 404)
        assert str(listed.contact) not in response.content.decode()
    assert meeting.invitations.filter(pk=listed.pk).exists()
