"""The meetings of Cergy's thematic groups, as the Cergy narrative tells them: every group
invites all the active partners of the territory (about 200 addresses) and at most 45 people
come; each meeting follows up the fiches-actions, lets a structure present itself
(interconnaissance), works on the theme, often opens with an icebreaker or a speed meeting; the
compte-rendu goes to everyone invited; walk-ins join the directory. Two meetings are left for a
newcomer to press the buttons on: one upcoming whose invitations are not sent, one held whose
compte-rendu is written and not sent."""

from __future__ import annotations

import datetime as dt

from demo.groups import DRAFT, INVITED, WRITTEN, Item, K, Session, WalkIn

# Cergy's two "press the button" meetings (DESIGN.md, "Interfaces that stay stable").
CERGY_TO_INVITE = "La Maison hospitalière se présente"
CERGY_TO_REPORT = "Speed meeting et bilan des ateliers cuisine"

CERGY_PLACE = "Espace santé Denis Mukwege, Cergy"
CERGY_TOWN_HALL = "Hôtel de ville de Cergy, salle du conseil"
FOLLOW_UP = Item(
    K.FOLLOW_UP,
    "Actualités des fiches-actions",
    30,
    "Coordinatrice CLS",
    said="Chaque pilote a donné les nouvelles de son action ; le détail figure ci-dessous.",
)


def speed_meeting(minutes: int = 20) -> Item:
    return Item(
        K.ICEBREAKER,
        "Speed meeting : ce que nos structures ont en commun",
        minutes,
        "Coordinatrice CLS",
        said="Les participants ont échangé deux par deux pendant trois minutes : missions, publics, "
        "projets. Beaucoup ont échangé leurs coordonnées pour monter des actions ensemble.",
    )


# Thematic groups: axis number -> (co-pilot structure, sectors that come most, sessions).
CERGY_GROUPS: dict[int, tuple[str, list[str], list[Session]]] = {
    1: (
        "CPTS Cergy",
        ["sante", "social"],
        [
            Session(
                "Bilan du troisième Village santé",
                dt.date(2022, 11, 8),
                present=38,
                place="Maison de quartier Axe Majeur-Horloge, Cergy",
                items=(
                    Item(
                        K.ICEBREAKER,
                        "Photolangage : ce que la santé évoque pour vous",
                        15,
                        "Coordinatrice CLS",
                        said="Chacun a choisi une image et dit pourquoi : l'accès aux soins, le lien "
                        "social et le logement sont revenus le plus souvent.",
                    ),
                    FOLLOW_UP,
                    Item(
                        K.THEMATIC,
                        "Bilan du Village santé : ce qui a marché, qui rejoint le prochain",
                        50,
                        said="Les stands tenus à plusieurs structures ont attiré le plus d'habitants. "
                        "À chaque bilan, de nouveaux partenaires demandent à participer au prochain "
                        "Village : six structures se sont proposées.",
                    ),
                    Item(
                        K.INTERCONNAISSANCE,
                        "Le Centre d'information sur les droits des femmes et des familles se présente",
                        25,
                        org="Centre d'information sur les droits des femmes et des familles",
                        said="Permanences juridiques gratuites, accompagnement vers l'emploi, "
                        "interventions en milieu scolaire ; les plaquettes sont jointes.",
                    ),
                ),
                fiches=("1.4", "1.2", "1.3"),
            ),
            Session(
                "Le Centre de santé Denis Mukwege se présente",
                -545,
                present=41,
                items=(
                    speed_meeting(),
                    Item(
                        K.INTERCONNAISSANCE,
                        "Le Centre de santé Denis Mukwege se présente",
                        30,
                        org="Centre de santé Denis Mukwege",
                        said="Médecine générale, sages-femmes, infirmières, dentaires ; prise de "
                        "rendez-vous en ligne et créneaux réservés aux orientations des partenaires.",
                    ),
                    FOLLOW_UP,
                    Item(
                        K.THEMATIC,
                        "Renoncement aux soins : repérer et orienter",
                        40,
                        said="Le groupe a listé les signaux d'alerte et qui appeler ; une fiche "
                        "réflexe sera diffusée avec le prochain compte-rendu.",
                    ),
                ),
                walk_ins=(
                    WalkIn(
                        "Mariam",
                        "Sissoko",
                        "Médiatrice santé",
                        "Association de médiation sociale du Val-d'Oise",
                    ),
                ),
                fiches=("1.1", "1.3", "1.5"),
            ),
            Session(
                "La CPTS de Cergy se présente",
                -360,
                present=43,
                items=(
                    Item(
                        K.INTERCONNAISSANCE,
                        "La CPTS de Cergy se présente",
                        30,
                        org="CPTS Cergy",
                        said="Le nouveau coordinateur de la CPTS, ancien coordinateur CLS, présente "
                        "les missions de la communauté et souhaite travailler avec de nouveaux "
                        "partenaires.",
                    ),
                    FOLLOW_UP,
                    Item(
                        K.THEMATIC,
                        "Attirer des professionnels de santé : pistes avec la CPTS",
                        50,
                        said="Accueil des internes, logement, exercice coordonné : trois pistes "
                        "retenues, portées avec la CPTS.",
                    ),
                ),
                fiches=("1.5", "1.1", "1.2"),
            ),
            Session(
                "La CPAM présente la Mission accompagnement santé",
                -180,
                present=39,
                items=(
                    Item(
                        K.ICEBREAKER,
                        "Le jeu des idées reçues sur l'accès aux droits",
                        15,
                        "Coordinatrice CLS",
                        said="Vrai ou faux sur la complémentaire santé solidaire : les réponses ont "
                        "surpris, y compris des professionnels.",
                    ),
                    Item(
                        K.INTERCONNAISSANCE,
                        "La CPAM présente la Mission accompagnement santé",
                        30,
                        org="CPAM 95",
                        said="Comment orienter une personne qui renonce aux soins : formulaire de "
                        "signalement et délais de prise en charge.",
                    ),
                    FOLLOW_UP,
                    Item(
                        K.THEMATIC,
                        "Aller vers les habitants des quartiers prioritaires",
                        45,
                        said="Le groupe a croisé les calendriers des permanences pour couvrir "
                        "l'Axe Majeur-Horloge et Sébille chaque semaine.",
                    ),
                ),
                fiches=("1.2", "1.3", "1.4"),
            ),
            Session(
                "La Maison prévention santé se présente",
                21,
                state=INVITED,
                place=CERGY_PLACE,
                description="Bonjour à toutes et à tous, le groupe de travail Accès aux droits se "
                "réunit à l'Espace santé Denis Mukwege : la Maison prévention santé présentera son "
                "offre, puis nous ferons le point sur les fiches-actions.",
                items=(
                    speed_meeting(15),
                    Item(
                        K.INTERCONNAISSANCE,
                        "La Maison prévention santé se présente",
                        30,
                        org="Maison Prévention santé (Espace santé Denis Mukwege)",
                    ),
                    FOLLOW_UP,
                    Item(K.THEMATIC, "Préparer le prochain Village santé", 45),
                ),
            ),
        ],
    ),
    2: (
        "La Maison hospitalière",
        ["sante", "medico-social", "social"],
        [
            Session(
                "Premiers secours en santé mentale : retours des stagiaires",
                -520,
                present=33,
                items=(
                    Item(
                        K.ICEBREAKER,
                        "Cartes : nos représentations de la santé mentale",
                        20,
                        "Coordinatrice CLS",
                        said="Chaque table a classé des cartes de « ça va » à « ça ne va pas » : les "
                        "écarts entre professionnels ont ouvert la discussion.",
                    ),
                    FOLLOW_UP,
                    Item(
                        K.INTERCONNAISSANCE,
                        "L'UNAFAM se présente",
                        25,
                        org="UNAFAM 95",
                        said="Accueil et groupes de parole pour les proches ; permanence mensuelle "
                        "à Cergy.",
                    ),
                    Item(
                        K.THEMATIC,
                        "Situations complexes : qui appeler ?",
                        45,
                        said="Le groupe a dessiné le circuit d'une situation complexe et repéré "
                        "deux ruptures de parcours à traiter avec la Maison hospitalière.",
                    ),
                ),
                fiches=("2.1", "2.3", "2.4"),
            ),
            Session(
                "Le Centre médico-psychologique adultes se présente",
                -340,
                present=36,
                items=(
                    speed_meeting(),
                    Item(
                        K.INTERCONNAISSANCE,
                        "Le Centre médico-psychologique adultes se présente",
                        30,
                        org="CMP",
                        said="Délais de premier rendez-vous, accueil sans rendez-vous le mardi, "
                        "lien avec les médecins traitants.",
                    ),
                    FOLLOW_UP,
                    Item(
                        K.THEMATIC,
                        "Conseil local de santé mentale : relancer le projet",
                        40,
                        said="Le projet attend un accord avec le GHT ; le groupe propose une "
                        "préfiguration avec les partenaires déjà mobilisés.",
                    ),
                ),
                walk_ins=(WalkIn("Anaïs", "Roussel", "Psychologue", "Mission locale de Cergy"),),
                fiches=("2.2", "2.4", "2.5"),
            ),
            Session(
                "Préparer les Semaines d'information sur la santé mentale",
                -160,
                present=40,
                items=(
                    Item(
                        K.ICEBREAKER,
                        "Jeu de rôle : accueillir une personne en crise",
                        20,
                        "La Maison hospitalière",
                        said="Deux volontaires ont joué la scène, le groupe a relevé les bons "
                        "réflexes et les phrases à éviter.",
                    ),
                    Item(
                        K.INTERCONNAISSANCE,
                        "Addictions France se présente",
                        25,
                        org="Association Addictions France, Val-d'Oise",
                        said="Consultations jeunes consommateurs, interventions en établissement "
                        "scolaire, formation des professionnels.",
                    ),
                    FOLLOW_UP,
                    Item(
                        K.THEMATIC,
                        "Programme des Semaines d'information sur la santé mentale",
                        45,
                        said="Douze structures proposent un événement ; le programme commun sera "
                        "diffusé un mois avant.",
                    ),
                ),
                fiches=("2.3", "2.1", "2.5"),
            ),
            Session(
                CERGY_TO_INVITE,
                24,
                state=DRAFT,
                place=CERGY_PLACE,
                description="Bonjour à toutes et à tous, le groupe de travail Santé mentale se "
                "réunit à l'Espace santé Denis Mukwege. La Maison hospitalière présentera son "
                "offre de soins et d'accompagnement ; nous ferons ensuite le point sur les "
                "fiches-actions et sur le futur Conseil local de santé mentale.",
                items=(
                    speed_meeting(15),
                    Item(
                        K.INTERCONNAISSANCE,
                        "La Maison hospitalière se présente",
                        30,
                        org="La Maison hospitalière",
                    ),
                    FOLLOW_UP,
                    Item(K.THEMATIC, "Le futur Conseil local de santé mentale", 45),
                ),
            ),
        ],
    ),
    3: (
        "Service des Sports",
        ["sport", "sante", "social", "education"],
        [
            Session(
                "Temps de travail thématique : vers une nouvelle fiche-action",
                dt.date(2021, 4, 13),
                present=34,
                place=CERGY_TOWN_HALL,
                items=(
                    FOLLOW_UP,
                    Item(
                        K.INTERCONNAISSANCE,
                        "Les Jardins partagés de Sébille se présentent",
                        20,
                        org="Jardins partagés de Sébille",
                        said="Trente parcelles cultivées par des familles du quartier, des "
                        "ateliers avec les écoles.",
                    ),
                    Item(
                        K.THEMATIC,
                        "Jardins partagés et alimentation durable à Sébille : rédaction d'une "
                        "fiche-action",
                        60,
                        said="En sous-groupes, les participants ont écrit les objectifs, les "
                        "partenaires et les indicateurs d'une nouvelle fiche-action, proposée au "
                        "comité de pilotage.",
                    ),
                ),
                fiches=("3.6", "3.1", "3.2"),
            ),
            Session(
                "Les Restos du cœur se présentent",
                -470,
                present=30,
                items=(
                    Item(
                        K.ICEBREAKER,
                        "Escape game : l'équilibre alimentaire",
                        25,
                        "Coordinatrice CLS",
                        said="Quatre équipes, trois énigmes sur les étiquettes et les petits "
                        "budgets : tout le monde est sorti, de justesse.",
                    ),
                    Item(
                        K.INTERCONNAISSANCE,
                        "Les Restos du cœur se présentent",
                        25,
                        org="Restos du cœur de Cergy",
                        said="Distribution, ateliers cuisine, accompagnement vers les droits ; "
                        "l'association cherche des partenaires pour des ateliers nutrition.",
                    ),
                    FOLLOW_UP,
                    Item(K.THEMATIC, "Surpoids des enfants : ce que voient les écoles", 40),
                ),
                fiches=("3.1", "3.3", "3.4"),
            ),
            Session(
                "Sport-santé sur ordonnance : bilan",
                -290,
                present=37,
                items=(
                    Item(
                        K.INTERCONNAISSANCE,
                        "L'Association sportive Cergy Pontoise se présente",
                        25,
                        org="Association sportive Cergy Pontoise",
                        said="Créneaux adaptés, éducateurs formés au sport-santé, tarifs réduits "
                        "pour les personnes orientées par un médecin.",
                    ),
                    FOLLOW_UP,
                    Item(
                        K.THEMATIC,
                        "Parcours sport-santé : lever les freins à l'inscription",
                        50,
                        said="Le coût et l'horaire des créneaux reviennent en premier ; deux clubs "
                        "proposent des séances en fin de journée.",
                    ),
                ),
                walk_ins=(
                    WalkIn(
                        "Yannick",
                        "Le Goff",
                        "Éducateur sportif",
                        "Association sportive Cergy Pontoise",
                    ),
                ),
                fiches=("3.1", "3.5", "3.6"),
            ),
            Session(
                CERGY_TO_REPORT,
                -12,
                state=WRITTEN,
                present=44,
                items=(
                    speed_meeting(25),
                    FOLLOW_UP,
                    Item(
                        K.INTERCONNAISSANCE,
                        "L'Épicerie sociale de l'Axe Majeur se présente",
                        20,
                        org="Épicerie sociale de l'Axe Majeur",
                        said="Accès sur orientation d'un travailleur social, produits frais à "
                        "petit prix, ateliers cuisine le jeudi.",
                    ),
                    Item(
                        K.THEMATIC,
                        "Bilan des ateliers cuisine dans les maisons de quartier",
                        45,
                        said="Les ateliers ont réuni plus de familles que prévu ; les maisons de "
                        "quartier souhaitent les poursuivre avec l'Épicerie sociale.",
                    ),
                ),
                walk_ins=(
                    WalkIn("Lina", "Ferreira", "Diététicienne", "Centre hospitalier René Dubos"),
                    WalkIn(
                        "Moussa",
                        "Camara",
                        "Animateur",
                        "Maison de quartier de Visages du Monde",
                    ),
                ),
                fiches=("3.2", "3.4", "3.6"),
                next_steps="Prochaine rencontre au printemps ; l'Épicerie sociale et deux maisons "
                "de quartier préparent ensemble un nouveau cycle d'ateliers.",
            ),
        ],
    ),
    4: (
        "Service Jeunesse",
        ["education", "jeunesse", "petite-enfance"],
        [
            Session(
                "Le Point d'accueil écoute jeunes se présente",
                -490,
                present=28,
                items=(
                    speed_meeting(),
                    Item(
                        K.INTERCONNAISSANCE,
                        "Le Point d'accueil écoute jeunes se présente",
                        30,
                        org="Point d'accueil écoute jeunes",
                        said="Écoute anonyme et gratuite des 12-25 ans et de leurs parents, sans "
                        "rendez-vous.",
                    ),
                    FOLLOW_UP,
                    Item(K.THEMATIC, "Les conduites addictives des collégiens", 40),
                ),
                fiches=("4.1", "4.2", "4.3"),
            ),
            Session(
                "Écrans et parentalité : jeu de rôle",
                -310,
                present=31,
                items=(
                    Item(
                        K.ICEBREAKER,
                        "Jeu de rôle : un parent, un enfant, une tablette",
                        25,
                        "Service Petite enfance",
                        said="Trois saynètes jouées par les participants, suivies d'un échange "
                        "sur les messages à donner aux parents.",
                    ),
                    Item(
                        K.INTERCONNAISSANCE,
                        "La PMI de Cergy se présente",
                        25,
                        org="Protection maternelle et infantile de Cergy",
                        said="Consultations, bilans de santé en maternelle, visites à domicile.",
                    ),
                    FOLLOW_UP,
                    Item(K.THEMATIC, "Soutenir les parents face aux écrans", 40),
                ),
                fiches=("4.4", "4.3", "4.5"),
            ),
            Session(
                "Le Planning familial présente ses interventions au collège",
                -130,
                present=35,
                items=(
                    Item(
                        K.INTERCONNAISSANCE,
                        "Le Planning familial présente ses interventions au collège",
                        30,
                        org="Planning familial du Val-d'Oise",
                        said="Séances d'éducation à la vie affective et sexuelle, co-animées avec "
                        "les infirmières scolaires.",
                    ),
                    FOLLOW_UP,
                    Item(
                        K.THEMATIC,
                        "Travailler avec les infirmières scolaires",
                        50,
                        said="Identifier la bonne personne dans chaque établissement reste "
                        "difficile ; la DSDEN relaiera l'invitation aux infirmières.",
                    ),
                ),
                walk_ins=(
                    WalkIn("Corinne", "Vasseur", "Infirmière scolaire", "Collège La Justice"),
                ),
                fiches=("4.1", "4.2", "4.4"),
            ),
            Session(
                "La Mission locale présente ses actions santé",
                40,
                state=INVITED,
                place=CERGY_PLACE,
                description="Bonjour à toutes et à tous, le groupe de travail Santé des enfants, "
                "des jeunes et des familles se réunit : la Mission locale présentera ses actions "
                "santé auprès des 16-25 ans.",
                items=(
                    Item(
                        K.ICEBREAKER,
                        "Photolangage : être jeune et en bonne santé à Cergy",
                        15,
                        "Coordinatrice CLS",
                    ),
                    Item(
                        K.INTERCONNAISSANCE,
                        "La Mission locale présente ses actions santé",
                        30,
                        org="Mission locale de Cergy",
                    ),
                    FOLLOW_UP,
                    Item(K.THEMATIC, "Prévenir les conduites addictives des jeunes", 45),
                ),
            ),
        ],
    ),
}
