"""Demo work groups and meetings of the seeds. Idempotent: keyed on group and meeting titles."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.utils import timezone

from actions.models import AxisKind, Contract
from cls_platform.models import Territory, User
from partners.models import Contact, Organization

from .models import (
    GroupKind,
    GroupStatus,
    InvitationPolicy,
    Meeting,
    MeetingStatus,
    Membership,
    MembershipKind,
    WorkGroup,
)

PARIS = zoneinfo.ZoneInfo("Europe/Paris")

# Vitry: axis number -> (co-pilot structure from another sector, status, meetings per year)
VITRY_GROUPS = {
    1: ("Centre communal d'action sociale", GroupStatus.ACTIVE, 3),
    2: ("MCAMTS-94", GroupStatus.ACTIVE, 4),
    3: ("Service Jeunesse", GroupStatus.ACTIVE, 3),
    4: ("Mission Droits des femmes", GroupStatus.STANDBY, 2),
    5: ("Direction des Sports", GroupStatus.STANDBY, 2),
    6: ("Direction de la Petite enfance", GroupStatus.STANDBY, 2),
    7: ("Service communal d'hygiène et de santé", GroupStatus.ACTIVE, 1),
}


def at(day: dt.date, hour: int) -> dt.datetime:
    """That day at that hour in Paris, moved to the Tuesday on or after it (no weekend meetings)."""
    day += dt.timedelta(days=(1 - day.weekday()) % 7)
    return dt.datetime.combine(day, dt.time(hour, 0), tzinfo=PARIS)


def seed_members(
    group: WorkGroup, contacts: list[Contact], start: int, count: int, kind: str
) -> None:
    """Members (or report subscribers) taken in a stable slice of the directory."""
    chosen = [contacts[(start + i * 7) % len(contacts)] for i in range(count)]
    existing = set(group.memberships.values_list("contact_id", flat=True))
    Membership.objects.bulk_create(
        [
            Membership(territory_id=group.territory_id, group=group, contact=c, kind=kind)
            for c in dict.fromkeys(chosen)
            if c.pk not in existing
        ],
        ignore_conflicts=True,
    )


def seed_meeting(group: WorkGroup, title: str, day: dt.date, status: str, place: str) -> Meeting:
    meeting, _ = Meeting.objects.get_or_create(
        group=group,
        title=title,
        defaults={
            "starts_at": at(day, 14),
            "ends_at": at(day, 16),
            "status": status,
            "place": place,
        },
    )
    return meeting


def seed_groups(
    territory: Territory,
    contract: Contract,
    organizations: dict[str, Organization],
    copilot_user: User | None = None,
) -> list[WorkGroup]:
    today = timezone.localdate()
    axes = {a.number: a for a in contract.axes.filter(kind=AxisKind.THEMATIC)}
    groups: list[WorkGroup] = []
    if territory.slug == "cergy":
        health = organizations["Service Santé, prévention, handicap et lien intergénérationnel"]
        coordinator = Contact.objects.filter(organization=health).order_by("id").first()
        people = list(
            Contact.objects.filter(territory=territory, left_at__isnull=True).order_by("id")
        )
        specs = [(f"GT {a.number} · {a.title}", GroupKind.THEMATIC, a) for a in axes.values()][:4]
        specs += [
            ("Comité de pilotage du CLS", GroupKind.COPIL, None),
            ("Plénière du CLS", GroupKind.PLENARY, None),
        ]
        for name, kind, axis in specs:
            group, created = WorkGroup.objects.get_or_create(
                contract=contract,
                name=name,
                defaults={
                    "kind": kind,
                    "axis": axis,
                    "target_meetings_per_year": 2 if kind == GroupKind.THEMATIC else 1,
                    "invitation_policy": InvitationPolicy.ALL_PARTNERS,
                },
            )
            if created and coordinator:
                group.pilots.add(coordinator)
            if created:
                # Everyone is invited in Cergy; some also asked for the reports of this group.
                seed_members(group, people, len(groups) * 11, 8, MembershipKind.SUBSCRIBER)
            groups.append(group)
        place = "Espace santé Denis Mukwege, Cergy"
        for group in groups[:4]:
            seed_meeting(
                group,
                "Groupe de travail du printemps",
                today - dt.timedelta(days=200),
                MeetingStatus.HELD,
                place,
            )
            seed_meeting(
                group,
                "Groupe de travail de l'automne",
                today - dt.timedelta(days=40),
                MeetingStatus.HELD,
                place,
            )
        seed_meeting(
            groups[0],
            "Groupe de travail : bilan et interconnaissance",
            today + dt.timedelta(days=21),
            MeetingStatus.PLANNED,
            place,
        )
        seed_meeting(
            groups[4],
            "Comité de pilotage annuel",
            today + dt.timedelta(days=45),
            MeetingStatus.PLANNED,
            "Hôtel de ville de Cergy",
        )
        return groups

    sps = organizations["Service Promotion de la santé (SPS)"]
    sps_people = list(Contact.objects.filter(organization=sps).order_by("id"))
    place = "Direction de la Santé, Vitry-sur-Seine"
    for number, axis in sorted(axes.items()):
        partner_key, status, per_year = VITRY_GROUPS[number]
        group, created = WorkGroup.objects.get_or_create(
            contract=contract,
            name=f"GT {number} · {axis.title}",
            defaults={
                "kind": GroupKind.THEMATIC,
                "axis": axis,
                "status": status,
                "target_meetings_per_year": per_year,
                "invitation_policy": InvitationPolicy.MEMBERS,
            },
        )
        if created:
            copilot = Contact.objects.filter(organization=organizations[partner_key]).order_by("id")
            group.pilots.add(sps_people[number % len(sps_people)])
            if copilot:
                group.pilots.add(copilot[0])
            people = list(
                Contact.objects.filter(territory=territory, left_at__isnull=True).order_by("id")
            )
            size = 22 if status == GroupStatus.ACTIVE else 9
            seed_members(group, people, number * 5, size, MembershipKind.MEMBER)
            seed_members(group, people, number * 5 + 3, 4, MembershipKind.SUBSCRIBER)
        groups.append(group)
        if status == GroupStatus.ACTIVE:
            seed_meeting(
                group,
                "Réunion du groupe",
                today - dt.timedelta(days=30 + 11 * number),
                MeetingStatus.HELD,
                place,
            )
            seed_meeting(
                group,
                "Réunion de suivi",
                today + dt.timedelta(days=10 + 9 * number),
                MeetingStatus.PLANNED,
                place,
            )
        else:
            seed_meeting(
                group,
                "Dernière réunion du groupe",
                today - dt.timedelta(days=320 + 20 * number),
                MeetingStatus.HELD,
                place,
            )
    if copilot_user is not None:
        # The demo co-pilot is the Service Jeunesse professional who co-pilots GT 3.
        person = Contact.objects.filter(organization=organizations["Service Jeunesse"]).order_by(
            "id"
        )[0]
        if person.user_id != copilot_user.pk:
            person.user = copilot_user
            person.save(update_fields=["user"])
    return groups
