"""Demo work groups and meetings that tell the two seeds' story.

Cergy: every group invites all the active partners of the territory (about 200 addresses), at
most 45 people come; each meeting follows up the fiches-actions, lets a structure present itself
(interconnaissance), works on the theme, often opens with an icebreaker or a speed meeting; the
compte-rendu goes to everyone invited; walk-ins join the directory. Two meetings are left for a
newcomer to press the buttons on: one upcoming whose invitations are not sent, one held whose
compte-rendu is written and not sent.

Vitry-sur-Seine: one group per axis, co-piloted, inviting its members. The healthy groups meet
three or four times a year (one deliberately once a year) with steady or rising attendance and
expert talks of at most an hour (a sociologist on chemsex, the Réseau ÎSEE on calls for projects,
the CRIPS's HPV game); the three stalled groups have not met for many months, their co-pilot left
and the seat is vacant, and their compte-rendus still went to the partners who stopped coming.

Idempotent: groups are keyed on their name, meetings on their group and title. A meeting's
invitations, attendance, compte-rendu, outbox rows and fiches discussed are written once, when
the meeting is created; sent e-mails are recorded as sent `Delivery` rows, so that
`send_invitations` and `send_report` find nothing more to send for them. Dates are relative to
the day the demo is loaded, except those the fiches' news name (the chemsex talk...); Vitry's
regular meetings follow their calendar, so a demo loaded again weeks later gains the meetings
that came due in between, and changes nothing else.
"""

from __future__ import annotations

import datetime as dt
import random
import zlib
import zoneinfo
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.html import escape

from actions.models import ActionStatus, ActionUpdate, AxisKind, Contract, FicheAction
from cls_platform.models import Delivery, DeliveryStatus, Territory, User
from partners.demo import EMAIL_DOMAIN, ascii_slug
from partners.models import Contact, ContactSource, Organization

from .models import (
    AgendaItem,
    AgendaKind,
    Attendance,
    GroupKind,
    GroupStatus,
    Invitation,
    InvitationPolicy,
    Meeting,
    MeetingAction,
    MeetingStatus,
    Membership,
    MembershipKind,
    Rsvp,
    WorkGroup,
)
from .services import (
    KIND_INVITATION,
    KIND_REPORT,
    default_invitees,
    report_recipients,
    sanitize_report,
)

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
MONTHS = [
    "janvier", "février", "mars", "avril", "mai", "juin",
    "juillet", "août", "septembre", "octobre", "novembre", "décembre",
]  # fmt: skip

K = AgendaKind

# What happens to a meeting in the demo.
HELD = "held"  # held, compte-rendu written and sent
WRITTEN = "written"  # held, compte-rendu written, not sent yet
INVITED = "invited"  # upcoming, invitations sent, some answers
DRAFT = "draft"  # upcoming, agenda ready, invitations not sent yet

# Cergy's two "press the button" meetings (DESIGN.md, "Interfaces that stay stable").
CERGY_TO_INVITE = "La Maison hospitalière se présente"
CERGY_TO_REPORT = "Speed meeting et bilan des ateliers cuisine"
CERGY_MAX_PRESENT = 45


@dataclass(frozen=True)
class Item:
    """One agenda item; `org` names the structure that presents itself or speaks."""

    kind: str
    title: str
    minutes: int = 30
    presenter: str = ""
    org: str = ""
    said: str = ""  # what the compte-rendu says about it


@dataclass(frozen=True)
class WalkIn:
    first_name: str
    last_name: str
    job_title: str
    org: str


@dataclass(frozen=True)
class Session:
    title: str
    day: dt.date | int  # a date, or days from today
    state: str = HELD
    present: int = 0
    items: tuple[Item, ...] = ()
    fiches: tuple[str, ...] = ()  # numbers of the fiches-actions discussed (default: rotate)
    walk_ins: tuple[WalkIn, ...] = ()
    place: str = ""
    description: str = ""  # the invitation's welcome text
    next_steps: str = ""
    sequence: int = 0  # > 0: moved after the invitations left, re-sent with a higher SEQUENCE
    came: tuple[str, ...] = ()  # structures of which one person was there
    stayed_away: tuple[str, ...] = ()  # structures of which nobody came (still got the report)


# --- Cergy -------------------------------------------------------------------------------------

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


# --- Vitry-sur-Seine ---------------------------------------------------------------------------

VITRY_PLACE = "Direction de la Santé, Vitry-sur-Seine"


@dataclass(frozen=True)
class VitryGroup:
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


RELAIS = "Association d'habitantes Les Femmes relais"
VITRY_GROUPS: dict[int, VitryGroup] = {
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

# What a meeting says of a fiche-action, by status (a variant is chosen per fiche and meeting).
NOTES = {
    "started": [
        "Point d'étape : l'action avance au rythme prévu, environ {progress} % réalisés.",
        "Avancement d'environ {progress} % ; deux structures proposent de s'associer.",
        "Le pilote présente les premiers résultats ; le calendrier est confirmé.",
    ],
    "launch": [
        "Lancement en préparation : le groupe identifie les partenaires à mobiliser.",
        "Le groupe valide les objectifs et les indicateurs de l'action avant son lancement.",
    ],
    ActionStatus.DONE: [
        "Bilan présenté : l'action est réalisée ; les partenaires souhaitent la reconduire.",
        "Bilan partagé avec le groupe ; les supports sont envoyés avec le compte-rendu.",
    ],
    ActionStatus.POSTPONED: [
        "Action en attente : le groupe cherche un interlocuteur et un nouveau calendrier.",
        "L'action est reportée ; la question remonte au comité de pilotage.",
    ],
    ActionStatus.ABANDONED: [
        "Le groupe acte l'abandon de l'action et en tire les enseignements.",
    ],
}


# --- helpers -----------------------------------------------------------------------------------


def at(day: dt.date, hour: int) -> dt.datetime:
    """That day at that hour in Paris, moved to the Tuesday on or after it (no weekend meetings)."""
    day += dt.timedelta(days=(1 - day.weekday()) % 7)
    return dt.datetime.combine(day, dt.time(hour, 0), tzinfo=PARIS)


def vary(key: str, n: int) -> int:
    """A stable choice (crc32, unlike hash(), does not change between runs)."""
    return zlib.crc32(key.encode()) % n


def month_title(day: dt.date, title: str) -> str:
    return f"{MONTHS[day.month - 1].capitalize()} {day.year} — {title}"


def fr_date(moment: dt.datetime) -> str:
    local = timezone.localtime(moment, PARIS)
    return f"{local.day} {MONTHS[local.month - 1]} {local.year}"


@dataclass
class Context:
    """What seeding a territory's meetings needs, read once."""

    territory: Territory
    organizations: dict[str, Organization]
    author: User | None
    now: dt.datetime
    today: dt.date
    sectors: dict[int, set[str]]  # organization id -> sector slugs
    domain: str

    def org(self, key: str) -> Organization | None:
        return self.organizations.get(key)

    def speaker(self, key: str) -> Contact | None:
        org = self.org(key)
        if org is None:
            return None
        return Contact.objects.mailable().filter(organization=org).order_by("id").first()


def load_context(territory: Territory, organizations: dict[str, Organization]) -> Context:
    through = Organization.sectors.through
    sectors: dict[int, set[str]] = {}
    for org_id, slug in through.objects.filter(organization__territory=territory).values_list(
        "organization_id", "sector__slug"
    ):
        sectors.setdefault(org_id, set()).add(slug)
    coordinator = {"cergy": "coordination@cergy.demo", "vitry-sur-seine": "coordination@vitry.demo"}
    now = timezone.now()
    return Context(
        territory=territory,
        organizations=organizations,
        author=User.objects.filter(email=coordinator.get(territory.slug, "")).first(),
        now=now,
        today=timezone.localdate(now),
        sectors=sectors,
        domain=EMAIL_DOMAIN.get(territory.slug, f"{territory.slug}.demo"),
    )


def ranked(
    contacts: list[Contact], ctx: Context, salt: str, sectors: list[str], keys: list[str]
) -> list[Contact]:
    """Contacts in the order a group draws on them: its key partners, then structures of its
    sectors, then the others; one person per structure before anyone's colleague."""
    key_orgs = {o.pk for o in (ctx.org(k) for k in keys) if o is not None}
    wanted = set(sectors)

    def rank(c: Contact) -> tuple[int, int]:
        if c.organization_id in key_orgs:
            tier = 0
        elif ctx.sectors.get(c.organization_id or 0, set()) & wanted:
            tier = 1
        else:
            tier = 2
        return tier, vary(salt + c.email, 10_000)

    order = sorted(contacts, key=rank)
    firsts, seconds, seen = [], [], set()
    for c in order:
        (seconds if c.organization_id in seen else firsts).append(c)
        seen.add(c.organization_id)
    return firsts + seconds


def add_members(group: WorkGroup, contacts: list[Contact], kind: str) -> None:
    existing = set(group.memberships.values_list("contact_id", flat=True))
    Membership.objects.bulk_create(
        [
            Membership(territory_id=group.territory_id, group=group, contact=c, kind=kind)
            for c in dict.fromkeys(contacts)
            if c.pk not in existing
        ],
        ignore_conflicts=True,
    )


def departed_contact(ctx: Context, person: WalkIn, left_on: dt.date) -> Contact | None:
    """A co-pilot who left their structure: kept in the directory, no successor named."""
    org = ctx.org(person.org)
    if org is None:
        return None
    email = f"{ascii_slug(person.first_name)}.{ascii_slug(person.last_name)}@{ctx.domain}"
    contact = Contact.objects.filter(territory=ctx.territory, email__iexact=email).first()
    if contact is None:
        left_on = min(left_on, ctx.today - dt.timedelta(days=60))
        contact = Contact.objects.create(
            territory=ctx.territory,
            first_name=person.first_name,
            last_name=person.last_name,
            email=email,
            job_title=person.job_title,
            organization=org,
            source=ContactSource.DEMO,
            is_active=False,
            left_at=left_on,
            last_activity_at=dt.datetime.combine(left_on, dt.time(12), tzinfo=PARIS),
        )
    return contact


def walk_in_contact(ctx: Context, person: WalkIn, meeting: Meeting) -> Contact:
    """Someone who came without being in the directory: added on the spot (source walk_in)."""
    email = f"{ascii_slug(person.first_name)}.{ascii_slug(person.last_name)}@{ctx.domain}"
    contact = Contact.objects.filter(territory=ctx.territory, email__iexact=email).first()
    if contact is None:
        contact = Contact.objects.create(
            territory=ctx.territory,
            first_name=person.first_name,
            last_name=person.last_name,
            email=email,
            job_title=person.job_title,
            organization=ctx.org(person.org),
            source=ContactSource.WALK_IN,
            source_detail=f"Présent·e à « {meeting.group.name} » du "
            f"{timezone.localtime(meeting.starts_at, PARIS):%d/%m/%Y}",
            last_activity_at=meeting.ends_at,
        )
    return contact


def record_sent(
    meeting: Meeting,
    kind: str,
    recipients: list[tuple[int, str]],
    when: dt.datetime,
    revision: int = 0,
) -> None:
    """E-mails that left long ago: outbox rows already sent, so nothing is sent again."""
    Delivery.objects.bulk_create(
        [
            Delivery(
                territory_id=meeting.territory_id,
                kind=kind,
                topic=meeting.topic,
                revision=revision,
                contact_id=contact_id,
                to_email=email.strip().lower(),
                status=DeliveryStatus.SENT,
                attempts=1,
                next_attempt_at=when,
                claimed_at=when,
                sent_at=when + dt.timedelta(seconds=index // 20),
            )
            for index, (contact_id, email) in enumerate(dict.fromkeys(recipients))
        ],
        ignore_conflicts=True,
    )
    Delivery.objects.filter(topic=meeting.topic, kind=kind, revision=revision).update(
        created_at=when
    )


def note_for(fiche: FicheAction, day: dt.date, key: str) -> str:
    if fiche.start_date and day < fiche.start_date:
        options = NOTES["launch"]
    elif fiche.status == ActionStatus.DONE and fiche.end_date and day >= fiche.end_date:
        options = NOTES[ActionStatus.DONE]
    elif fiche.status in (ActionStatus.POSTPONED, ActionStatus.ABANDONED) and (
        fiche.start_date is None
        or fiche.end_date is None
        or day >= fiche.start_date + (fiche.end_date - fiche.start_date) / 2
    ):
        options = NOTES[fiche.status]
    elif fiche.status == ActionStatus.PLANNED:
        options = NOTES["launch"]
    else:
        options = NOTES["started"]
    progress = fiche.progress or 0
    if fiche.start_date and fiche.end_date and fiche.end_date > fiche.start_date:
        elapsed = (day - fiche.start_date).days / (fiche.end_date - fiche.start_date).days
        progress = max(10, min(progress or 100, round(min(elapsed, 1) * 20) * 5))
    return options[vary(key + fiche.number, len(options))].format(progress=progress)


def link_actions(
    meeting: Meeting, fiches: list[FicheAction], author: User | None
) -> list[MeetingAction]:
    """The fiches-actions discussed, each with a dated update in its timeline. An update of the
    same day already written as news of the action ("Groupe de travail : ...") is the one linked."""
    day = timezone.localtime(meeting.starts_at, PARIS).date()
    links = []
    for fiche in fiches:
        note = note_for(fiche, day, meeting.title)
        update = fiche.updates.filter(happened_on=day, meeting_link__isnull=True).first()
        if update is None:
            update = ActionUpdate.objects.create(
                fiche=fiche,
                happened_on=day,
                author=author,
                text=f"Discutée en groupe de travail ({meeting.group.name}) : {note}",
            )
        links.append(
            MeetingAction(
                territory_id=meeting.territory_id,
                meeting=meeting,
                fiche=fiche,
                update=update,
                note=note,
            )
        )
    MeetingAction.objects.bulk_create(links, ignore_conflicts=True)
    return links


def report_html(
    meeting: Meeting,
    session: Session,
    present: list[Contact],
    excused: int,
    walk_ins: list[Contact],
    links: list[MeetingAction],
) -> str:
    structures = {c.organization_id for c in present if c.organization_id}
    place = meeting.place or "en visioconférence"
    parts = [
        f"<p><strong>{escape(fr_date(meeting.starts_at))}</strong>, {escape(place)}. "
        f"{len(present)} participant·e·s de {len(structures)} structures ; "
        f"{excused} excusé·e·s.</p>"
    ]
    for number, item in enumerate(session.items, start=1):
        parts.append(f"<h3>{number}. {escape(item.title)}</h3>")
        if item.said:
            parts.append(f"<p>{escape(item.said)}</p>")
    if links:
        lines = "".join(
            f"<li><strong>{escape(link.fiche.number)} {escape(link.fiche.title)}</strong> : "
            f"{escape(link.note)}</li>"
            for link in links
        )
        parts.append(f"<h3>Fiches-actions discutées</h3><ul>{lines}</ul>")
    if walk_ins:
        people = [
            escape(f"{c.full_name} ({c.organization.name if c.organization else c.job_title})")
            for c in walk_ins
        ]
        names = people[0] if len(people) == 1 else ", ".join(people[:-1]) + " et " + people[-1]
        parts.append(
            f"<p>Nous avons accueilli {names}, qui rejoi{'gnen' if len(walk_ins) > 1 else 'n'}t "
            "la liste de diffusion du CLS.</p>"
        )
    if session.next_steps:
        parts.append(f"<h3>Suites</h3><p>{escape(session.next_steps)}</p>")
    parts.append(
        "<p>Ce compte-rendu est envoyé à toutes les personnes invitées, présentes ou non. "
        "N'hésitez pas à le faire suivre.</p>"
    )
    return sanitize_report("\n".join(parts))


# --- meetings ----------------------------------------------------------------------------------


def seed_session(
    ctx: Context,
    group: WorkGroup,
    session: Session,
    hours: tuple[int, int],
    axis_fiches: list[FicheAction],
    index: int,
    extra_invitees: list[Contact] | None = None,
    regulars: list[Contact] | None = None,
    tick_everyone: bool = False,
    place: str = "",
) -> Meeting | None:
    day = (
        session.day
        if isinstance(session.day, dt.date)
        else ctx.today + dt.timedelta(days=session.day)
    )
    starts, ends = at(day, hours[0]), at(day, hours[1])
    upcoming = session.state in (INVITED, DRAFT)
    if (upcoming and starts <= ctx.now) or (not upcoming and ends > ctx.now):
        return None  # a dated meeting that no longer fits the day the demo is loaded
    meeting, created = Meeting.objects.get_or_create(
        group=group,
        title=session.title,
        defaults={
            "territory_id": group.territory_id,
            "starts_at": starts,
            "ends_at": ends,
            "status": MeetingStatus.PLANNED if upcoming else MeetingStatus.HELD,
            "place": session.place or place,
            "description": session.description,
            "sequence": session.sequence,
        },
    )
    if created:
        populate(
            ctx,
            meeting,
            session,
            axis_fiches,
            index,
            extra_invitees or [],
            regulars or [],
            tick_everyone,
        )
    return meeting


def populate(
    ctx: Context,
    meeting: Meeting,
    session: Session,
    axis_fiches: list[FicheAction],
    index: int,
    extra_invitees: list[Contact],
    regulars: list[Contact],
    tick_everyone: bool,
) -> None:
    rng = random.Random(f"{ctx.territory.slug}|{meeting.group.name}|{meeting.title}")
    speakers: list[Contact] = []
    items = []
    for order, item in enumerate(session.items):
        org = ctx.org(item.org) if item.org else None
        speaker = ctx.speaker(item.org) if item.org else None
        if speaker is not None:
            speakers.append(speaker)
        presenter = item.presenter
        if not presenter and speaker is not None:
            presenter = f"{speaker.full_name}, {org.acronym or org.name}"
        items.append(
            AgendaItem(
                meeting=meeting,
                kind=item.kind,
                title=item.title,
                duration_minutes=item.minutes,
                presenter=presenter[:200],
                organization=org if item.kind in (K.INTERCONNAISSANCE, K.EXPERT) else None,
                order=order,
            )
        )
    AgendaItem.objects.bulk_create(items)
    if session.state == DRAFT:
        return  # the coordinator has not pressed "Envoyer les invitations" yet

    # Whom the group's policy invites, plus the speakers (invited for their talk) and, in the
    # past, the co-pilot who has left since.
    invitees = list(default_invitees(meeting).order_by("id"))
    for contact in [*speakers, *extra_invitees]:
        if contact.pk not in {c.pk for c in invitees}:
            invitees.append(contact)
    sent_on = meeting.starts_at - dt.timedelta(days=28 if len(invitees) > 60 else 21)
    sent_on = min(sent_on, ctx.now - dt.timedelta(days=3))
    pilots = set(meeting.group.pilots.values_list("pk", flat=True))

    rows: dict[int, Invitation] = {
        c.pk: Invitation(territory_id=meeting.territory_id, meeting=meeting, contact=c)
        for c in invitees
    }

    def answer(contact: Contact, rsvp: str, attendance: str = Attendance.UNKNOWN) -> None:
        row = rows[contact.pk]
        row.rsvp, row.attendance = rsvp, attendance
        if rsvp != Rsvp.PENDING:
            span = max(1, (min(meeting.starts_at, ctx.now) - sent_on).days - 1)
            row.rsvp_at = sent_on + dt.timedelta(days=rng.randint(1, span), hours=rng.randint(1, 9))

    if session.state == INVITED:
        for contact in invitees:
            roll = rng.random()
            if contact.pk in pilots or roll < 0.22:
                answer(contact, Rsvp.YES)
            elif roll < 0.30:
                answer(contact, Rsvp.NO)
        Invitation.objects.bulk_create(rows.values())
        Invitation.objects.filter(meeting=meeting).update(created_at=sent_on)
        everyone = [(c.pk, c.email) for c in invitees]
        for revision in range(session.sequence + 1):
            when = sent_on + dt.timedelta(days=7 * revision)
            record_sent(meeting, KIND_INVITATION, everyone, min(when, ctx.now), revision)
        meeting.invitations_sent_at = meeting.invitees_prepared_at = sent_on
        meeting.save(update_fields=["invitations_sent_at", "invitees_prepared_at"])
        return

    # Held: who came (pilots, speakers, the group's regulars, then others), who was excused.
    walk_ins = [walk_in_contact(ctx, person, meeting) for person in session.walk_ins]
    target = max(0, session.present - len(walk_ins))
    present: list[Contact] = []
    chosen: set[int] = set()
    away = {o.pk for o in (ctx.org(key) for key in session.stayed_away) if o is not None}
    blocked = {c.pk for c in invitees if c.organization_id in away}

    def come(contact: Contact) -> None:
        if (
            contact.pk in rows
            and contact.pk not in chosen
            and contact.pk not in blocked
            and len(present) < target
        ):
            present.append(contact)
            chosen.add(contact.pk)

    invitees_by_org: dict[int | None, list[Contact]] = {}
    for contact in invitees:
        invitees_by_org.setdefault(contact.organization_id, []).append(contact)
    for contact in invitees:
        if contact.pk in pilots:
            come(contact)
    for contact in speakers:
        come(contact)
    for key in session.came:
        org = ctx.org(key)
        for contact in invitees_by_org.get(org.pk if org else -1, [])[:1]:
            come(contact)
    pool = [c for c in regulars if c.pk in rows] or invitees
    core = pool[: max(0, int(target * 0.7))]
    for contact in core:
        come(contact)
    others = [c for c in invitees if c.pk not in chosen]
    rng.shuffle(others)
    for contact in others:
        come(contact)
    for contact in present:
        answer(contact, Rsvp.YES if rng.random() < 0.85 else Rsvp.PENDING, Attendance.PRESENT)
    absent_pool = [c for c in invitees if c.pk not in chosen]
    rng.shuffle(absent_pool)
    excused_count = max(1, min(len(absent_pool), round(len(present) * 0.35)))
    for contact in absent_pool[:excused_count]:
        answer(contact, Rsvp.NO, Attendance.EXCUSED)
    rest = absent_pool[excused_count:]
    for position, contact in enumerate(rest):
        if position < 2:
            answer(contact, Rsvp.YES, Attendance.ABSENT)  # said yes, did not come
        elif tick_everyone:
            answer(contact, Rsvp.PENDING, Attendance.ABSENT)
    for contact in walk_ins:
        if contact.pk not in rows:
            rows[contact.pk] = Invitation(
                territory_id=meeting.territory_id,
                meeting=meeting,
                contact=contact,
                walk_in=True,
                attendance=Attendance.PRESENT,
            )
    Invitation.objects.bulk_create(rows.values(), ignore_conflicts=True)
    Invitation.objects.filter(meeting=meeting, walk_in=False).update(created_at=sent_on)
    Invitation.objects.filter(meeting=meeting, walk_in=True).update(created_at=meeting.ends_at)
    record_sent(meeting, KIND_INVITATION, [(c.pk, c.email) for c in invitees], sent_on)
    meeting.invitations_sent_at = meeting.invitees_prepared_at = sent_on

    # Fiches-actions discussed, with their update; then the compte-rendu.
    by_number = {f.number: f for f in axis_fiches}
    if session.fiches:
        fiches = [by_number[n] for n in session.fiches if n in by_number]
        if len(fiches) < len(session.fiches):
            numbers = [n for n in session.fiches if n not in by_number]
            fiches += list(
                FicheAction.objects.filter(
                    contract=meeting.group.contract, number__in=numbers
                ).order_by("number")
            )
    elif axis_fiches:
        start = (index * 2) % len(axis_fiches)
        fiches = [axis_fiches[(start + i) % len(axis_fiches)] for i in range(3)]
        fiches = list(dict.fromkeys(fiches))
    else:
        fiches = []
    links = link_actions(meeting, fiches, ctx.author)
    written = min(meeting.ends_at + dt.timedelta(days=4), ctx.now - dt.timedelta(hours=2))
    meeting.report = report_html(
        meeting, session, present + walk_ins, excused_count, walk_ins, links
    )
    meeting.report_written_at = written
    meeting.status = MeetingStatus.HELD
    fields = [
        "invitations_sent_at",
        "invitees_prepared_at",
        "report",
        "report_written_at",
        "status",
    ]
    if session.state == HELD:
        sent = min(written + dt.timedelta(days=2), ctx.now - dt.timedelta(hours=1))
        recipients = list(report_recipients(meeting).values_list("pk", "email"))
        recipients += [(c.pk, c.email) for c in extra_invitees]
        record_sent(meeting, KIND_REPORT, recipients, sent)
        meeting.report_sent_at = sent
        fields.append("report_sent_at")
    meeting.save(update_fields=fields)


# --- groups ------------------------------------------------------------------------------------


class SeededGroups(list):  # type: ignore[type-arg]
    """The territory's groups (a list, as before), with the meetings a newcomer can try the two
    buttons on."""

    def __init__(
        self,
        groups: list[WorkGroup],
        to_invite: Meeting | None = None,
        to_report: Meeting | None = None,
    ) -> None:
        super().__init__(groups)
        self.to_invite = to_invite
        self.to_report = to_report

    def notes(self) -> list[str]:
        """One line per meeting still waiting for its button, for seed_demo's output."""
        lines = []
        meeting = self.to_invite
        if meeting is not None:
            meeting.refresh_from_db()
            if meeting.invitations_sent_at is None and not meeting.is_over:
                lines.append(
                    f"  À essayer : « {meeting.title} » ({meeting.group.name}, réunion "
                    f"{meeting.pk}) attend ses invitations : python manage.py send_invitations "
                    f"{meeting.pk}"
                )
        meeting = self.to_report
        if meeting is not None:
            meeting.refresh_from_db()
            if meeting.report_sent_at is None and meeting.report:
                lines.append(
                    f"  À essayer : « {meeting.title} » ({meeting.group.name}, réunion "
                    f"{meeting.pk}) a son compte-rendu rédigé, pas envoyé : python manage.py "
                    f"send_report {meeting.pk}"
                )
        return lines


def seed_groups(
    territory: Territory,
    contract: Contract,
    organizations: dict[str, Organization],
    copilot_user: User | None = None,
) -> SeededGroups:
    ctx = load_context(territory, organizations)
    if territory.slug == "cergy":
        return seed_cergy(ctx, contract)
    return seed_vitry(ctx, contract, copilot_user)


def first_contact(ctx: Context, key: str) -> Contact | None:
    org = ctx.org(key)
    if org is None:
        return None
    return Contact.objects.filter(organization=org, left_at__isnull=True).order_by("id").first()


def fiches_of(contract: Contract, axis_id: int | None) -> list[FicheAction]:
    if axis_id is None:
        return []
    return list(contract.fiches_actions.filter(thematic_axis_id=axis_id).order_by("number"))


def seed_cergy(ctx: Context, contract: Contract) -> SeededGroups:
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


def seed_vitry(ctx: Context, contract: Contract, copilot_user: User | None) -> SeededGroups:
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
