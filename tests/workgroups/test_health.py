"""A group's health warns before the group stops, against its own rhythm, with reasons in
words: groups built with the factories for each state and reason, then the demo's groups as the
Vitry narrative tells them."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.formats import date_format

from cls_platform.models import Delivery, DeliveryStatus
from partners.models import Sector
from tests.factories import (
    ContactFactory,
    ContractFactory,
    MeetingFactory,
    OrganizationFactory,
    WorkGroupFactory,
)
from workgroups.health import group_health, groups_health
from workgroups.models import (
    KIND_REPORT,
    Attendance,
    GroupStatus,
    Invitation,
    MeetingStatus,
    Membership,
    WorkGroup,
)

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 6, 16)


def day(value: dt.date) -> str:
    """A date as the sentences write it: "16 juin 2026"."""
    return date_format(value, "j F Y")


def months_ago(months: float) -> dt.date:
    return TODAY - dt.timedelta(days=round(months * 30.44))


def meet(group, day, present=(), absent=(), *, status=MeetingStatus.HELD, report=True):
    """A meeting of `group` on `day` at 14:00 in Paris: who came, who was invited and did not,
    and the compte-rendu that went to all of them."""
    starts = timezone.make_aware(dt.datetime.combine(day, dt.time(14)))
    meeting = MeetingFactory(
        group=group, starts_at=starts, ends_at=starts + dt.timedelta(hours=2), status=status
    )
    for contact in present:
        Invitation.objects.create(meeting=meeting, contact=contact, attendance=Attendance.PRESENT)
    for contact in absent:
        Invitation.objects.create(meeting=meeting, contact=contact, attendance=Attendance.ABSENT)
    if report and status == MeetingStatus.HELD:
        for contact in [*present, *absent]:
            report_sent(meeting, contact)
    return meeting


def report_sent(meeting, contact) -> None:
    """The meeting's compte-rendu went to `contact`, ten days after."""
    Delivery.objects.create(
        territory_id=meeting.territory_id,
        kind=KIND_REPORT,
        topic=meeting.topic,
        contact_id=contact.pk,
        to_email=contact.email,
        status=DeliveryStatus.SENT,
        sent_at=meeting.starts_at + dt.timedelta(days=10),
    )


def structure(territory, name, *sector_slugs):
    org = OrganizationFactory(territory=territory, name=name)
    org.sectors.set(Sector.objects.filter(slug__in=sector_slugs))
    return org


def people(territory, org, n):
    return [ContactFactory(territory=territory, organization=org) for _ in range(n)]


@pytest.fixture
def contract(territory):
    return ContractFactory(territory=territory)


@pytest.fixture
def health_centre(territory):
    return structure(territory, "Centre municipal de santé", "sante")


@pytest.fixture
def youth(territory):
    return structure(territory, "Service Jeunesse", "jeunesse", "education")


@pytest.fixture
def pilots(territory, health_centre, youth):
    return [
        ContactFactory(territory=territory, organization=health_centre, last_name="Santé"),
        ContactFactory(territory=territory, organization=youth, last_name="Jeunesse"),
    ]


def new_group(contract, pilots, per_year=4, **kwargs):
    group = WorkGroupFactory(contract=contract, target_meetings_per_year=per_year, **kwargs)
    group.pilots.set(pilots)
    return group


# --- the rhythm --------------------------------------------------------------------------------


def test_a_group_meeting_at_its_rhythm_is_active_without_reasons(
    contract, pilots, health_centre, youth
):
    group = new_group(contract, pilots, per_year=4)
    regulars = people(contract.territory, health_centre, 4) + people(contract.territory, youth, 3)
    for months in (11, 8, 5, 2):
        meet(group, months_ago(months), regulars)
    health = group_health(group, today=TODAY)
    assert health.label == "actif"
    assert health.reasons == []
    assert health.held_last_year == 4
    assert health.trend == "stable"
    assert health.structures == ["Centre municipal de santé", "Service Jeunesse"]
    assert health.sectors == ["Éducation", "Jeunesse", "Santé"]
    assert (health.participants, health.outside_health) == (7, 3)


@pytest.mark.parametrize(
    ("per_year", "met", "label", "reason"),
    [
        # Meeting four times a year, silent for five months: already fragile.
        (
            4,
            (14, 11, 8, 5),
            "fragile",
            "Pas de réunion depuis 5 mois (la dernière le {last}), alors que le groupe se "
            "réunit en principe tous les 3 mois.",
        ),
        # Meeting once a year, silent for eleven months: on its rhythm.
        (1, (23, 11), "actif", None),
        # Meeting twice a year, silent for sixteen months: two meetings are missing.
        (
            2,
            (22, 16),
            "à l'arrêt",
            "Plus de réunion depuis 16 mois (la dernière le {last}) pour un groupe qui se "
            "réunit en principe tous les 6 mois : au moins deux réunions manquent.",
        ),
    ],
)
def test_silence_is_measured_against_the_groups_own_rhythm(
    contract, pilots, per_year, met, label, reason
):
    group = new_group(contract, pilots, per_year=per_year)
    for months in met:
        meet(group, months_ago(months), pilots)
    health = group_health(group, today=TODAY)
    assert health.label == label
    assert health.months_since_last == met[-1]
    assert health.reasons == ([reason.format(last=day(months_ago(met[-1])))] if reason else [])


def test_fewer_than_half_the_meetings_aimed_at_is_fragile_fewer_is_only_noted(contract, pilots):
    sparse = new_group(contract, pilots, per_year=4)
    meet(sparse, months_ago(20), pilots)
    meet(sparse, months_ago(1), pilots)
    close = new_group(contract, pilots, per_year=4)
    for months in (20, 9, 5, 1):
        meet(close, months_ago(months), pilots)
    healths = groups_health([sparse, close], today=TODAY)
    assert healths[sparse.pk].label == "fragile"
    assert healths[sparse.pk].reasons == [
        "1 réunion tenue sur les douze derniers mois, pour 4 visées."
    ]
    assert healths[close.pk].label == "actif"
    assert "3 réunions tenues sur les douze derniers mois, pour 4 visées." in (
        healths[close.pk].notes
    )


def test_a_new_group_is_not_blamed_for_the_months_before_its_first_meeting(contract, pilots):
    group = new_group(contract, pilots, per_year=4)
    meet(group, months_ago(2), pilots)
    assert group_health(group, today=TODAY).label == "actif"


def test_a_group_that_never_met_is_fragile_until_a_meeting_is_scheduled(contract, pilots):
    group = new_group(contract, pilots)
    health = group_health(group, today=TODAY)
    assert health.label == "fragile"
    assert health.reasons == [
        "Le groupe ne s'est encore jamais réuni et aucune réunion n'est programmée."
    ]
    meet(group, TODAY + dt.timedelta(days=20), status=MeetingStatus.PLANNED)
    health = group_health(group, today=TODAY)
    assert health.label == "actif"
    assert health.notes == [
        f"Prochaine réunion programmée le {day(TODAY + dt.timedelta(days=20))}."
    ]


def test_a_past_meeting_with_nothing_recorded_does_not_count_as_held(contract, pilots):
    group = new_group(contract, pilots, per_year=4)
    for months in (10, 7):
        meet(group, months_ago(months), pilots)
    meet(group, months_ago(4), status=MeetingStatus.PLANNED)
    health = group_health(group, today=TODAY)
    assert health.label == "fragile"
    assert "Pas de réunion depuis 7 mois" in health.reasons[0]
    assert health.notes == [
        f"La réunion du {day(months_ago(4))} n'a ni présences ni compte-rendu : elle ne "
        "compte pas comme tenue."
    ]


def test_a_group_on_standby_is_stopped_and_a_closed_one_says_only_that(contract, pilots):
    standby = new_group(contract, pilots, status=GroupStatus.STANDBY)
    meet(standby, months_ago(1), pilots)
    closed = new_group(contract, [], status=GroupStatus.CLOSED)
    healths = groups_health([standby, closed], today=TODAY)
    assert healths[standby.pk].label == "à l'arrêt"
    assert healths[standby.pk].reasons == ["Le groupe a été mis en veille."]
    assert healths[closed.pk].label == "à l'arrêt"
    assert healths[closed.pk].reasons == ["Le groupe est clos."]


# --- attendance, structures and sectors ---------------------------------------------------------


def test_attendance_falling_by_a_third_makes_the_group_fragile(contract, pilots, health_centre):
    group = new_group(contract, pilots, per_year=6)
    crowd = people(contract.territory, health_centre, 9)
    for months in (11, 9, 7):
        meet(group, months_ago(months), crowd)
    for months in (5, 3, 1):
        meet(group, months_ago(months), crowd[:5])
    health = group_health(group, today=TODAY)
    assert health.label == "fragile"
    assert health.trend == "baisse"
    assert health.reasons == [
        "La participation baisse : 5 présent·e·s en moyenne aux 3 dernières réunions, contre 9 "
        "aux 3 précédentes."
    ]


def test_rising_attendance_is_noted(contract, pilots, health_centre):
    group = new_group(contract, pilots, per_year=4)
    crowd = people(contract.territory, health_centre, 8)
    meet(group, months_ago(4), crowd[:4])
    meet(group, months_ago(1), crowd)
    health = group_health(group, today=TODAY)
    assert health.label == "actif"
    assert (
        "La participation progresse : 8 présent·e·s à la dernière réunion, contre 4 à la "
        "précédente." in health.notes
    )


def test_new_structures_of_the_year_and_the_share_from_outside_health(
    contract, pilots, health_centre, youth
):
    territory = contract.territory
    sport = structure(territory, "Club de boxe éducative", "sport")
    group = new_group(contract, pilots, per_year=4)
    carers = people(territory, health_centre, 2)
    meet(group, dt.date(2025, 11, 4), carers)
    meet(group, dt.date(2026, 3, 10), [*carers, *people(territory, sport, 1)])
    meet(group, dt.date(2026, 5, 12), [*carers, *people(territory, youth, 1)])
    health = group_health(group, today=TODAY)
    assert health.new_structures == ["Club de boxe éducative", "Service Jeunesse"]
    assert (
        "2 nouvelles structures cette année : Club de boxe éducative, Service Jeunesse."
        in health.notes
    )
    assert (health.participants, health.outside_health) == (4, 2)
    assert health.outside_health_share == 0.5


def test_a_group_where_only_health_comes_is_told_so(contract, pilots, health_centre):
    group = new_group(contract, pilots, per_year=2)
    meet(group, months_ago(2), people(contract.territory, health_centre, 3))
    assert (
        "Aucun participant d'un secteur autre que la santé sur les douze derniers mois."
        in group_health(group, today=TODAY).notes
    )


# --- pilots ------------------------------------------------------------------------------------


def test_a_copilot_who_left_without_successor_leaves_a_vacant_seat(contract, pilots, territory):
    mission = structure(territory, "Mission Droits des femmes", "droits-femmes")
    left = ContactFactory(
        territory=territory,
        organization=mission,
        first_name="Sandrine",
        last_name="Lemaire",
        is_active=False,
        left_at=dt.date(2025, 9, 30),
    )
    group = new_group(contract, [pilots[0], left], per_year=2)
    meet(group, months_ago(3), pilots)
    health = group_health(group, today=TODAY)
    assert health.label == "fragile"
    assert health.reasons == [
        "Poste de co-pilote vacant : Sandrine Lemaire (Mission Droits des femmes) a quitté sa "
        "structure le 30 septembre 2025 et personne ne lui a succédé."
    ]
    assert [p.full_name for p in health.vacant_pilots] == ["Sandrine Lemaire"]


def test_a_successor_named_but_not_yet_piloting_is_said_and_one_piloting_fills_the_seat(
    contract, pilots, territory, youth
):
    successor = ContactFactory(
        territory=territory, organization=youth, first_name="Inès", last_name="Roux"
    )
    left = ContactFactory(
        territory=territory,
        organization=youth,
        first_name="Paul",
        last_name="Girard",
        left_at=dt.date(2026, 2, 27),
        successor=successor,
    )
    waiting = new_group(contract, [pilots[0], left], per_year=2)
    filled = new_group(contract, [pilots[0], left, successor], per_year=2)
    for group in (waiting, filled):
        meet(group, months_ago(3), pilots)
    healths = groups_health([waiting, filled], today=TODAY)
    assert healths[waiting.pk].reasons == [
        "Poste de co-pilote vacant : Paul Girard (Service Jeunesse) a quitté sa structure le "
        "27 février 2026 ; son successeur, Inès Roux, ne pilote pas encore le groupe."
    ]
    assert healths[filled.pk].label == "actif"


def test_a_lone_inactive_pilot_or_no_pilot_at_all_is_fragile(contract, territory, youth):
    inactive = ContactFactory(
        territory=territory, organization=youth, first_name="Lou", last_name="Bert", is_active=False
    )
    alone = new_group(contract, [inactive], per_year=2)
    nobody = new_group(contract, [], per_year=2)
    for group in (alone, nobody):
        meet(group, months_ago(3), [ContactFactory(territory=territory)])
    healths = groups_health([alone, nobody], today=TODAY)
    assert healths[alone.pk].reasons == [
        "Poste de pilote vacant : la fiche de Lou Bert (Service Jeunesse) est désactivée dans "
        "l'annuaire."
    ]
    assert healths[nobody.pk].reasons == ["Aucun pilote ni co-pilote n'est désigné."]


def test_when_every_pilot_has_gone_nobody_carries_the_group(contract, territory):
    gone = [
        ContactFactory(territory=territory, left_at=dt.date(2026, 1, 15), is_active=False)
        for _ in range(2)
    ]
    group = new_group(contract, gone, per_year=2)
    meet(group, months_ago(3), [ContactFactory(territory=territory)])
    health = group_health(group, today=TODAY)
    assert len(health.vacant_pilots) == 2
    assert health.reasons[-1] == "Plus aucun pilote en poste : personne ne porte le groupe."


# --- partners who stopped coming ----------------------------------------------------------------


def test_partners_who_stopped_coming_but_still_receive_the_reports_are_named_by_structure(
    contract, pilots, territory
):
    relais = structure(territory, "Association d'habitantes Les Femmes relais", "social")
    gone = ContactFactory(territory=territory, organization=relais, last_name="Relais")
    once = ContactFactory(territory=territory)  # missed only the last meeting: not yet
    unsubscribed = ContactFactory(territory=territory, unsubscribed_at=timezone.now())
    opted_out = ContactFactory(territory=territory)
    never = ContactFactory(territory=territory)  # never came: did not stop
    group = new_group(contract, pilots, per_year=4)
    Membership.objects.create(group=group, contact=opted_out, reports=False)
    everyone = [gone, once, unsubscribed, opted_out]
    newcomers = [ContactFactory(territory=territory) for _ in range(4)]
    meet(group, months_ago(11), [*pilots, *everyone], [never])
    meet(group, months_ago(8), [*pilots, *everyone], [never])
    meet(group, months_ago(5), [*pilots, once, *newcomers], [gone, unsubscribed, opted_out, never])
    meet(group, months_ago(2), [*pilots, *newcomers], [gone, once, unsubscribed, opted_out, never])
    health = group_health(group, today=TODAY)
    assert [d.contact_id for d in health.drifters] == [gone.pk]
    assert health.drifters[0].last_came_on == months_ago(8)
    assert (
        "1 partenaire ne vient plus aux réunions mais reçoit toujours les comptes-rendus "
        "(Association d'habitantes Les Femmes relais)." in health.notes
    )
    assert health.label == "actif", "a choice of theirs, not a failure of the group"


def test_a_partner_whom_no_report_reached_is_not_counted_as_still_reading(
    contract, pilots, territory
):
    partner = ContactFactory(territory=territory)
    group = new_group(contract, pilots, per_year=4)
    meet(group, months_ago(8), [*pilots, partner])
    meet(group, months_ago(5), pilots, [partner], report=False)
    meet(group, months_ago(2), pilots, [partner], report=False)
    assert group_health(group, today=TODAY).drifters == []


def test_one_meeting_missed_long_ago_in_a_stalled_group_is_enough(contract, pilots, territory):
    partner = ContactFactory(territory=territory)
    group = new_group(contract, pilots, per_year=2)
    meet(group, months_ago(30), [*pilots, partner])
    meet(group, months_ago(26), [*pilots, partner])
    meet(group, months_ago(22), pilots, [partner])
    health = group_health(group, today=TODAY)
    assert health.label == "à l'arrêt"
    assert [d.contact_id for d in health.drifters] == [partner.pk]


def test_who_missed_one_groups_latest_meeting_is_looked_for_in_that_group_only(
    contract, pilots, territory
):
    """Computed for both groups at once: the partner missed the first group's last two
    meetings; the second group no longer invites them (a subscriber still sent its
    compte-rendus), which is not missing its meetings."""
    partner = ContactFactory(territory=territory, last_name="Partenaire")
    left, kept = new_group(contract, pilots, per_year=4), new_group(contract, pilots, per_year=4)
    for group in (left, kept):
        meet(group, months_ago(8), [*pilots, partner])
    for months in (5, 2):
        meet(left, months_ago(months), pilots, [partner])
        report_sent(meet(kept, months_ago(months), pilots), partner)
    healths = groups_health([left, kept], today=TODAY)
    assert [d.contact_id for d in healths[left.pk].drifters] == [partner.pk]
    assert healths[left.pk].drifters[0].last_came_on == months_ago(8)
    assert healths[kept.pk].drifters == []


# --- queries -----------------------------------------------------------------------------------


# PostgreSQL receives several statements in one round trip (health_sql.results).
ONE_ROUND_TRIP = connection.vendor == "postgresql"


def health_queries(territory) -> int:
    with CaptureQueriesContext(connection) as ctx:
        healths = groups_health(WorkGroup.objects.filter(territory=territory), today=TODAY)
        for health in healths.values():
            _ = (health.label, health.reasons, health.notes, health.structures, health.drifters)
    return len(ctx.captured_queries)


def grow(contract, pilots, n: int) -> None:
    territory = contract.territory
    for k in range(n):
        org = structure(territory, f"Structure {k}-{n}", "social" if k % 2 else "sante")
        crowd = people(territory, org, 3)
        group = new_group(contract, pilots[: 1 + k % 2], per_year=2 + k % 3)
        left = ContactFactory(territory=territory, left_at=dt.date(2025, 1, 1), successor=crowd[0])
        group.pilots.add(left)
        Membership.objects.create(group=group, contact=crowd[1], reports=False)
        meet(group, months_ago(14), crowd)
        meet(group, months_ago(9), crowd[:2], crowd[2:])
        meet(group, months_ago(4), crowd[:1], crowd[1:])
        meet(group, months_ago(3), status=MeetingStatus.PLANNED)
        meet(group, TODAY + dt.timedelta(days=30), status=MeetingStatus.PLANNED)


def test_every_group_of_a_territory_in_the_same_few_queries_whatever_the_data(contract, pilots):
    grow(contract, pilots, 1)
    small = health_queries(contract.territory)
    grow(contract, pilots, 6)
    # The groups, their pilots and meetings sent at once, then the four counts sent at once
    # (SQLite, the embedded default, takes one statement a call: 1 + 2 + 4).
    assert health_queries(contract.territory) == small == (3 if ONE_ROUND_TRIP else 7)


def states_and_reasons(healths) -> dict[int, tuple[str, list[str]]]:
    return {pk: (health.state, health.reasons) for pk, health in healths.items()}


def test_the_state_alone_comes_in_two_queries_and_says_the_same(contract, pilots, health_centre):
    """For the table of many territories: the same state and reasons from how many came, not
    who; the notes that never change a state are left out."""
    grow(contract, pilots, 4)
    falling = new_group(contract, pilots, per_year=4)
    crowd = people(contract.territory, health_centre, 6)
    for months, n in ((8, 6), (5, 6), (2, 2)):
        meet(falling, months_ago(months), crowd[:n], crowd[n:])
    new_group(contract, [], status=GroupStatus.STANDBY)
    steady = new_group(contract, pilots, per_year=4)
    for months in (11, 8, 5, 2):
        meet(steady, months_ago(months), crowd[:3])
    groups = list(WorkGroup.objects.filter(territory=contract.territory))
    full = groups_health(groups, today=TODAY)
    with CaptureQueriesContext(connection) as ctx:
        light = groups_health(groups, today=TODAY, details=False)
        for health in light.values():
            _ = (health.label, health.reasons)
    # Meetings with how many came to each, pilots: two statements sent at once.
    assert len(ctx.captured_queries) == (1 if ONE_ROUND_TRIP else 2)
    assert states_and_reasons(light) == states_and_reasons(full)
    assert {h.state for h in light.values()} == {"active", "fragile", "stopped"}
    assert light[falling.pk].trend == "baisse"
    assert any(h.drifters for h in full.values())
    assert not any(h.drifters or h.structures or h.participants for h in light.values())


def test_the_state_alone_of_groups_of_several_territories(contract, pilots, other_territory):
    elsewhere = ContractFactory(territory=other_territory)
    grow(contract, pilots, 2)
    stalled = new_group(elsewhere, [ContactFactory(territory=other_territory)], per_year=4)
    meet(stalled, months_ago(10), [ContactFactory(territory=other_territory)])
    groups = list(WorkGroup.objects.all())
    light = groups_health(groups, today=TODAY, details=False)
    assert states_and_reasons(light) == states_and_reasons(groups_health(groups, today=TODAY))
    assert light[stalled.pk].state == "stopped"


# --- the demo ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """The demo seeded once for the module, inside a transaction rolled back at its end."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo", stdout=io.StringIO())
        yield
        transaction.set_rollback(True)


def vitry_healths():
    groups = WorkGroup.objects.filter(territory__slug="vitry-sur-seine").select_related("axis")
    healths = groups_health(groups)
    return {h.group.axis.number: h for h in healths.values()}


def test_vitry_groups_4_5_and_6_show_stalled_for_the_narratives_reasons(seeded, db):
    healths = vitry_healths()
    for number in (4, 5, 6):
        health = healths[number]
        assert health.label == "à l'arrêt", number
        reasons = " ".join(health.reasons)
        assert "Le groupe a été mis en veille." in reasons
        assert "Plus de réunion depuis" in reasons
        assert "Poste de co-pilote vacant" in reasons
        assert "a quitté sa structure" in reasons
        assert "personne ne lui a succédé" in reasons
    assert "Patrick Morel (Direction des Sports)" in " ".join(healths[5].reasons)
    relais = "Association d'habitantes Les Femmes relais"
    assert any("ne viennent plus" in n or "ne vient plus" in n for n in healths[4].notes)
    assert relais in " ".join(healths[4].notes)


def test_vitry_groups_1_2_3_and_7_are_active(seeded, db):
    healths = vitry_healths()
    for number in (1, 2, 3, 7):
        health = healths[number]
        assert health.label == "actif", (number, health.reasons)
        assert health.vacant_pilots == []
        assert health.held_last_year >= health.target


def test_the_cergy_groups_meeting_twice_a_year_are_active(seeded, db):
    groups = WorkGroup.objects.filter(territory__slug="cergy", status=GroupStatus.ACTIVE)
    healths = groups_health(groups)
    assert healths
    for health in healths.values():
        assert health.label == "actif", (health.group.name, health.reasons)


def test_the_demo_groups_have_the_same_state_alone(seeded, db):
    groups = list(WorkGroup.objects.all())
    light = groups_health(groups, details=False)
    assert states_and_reasons(light) == states_and_reasons(groups_health(groups))
