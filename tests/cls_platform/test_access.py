"""Roles: coordinators edit their territory, co-pilots what they pilot, viewers read signed work."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from actions.models import Contract, ContractStatus, FicheAction
from cls_platform.access import can_edit, get_access, require_edit, scoped
from tests.factories import (
    ContactFactory,
    ContractFactory,
    FicheActionFactory,
    MeetingFactory,
    WorkGroupFactory,
)
from workgroups.models import Meeting, WorkGroup

pytestmark = pytest.mark.django_db


def test_access_to_another_territory_is_indistinguishable_from_a_missing_one(outsider, territory):
    with pytest.raises(Http404):
        get_access(user=outsider.user, territory_slug=territory.slug)
    with pytest.raises(Http404):
        get_access(user=outsider.user, territory_slug="nulle-part")


def test_the_access_read_in_sql_is_the_orm_s(coordinator, other_territory):
    """get_access writes its statement out: the access, its territory and whether the user holds
    another territory are those the ORM reads, types included (SQLite's booleans and dates)."""
    from django.db.models import Exists, OuterRef

    from cls_platform.models import Access
    from tests.factories import AccessFactory

    def orm() -> Access:
        others = Access.objects.filter(user_id=OuterRef("user_id")).exclude(pk=OuterRef("pk"))
        return (
            Access.objects.select_related("territory")
            .annotate(other_territories=Exists(others))
            .get(user=coordinator.user, territory__slug=coordinator.territory.slug)
        )

    def fields(instance) -> dict:
        return {f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields}

    for holds_another in (False, True):
        if holds_another:
            AccessFactory(user=coordinator.user, territory=other_territory)
        access, expected = get_access(user=coordinator.user, territory_slug="cergy"), orm()
        assert fields(access) == fields(expected)
        assert fields(access.territory) == fields(expected.territory)
        assert {type(v) for v in fields(access).values()} == {
            type(v) for v in fields(expected).values()
        }
        assert access.other_territories is expected.other_territories is holds_another
        assert access.user is coordinator.user and access.is_coordinator
        assert access._state.adding is False and access.territory._state.db == "default"


def test_inactive_user_has_no_access(coordinator):
    coordinator.user.is_active = False
    coordinator.user.save()
    with pytest.raises(Http404):
        get_access(user=coordinator.user, territory_slug=coordinator.territory.slug)


def test_scoped_queries_never_cross_territories(coordinator, outsider):
    mine = ContractFactory(territory=coordinator.territory)
    ContractFactory(territory=outsider.territory)
    assert list(scoped(Contract.objects.all(), coordinator)) == [mine]


def test_viewer_reads_signed_and_closed_contracts_only(viewer):
    territory = viewer.territory
    signed = ContractFactory(territory=territory, status=ContractStatus.SIGNED)
    closed = ContractFactory(
        territory=territory, status=ContractStatus.CLOSED, start_year=2011, end_year=2016
    )
    draft = ContractFactory(
        territory=territory, status=ContractStatus.DRAFT, start_year=2029, end_year=2034
    )
    FicheActionFactory(contract=draft)
    signed_action = FicheActionFactory(contract=signed)
    draft_group = WorkGroupFactory(contract=draft)
    MeetingFactory(group=draft_group)

    assert set(scoped(Contract.objects.all(), viewer)) == {signed, closed}
    assert list(scoped(FicheAction.objects.all(), viewer)) == [signed_action]
    assert not scoped(WorkGroup.objects.all(), viewer).exists()
    assert not scoped(Meeting.objects.all(), viewer).exists()


def test_coordinator_sees_drafts_too(coordinator):
    draft = ContractFactory(territory=coordinator.territory, status=ContractStatus.DRAFT)
    assert list(scoped(Contract.objects.all(), coordinator)) == [draft]


def test_coordinator_edits_everything_viewer_nothing(coordinator, viewer):
    group = WorkGroupFactory(contract=ContractFactory(territory=coordinator.territory))
    assert can_edit(coordinator, group)
    assert can_edit(coordinator)
    assert not can_edit(viewer, group)
    with pytest.raises(PermissionDenied):
        require_edit(viewer, group)


def test_copilot_edits_only_the_groups_and_actions_they_pilot(copilot):
    contract = ContractFactory(territory=copilot.territory)
    person = ContactFactory(territory=copilot.territory, user=copilot.user)
    their_group = WorkGroupFactory(contract=contract)
    their_group.pilots.add(person)
    other_group = WorkGroupFactory(contract=contract)
    piloted = FicheActionFactory(contract=contract, pilot_contact=person)
    copiloted = FicheActionFactory(contract=contract, thematic_axis=piloted.thematic_axis)
    copiloted.copilots.add(person)
    other_action = FicheActionFactory(contract=contract, thematic_axis=piloted.thematic_axis)

    assert can_edit(copilot, their_group)
    assert can_edit(copilot, piloted)
    assert can_edit(copilot, copiloted)
    assert not can_edit(copilot, other_group)
    assert not can_edit(copilot, other_action)
    assert not can_edit(copilot)  # nothing territory-wide


def test_child_records_take_their_parents_territory(territory, other_territory):
    contract = ContractFactory(territory=territory)
    group = WorkGroupFactory(contract=contract)
    meeting = MeetingFactory(group=group)
    assert group.territory == territory
    assert meeting.territory == territory
    with pytest.raises(Exception, match="deux territoires différents"):
        WorkGroupFactory(contract=contract, territory=other_territory)
