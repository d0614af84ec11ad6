"""Realistic bulk territories for the benchmarks (`python manage.py seed_scale`).

Per territory, about 250 contacts, 90 organizations, 60 fiches-actions, 8 groups, 40 meetings
and 200 invitations per meeting, written with bulk inserts. Groups and fiches have their pilots,
as a signed contract names them: two per group, a pilot and a co-pilot per fiche; in the first
group, one pilot has left their structure with nobody named after them (a vacant seat, as the
groups' health and the ARS table show one).

And what a fiche and a group hold once a contract is under way, so that the pages that read them
(a group's members, a fiche's partners, funding and indicators, the contract's and the ARS
table's indicators on track) are measured on filled relations: 25 people per group (its pilots
among them, the last five subscribed to the reports only), 3 partner structures and 2 funding
lines per fiche, and 2 indicators per fiche, one with a baseline, a target and a measure a year,
one of process without a target.
"""

from __future__ import annotations

import datetime as dt
import functools
import random
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.utils import timezone

from actions.models import (
    ActionPartner,
    ActionStatus,
    Axis,
    AxisKind,
    CollaborationLevel,
    Contract,
    ContractStatus,
    FicheAction,
    FundingLine,
    FundingStatus,
    Indicator,
    IndicatorKind,
    IndicatorValue,
)
from cls_platform.models import Access, Role, Territory, User
from partners.models import Contact, ContactSource, Organization, OrganizationKind
from workgroups.models import (
    Attendance,
    Invitation,
    Meeting,
    MeetingStatus,
    Membership,
    MembershipKind,
    Rsvp,
    WorkGroup,
)

ORGANIZATIONS = 90
CONTACTS = 250
FICHES = 60
AXES = 6
GROUPS = 8
MEETINGS = 40
INVITED = 200
MEMBERS = 25  # per group, the last SUBSCRIBERS of them subscribed to the reports only
SUBSCRIBERS = 5
PARTNERS = 3  # structures per fiche
FUNDERS = ("ARS Île-de-France", "Ville", "CPAM", "Département")


@functools.cache
def demo_password_hash() -> str:
    """Hashed once: a thousand accounts must not cost a thousand slow hashes."""
    return make_password("demo-cls-2026")


def seed_territory(slug: str, index: int, rng: random.Random) -> Territory:
    now = timezone.now()
    territory = Territory.objects.create(
        name=f"Commune {index:04d}", slug=slug, department_code=f"{index % 95 + 1:02d}"
    )
    user = User.objects.filter(email=f"coordination@{slug}.scale").first() or User.objects.create(
        email=f"coordination@{slug}.scale",
        password=demo_password_hash(),
        full_name=f"Coordination {index}",
        is_demo=True,
    )
    Access.objects.create(user=user, territory=territory, role=Role.COORDINATOR)
    organizations = Organization.objects.bulk_create(
        [
            Organization(
                territory=territory,
                name=f"Structure {n:03d} de la commune {index}",
                kind=rng.choice(OrganizationKind.values),
                is_internal=n < 20,
            )
            for n in range(ORGANIZATIONS)
        ]
    )
    contacts = Contact.objects.bulk_create(
        [
            Contact(
                territory=territory,
                first_name=f"Prénom{n}",
                last_name=f"Nom{n:03d}",
                email=f"contact{n}@commune{index}.scale",
                job_title="Chargé·e de mission",
                organization=organizations[n % ORGANIZATIONS],
                source=ContactSource.IMPORT,
                last_activity_at=now - dt.timedelta(days=rng.randint(1, 1500)),
            )
            for n in range(CONTACTS)
        ]
    )
    contract = Contract.objects.create(
        territory=territory,
        title=f"CLS de la commune {index} 2023-2028",
        start_year=2023,
        end_year=2028,
        status=ContractStatus.SIGNED,
        signed_on=dt.date(2023, 6, 1),
    )
    axes = Axis.objects.bulk_create(
        [
            Axis(contract=contract, kind=AxisKind.THEMATIC, number=n + 1, title=f"Axe {n + 1}")
            for n in range(AXES)
        ]
    )
    fiches = FicheAction.objects.bulk_create(
        [
            FicheAction(
                territory=territory,
                contract=contract,
                number=f"{n % AXES + 1}.{n // AXES + 1}",
                title=f"Action {n + 1}",
                thematic_axis=axes[n % AXES],
                status=rng.choice(ActionStatus.values),
                progress=rng.randint(0, 100),
                end_date=dt.date(2023 + n % 6, 12, 31),
                pilot_organization=organizations[n % ORGANIZATIONS],
                # Contact n works at structure n (modulo the structures): the pilot of its fiche.
                pilot_contact=contacts[n % CONTACTS],
            )
            for n in range(FICHES)
        ]
    )
    FicheAction.copilots.through.objects.bulk_create(
        [
            FicheAction.copilots.through(ficheaction=fiche, contact=contacts[(n + 1) % CONTACTS])
            for n, fiche in enumerate(fiches)
        ]
    )
    groups = WorkGroup.objects.bulk_create(
        [
            WorkGroup(
                territory=territory, contract=contract, name=f"GT {n + 1}", axis=axes[n % AXES]
            )
            for n in range(GROUPS)
        ]
    )
    pilots = {
        (group.pk, contacts[(2 * n + k) % CONTACTS].pk)
        for n, group in enumerate(groups)
        for k in range(2)
    }
    WorkGroup.pilots.through.objects.bulk_create(
        [WorkGroup.pilots.through(workgroup_id=g, contact_id=c) for g, c in sorted(pilots)]
    )
    # The first group's second pilot left their structure two months ago, nobody named after them.
    Contact.objects.filter(pk=contacts[1 % CONTACTS].pk).update(
        left_at=timezone.localdate() - dt.timedelta(days=60), is_active=False
    )
    meetings = Meeting.objects.bulk_create(
        [
            Meeting(
                territory=territory,
                group=groups[n % GROUPS],
                title=f"Réunion {n + 1}",
                starts_at=(start := now + dt.timedelta(days=30 * (n - MEETINGS + 5))),
                ends_at=start + dt.timedelta(hours=2),
                status=MeetingStatus.HELD if start < now else MeetingStatus.PLANNED,
                # Each list below is the one the rule made: nothing left to prepare.
                invitees_prepared_at=now,
            )
            for n in range(MEETINGS)
        ]
    )
    invitations = []
    for meeting in meetings:
        for contact in rng.sample(contacts, INVITED):
            held = meeting.status == MeetingStatus.HELD
            invitations.append(
                Invitation(
                    territory=territory,
                    meeting=meeting,
                    contact=contact,
                    rsvp=rng.choice(Rsvp.values),
                    attendance=(
                        Attendance.PRESENT if held and rng.random() < 0.2 else Attendance.UNKNOWN
                    ),
                )
            )
    Invitation.objects.bulk_create(invitations, batch_size=2000)
    # After the meetings: the random draws of the invitations are those they always were.
    seed_members(territory, groups, contacts)
    seed_fiche_contents(fiches, organizations, rng)
    return territory


def seed_members(territory: Territory, groups: list[WorkGroup], contacts: list[Contact]) -> None:
    """MEMBERS people per group, from its pilots on (group n's pilots are contacts 2n and 2n+1),
    the last SUBSCRIBERS subscribed to the reports only."""
    # A dict: with fewer contacts than MEMBERS (the tests' small territories), each person once.
    seats = {
        (n, contacts[(2 * n + k) % len(contacts)].pk): k
        for n in range(len(groups))
        for k in reversed(range(MEMBERS))
    }
    Membership.objects.bulk_create(
        [
            Membership(
                territory=territory,
                group=groups[n],
                contact_id=contact_id,
                kind=(
                    MembershipKind.SUBSCRIBER
                    if k >= MEMBERS - SUBSCRIBERS
                    else MembershipKind.MEMBER
                ),
            )
            for (n, contact_id), k in sorted(seats.items())
        ]
    )


def seed_fiche_contents(
    fiches: list[FicheAction], organizations: list[Organization], rng: random.Random
) -> None:
    """Each fiche's partner structures (not its pilot's), funding and indicators."""
    levels = list(CollaborationLevel.objects.order_by("rank"))
    partners = {
        (n, organizations[(n + 1 + 7 * k) % len(organizations)].pk): k
        for n in range(len(fiches))
        for k in reversed(range(PARTNERS))
    }
    ActionPartner.objects.bulk_create(
        [
            ActionPartner(
                fiche=fiches[n],
                organization_id=organization_id,
                role="Orientation des publics" if k else "Co-animation des ateliers",
                level=rng.choice(levels) if levels else None,
            )
            for (n, organization_id), k in sorted(partners.items())
        ]
    )
    FundingLine.objects.bulk_create(
        [
            FundingLine(
                fiche=fiche,
                funder=FUNDERS[(n + k) % len(FUNDERS)],
                amount=Decimal(rng.randrange(2_000, 60_000, 500)),
                status=FundingStatus.SECURED if k == 0 else FundingStatus.REQUESTED,
                year=2024 + k,
            )
            for n, fiche in enumerate(fiches)
            for k in range(2)
        ]
    )
    indicators = Indicator.objects.bulk_create(
        [
            indicator
            for fiche in fiches
            for indicator in (
                Indicator(
                    fiche=fiche,
                    kind=IndicatorKind.RESULT,
                    title="Personnes accompagnées dans l'année",
                    unit="personnes",
                    baseline=Decimal(100),
                    target=Decimal(rng.choice((150, 200, 300))),
                    source="Bilans des structures partenaires",
                    frequency="annuelle",
                    order=0,
                ),
                Indicator(
                    fiche=fiche,
                    kind=IndicatorKind.PROCESS,
                    title="Réunions du comité de suivi",
                    unit="réunions",
                    order=1,
                ),
            )
        ]
    )
    IndicatorValue.objects.bulk_create(
        [
            IndicatorValue(
                indicator=indicator,
                measured_on=dt.date(year, 12, 31),
                value=Decimal(100 + rng.randint(0, 60) * (year - 2022)),
            )
            for indicator in indicators
            if indicator.target is not None
            for year in (2023, 2024, 2025)
        ]
        + [
            IndicatorValue(indicator=indicator, measured_on=dt.date(2025, 12, 31), value=3)
            for indicator in indicators
            if indicator.target is None
        ]
    )
