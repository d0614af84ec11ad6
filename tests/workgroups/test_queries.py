"""The meeting pages issue as many SQL queries with one agenda item, one invitee and one fiche as
with many: counted at two data sizes (tests/support/queries.py)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from cls_platform.models import Delivery, DeliveryStatus
from tests.factories import ContactFactory, FicheActionFactory, OrganizationFactory
from tests.support.queries import assert_constant_queries
from workgroups import services
from workgroups.models import AgendaItem, Invitation, MeetingAction, Membership, MembershipKind
from workgroups.tokens import invitation_token

pytestmark = pytest.mark.django_db

BASE = "/t/cergy"


@pytest.fixture
def grow(meeting, territory):
    """Adds to everything the meeting pages show: agenda items (with their structure),
    invitees with a sent invitation and report, subscribers, fiches-actions discussed."""

    def _grow(n: int = 7) -> None:
        start = meeting.agenda_items.count()
        for i in range(n):
            organization = OrganizationFactory(territory=territory)
            AgendaItem.objects.create(
                meeting=meeting,
                title=f"Point {start + i}",
                order=start + i,
                organization=organization,
            )
            contact = ContactFactory(territory=territory, organization=organization)
            Invitation.objects.create(meeting=meeting, contact=contact)
            for kind in ("invitation", "report"):
                Delivery.objects.create(
                    territory=territory,
                    kind=kind,
                    topic=meeting.topic,
                    contact_id=contact.pk,
                    to_email=contact.email,
                    status=DeliveryStatus.SENT,
                )
            Membership.objects.create(
                group=meeting.group,
                contact=ContactFactory(territory=territory),
                kind=MembershipKind.SUBSCRIBER,
            )
            fiche = FicheActionFactory(contract=meeting.group.contract)
            MeetingAction.objects.create(meeting=meeting, fiche=fiche)

    _grow(1)
    return _grow


@pytest.mark.parametrize(
    ("page", "at_most"),
    [
        ("modifier/", 12),
        ("invitations/envoyer/", 12),
        ("compte-rendu/envoyer/", 12),
        ("compte-rendu/", 12),
    ],
    ids=["meeting-edit", "invitations-confirmation", "report-confirmation", "report-editor"],
)
def test_meeting_pages_keep_a_constant_query_count(
    login_as, coordinator, meeting, grow, page, at_most
):
    # Under way: invitations may still go, and the compte-rendu may be written.
    meeting.starts_at = timezone.now() - dt.timedelta(hours=1)
    meeting.ends_at = timezone.now() + dt.timedelta(hours=1)
    meeting.save()
    services.report_save(meeting=meeting, html="Compte-rendu.")
    url = f"{BASE}/reunions/{meeting.pk}/{page}"
    assert_constant_queries(login_as(coordinator), url, grow, at_most=at_most)


def test_the_answer_page_keeps_a_constant_query_count(meeting, partners, grow):
    invitation = Invitation.objects.create(meeting=meeting, contact=partners[0])
    url = f"/reunion/{invitation_token(invitation.pk)}/oui/"
    assert_constant_queries(Client(), url, grow, at_most=4)


def test_the_meeting_form_lists_the_structures_in_every_agenda_line(
    login_as, coordinator, meeting, grow
):
    grow(2)
    page = login_as(coordinator).get(f"{BASE}/reunions/{meeting.pk}/modifier/").content.decode()
    first = meeting.agenda_items.select_related("organization").first()
    # Each saved line shows its structure selected; the blank lines offer all of them.
    assert page.count(f'<option value="{first.organization_id}" selected>') == 1
    assert (
        page.count(f'<option value="{first.organization_id}"') == meeting.agenda_items.count() + 3
    )
