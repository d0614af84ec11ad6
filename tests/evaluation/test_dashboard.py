"""The territory dashboard: its own data only, a fixed number of queries."""

from __future__ import annotations

import datetime as dt
import html

import pytest
from django.db import connection
from django.utils import timezone

from actions.models import ActionStatus, ContractStatus, FicheAction
from actions.selectors import contract_list
from cls_platform.access import scoped
from evaluation.selectors import group_healths, territory_overview
from evaluation.surveys.models import SurveyInvitation
from evaluation.surveys.selectors import survey_list
from partners.models import Contact, Organization
from tests.evaluation.test_survey_data import campaign
from tests.factories import (
    AxisFactory,
    ContactFactory,
    ContractFactory,
    FicheActionFactory,
    MeetingFactory,
    OrganizationFactory,
    WorkGroupFactory,
)
from tests.support.queries import assert_constant_queries
from workgroups.models import GroupStatus, Meeting, MeetingStatus, WorkGroup

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
        # The session, user and access (with the navigation's question: several
        # territories?); the contracts, the counts, the next meetings, the groups and the open
        # campaigns, one round trip on PostgreSQL (five statements elsewhere); the groups'
        # pilots (a co-pilot's groups too) and meetings for their state; a viewer's signed
        # contracts' figures, one round trip (two statements elsewhere).
        at_most=6 if connection.vendor == "postgresql" else 13,
    )
    assert count > 0


@pytest.mark.parametrize("who", ["coordinator", "copilot", "viewer"])
def test_the_reads_written_out_are_those_of_the_orm(request, who):
    """The contracts, next meetings, groups and open campaigns read in one round trip are those
    of the querysets they replaced, in their order (a viewer: the signed and closed contracts
    only), the territory's only."""
    access = request.getfixturevalue(who)
    territory = access.territory
    now, today = timezone.now(), timezone.localdate()
    for n, status in enumerate(
        (ContractStatus.SIGNED, ContractStatus.DRAFT, ContractStatus.CLOSED)
    ):
        contract = ContractFactory(
            territory=territory, status=status, title=f"CLS {n}", start_year=2020 + n % 2
        )
        for _ in range(n + 1):
            AxisFactory(contract=contract)
        for _ in range(2 * n + 1):
            FicheActionFactory(contract=contract)
        for name, group_status in (("B", GroupStatus.ACTIVE), ("A", GroupStatus.STANDBY)):
            group = WorkGroupFactory(contract=contract, name=f"GT {name}", status=group_status)
            for days, meeting_status in (
                (3 + n, MeetingStatus.PLANNED),
                (20 + n, MeetingStatus.PLANNED),
                (5, MeetingStatus.CANCELLED),
                (-10, MeetingStatus.HELD),
            ):
                MeetingFactory(
                    group=group, starts_at=now + dt.timedelta(days=days), status=meeting_status
                )
        survey = campaign(territory, contract=contract, title=f"Bilan {n}")
        campaign(territory, contract=contract, opens=-30, closes=-1, title=f"Bilan clos {n}")
        for k in range(n + 2):
            SurveyInvitation.objects.create(
                territory=territory,
                survey=survey,
                contact=ContactFactory(territory=territory),
                submitted_at=now if k % 2 else None,
            )
    add_activity(request.getfixturevalue("outsider").territory, n=3)
    overview = territory_overview(access=access)

    def contracts(rows):
        return [(c.pk, c.title, c.period, c.status, c.action_count, c.axis_count) for c in rows]

    assert contracts(overview.contracts) == contracts(contract_list(access=access))
    assert len(overview.contracts) == (2 if who == "viewer" else 3)
    meetings = (
        scoped(Meeting.objects.all(), access)
        .filter(starts_at__gte=now, status=MeetingStatus.PLANNED)
        .select_related("group")
        .order_by("starts_at", "pk")[:5]
    )
    assert [
        (m.pk, m.title, m.place, m.starts_at, m.group.name) for m in overview.next_meetings
    ] == [(m.pk, m.title, m.place, m.starts_at, m.group.name) for m in meetings]
    counts, unwell, active, mine = group_healths(access)  # the groups read with the ORM
    assert overview.health_counts == counts and overview.active_group_count == active
    assert [h.group.pk for h in overview.unwell] == [h.group.pk for h in unwell]
    assert overview.group_count == scoped(WorkGroup.objects.all(), access).count()
    assert [g.pk for g in overview.my_groups] == [g.pk for g in mine]
    surveys = survey_list(access=access).filter(opens_on__lte=today, closes_on__gte=today)
    assert [(s.pk, s.title, s.closes_on, s.invited, s.answered) for s in overview.open_surveys] == [
        (s.pk, s.title, s.closes_on, s.invited, s.answered) for s in surveys
    ]
    assert len(overview.open_surveys) == (2 if who == "viewer" else 3)


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
