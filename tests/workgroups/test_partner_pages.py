"""The partner's pages, reached without an account: the meeting page of a calendar event gives
the compte-rendu even when its PDF was not kept when it was sent (older meetings, the demo's),
the answer page promises the compte-rendu only to who receives it, and on the partner's own
page the way to revoke a calendar address can be seen."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest
from django.test import Client
from django.utils import timezone
from playwright.sync_api import Page, expect

from partners.tokens import contact_token
from tests.factories import ContactFactory, ContractFactory, MeetingFactory, WorkGroupFactory
from tests.support.browser import assert_no_axe_violations
from workgroups import feeds
from workgroups.models import Invitation, Meeting, MeetingStatus, Membership
from workgroups.tokens import invitation_token

pytestmark = pytest.mark.django_db


def path_of(url: str) -> str:
    return re.sub(r"^[a-z]+://[^/]+", "", url)


@pytest.fixture
def camille(territory):
    return ContactFactory(territory=territory, first_name="Camille", last_name="Roux")


@pytest.fixture
def group(territory, camille):
    group = WorkGroupFactory(contract=ContractFactory(territory=territory), name="GT Nutrition")
    Membership.objects.create(group=group, contact=camille)
    return group


@pytest.fixture
def held(group, camille) -> Meeting:
    start = timezone.now() - dt.timedelta(days=40)
    meeting = MeetingFactory(
        group=group,
        title="Ateliers cuisine",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
        status=MeetingStatus.HELD,
        report="<h3>Décisions</h3><p>Les ateliers continuent à la rentrée.</p>",
        report_sent_at=start + dt.timedelta(days=2),
    )
    Invitation.objects.create(meeting=meeting, contact=camille)
    return meeting


def test_a_report_sent_without_a_kept_pdf_is_made_for_the_partner(held, camille):
    assert not held.report_pdf

    page = html.unescape(
        Client().get(path_of(feeds.meeting_page_url(held.pk, camille.pk))).content.decode()
    )

    link = re.search(r'href="(/reunion/compte-rendu/[^"]+/)">Télécharger le compte-rendu', page)
    assert link, "the partner's meeting page offers the compte-rendu"
    response = Client().get(link.group(1))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert 'attachment; filename="compte-rendu-' in response["Content-Disposition"]


def test_a_report_not_sent_is_not_offered(held, camille):
    held.report_sent_at = None
    held.save()

    page = Client().get(path_of(feeds.meeting_page_url(held.pk, camille.pk))).content.decode()

    assert "/reunion/compte-rendu/" not in page
    token = feeds.report_pdf_token(held.pk, camille.pk)
    assert Client().get(f"/reunion/compte-rendu/{token}/").status_code == 404


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_revoke_button_of_a_calendar_address_can_be_seen(
    page: Page, live_server, camille, group, settings
):
    """It was white on white: a link-styled button that kept the button's white text."""
    settings.SITE_URL = live_server.url
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/partenaire/{contact_token(camille)}/")

    revoke = page.get_by_role("button", name=re.compile("^Révoquer cette adresse"))
    expect(revoke).to_be_visible()
    colour = revoke.evaluate("e => getComputedStyle(e).color")
    assert colour == "rgb(29, 63, 143)", "the link colour (--brand), 9:1 on white"
    address = page.get_by_label("Adresse de l'agenda « GT Nutrition »")
    # The field takes the width of the screen (it was a 20-character box beside its label).
    box = address.bounding_box()
    assert box is not None and box["width"] >= 300 and box["x"] + box["width"] <= 390
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert_no_axe_violations(page)


@pytest.mark.parametrize("reports", [True, False])
def test_the_answer_page_promises_the_report_only_to_who_receives_it(group, camille, reports):
    camille.receives_reports = reports
    camille.save()
    start = timezone.now() + dt.timedelta(days=10)
    meeting = MeetingFactory(group=group, starts_at=start, ends_at=start + dt.timedelta(hours=2))
    invitation = Invitation.objects.create(meeting=meeting, contact=camille)
    url = f"/reunion/{invitation_token(invitation.pk)}/oui/"
    client = Client()

    assert client.post(url).status_code == 302
    page = html.unescape(client.get(url).content.decode())

    assert "Merci, vous êtes inscrit·e" in page
    assert ("Vous recevrez le compte-rendu de la réunion" in page) is reports
