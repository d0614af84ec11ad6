"""The territory dashboard: its own data only, a fixed number of queries."""

from __future__ import annotations

import datetime as dt
import html

import pytest
from django.utils import timezone

from actions.models import ActionStatus, ContractStatus, FicheAction
from cls_platform.access import scoped
from partners.models import Contact, Organization
from tests.factories import (
    ContactFactory,
    ContractFactory,
    FicheActionFactory,
    MeetingFactory,
    OrganizationFactory,
    WorkGroupFactory,
)
from tests.support.queries import assert_constant_queries
from workgroups.models import MeetingStatus

pytestmark = pytest.mark.django_db


def add_activity(territory, n: int = 1, status: str = ContractStatus.SIGNED) -> None:
    contract = ContractFactory(territory=territory, status=status)
    group = WorkGroupFactory(contract=contract)
    for _ in range(n):
        OrganizationFactory(territory=territory)
        ContactFactory(territory=territory)
        FicheActionFactory(contract=contract, status=ActionStatus.IN_PROGRESS)
        MeetingFactory(group=group)


def test_dashboard_counts_the_territory_and_nothing_else(login_as, coordinator, outsider):
    add_activity(coordinator.territory, n=3)
    add_activity(outsider.territory, n=5)
    page = login_as(coordinator).get("/t/cergy/").content.decode()
    assert "Tableau de bord · Cergy" in page
    assert "Vitry" not in page
    overview = login_as(coordinator).get("/t/cergy/").context["overview"]
    # 3 organizations made directly, 3 more behind the contacts
    assert overview.organization_count == 6
    assert overview.contact_count == 3
    assert overview.action_count == 3
    assert overview.group_count == 1
    assert len(overview.next_meetings) == 3


def test_next_meetings_are_upcoming_planned_and_in_date_order(login_as, coordinator):
    group = WorkGroupFactory(contract=ContractFactory(territory=coordinator.territory))
    now = timezone.now()
    late = MeetingFactory(
        group=group, title="Plénière de juin", starts_at=now + dt.timedelta(days=30)
    )
    soon = MeetingFactory(
        group=group, title="GT santé mentale", starts_at=now + dt.timedelta(days=3)
    )
    MeetingFactory(group=group, title="Réunion passée", starts_at=now - dt.timedelta(days=3))
    MeetingFactory(
        group=group,
        title="Réunion annulée",
        starts_at=now + dt.timedelta(days=5),
        status=MeetingStatus.CANCELLED,
    )
    page = login_as(coordinator).get("/t/cergy/").content.decode()
    assert "Réunion passée" not in page
    assert "Réunion annulée" not in page
    assert page.index(soon.title) < page.index(late.title)


def test_departed_and_unsubscribed_contacts_are_not_counted_as_reachable(login_as, coordinator):
    ContactFactory(territory=coordinator.territory)
    ContactFactory(territory=coordinator.territory, left_at=dt.date(2025, 1, 1))
    ContactFactory(territory=coordinator.territory, unsubscribed_at=timezone.now())
    ContactFactory(territory=coordinator.territory, bounced_at=timezone.now())
    assert login_as(coordinator).get("/t/cergy/").context["overview"].contact_count == 1


@pytest.mark.parametrize("who", ["coordinator", "viewer"])
def test_the_counts_read_in_one_statement_are_those_of_the_orm(request, login_as, who):
    access = request.getfixturevalue(who)
    territory = access.territory
    for status in (ContractStatus.SIGNED, ContractStatus.DRAFT, ContractStatus.CLOSED):
        contract = ContractFactory(territory=territory, status=status)
        for fiche_status in (ActionStatus.PLANNED, ActionStatus.DONE, ActionStatus.DONE):
            FicheActionFactory(contract=contract, status=fiche_status)
    OrganizationFactory(territory=territory, is_internal=True)
    OrganizationFactory(territory=territory, is_internal=True, archived_at=timezone.now())
    OrganizationFactory(territory=territory, archived_at=timezone.now())
    ContactFactory(territory=territory, is_active=False)
    ContactFactory(territory=territory, anonymized_at=timezone.now())
    ContactFactory(territory=territory, bounced_at=timezone.now())
    ContactFactory(territory=territory)
    add_activity(request.getfixturevalue("outsider").territory, n=2)
    overview = login_as(access).get("/t/cergy/").context["overview"]
    organizations = scoped(Organization.objects.filter(archived_at__isnull=True), access)
    fiches = scoped(FicheAction.objects.all(), access)
    assert overview.organization_count == organizations.count()
    assert overview.internal_organization_count == organizations.filter(is_internal=True).count()
    assert overview.contact_count == scoped(Contact.objects.mailable(), access).count() == 1
    assert overview.action_count == fiches.count() == (6 if who == "viewer" else 9)
    assert {row.status: row.count for row in overview.actions_by_status} == {
        status: fiches.filter(status=status).count() for status in ActionStatus.values
    }


def test_viewer_sees_signed_contracts_only(login_as, viewer):
    ContractFactory(territory=viewer.territory, title="CLS 2023-2028 signé")
    ContractFactory(
        territory=viewer.territory,
        title="Projet de CLS 2029-2034",
        status=ContractStatus.DRAFT,
        start_year=2029,
        end_year=2034,
    )
    page = login_as(viewer).get("/t/cergy/").content.decode()
    assert "CLS 2023-2028 signé" in page
    assert "Projet de CLS 2029-2034" not in page
    assert "lecture seule" in page


def test_copilot_sees_the_groups_they_pilot(login_as, copilot):
    contract = ContractFactory(territory=copilot.territory)
    person = ContactFactory(territory=copilot.territory, user=copilot.user)
    mine = WorkGroupFactory(contract=contract, name="GT Santé sexuelle")
    mine.pilots.add(person)
    WorkGroupFactory(contract=contract, name="GT Habitat")
    overview = login_as(copilot).get("/t/cergy/").context["overview"]
    assert [g.name for g in overview.my_groups] == ["GT Santé sexuelle"]


@pytest.mark.parametrize("who", ["coordinator", "copilot", "viewer"])
def test_dashboard_query_count_does_not_grow_with_data(request, login_as, who):
    access = request.getfixturevalue(who)
    add_activity(access.territory, n=2)
    client = login_as(access)
    count = assert_constant_queries(
        client,
        "/t/cergy/",
        lambda: add_activity(access.territory, n=15),
        # The session, user and access; the contracts, the counts (one statement), the next
        # meetings; the groups, their pilots (a co-pilot's groups too) and meetings for their
        # state; the open campaigns; the signed contracts' figures (two); the navigation's
        # question: several territories?
        at_most=13,
    )
    assert count > 0


def test_the_figures_are_named_in_french_at_zero_one_and_more(login_as, coordinator):
    client = login_as(coordinator)
    page = html.unescape(client.get("/t/cergy/").content.decode())
    assert 'aria-label="0 structure partenaire : voir l\'annuaire"' in page
    assert 'aria-label="0 fiche-action : voir la liste"' in page
    OrganizationFactory(territory=coordinator.territory)
    FicheActionFactory(contract=ContractFactory(territory=coordinator.territory))
    page = html.unescape(client.get("/t/cergy/").content.decode())
    assert 'aria-label="1 structure partenaire : voir l\'annuaire"' in page
    assert 'aria-label="1 fiche-action : voir la liste"' in page
