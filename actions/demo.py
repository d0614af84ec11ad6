"""Demo contracts of the seeds: Cergy 2020-2022 and Vitry-sur-Seine 2023-2028. Idempotent."""

from __future__ import annotations

import datetime as dt

from cls_platform.models import Territory
from partners.models import Organization

from .models import (
    ActionStatus,
    Axis,
    AxisKind,
    Contract,
    ContractKind,
    ContractStatus,
    FicheAction,
    Signatory,
)

S = ActionStatus

CERGY_THEMATIC = [
    (
        "Accès aux droits, à la prévention et aux soins",
        [
            ("Ouvrir l'Espace santé Denis Mukwege et sa Maison prévention santé", S.DONE),
            ("Actions d'« aller vers » dans les quartiers prioritaires", S.IN_PROGRESS),
            ("Accompagner l'ouverture de droits à l'assurance maladie", S.IN_PROGRESS),
            ("Villages santé", S.DONE),
            ("Attirer et installer des professionnels de santé", S.IN_PROGRESS),
        ],
    ),
    (
        "Santé mentale",
        [
            (
                "Former les professionnels de première ligne aux premiers secours en santé mentale",
                S.IN_PROGRESS,
            ),
            ("Créer le Conseil local de santé mentale", S.PLANNED),
            ("Semaines d'information sur la santé mentale", S.DONE),
            ("Coordonner les situations complexes avec la Maison hospitalière", S.IN_PROGRESS),
            ("Prévenir l'isolement des personnes âgées", S.POSTPONED),
        ],
    ),
    (
        "Nutrition et activité physique",
        [
            ("Parcours sport-santé sur ordonnance", S.IN_PROGRESS),
            ("Ateliers cuisine et petits budgets dans les maisons de quartier", S.DONE),
            (
                "Prévenir le surpoids des enfants dans les écoles de la Cité éducative",
                S.IN_PROGRESS,
            ),
            ("Aménager des parcours de marche dans l'espace public", S.PLANNED),
            ("Former les animateurs périscolaires à l'équilibre alimentaire", S.IN_PROGRESS),
        ],
    ),
    (
        "Santé des enfants, des jeunes et des familles",
        [
            ("Éducation à la vie affective et sexuelle au collège", S.IN_PROGRESS),
            ("Prévenir les conduites addictives des jeunes", S.IN_PROGRESS),
            ("Dépistage des troubles du langage en maternelle", S.DONE),
            ("Soutien à la parentalité autour des écrans", S.IN_PROGRESS),
            ("Point santé étudiants", S.ABANDONED),
        ],
    ),
    (
        "Santé environnementale et habitat",
        [
            ("Lutter contre l'habitat indigne et le saturnisme", S.IN_PROGRESS),
            ("Qualité de l'air intérieur dans les crèches", S.DONE),
            ("Prévenir les infestations de punaises de lit", S.PLANNED),
            ("Intégrer la santé dans les projets d'aménagement", S.IN_PROGRESS),
            ("Îlots de fraîcheur et canicule", S.IN_PROGRESS),
        ],
    ),
    (
        "Vieillissement, handicap et lien intergénérationnel",
        [
            ("Repérer la fragilité des personnes âgées à domicile", S.IN_PROGRESS),
            (
                "Rendre accessibles les actions de prévention aux personnes en situation de handicap",
                S.IN_PROGRESS,
            ),
            ("Ateliers intergénérationnels", S.DONE),
            ("Aider les aidants", S.PLANNED),
            ("Prévention des chutes", S.IN_PROGRESS),
        ],
    ),
]

CERGY_TRANSVERSAL = [
    (
        "Coordination des acteurs et travail en réseau",
        "Limiter les ruptures de parcours, décloisonner, mutualiser les moyens.",
    ),
    (
        "Visibilité et lisibilité de l'offre de santé du territoire",
        "Communication, « aller vers », implication des partenaires.",
    ),
    (
        "Mobilisation des habitants",
        "Poser dans chaque action la question de la participation des habitants (axe 4 du PRS2).",
    ),
    ("Politique de santé intégrée", "La santé dans toutes les politiques de la collectivité."),
]

VITRY_THEMATIC = [
    (
        "Accès aux droits, aux soins et à la prévention",
        [
            ("Permanences d'accès aux droits de santé", S.IN_PROGRESS),
            ("Bilan à mi-parcours : entretiens individuels avec les partenaires", S.PLANNED),
            ("Faciliter l'accès aux dépistages organisés des cancers", S.IN_PROGRESS),
            ("Médiation santé dans les quartiers prioritaires", S.IN_PROGRESS),
            ("Annuaire partagé de l'offre de soins", S.POSTPONED),
        ],
    ),
    (
        "Santé mentale",
        [
            ("Premiers secours en santé mentale pour les professionnels", S.IN_PROGRESS),
            ("Cellule de coordination des situations complexes avec la MCAMTS-94", S.IN_PROGRESS),
            ("Semaines d'information sur la santé mentale", S.DONE),
            ("Repérage de la souffrance psychique des jeunes", S.IN_PROGRESS),
            ("Prévention du chemsex : acculturation des professionnels", S.DONE),
        ],
    ),
    (
        "Santé sexuelle et affective",
        [
            ("Jeu pédagogique sur le papillomavirus avec le CRIPS", S.DONE),
            ("Vaccination HPV au collège", S.IN_PROGRESS),
            ("Questionnaires élèves sur la vie affective", S.IN_PROGRESS),
            ("Dépistage hors les murs des infections sexuellement transmissibles", S.IN_PROGRESS),
            ("Formation des animateurs jeunesse", S.POSTPONED),
        ],
    ),
    (
        "Violences faites aux femmes",
        [
            ("Formation des professionnels au repérage des violences", S.IN_PROGRESS),
            ("Groupe de parole avec l'association d'habitantes", S.ABANDONED),
            ("Parcours de soins des femmes victimes de violences", S.IN_PROGRESS),
            ("Campagne de sensibilisation du 25 novembre", S.DONE),
            ("Protocole d'hébergement d'urgence", S.POSTPONED),
        ],
    ),
    (
        "Sport-santé et nutrition",
        [
            ("Sport sur ordonnance", S.POSTPONED),
            ("Créneaux sport-santé dans les clubs", S.POSTPONED),
            ("Ateliers nutrition dans les centres sociaux", S.IN_PROGRESS),
            ("Parcours santé dans les parcs", S.PLANNED),
            ("Activité physique adaptée pour les seniors", S.IN_PROGRESS),
        ],
    ),
    (
        "Petite enfance et parentalité",
        [
            ("Prévention de l'exposition aux écrans des tout-petits", S.POSTPONED),
            ("Soutien à l'allaitement", S.IN_PROGRESS),
            ("Santé bucco-dentaire en crèche", S.PLANNED),
            ("Repérage précoce des troubles du neurodéveloppement", S.POSTPONED),
            ("Lieux d'accueil enfants-parents", S.IN_PROGRESS),
        ],
    ),
    (
        "Santé environnementale et habitat",
        [
            (
                "Réponse à l'appel à projets sur les punaises de lit avec le Réseau ÎSEE",
                S.IN_PROGRESS,
            ),
            ("Qualité de l'air intérieur dans les logements", S.IN_PROGRESS),
            ("Lutte contre l'habitat insalubre", S.IN_PROGRESS),
            ("Plan canicule et îlots de fraîcheur", S.DONE),
            ("Prévention du saturnisme infantile", S.IN_PROGRESS),
        ],
    ),
]


def seed_contract(
    *,
    territory: Territory,
    kind: str,
    title: str,
    start: int,
    end: int,
    status: str,
    signed_on: dt.date | None,
    previous: Contract | None = None,
) -> Contract:
    contract, _ = Contract.objects.get_or_create(
        territory=territory,
        kind=kind,
        start_year=start,
        defaults={
            "title": title,
            "end_year": end,
            "status": status,
            "signed_on": signed_on,
            "previous": previous,
        },
    )
    return contract


def seed_axes_and_actions(
    contract: Contract,
    thematic: list[tuple[str, list[tuple[str, str]]]],
    transversal: list[tuple[str, str]],
    pilots: list[Organization],
) -> None:
    transversal_axes = []
    for number, (title, description) in enumerate(transversal, start=1):
        axis, _ = Axis.objects.get_or_create(
            contract=contract,
            kind=AxisKind.TRANSVERSAL,
            number=number,
            defaults={"title": title, "description": description},
        )
        transversal_axes.append(axis)
    year = contract.start_year
    for number, (title, actions) in enumerate(thematic, start=1):
        axis, _ = Axis.objects.get_or_create(
            contract=contract, kind=AxisKind.THEMATIC, number=number, defaults={"title": title}
        )
        for index, (action_title, status) in enumerate(actions, start=1):
            progress = {S.DONE: 100, S.IN_PROGRESS: 40 + 10 * (index % 4), S.POSTPONED: 15}.get(
                status, 0
            )
            fiche, created = FicheAction.objects.get_or_create(
                contract=contract,
                number=f"{number}.{index}",
                defaults={
                    "title": action_title,
                    "thematic_axis": axis,
                    "status": status,
                    "progress": progress,
                    "start_date": dt.date(year + (index % 2), 1 + (index * 2) % 12, 1),
                    "end_date": dt.date(contract.end_year - (index % 3 == 0), 12, 31),
                    "pilot_organization": pilots[(number + index) % len(pilots)],
                },
            )
            if created and transversal_axes:
                fiche.transversal_axes.set(transversal_axes[: 1 + (index % len(transversal_axes))])


def seed_signatories(contract: Contract, organizations: list[Organization]) -> None:
    for order, org in enumerate(organizations, start=1):
        Signatory.objects.get_or_create(
            contract=contract,
            organization=org,
            defaults={"order": order, "signed_on": contract.signed_on},
        )


def seed_contracts(territory: Territory, organizations: dict[str, Organization]) -> Contract:
    """The territory's current contract, with its history; returns the current one."""
    city_pilots = [o for o in dict.fromkeys(organizations.values()) if o.is_internal][:6]
    if territory.slug == "cergy":
        seed_contract(
            territory=territory,
            kind=ContractKind.CLS,
            title="Contrat local de santé de Cergy 2011-2016",
            start=2011,
            end=2016,
            status=ContractStatus.CLOSED,
            signed_on=dt.date(2011, 11, 14),
        )
        contract = seed_contract(
            territory=territory,
            kind=ContractKind.CLS,
            title="Contrat local de santé de Cergy 2020-2022",
            start=2020,
            end=2022,
            status=ContractStatus.SIGNED,
            signed_on=dt.date(2020, 12, 10),
        )
        seed_axes_and_actions(contract, CERGY_THEMATIC, CERGY_TRANSVERSAL, city_pilots)
        signers = ["ARS 95", "Préfecture 95", "CACP", "CD 95", "CPAM 95", "DSDEN 95", "GHT NOVO"]
        seed_contract(
            territory=territory,
            kind=ContractKind.ASV,
            title="Atelier Santé Ville de Cergy",
            start=2020,
            end=2022,
            status=ContractStatus.SIGNED,
            signed_on=dt.date(2020, 3, 2),
        )
    else:
        first = seed_contract(
            territory=territory,
            kind=ContractKind.CLS,
            title="Contrat local de santé de Vitry-sur-Seine 2019-2021",
            start=2019,
            end=2021,
            status=ContractStatus.CLOSED,
            signed_on=dt.date(2020, 2, 6),
        )
        contract = seed_contract(
            territory=territory,
            kind=ContractKind.CLS,
            title="Contrat local de santé de Vitry-sur-Seine 2023-2028",
            start=2023,
            end=2028,
            status=ContractStatus.SIGNED,
            signed_on=dt.date(2023, 9, 21),
            previous=first,
        )
        seed_axes_and_actions(contract, VITRY_THEMATIC, [], city_pilots)
        signers = ["ARS 94", "Préfecture 94", "CD 94", "CPTS Vitry", "CPAM 94", "DSDEN 94"]
    seed_signatories(contract, [organizations[key] for key in signers])
    return contract
