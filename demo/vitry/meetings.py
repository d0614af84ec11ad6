"""The meetings of Vitry-sur-Seine's healthy groups, as the Vitry narrative tells them: one
group per axis, co-piloted by the Service Promotion de la santé and a professional of another
sector, inviting its members; three or four meetings a year (one group deliberately once a year)
with steady or rising attendance, a short animation, and expert talks of at most an hour (a
sociologist on chemsex, the Réseau ÎSEE on calls for projects, the CRIPS's HPV game). The dated
meetings come first; then one every so many days until today, and the next one."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from demo.groups import Item, K, Session, WalkIn
from workgroups.models import GroupStatus


@dataclass(frozen=True)
class VitryGroup:
    """A group of the CLS 2023-2028 as the Vitry narrative tells it."""

    copilot: str  # structure of the co-pilot from another sector
    status: str
    per_year: int
    sectors: list[str]
    key_partners: list[str]
    sessions: list[Session]  # dated meetings (the stalled groups have only these)
    every_days: int = 0  # then one meeting every so many days until today
    themes: list[Item] = field(default_factory=list)  # highlight of each of those meetings
    present: tuple[int, int] = (0, 0)  # attendance of those meetings: first, at most
    departed: WalkIn | None = None  # the co-pilot who left, seat vacant
    left_on: dt.date | None = None


def animation(title: str, said: str = "") -> Item:
    return Item(K.ICEBREAKER, title, 15, "Service Promotion de la santé", said=said)


VITRY_FOLLOW_UP = Item(
    K.FOLLOW_UP,
    "Actualités des fiches-actions",
    35,
    "Service Promotion de la santé",
    said="Les porteurs ont fait le point sur leurs actions ; le détail figure ci-dessous.",
)
VITRY_ANIMATIONS = [
    animation(
        "Le bingo des partenaires", "Trouver qui, dans la salle, travaille avec des collégiens..."
    ),
    animation("Photolangage", "Une image pour dire où en est le groupe."),
    animation("Le mur des idées", "Post-it et votes à gommettes sur les priorités de l'année."),
    animation("Météo du groupe", "Chacun dit en un mot comment il arrive."),
]


def launch(
    title: str, day: dt.date, present: int, partner_item: Item, fiches: tuple, **more: object
) -> Session:
    return Session(
        title,
        day,
        present=present,
        items=(
            animation("Jeu d'interconnaissance", "Chacun s'est présenté par un objet apporté."),
            partner_item,
            Item(
                K.THEMATIC,
                "Feuille de route du groupe pour le CLS 2023-2028",
                50,
                said="Le groupe a repris les fiches-actions issues des ateliers de 2023, réparti "
                "les pilotages et fixé son rythme de rencontres.",
            ),
        ),
        fiches=fiches,
        **more,  # type: ignore[arg-type]
    )


HEALTHY_GROUPS: dict[int, VitryGroup] = {
    1: VitryGroup(
        "Centre communal d'action sociale",
        GroupStatus.ACTIVE,
        3,
        ["social", "sante"],
        ["CPAM 94", "Centres municipaux de santé", "Centre social Balzac", "CAF 94"],
        [
            launch(
                "Lancement du groupe de travail",
                dt.date(2023, 10, 10),
                8,
                Item(
                    K.INTERCONNAISSANCE,
                    "Le CCAS présente ses permanences d'accès aux droits",
                    25,
                    org="Centre communal d'action sociale",
                ),
                ("1.1", "1.4"),
            )
        ],
        every_days=120,
        themes=[
            Item(
                K.EXPERT,
                "La CPAM présente la Mission accompagnement santé",
                45,
                org="CPAM 94",
                said="Repérer le renoncement aux soins et orienter : formulaire de signalement et délais.",
            ),
            Item(
                K.INTERCONNAISSANCE,
                "Le Centre social Balzac se présente",
                30,
                org="Centre social Balzac",
                said="Accueil, ateliers sociolinguistiques, permanences d'écrivain public.",
            ),
            Item(
                K.THEMATIC,
                "Préparer les entretiens individuels du bilan à mi-parcours",
                50,
                said="Une grille d'entretien commune et la liste des partenaires à rencontrer.",
            ),
            Item(
                K.EXPERT,
                "Dépistage organisé des cancers : intervention du centre régional de coordination",
                40,
                presenter="Médecin coordinatrice, CRCDC Île-de-France",
                said="Taux de participation de Vitry et leviers qui marchent ailleurs.",
            ),
            Item(
                K.THEMATIC,
                "Médiation santé : retours des médiateurs",
                45,
                said="Les médiateurs décrivent les freins qu'ils rencontrent dans les quartiers prioritaires.",
            ),
            Item(
                K.INTERCONNAISSANCE,
                "La CAF présente ses rendez-vous des droits",
                30,
                org="CAF 94",
                said="Un rendez-vous pour faire le point sur l'ensemble des droits, sur orientation d'un partenaire.",
            ),
            Item(
                K.THEMATIC,
                "Bilan à mi-parcours : ce que disent les entretiens",
                50,
                said="Les partenaires rencontrés disent leurs missions, leurs besoins et comment ils veulent collaborer.",
            ),
            Item(
                K.INTERCONNAISSANCE,
                "L'Espace départemental des solidarités se présente",
                30,
                org="Espace départemental des solidarités de Vitry",
                said="Service social départemental, PMI, aide sociale à l'enfance : qui fait quoi à Vitry.",
            ),
            Item(
                K.EXPERT,
                "La complémentaire santé solidaire : intervention de la CPAM",
                40,
                org="CPAM 94",
                said="Qui y a droit, comment la demander, pourquoi tant de personnes n'y recourent pas.",
            ),
            Item(
                K.INTERCONNAISSANCE,
                "France Travail présente son accompagnement santé et emploi",
                30,
                org="Agence France Travail de Vitry",
                said="Les freins de santé au retour à l'emploi et les relais possibles.",
            ),
            Item(
                K.THEMATIC,
                "Annuaire partagé de l'offre de soins : relancer le projet",
                45,
                said="Le groupe propose de partir des fiches des structures déjà présentées en réunion.",
            ),
        ],
        present=(9, 15),
    ),
    2: VitryGroup(
        "MCAMTS-94",
        GroupStatus.ACTIVE,
        4,
        ["sante", "medico-social", "jeunesse"],
        [
            "MCAMTS-94",
            "Association de santé mentale du 13e, antenne Vitry",
            "Maison des adolescents du Val-de-Marne",
            "CHIC",
            "UNAFAM Val-de-Marne",
        ],
        [
            launch(
                "Lancement du groupe de travail",
                dt.date(2023, 10, 17),
                11,
                Item(
                    K.INTERCONNAISSANCE,
                    "La MCAMTS-94 se présente",
                    25,
                    org="MCAMTS-94",
                ),
                ("2.1", "2.2", "2.3"),
            ),
            Session(
                "Le chemsex : intervention d'un sociologue",
                dt.date(2024, 3, 19),
                present=14,
                items=(
                    animation("Météo du groupe"),
                    Item(
                        K.EXPERT,
                        "Le chemsex : usages, risques et accompagnement",
                        60,
                        "Sociologue, chercheur associé",
                        said="Usage de substances psychoactives lors de rapports sexuels pour les "
                        "faciliter et les prolonger : qui est concerné, quels risques, quelles "
                        "ressources. L'intervention a été suivie d'un temps d'échanges.",
                    ),
                    VITRY_FOLLOW_UP,
                ),
                fiches=("2.5", "2.2", "2.4"),
            ),
        ],
        every_days=91,
        themes=[
            Item(
                K.THEMATIC,
                "Premiers secours en santé mentale : retours de formation",
                45,
                said="Les stagiaires racontent ce qui a changé dans leur pratique.",
            ),
            Item(
                K.INTERCONNAISSANCE,
                "La Maison des adolescents se présente",
                30,
                org="Maison des adolescents du Val-de-Marne",
                said="Accueil sans rendez-vous des 11-21 ans et de leurs parents.",
            ),
            Item(
                K.THEMATIC,
                "Cellule des situations complexes : bilan",
                45,
                said="Onze situations étudiées ; les délais de réponse se réduisent.",
            ),
            Item(
                K.EXPERT,
                "Repérer la crise suicidaire : intervention d'une psychiatre du CHIC",
                50,
                org="CHIC",
                said="Signes d'alerte, questions à poser, numéro national 3114.",
            ),
            Item(
                K.THEMATIC,
                "Programme des Semaines d'information sur la santé mentale",
                45,
                said="Une quinzaine d'événements proposés par les partenaires.",
            ),
            Item(
                K.INTERCONNAISSANCE,
                "L'UNAFAM se présente",
                25,
                org="UNAFAM Val-de-Marne",
                said="Accueil et formation des proches de personnes malades.",
            ),
            Item(
                K.INTERCONNAISSANCE,
                "L'Association de santé mentale du 13e présente son antenne de Vitry",
                30,
                org="Association de santé mentale du 13e, antenne Vitry",
                said="Consultations, hôpital de jour, accompagnement vers le logement.",
            ),
            Item(
                K.EXPERT,
                "La souffrance psychique des jeunes : intervention d'une psychologue",
                50,
                org="Point d'accueil écoute jeunes de Vitry",
                said="Ce que disent les jeunes reçus au Point d'accueil écoute jeunes, et comment les orienter.",
            ),
            Item(
                K.INTERCONNAISSANCE,
                "Addictions France présente sa consultation jeunes consommateurs",
                30,
                org="Association Addictions France, Val-de-Marne",
                said="Consultations gratuites et anonymes pour les jeunes et leur entourage.",
            ),
            Item(
                K.THEMATIC,
                "Repérer la souffrance psychique des jeunes : quels outils ?",
                45,
                said="Le groupe choisit une grille de repérage commune aux structures jeunesse.",
            ),
            Item(
                K.EXPERT,
                "Logement et santé mentale : intervention de l'OPH",
                40,
                org="OPH Vitry",
                said="Troubles du voisinage, maintien dans le logement : comment le bailleur peut alerter.",
            ),
            Item(
                K.THEMATIC,
                "Bilan de l'année et priorités",
                45,
                said="Le groupe reconduit la cellule des situations complexes et les Semaines d'information.",
            ),
        ],
        present=(12, 18),
    ),
    3: VitryGroup(
        "Service Jeunesse",
        GroupStatus.ACTIVE,
        3,
        ["sante", "jeunesse", "education"],
        [
            "CRIPS",
            "AIDES 94",
            "Planning familial du Val-de-Marne",
            "Infirmière conseillère technique de la DSDEN 94",
            "Centres municipaux de santé",
        ],
        [
            launch(
                "Lancement du groupe de travail",
                dt.date(2023, 10, 3),
                8,
                Item(
                    K.INTERCONNAISSANCE,
                    "Le Service Jeunesse se présente",
                    25,
                    org="Service Jeunesse",
                ),
                ("3.3", "3.4"),
            ),
            Session(
                "Le jeu du CRIPS sur le papillomavirus",
                dt.date(2023, 12, 5),
                present=10,
                items=(
                    VITRY_FOLLOW_UP,
                    Item(
                        K.EXPERT,
                        "Jeu pédagogique sur le papillomavirus (HPV)",
                        60,
                        org="CRIPS",
                        said="Les participants ont joué en équipes au jeu du CRIPS sur le HPV et "
                        "la vaccination, puis discuté de son usage avec les collégiens.",
                    ),
                ),
                fiches=("3.1", "3.2"),
            ),
        ],
        every_days=120,
        themes=[
            Item(
                K.INTERCONNAISSANCE,
                "AIDES présente le dépistage communautaire",
                30,
                org="AIDES 94",
                said="Dépistage rapide hors les murs, accompagnement, prévention diversifiée.",
            ),
            Item(
                K.THEMATIC,
                "Questionnaires élèves : premiers résultats",
                45,
                said="Les questionnaires passés au collège montrent un besoin d'information sur le consentement.",
            ),
            Item(
                K.EXPERT,
                "Vaccination HPV au collège : intervention des centres municipaux de santé",
                45,
                org="Centres municipaux de santé",
                said="Organisation des séances de vaccination et taux de couverture.",
            ),
            Item(
                K.EXPERT,
                "La vie affective des 11-15 ans : intervention du Planning familial",
                50,
                org="Planning familial du Val-de-Marne",
                said="Ce que les jeunes demandent, ce que les professionnels peuvent en dire.",
            ),
            Item(
                K.INTERCONNAISSANCE,
                "Le Centre de planification et d'éducation familiale se présente",
                30,
                org="Centre de planification et d'éducation familiale de Vitry",
                said="Consultations gratuites pour les mineures, contraception, dépistage.",
            ),
            Item(
                K.THEMATIC,
                "Dépistage hors les murs : organiser une journée",
                45,
                said="Lieu, date et partenaires d'une journée de dépistage sur le parvis de la gare.",
            ),
            Item(
                K.INTERCONNAISSANCE,
                "Le Point d'accueil écoute jeunes se présente",
                30,
                org="Point d'accueil écoute jeunes de Vitry",
                said="Écoute anonyme et gratuite des 12-25 ans et de leurs parents.",
            ),
            Item(
                K.EXPERT,
                "Parler du consentement en classe : intervention de l'infirmière conseillère technique",
                45,
                org="Infirmière conseillère technique de la DSDEN 94",
                said="Comment les infirmières scolaires abordent le sujet, et avec qui.",
            ),
            Item(
                K.THEMATIC,
                "Former les animateurs jeunesse",
                45,
                said="Contenu et calendrier d'une formation pour les animateurs des maisons de quartier.",
            ),
            Item(
                K.INTERCONNAISSANCE,
                "La Mission locale présente ses actions santé",
                30,
                org="Mission locale Vitry-Ivry",
                said="Bilans de santé, ateliers, accompagnement vers les droits des 16-25 ans.",
            ),
        ],
        present=(9, 15),
    ),
    7: VitryGroup(
        "Service communal d'hygiène et de santé",
        GroupStatus.ACTIVE,
        1,
        ["environnement", "logement"],
        [
            "Réseau ÎSEE",
            "OPH Vitry",
            "Compagnons bâtisseurs Île-de-France",
            "Conseil local de l'environnement",
        ],
        [
            Session(
                "Le Réseau ÎSEE présente les appels à projets",
                dt.date(2024, 2, 6),
                present=9,
                items=(
                    animation("Le bingo des partenaires"),
                    Item(
                        K.EXPERT,
                        "Appels à projets en santé environnementale",
                        60,
                        org="Réseau ÎSEE",
                        said="Le Réseau ÎSEE a présenté les appels à projets en cours et la façon "
                        "d'y répondre ; le groupe décide de répondre à celui sur les punaises de "
                        "lit, avec l'OPH.",
                    ),
                    VITRY_FOLLOW_UP,
                ),
                fiches=("7.1", "7.2", "7.3"),
            ),
        ],
        every_days=364,
        themes=[
            Item(
                K.THEMATIC,
                "Punaises de lit : où en est le projet ?",
                45,
                said="Le dossier a été retenu ; premières interventions chez les locataires avec l'OPH.",
            ),
            Item(
                K.THEMATIC,
                "Fortes chaleurs : retour sur l'été",
                45,
                said="Les îlots de fraîcheur ont été fréquentés ; le registre canicule s'étoffe.",
            ),
            Item(
                K.EXPERT,
                "Qualité de l'air intérieur : intervention du Conseil local de l'environnement",
                50,
                org="Conseil local de l'environnement",
                said="Aérer, chauffer, bricoler : les gestes simples à transmettre aux familles.",
            ),
        ],
        present=(10, 12),
    ),
}

VITRY_WALK_INS = {  # (axis, meeting index among the regular ones) -> walk-in
    (2, 2): WalkIn("Léa", "Marchand", "Éducatrice", "Maison des adolescents du Val-de-Marne"),
    (3, 1): WalkIn("Sonia", "Belkacem", "Infirmière scolaire", "Collège Jean Perrin"),
}
