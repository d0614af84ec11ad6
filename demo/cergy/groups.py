"""Cergy's groups: one per thematic axis (see `meetings.py`), each co-piloted by the
coordinator and a partner, inviting all the partners, a few subscribers asking for the reports;
the steering committee, which invites the signatories and the city, and the plenary, which invites
everyone. Dates are relative to the day the demo is loaded."""

from __future__ import annotations

from actions.models import AxisKind, Contract
from cls_platform.models import Territory
from demo.cergy.directory import DIRECTORY
from demo.cergy.meetings import (
    CERGY_GROUPS,
    CERGY_PLACE,
    CERGY_TO_INVITE,
    CERGY_TO_REPORT,
    CERGY_TOWN_HALL,
    speed_meeting,
)
from demo.groups import (
    INVITED,
    Item,
    K,
    SeededGroups,
    Session,
    WalkIn,
    add_members,
    fiches_of,
    first_contact,
    load_context,
    ranked,
)
from demo.meetings import seed_session
from partners.models import Contact, Organization
from workgroups.models import GroupKind, InvitationPolicy, MembershipKind, WorkGroup

CERGY_COPIL = [
    Session(
        "Comité de pilotage annuel : bilan des actions",
        -330,
        present=11,
        place=CERGY_TOWN_HALL,
        items=(
            Item(
                K.FOLLOW_UP,
                "Bilan des fiches-actions par axe",
                50,
                "Coordinatrice CLS",
                said="Les actions sont pour la plupart réalisées ; les reports (Conseil local de "
                "santé mentale, punaises de lit) sont expliqués dans les fiches.",
            ),
            Item(
                K.THEMATIC,
                "Auto-évaluation : ce que disent les partenaires",
                40,
                said="Les partenaires disent mieux connaître le CLS et avoir rencontré des "
                "professionnels qu'ils ne connaissaient pas ; ils demandent plus de temps "
                "d'interconnaissance.",
            ),
            Item(K.OTHER, "Calendrier et suites", 20),
        ),
        fiches=("2.2", "5.3", "1.5"),
    ),
    Session(
        "Comité de pilotage : préparer le prochain contrat",
        45,
        state=INVITED,
        sequence=1,
        place=CERGY_TOWN_HALL,
        description="Mesdames, Messieurs, le comité de pilotage du CLS se réunit pour arrêter "
        "les orientations du prochain contrat. La réunion a été déplacée : l'invitation jointe "
        "remplace la précédente dans votre agenda.",
        items=(
            Item(K.FOLLOW_UP, "Bilan des fiches-actions", 40, "Coordinatrice CLS"),
            Item(K.THEMATIC, "Orientations du prochain contrat (PRS3)", 60),
        ),
    ),
]

CERGY_PLENARY = [
    Session(
        "Plénière : bilan du CLS avec les partenaires",
        -250,
        present=45,
        place=CERGY_TOWN_HALL,
        items=(
            speed_meeting(30),
            Item(
                K.THEMATIC,
                "Connaissez-vous le CLS ? Résultats du questionnaire aux partenaires",
                40,
                "Coordinatrice CLS",
                said="Les participants attendent des groupes de travail de l'interconnaissance, "
                "des actualités et des projets communs ; la plupart souhaitent s'inscrire dans le "
                "prochain CLS.",
            ),
            Item(
                K.INTERCONNAISSANCE,
                "Le Pôle ressources Ville et développement social se présente",
                20,
                org="Pôle ressources 95",
                said="Centre de ressources de la politique de la ville : formations, "
                "qualifications, outils pour les coordinateurs.",
            ),
            Item(K.OTHER, "Suites et calendrier", 15),
        ),
        walk_ins=(WalkIn("Sébastien", "Morin", "Chargé de mission", "Cergy Habitat"),),
    ),
]


def seed_groups(
    territory: Territory, contract: Contract, organizations: dict[str, Organization]
) -> SeededGroups:
    """Cergy's thematic groups, its steering committee and its plenary, with their meetings."""
    ctx = load_context(territory, organizations, DIRECTORY.email_domain)
    axes = {
        a.number: a
        for a in contract.axes.filter(kind=AxisKind.THEMATIC, number__in=list(CERGY_GROUPS))
    }
    coordinator = first_contact(
        ctx, "Service Santé, prévention, handicap et lien intergénérationnel"
    )
    people = list(
        Contact.objects.filter(territory=ctx.territory, left_at__isnull=True).order_by("id")
    )
    signatory_orgs = set(contract.signatories.values_list("organization_id", flat=True))
    groups: list[WorkGroup] = []
    to_invite = to_report = None

    def make(name: str, kind: str, axis, policy: str, target: int) -> tuple[WorkGroup, bool]:
        return WorkGroup.objects.get_or_create(
            contract=contract,
            name=name,
            defaults={
                "territory_id": ctx.territory.pk,
                "kind": kind,
                "axis": axis,
                "target_meetings_per_year": target,
                "invitation_policy": policy,
            },
        )

    for number, (copilot_key, sectors, sessions) in CERGY_GROUPS.items():
        axis = axes.get(number)
        if axis is None:
            continue
        group, created = make(
            f"GT {number} · {axis.title}",
            GroupKind.THEMATIC,
            axis,
            InvitationPolicy.ALL_PARTNERS,
            2,
        )
        copilot = first_contact(ctx, copilot_key)
        if created:
            group.pilots.add(*[p for p in (coordinator, copilot) if p is not None])
            # Everyone is invited in Cergy; some also asked for the reports of this group.
            add_members(
                group,
                ranked(people, ctx, f"sub{number}", sectors, [])[20:28],
                MembershipKind.SUBSCRIBER,
            )
        groups.append(group)
        regulars = ranked(people, ctx, group.name, sectors, [copilot_key])
        fiches = fiches_of(contract, axis.pk)
        for index, session in enumerate(sessions):
            meeting = seed_session(
                ctx, group, session, (14, 16), fiches, index, regulars=regulars, place=CERGY_PLACE
            )
            if session.title == CERGY_TO_INVITE:
                to_invite = meeting
            if session.title == CERGY_TO_REPORT:
                to_report = meeting

    # The steering committee invites the signatories and the city; the plenary, everyone.
    copil, created = make(
        "Comité de pilotage du CLS", GroupKind.COPIL, None, InvitationPolicy.MEMBERS, 1
    )
    if created:
        deputy = first_contact(ctx, "Direction du Développement social et de la santé")
        copil.pilots.add(*[p for p in (coordinator, deputy) if p is not None])
        members = []
        for org_id in signatory_orgs:
            members += [c for c in people if c.organization_id == org_id][:2]
        add_members(copil, members, MembershipKind.MEMBER)
    groups.append(copil)
    for index, session in enumerate(CERGY_COPIL):
        seed_session(ctx, copil, session, (10, 12), [], index, tick_everyone=True)

    plenary, created = make(
        "Plénière du CLS", GroupKind.PLENARY, None, InvitationPolicy.ALL_PARTNERS, 1
    )
    if created and coordinator is not None:
        plenary.pilots.add(coordinator)
    groups.append(plenary)
    regulars = ranked(people, ctx, plenary.name, ["sante", "social"], [])
    for index, session in enumerate(CERGY_PLENARY):
        seed_session(ctx, plenary, session, (9, 12), [], index, regulars=regulars)
    return SeededGroups(groups, to_invite, to_report)
