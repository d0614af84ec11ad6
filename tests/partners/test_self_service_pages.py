"""The partner's pages reached by a signed link: the unsubscribe link never expires and travels in
forwarded e-mails, so neither its page nor the page after it names the address; a personal link
still valid does."""

from __future__ import annotations

import html

import pytest
from django.test import Client

from partners.tokens import contact_token, unsubscribe_token
from tests.factories import ContactFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def camille(territory):
    return ContactFactory(
        territory=territory, first_name="Camille", last_name="Roux", email="camille@asso.fr"
    )


def test_unsubscribing_through_the_lasting_link_names_no_address(camille):
    url = f"/partenaire/{unsubscribe_token(camille)}/desinscription/"

    before = Client().get(url).content.decode()
    after = html.unescape(Client().post(url).content.decode())

    assert "camille@asso.fr" not in before and "camille@asso.fr" not in after
    assert "Votre adresse ne recevra plus d'envois du CLS." in after
    camille.refresh_from_db()
    assert camille.unsubscribed_at is not None


def test_unsubscribing_through_the_personal_link_names_the_address(camille):
    url = f"/partenaire/{contact_token(camille)}/desinscription/"

    after = html.unescape(Client().post(url).content.decode())

    assert "L'adresse camille@asso.fr ne recevra plus d'envois du CLS." in after
    assert "Changer d'avis : choisir ce que je reçois" in after
