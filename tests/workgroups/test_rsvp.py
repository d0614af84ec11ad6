"""The "je viens" / "je ne viens pas" links: opening one records nothing (mail filters open every
link of a message), the page's form does, and a person still answers in one click."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest
from django.test import Client
from django.utils import timezone

from workgroups.models import Invitation, Rsvp
from workgroups.tokens import invitation_token

pytestmark = pytest.mark.django_db


@pytest.fixture
def invitation(meeting, partners) -> Invitation:
    return Invitation.objects.create(meeting=meeting, contact=partners[0])


_links: dict[tuple[int, str], str] = {}


def url(invitation: Invitation, answer: str = "oui") -> str:
    """The link of the e-mail. A token holds the second it was signed: made once per
    invitation, so that two calls a second apart compare equal."""
    key = (invitation.pk, answer)
    if key not in _links:
        token = _links.get((invitation.pk, "token")) or invitation_token(invitation.pk)
        _links[(invitation.pk, "token")] = token
        _links[key] = f"/reunion/{token}/{answer}/"
    return _links[key]


@pytest.fixture(autouse=True)
def _fresh_links():
    _links.clear()


def text(response) -> str:
    return html.unescape(response.content.decode())


def test_opening_the_link_records_nothing_and_asks_to_confirm_the_answer(invitation):
    client = Client()

    head = client.head(url(invitation))
    response = client.get(url(invitation))

    assert head.status_code == response.status_code == 200
    invitation.refresh_from_db()
    assert (invitation.rsvp, invitation.rsvp_at) == (Rsvp.PENDING, None)
    page = text(response)
    # RGAA 7.4: the page says which answer the button sends, and sends nothing by itself.
    assert "Confirmez votre réponse : je viens" in page
    assert "Votre réponse n'est pas encore envoyée" in page
    assert re.search(r'<form method="post" data-rsvp>', page)
    assert "Envoyer : je viens" in page
    assert "data-autosubmit" not in page
    assert 'src="/static/js/rsvp.js" defer' in page
    assert "<script>" not in page  # no inline script: a strict CSP allows the page


def test_the_form_records_the_answer_with_the_csrf_token_of_the_page(invitation):
    client = Client(enforce_csrf_checks=True)
    page = text(client.get(url(invitation)))
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)

    assert client.post(url(invitation)).status_code == 403  # not from our page
    response = client.post(url(invitation), {"csrfmiddlewaretoken": token})

    assert response.status_code == 302 and response["Location"] == url(invitation)
    invitation.refresh_from_db()
    assert invitation.rsvp == Rsvp.YES and invitation.rsvp_at is not None
    page = text(client.get(response["Location"]))
    assert "Merci, vous êtes inscrit·e" in page
    assert "data-rsvp" not in page  # recorded: nothing more to submit
    assert "Finalement, je ne viens pas" in page


def test_changing_one_s_mind_is_a_post_too(invitation):
    client = Client()
    client.post(url(invitation, "oui"))

    page = text(client.get(url(invitation, "oui")))
    assert f'action="{url(invitation, "non")}"' in page  # a form, not a link
    assert f'href="{url(invitation, "non")}"' not in page
    client.post(url(invitation, "non"), follow=True)

    invitation.refresh_from_db()
    assert invitation.rsvp == Rsvp.NO
    assert "C'est noté, vous ne venez pas" in text(client.get(url(invitation, "non")))


def test_a_forged_or_unknown_link_is_refused_in_french(invitation):
    client = Client()
    token = invitation_token(invitation.pk)
    for bad in (f"/reunion/{token[:-2]}xx/oui/", f"/reunion/{token}/peut-etre/"):
        response = client.get(bad)
        assert response.status_code == 404
        assert "Ce lien a expiré ou n'est pas valide" in text(response)
        assert client.post(bad).status_code == 404
    invitation.refresh_from_db()
    assert invitation.rsvp == Rsvp.PENDING


def test_a_meeting_that_is_over_or_cancelled_can_no_longer_be_answered(invitation, meeting):
    client = Client()
    meeting.starts_at = timezone.now() - dt.timedelta(days=3)
    meeting.ends_at = meeting.starts_at + dt.timedelta(hours=2)
    meeting.save()

    response = client.post(url(invitation))
    assert response.status_code == 200
    assert "Cette réunion est passée : il n'est plus possible d'y répondre." in text(response)
    assert "data-rsvp" not in text(client.get(url(invitation)))

    meeting.status = "cancelled"
    meeting.save()
    assert "Cette réunion est annulée" in text(client.post(url(invitation)))
    invitation.refresh_from_db()
    assert invitation.rsvp == Rsvp.PENDING


def test_other_methods_are_refused(invitation):
    response = Client().put(url(invitation))
    assert response.status_code == 405
