"""Vitry-sur-Seine's groups: one per axis of the CLS 2023-2028, co-piloted, inviting its
members. The healthy groups' meetings are in `meetings.py`, the stalled groups' in `stalled.py`.
Vitry's regular meetings follow their calendar, so a demo loaded again weeks later gains the
meetings that came due in between, and changes nothing else."""

from __future__ import annotations

import datetime as dt

from actions.models import AxisKind, Contract
from cls_platform.models import Territory, User
from demo.common import MONTHS
from demo.groups import (
    DRAFT,
    HELD,
    INVITED,
    Context,
    SeededGroups,
    Session,
    add_members,
    at,
    departed_contact,
    fiches_of,
    first_contact,
    load_context,
    ranked,
)
from demo.meetings import seed_session
from demo.vitry.directory import DIRECTORY
from demo.vitry.meetings import (
    HEALTHY_GROUPS,
    VITRY_ANIMATIONS,
    VITRY_FOLLOW_UP,
    VITRY_WALK_INS,
    VitryGroup,
)
from demo.vitry.stalled import STALLED_GROUPS
from partners.models import Contact, Organization
from workgroups.models import GroupKind, GroupStatus, InvitationPolicy, MembershipKind, WorkGroup

VITRY_PLACE = "Direction de la Santé, Vitry-sur-Seine"
VITRY_GROUPS = {**HEALTHY_GROUPS, **STALLED_GROUPS}


def month_title(day: dt.date, title: str) -> str:
    return f"{MONTHS[day.month - 1].capitalize()} {day.year} — {title}"


def vitry_sessions(ctx: Context, number: int, spec: VitryGroup) -> list[Session]:
    """The dated meetings, then one every `every_days` until today, and the next one: invited if
    it comes within six weeks, only scheduled otherwise. Attendance steady or rising."""
    sessions = list(spec.sessions)
    if not spec.every_days or not sessions:
        return sessions
    last = max(s.day for s in sessions if isinstance(s.day, dt.date))
    low, high = spec.present
    k = 0
    day = last + dt.timedelta(days=spec.every_days)
    while True:
        theme = spec.themes[k % len(spec.themes)]
        starts = at(day, 10)
        if starts + dt.timedelta(hours=2) <= ctx.now - dt.timedelta(days=1):
            state = HELD
        elif starts > ctx.now + dt.timedelta(days=45):
            state = DRAFT
        elif starts > ctx.now + dt.timedelta(days=1):
            state = INVITED
        else:
            state = ""  # today or so: neither held with its report nor still to invite
        if state:
            sessions.append(
                Session(
                    month_title(starts.date(), theme.title),
                    starts.date(),
                    state=state,
                    present=min(high, low + k),
                    items=(
                        VITRY_ANIMATIONS[k % len(VITRY_ANIMATIONS)],
                        theme,
                        VITRY_FOLLOW_UP,
                    ),
                    walk_ins=(VITRY_WALK_INS[(number, k)],)
                    if (number, k) in VITRY_WALK_INS
                    else (),
                    description=(
                        "Bonjour à toutes et à tous, voici l'invitation à la prochaine réunion du "
                        "groupe de travail, avec son ordre du jour."
                        if state != HELD
                        else ""
                    ),
                )
            )
        if state in (INVITED, DRAFT):
            return sessions
        k += 1
        day += dt.timedelta(days=spec.every_days)


def seed_groups(
    territory: Territory,
    contract: Contract,
    organizations: dict[str, Organization],
    copilot_user: User | None = None,
) -> SeededGroups:
    """One group per thematic axis, with its members, subscribers and meetings; the demo
    co-pilot account is the Service Jeunesse professional who co-pilots GT 3."""
    ctx = load_context(territory, organizations, DIRECTORY.email_domain)
    axes = {a.number: a for a in contract.axes.filter(kind=AxisKind.THEMATIC)}
    sps_people = list(
        Contact.objects.filter(
            organization=ctx.org("Service Promotion de la santé (SPS)"), left_at__isnull=True
        ).order_by("id")
    )
    people = list(
        Contact.objects.filter(territory=ctx.territory, left_at__isnull=True).order_by("id")
    )
    groups: list[WorkGroup] = []
    for number, axis in sorted(axes.items()):
        spec = VITRY_GROUPS.get(number)
        if spec is None:
            continue
        departed = (
            departed_contact(ctx, spec.departed, spec.left_on)
            if spec.departed and spec.left_on
            else None
        )
        group, created = WorkGroup.objects.get_or_create(
            contract=contract,
            name=f"GT {number} · {axis.title}",
            defaults={
                "territory_id": ctx.territory.pk,
                "kind": GroupKind.THEMATIC,
                "axis": axis,
                "status": spec.status,
                "target_meetings_per_year": spec.per_year,
                "invitation_policy": InvitationPolicy.MEMBERS,
            },
        )
        if created:
            copilot = departed or first_contact(ctx, spec.copilot)
            pilots = [sps_people[number % len(sps_people)]] if sps_people else []
            group.pilots.add(*pilots, *([copilot] if copilot else []))
            order = ranked(people, ctx, group.name, spec.sectors, spec.key_partners)
            size = 22 if spec.status == GroupStatus.ACTIVE else 9
            members = order[:size]
            if number == 4:  # the residents' association joined, then withdrew: still a member
                relais = ctx.org("Association d'habitantes Les Femmes relais")
                members += [c for c in people if relais and c.organization_id == relais.pk]
            add_members(group, members, MembershipKind.MEMBER)
            add_members(group, order[size : size + 4], MembershipKind.SUBSCRIBER)
        groups.append(group)
        members = list(
            Contact.objects.filter(
                memberships__group=group, memberships__kind=MembershipKind.MEMBER
            ).order_by("id")
        )
        regulars = ranked(members, ctx, group.name, spec.sectors, spec.key_partners)
        fiches = fiches_of(contract, axis.pk)
        for index, session in enumerate(vitry_sessions(ctx, number, spec)):
            day = session.day if isinstance(session.day, dt.date) else None
            extra = (
                [departed]
                if departed is not None and day is not None and day < departed.left_at
                else []
            )
            seed_session(
                ctx,
                group,
                session,
                (10, 12),
                fiches,
                index,
                extra_invitees=extra,
                regulars=regulars,
                tick_everyone=True,
                place=VITRY_PLACE,
            )
    if copilot_user is not None:
        # The demo co-pilot is the Service Jeunesse professional who co-pilots GT 3.
        person = first_contact(ctx, "Service Jeunesse")
        if person is not None and person.user_id != copilot_user.pk:
            person.user = copilot_user
            person.save(update_fields=["user"])
    return SeededGroups(groups)
