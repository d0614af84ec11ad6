""" "Retirer" on a group's list of members asks first, as the invitation list does: a page (no
script needed) names the person, the group and what they lose, and only its second button
takes them off; the way back removes nobody. Whoever may not edit the group never sees the
question."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import ContactFactory
from workgroups.models import Membership, MembershipKind

pytestmark = pytest.mark.django_db

BASE = "/t/cergy"
QUESTION_QUERIES = 5  # session, user, access, the group, the membership with its contact


def text_of(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


@pytest.fixture
def member(group, partners):
    Membership.objects.create(group=group, contact=partners[1], kind=MembershipKind.MEMBER)
    return Membership.objects.create(
        group=group, contact=partners[0], kind=MembershipKind.SUBSCRIBER, reports=True
    )


def members_url(group) -> str:
    return f"{BASE}/groupes/{group.pk}/membres/"


def test_retirer_asks_first_and_removes_nobody(login_as, coordinator, group, member):
    client = login_as(coordinator)
    page = client.get(f"{BASE}/groupes/{group.pk}/").content.decode()
    assert re.search(rf'name="remove"\s+value="{member.contact_id}"', page)

    response = client.post(members_url(group), {"remove": member.contact_id})

    assert response.status_code == 200
    html = response.content.decode()
    name = str(member.contact)
    h1 = re.search(r"<h1[^>]*>(.*?)</h1>", html, re.S)[1]
    assert text_of(h1) == f"Retirer {name} du groupe « GT Santé mentale » ?"
    assert "ne recevra plus les comptes-rendus de ce groupe" in text_of(html)
    assert re.search(
        rf'<button type="submit" name="confirm" value="1" class="button">Retirer {re.escape(name)}'
        r" du groupe</button>",
        html,
    )
    assert f'name="remove" value="{member.contact_id}"' in html
    assert f'href="/t/cergy/groupes/{group.pk}/"' in html
    assert "Revenir au groupe sans retirer personne" in html
    assert group.memberships.count() == 2, "nothing removed yet"


def test_the_second_press_removes_the_person_and_says_so(login_as, coordinator, group, member):
    response = login_as(coordinator).post(
        members_url(group), {"remove": member.contact_id, "confirm": "1"}, follow=True
    )
    assert response.redirect_chain[-1][0] == f"/t/cergy/groupes/{group.pk}/"
    assert f"{member.contact} ne fait plus partie du groupe." in text_of(response.content.decode())
    assert list(group.memberships.values_list("kind", flat=True)) == [MembershipKind.MEMBER]


def test_a_member_is_told_they_leave_the_group(login_as, coordinator, group, member, partners):
    response = login_as(coordinator).post(members_url(group), {"remove": partners[1].pk})
    assert f"{partners[1]}, membre depuis le" in text_of(response.content.decode())
    assert group.memberships.count() == 2


def test_the_question_is_not_asked_to_whom_may_not_remove(
    login_as, viewer, outsider, group, member
):
    for who in (viewer, outsider):
        for data in ({"remove": member.contact_id}, {"remove": member.contact_id, "confirm": 1}):
            response = login_as(who).post(members_url(group), data)
            assert response.status_code in (403, 404)
            assert str(member.contact) not in response.content.decode()
    assert group.memberships.count() == 2


def test_the_question_costs_the_same_whatever_the_size_of_the_group(
    login_as, coordinator, group, member, territory
):
    client = login_as(coordinator)
    data = {"remove": member.contact_id}
    client.post(members_url(group), data)  # warms the session and content types
    with CaptureQueriesContext(connection) as small:
        assert client.post(members_url(group), data).status_code == 200
    for contact in ContactFactory.create_batch(20, territory=territory):
        Membership.objects.create(group=group, contact=contact)
    with CaptureQueriesContext(connection) as large:
        assert client.post(members_url(group), data).status_code == 200
    assert len(large) == len(small) == QUESTION_QUERIES, [q["sql"] for q in large]
