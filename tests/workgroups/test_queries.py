"""The meeting pages issue as many SQL queries with one agenda item, one invitee and one fiche as
with many: counted at two data sizes (tests/support/queries.py)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.html import escape

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


def test_the_meeting_form_names_each_line_s_structure_and_lists_none(
    login_as, coordinator, meeting, territory, grow
):
    grow(2)
    unnamed = OrganizationFactory(territory=territory, name="Structure jamais citée")
    page = login_as(coordinator).get(f"{BASE}/reunions/{meeting.pk}/modifier/").content.decode()
    # Each saved line shows its structure picked (named, its id beside); the others are
    # searched as one types (partners/search.py): the page lists none of them.
    items = list(meeting.agenda_items.select_related("organization"))
    for n, item in enumerate(items):
        assert f'name="odj-{n}-organization" value="{escape(item.organization)}"' in page
        assert f'name="odj-{n}-organization_id" value="{item.organization_id}"' in page
    assert f'name="odj-{len(items)}-organization" value=""' in page, "a blank line, to fill"
    assert unnamed.name not in page


def count_post_queries(client: Client, url: str, data: dict) -> tuple[int, list[str]]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.post(url, data)
    assert response.status_code == 200, f"{url} answered {response.status_code}"
    return len(ctx.captured_queries), [q["sql"] for q in ctx.captured_queries]


@pytest.fixture
def invited(meeting):
    """Upcoming, its invitations sent: cancelling or moving it mails the invitees."""
    meeting.invitations_sent_at = timezone.now()
    meeting.save(update_fields=["invitations_sent_at"])
    return meeting


def test_the_cancel_confirmation_keeps_a_constant_query_count(login_as, coordinator, invited, grow):
    client = login_as(coordinator)
    url = f"{BASE}/reunions/{invited.pk}/annuler/"

    assert_constant_queries(client, url, grow, at_most=6)

    assert client.get(url).context["count"] == invited.invitations.count() == 8


def test_the_move_confirmation_keeps_a_constant_query_count(login_as, coordinator, invited, grow):
    """Counted on the POST that asks first: the form's values, a new place, no "confirm"."""
    client = login_as(coordinator)
    url = f"{BASE}/reunions/{invited.pk}/modifier/"
    form = client.get(url).context["form"]
    data = {"odj-TOTAL_FORMS": "0", "odj-INITIAL_FORMS": "0"}
    for field in form:
        value = field.value()
        value = value.isoformat() if hasattr(value, "isoformat") else value  # day, start, end
        data[field.html_name] = data[field.html_initial_name] = "" if value is None else value
    data["place"] = "Salle des fêtes"
    count_post_queries(client, url, data)  # warms the session and the caches

    before, _sql = count_post_queries(client, url, data)
    grow()
    after, sql = count_post_queries(client, url, data)

    assert after == before, "\n".join(sql)
    assert after <= 10, f"{after} requêtes"
    response = client.post(url, data)
    assert response.templates[0].name == "workgroups/meeting_move_confirm.html"
    assert response.context["count"] == invited.invitations.count() == 8
    invited.refresh_from_db()
    assert invited.place == "Maison de quartier", "nothing saved before the confirmation"
