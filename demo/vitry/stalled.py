"""Vitry-sur-Seine's three stalled groups, as the Vitry narrative tells them: they have not
met for many months, their co-pilot left and the seat is vacant, and their compte-rendus still
went to the partners who stopped coming (the residents' association of the violence group)."""

from __future__ import annotations

import datetime as dt

from demo.groups import Item, K, Session, WalkIn
from demo.vitry.meetings import VITRY_FOLLOW_UP, VitryGroup, animation, launch
from workgroups.models import GroupStatus

RELAIS = "Association d'habitantes Les Femmes relais"

STALLED_GROUPS: dict[int, VitryGroup] = {
    4: VitryGroup(
        "Mission Droits des femmes",
        GroupStatus.STANDBY,
        2,
        ["droits-femmes", "social", "securite"],
        [
            "Tremplin 94 SOS Femmes",
            "Association d'habitantes Les Femmes relais",
            "Association Aide aux victimes du Val-de-Marne",
        ],
        [
            launch(
                "Lancement du groupe de travail",
                dt.date(2023, 10, 24),
                9,
                Item(
                    K.INTERCONNAISSANCE,
                    "Tremplin 94 SOS Femmes présente son accueil de jour",
                    30,
                    org="Tremplin 94 SOS Femmes",
                ),
                ("4.1", "4.2", "4.4"),
                came=(RELAIS,),
            ),
            Session(
                "Groupe de parole avec les habitantes : comment l'organiser ?",
                dt.date(2024, 1, 30),
                present=6,
                came=(RELAIS,),
                items=(
                    animation("Photolangage"),
                    Item(
                        K.THEMATIC,
                        "Groupe de parole avec l'association d'habitantes",
                        60,
                        said="L'association d'habitantes dit avoir du mal à trouver sa place au "
                        "milieu d'un groupe de professionnels ; le vocabulaire du groupe lui "
                        "paraît administratif.",
                    ),
                    VITRY_FOLLOW_UP,
                ),
                fiches=("4.2", "4.1"),
            ),
            Session(
                "Formation au repérage des violences : premier bilan",
                dt.date(2024, 5, 28),
                present=4,
                stayed_away=(RELAIS,),
                items=(
                    VITRY_FOLLOW_UP,
                    Item(
                        K.THEMATIC,
                        "Formation au repérage : premier bilan",
                        45,
                        said="Deux sessions sur quatre réalisées. L'association d'habitantes ne "
                        "vient plus ; le compte-rendu continue de lui être envoyé.",
                    ),
                ),
                fiches=("4.1", "4.3", "4.5"),
            ),
        ],
        departed=WalkIn(
            "Sandrine",
            "Lemaire",
            "Chargée de mission droits des femmes",
            "Mission Droits des femmes",
        ),
        left_on=dt.date(2024, 9, 30),
    ),
    5: VitryGroup(
        "Direction des Sports",
        GroupStatus.STANDBY,
        2,
        ["sport", "sante"],
        [
            "Clubs sportifs de l'Union sportive de Vitry",
            "Club de boxe éducative de Vitry",
            "Service Retraités",
        ],
        [
            launch(
                "Lancement du groupe de travail",
                dt.date(2023, 11, 7),
                8,
                Item(
                    K.INTERCONNAISSANCE,
                    "L'Union sportive de Vitry présente ses clubs",
                    25,
                    org="Clubs sportifs de l'Union sportive de Vitry",
                ),
                ("5.1", "5.2", "5.3"),
            ),
            Session(
                "Sport sur ordonnance : quels créneaux dans les clubs ?",
                dt.date(2024, 3, 12),
                present=5,
                items=(
                    animation("Météo du groupe"),
                    VITRY_FOLLOW_UP,
                    Item(
                        K.THEMATIC,
                        "Créneaux sport-santé dans les clubs",
                        45,
                        said="Les clubs sont prêts mais attendent un interlocuteur à la Direction "
                        "des Sports pour les créneaux et les équipements.",
                    ),
                ),
                fiches=("5.1", "5.2"),
            ),
        ],
        departed=WalkIn("Patrick", "Morel", "Directeur des sports", "Direction des Sports"),
        left_on=dt.date(2024, 4, 30),
    ),
    6: VitryGroup(
        "Direction de la Petite enfance",
        GroupStatus.STANDBY,
        2,
        ["petite-enfance", "sante"],
        ["Protection maternelle et infantile de Vitry", "CAF 94"],
        [
            launch(
                "Lancement du groupe de travail",
                dt.date(2023, 11, 14),
                7,
                Item(
                    K.INTERCONNAISSANCE,
                    "La PMI de Vitry se présente",
                    25,
                    org="Protection maternelle et infantile de Vitry",
                ),
                ("6.1", "6.2", "6.5"),
            ),
            Session(
                "Les écrans et les tout-petits : intervention de la PMI",
                dt.date(2024, 2, 27),
                present=6,
                items=(
                    animation("Le mur des idées"),
                    Item(
                        K.EXPERT,
                        "Les écrans et les tout-petits",
                        50,
                        org="Protection maternelle et infantile de Vitry",
                        said="Ce que montrent les consultations de PMI et les messages à donner "
                        "aux parents.",
                    ),
                    VITRY_FOLLOW_UP,
                ),
                fiches=("6.1", "6.4"),
            ),
            Session(
                "Lieux d'accueil enfants-parents : état des lieux",
                dt.date(2024, 6, 11),
                present=3,
                items=(
                    VITRY_FOLLOW_UP,
                    Item(
                        K.THEMATIC,
                        "Lieux d'accueil enfants-parents",
                        45,
                        said="Peu de partenaires présents ; le groupe se demande comment garder le "
                        "lien avec les structures de la petite enfance.",
                    ),
                ),
                fiches=("6.5", "6.3"),
            ),
        ],
        departed=WalkIn(
            "Nathalie", "Perrin", "Coordinatrice petite enfance", "Direction de la Petite enfance"
        ),
        left_on=dt.date(2024, 7, 31),
    ),
}
