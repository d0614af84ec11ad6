"""Vitry-sur-Seine's mid-term review of the CLS 2023-2028, as the Vitry narrative plans it for
2025: a questionnaire to the partners of the seven groups (closed), then individual interviews
on the axis "Accès aux droits, aux soins et à la prévention" to understand why some partners
find it hard to take part.

The answers tell the narrative's story: the partners of the four groups that meet know the CLS,
value meeting one another and the short expert talks, and want to go on; those of the three
groups stalled since their co-pilot left (violence against women, sport, early childhood) say
they lost their contact and are waiting; the residents' association did not find its place
among professionals; schools and the city's services know the CLS differently.
"""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from actions.models import AxisKind, Contract
from cls_platform.models import Territory, User
from demo.common import vary
from demo.evaluation import (
    CO_LEAD,
    CONTACTS,
    EXPECTS,
    FOLLOW,
    HEARD_OF,
    INFORMED,
    INVOLVED,
    KEEP_INFORMED,
    KNOW_A_BIT,
    KNOW_NOT,
    KNOW_WELL,
    LEAD,
    MET,
    MET_MANY,
    MET_NONE,
    MET_SOME,
    NEXT,
    NOT_INVOLVED,
    PARTNER,
    PILOTS,
    PROJECTS,
    REGULAR,
    SATISFIED,
    SHARE,
    SHOWCASE,
    SOMETIMES,
    TAKE_PART,
    THEME,
    UNDECIDED,
    Asked,
    Campaign,
    Comment,
    InterviewNotes,
    Profile,
    Reply,
    draw_replies,
    nudge,
    seed_campaign,
    seed_interviews,
)
from evaluation.interviews.models import Interview
from evaluation.surveys.models import Survey
from partners.models import Organization, OrganizationKind
from workgroups.models import WorkGroup

SPS = "Service Promotion de la santé (SPS)"
RELAIS = "Association d'habitantes Les Femmes relais"
ACTIVE_AXES, STALLED_AXES = {1, 2, 3, 7}, {4, 5, 6}
ACCESS_AXIS = 1  # "Accès aux droits, aux soins et à la prévention"

MID_TERM = "Bilan à mi-parcours du CLS : questionnaire aux partenaires"
MID_TERM_MESSAGE = (
    "Le Contrat local de santé 2023-2028 arrive à mi-parcours. Avant les entretiens individuels "
    "que nous mènerons ce printemps, en particulier sur l'axe « Accès aux droits, aux soins et à "
    "la prévention », nous aimerions connaître votre regard sur le partenariat : ce que vous "
    "attendez des groupes de travail, ce qu'ils vous ont apporté, comment vous souhaitez "
    "continuer. Cinq minutes suffisent. Merci d'avance, l'équipe du Service Promotion de la santé."
)
OPENS, CLOSES, REMINDER = dt.date(2025, 3, 10), dt.date(2025, 4, 4), dt.date(2025, 3, 25)
RESPONDENTS = 41

# How each kind of partner tends to answer.
COPILOT = Profile(
    knows={KNOW_WELL: 1},
    involved={PILOTS: 1},
    expects={PROJECTS: 4, SHARE: 3, CONTACTS: 3, FOLLOW: 2, THEME: 1},
    satisfied={3: 1, 4: 5, 5: 3},
    met={MET_MANY: 4, MET_SOME: 1},
    next={LEAD: 3, CO_LEAD: 4, PARTNER: 1},
)
ACTIVE = Profile(
    knows={KNOW_WELL: 5, KNOW_A_BIT: 4, HEARD_OF: 0.5},
    involved={REGULAR: 6, SOMETIMES: 3, PILOTS: 0.5, INFORMED: 0.5},
    expects={CONTACTS: 8, SHARE: 5, PROJECTS: 4, THEME: 3, FOLLOW: 2, SHOWCASE: 2},
    satisfied={2: 0.5, 3: 2, 4: 6, 5: 3},
    met={MET_MANY: 6, MET_SOME: 3, MET_NONE: 0.5},
    next={TAKE_PART: 6, PARTNER: 4, CO_LEAD: 1, KEEP_INFORMED: 1},
)
STALLED = Profile(
    knows={KNOW_WELL: 1, KNOW_A_BIT: 4, HEARD_OF: 3, KNOW_NOT: 0.5},
    involved={SOMETIMES: 3, INFORMED: 5, NOT_INVOLVED: 1.5},
    expects={CONTACTS: 6, PROJECTS: 4, THEME: 3, SHARE: 3, FOLLOW: 2, SHOWCASE: 1},
    satisfied={1: 2, 2: 5, 3: 4, 4: 1},
    met={MET_MANY: 1, MET_SOME: 4, MET_NONE: 3},
    next={KEEP_INFORMED: 5, UNDECIDED: 4, TAKE_PART: 3, PARTNER: 1},
)
# What a sector, or a kind of structure, adds.
SECTORS = {
    "education": nudge(
        knows={HEARD_OF: 3, KNOW_NOT: 1},
        involved={INFORMED: 3},
        expects={THEME: 3},
        next={KEEP_INFORMED: 2},
    ),
    "sante": nudge(expects={PROJECTS: 2, SHARE: 1}, satisfied={4: 1}),
    "social": nudge(expects={CONTACTS: 2, THEME: 1}, met={MET_MANY: 1}),
    "sport": nudge(satisfied={1: 2, 2: 2}, next={UNDECIDED: 2}),
    "petite-enfance": nudge(satisfied={1: 1, 2: 2}, next={UNDECIDED: 2}),
    "droits-femmes": nudge(satisfied={1: 1, 2: 2}, next={UNDECIDED: 1}),
}
# Institutions and services, whose agents orient people towards their rights.
INSTITUTIONS = (
    OrganizationKind.INSTITUTION,
    OrganizationKind.CITY_SERVICE,
    OrganizationKind.HEALTH_CENTRE,
)
INTERNAL = nudge(knows={KNOW_WELL: 3})
ASSOCIATION = nudge(expects={SHOWCASE: 4})
RESIDENTS = nudge(knows={HEARD_OF: 4}, satisfied={1: 6}, involved={NOT_INVOLVED: 4})


class People:
    """What the answers need to know of the groups: axis number of each group id."""

    def __init__(self, axis_of: dict[int, int]) -> None:
        self.axis_of = axis_of

    def axes(self, person: Asked) -> set[int]:
        return {self.axis_of[g] for g in person.groups if g in self.axis_of}

    def active(self, person: Asked) -> bool:
        return bool(self.axes(person) & ACTIVE_AXES)

    def stalled_only(self, person: Asked) -> bool:
        axes = self.axes(person)
        return bool(axes) and axes <= STALLED_AXES

    def copilot(self, person: Asked) -> bool:
        """Co-pilots from another sector (the SPS, which runs the survey, does not answer)."""
        return any(self.axis_of.get(g) in ACTIVE_AXES for g in person.pilots)

    def in_axis(self, number: int):
        return lambda person: number in self.axes(person)

    def weight(self, person: Asked) -> float:
        """How likely they are to answer, beyond those `heard`: co-pilots almost all, the other
        partners alike."""
        if person.organization == SPS:
            return 0
        if person.organization == RELAIS:
            return 0  # it answered once, for all its members (`heard`)
        if self.copilot(person):
            return 8
        return 1.6

    def profile(self, person: Asked) -> Profile:
        stalled = bool(self.axes(person) & STALLED_AXES)
        if self.copilot(person):
            base = COPILOT
        elif self.active(person):
            base = ACTIVE + STALLED if stalled else ACTIVE  # one group meets, the other not
        else:
            base = STALLED
        for sector in sorted(person.sectors):
            base = base + SECTORS.get(sector, nudge())
        if person.internal:
            base = base + INTERNAL
        if person.kind == OrganizationKind.ASSOCIATION:
            base = base + ASSOCIATION
        if person.kind == OrganizationKind.RESIDENTS:
            base = base + RESIDENTS
        return base

    def comments(self) -> list[Comment]:
        def sector(name: str):
            return lambda p: name in p.sectors

        def both(*tests):
            return lambda p: all(t(p) for t in tests)

        return [
            Comment(
                "Au début nous venions, mais on ne comprenait pas toujours de quoi il était "
                "question : beaucoup de sigles, un vocabulaire de professionnels. Nous n'avons "
                "pas trouvé notre place dans le groupe.",
                lambda p: p.organization == RELAIS,
                {INVOLVED: NOT_INVOLVED, SATISFIED: 1, MET: MET_SOME},
            ),
            Comment(
                "Depuis le départ du directeur des sports, nous n'avons plus d'interlocuteur à la "
                "Ville pour les créneaux sport-santé. Les clubs sont prêts à accueillir du sport "
                "sur ordonnance, mais rien n'avance.",
                both(self.in_axis(5), lambda p: not self.active(p)),
                {SATISFIED: 2, NEXT: [UNDECIDED]},
            ),
            Comment(
                "Le groupe petite enfance ne s'est plus réuni depuis juin 2024. Nous ne savons "
                "pas s'il va reprendre, ni avec qui : dommage, l'intervention de la PMI sur les "
                "écrans avait beaucoup intéressé.",
                both(self.in_axis(6), lambda p: not self.active(p)),
                {SATISFIED: 2},
            ),
            Comment(
                "Nous recevons toujours les comptes-rendus, mais plus aucune invitation depuis le "
                "printemps 2024. Le travail sur le repérage des violences commençait pourtant à "
                "porter ses fruits.",
                both(self.in_axis(4), self.stalled_only, lambda p: p.organization != RELAIS),
                {INVOLVED: INFORMED},
            ),
            Comment(
                "On ne sait plus très bien qui pilote quoi depuis les départs. Un point d'étape "
                "en plénière aiderait à relancer les groupes à l'arrêt.",
                both(self.stalled_only, lambda p: p.organization != RELAIS),
            ),
            Comment(
                "L'intervention du sociologue sur le chemsex était passionnante. Ce format court, "
                "une heure au plus suivie d'un échange, est à garder.",
                self.in_axis(2),
                {SATISFIED: 5},
            ),
            Comment(
                "Les temps d'interconnaissance sont ce que je préfère : c'est en réunion que j'ai "
                "rencontré la Maison des adolescents, avec qui nous orientons maintenant des "
                "jeunes.",
                both(self.active, sector("social")),
                {MET: MET_MANY, EXPECTS: [CONTACTS, SHARE]},
            ),
            Comment(
                "Nous avons repris le jeu du CRIPS sur le papillomavirus avec nos élèves de "
                "quatrième. Merci pour la découverte !",
                both(self.in_axis(3), lambda p: p.kind == OrganizationKind.SCHOOL),
            ),
            Comment(
                "L'appel à projets sur les punaises de lit nous a enfin fait travailler avec le "
                "service d'hygiène et l'OPH. Une réunion par an suffit si l'on avance entre-temps "
                "par mail.",
                self.in_axis(7),
                {EXPECTS: [PROJECTS]},
            ),
            Comment(
                "Nous connaissons mal les missions des uns et des autres sur l'accès aux droits. "
                "Un annuaire des permanences (CPAM, CAF, CCAS, centres sociaux) nous ferait gagner "
                "du temps.",
                both(
                    self.in_axis(1),
                    lambda p: not self.copilot(p) and p.kind in INSTITUTIONS,
                ),
                {EXPECTS: [CONTACTS, THEME]},
            ),
            Comment(
                "Je ne peux pas venir à chaque fois, mais les comptes-rendus me permettent de "
                "suivre ce qui se passe. Merci de continuer à les envoyer.",
                both(self.active, lambda p: not self.copilot(p)),
                {INVOLVED: SOMETIMES},
            ),
            Comment(
                "Trois réunions par an, c'est le bon rythme. Au-delà, nous ne pourrions pas nous "
                "libérer.",
                lambda p: bool(self.axes(p) & {1, 2, 3}) and not self.copilot(p),
            ),
            Comment(
                "Le mardi matin est difficile pour les professionnels de santé libéraux : une "
                "réunion en fin de journée, de temps en temps, nous permettrait de venir.",
                lambda p: p.kind in (OrganizationKind.PROFESSIONAL, OrganizationKind.HEALTH_CENTRE),
                {INVOLVED: SOMETIMES},
            ),
            Comment(
                "Pour les infirmières scolaires, il est difficile de se libérer sur le temps "
                "scolaire. Pouvoir suivre certaines réunions en visioconférence nous aiderait.",
                sector("education"),
                {INVOLVED: INFORMED},
            ),
            Comment(
                "Co-piloter avec le SPS fonctionne bien ; il faudrait que chaque fiche-action ait "
                "un binôme, pour que rien ne repose sur une seule personne.",
                self.copilot,
            ),
        ]

    def heard(self, asked: list[Asked]) -> list[Asked]:
        """Those who answered for sure: the residents' association, once, and three partners of
        each stalled group, those of that group only first (what the review is about)."""
        order = sorted(asked, key=lambda p: vary(p.key + "|heard", 10_000))
        heard = [p for p in order if p.organization == RELAIS][:1]
        for number in sorted(STALLED_AXES):
            members = [
                p for p in order if number in self.axes(p) and p.organization not in (SPS, RELAIS)
            ]
            members.sort(key=lambda p: not self.stalled_only(p))
            heard += [p for p in members if p not in heard][:3]
        return heard

    def plan(self, asked: list[Asked], rng: random.Random) -> list[Reply]:
        return draw_replies(
            asked,
            rng,
            count=RESPONDENTS,
            weight=self.weight,
            profile=self.profile,
            comments=self.comments(),
            opens_on=OPENS,
            last_day=CLOSES,
            reminder_on=REMINDER,
            sure=self.heard(asked),
        )


ACCESS_INTERVIEWS = [
    InterviewNotes(
        dt.date(2025, 4, 15),
        "Centre communal d'action sociale",
        missions="Accueil et accompagnement social des Vitriots, domiciliation, aides "
        "facultatives, instruction des demandes de RSA. Co-pilote du groupe de travail avec le "
        "SPS.",
        territory_actions="Permanences d'accès aux droits de santé avec la CPAM dans deux "
        "centres sociaux (fiche 1.1) ; orientation vers les centres municipaux de santé.",
        needs="Mieux connaître l'offre de prévention et de dépistage pour orienter ; les "
        "travailleurs sociaux manquent de temps pour venir à toutes les réunions.",
        collaboration="Co-animer les prochaines séances avec le SPS ; former les accueillants "
        "des centres sociaux aux droits de santé avec la CPAM.",
        follow_up="Présenter ensemble la synthèse des entretiens au groupe de travail de "
        "janvier 2026 ; proposer un calendrier de formation des accueillants.",
        job_titles=("Responsable de service",),
    ),
    InterviewNotes(
        dt.date(2025, 4, 24),
        "CPAM 94",
        missions="Ouverture et maintien des droits, complémentaire santé solidaire, Mission "
        "accompagnement santé pour les assurés qui renoncent à des soins.",
        territory_actions="Une conseillère tient les permanences d'accès aux droits ; circuit de "
        "traitement prioritaire des dossiers signalés par les partenaires.",
        needs="Des relais de terrain pour repérer le renoncement aux soins : le formulaire de "
        "signalement présenté au groupe en février 2024 reste peu utilisé.",
        collaboration="Former les médiateurs santé et les centres sociaux au signalement ; "
        "sessions collectives d'ouverture de droits à la Mission locale.",
        follow_up="Intervention sur la complémentaire santé solidaire à un prochain groupe de "
        "travail ; envoi du formulaire de signalement avec le compte-rendu.",
        job_titles=("Chef de projet",),
    ),
    InterviewNotes(
        dt.date(2025, 5, 6),
        "CAF 94",
        missions="Prestations familiales et sociales ; rendez-vous des droits pour faire le point "
        "sur l'ensemble des droits d'une famille.",
        territory_actions="Rendez-vous des droits sur orientation d'un partenaire ; présence "
        "ponctuelle dans les centres sociaux.",
        needs="La CAF vient peu au groupe : les réunions lui paraissent centrées sur le soin, et "
        "le temps manque. Elle souhaite des orientations mieux préparées.",
        collaboration="Présenter les rendez-vous des droits au groupe ; orientation croisée avec "
        "le CCAS pour les familles sans complémentaire santé.",
        follow_up="Présentation des rendez-vous des droits au groupe de travail de septembre "
        "2025 ; fiche d'orientation commune CAF-CCAS à rédiger.",
        job_titles=("Conseillère",),
    ),
    InterviewNotes(
        dt.date(2025, 5, 13),
        "Centre social Les Portes du Midi",
        interviewee="Aïssatou Keita, médiatrice santé (adulte-relais)",
        missions="Médiation en santé dans le quartier : accompagner les habitants vers les "
        "droits, le dépistage et les soins.",
        territory_actions="Accompagnements physiques vers les centres de santé et la CPAM, "
        "ateliers santé avec les femmes du quartier.",
        needs="Ne connaissait pas le CLS ; se sent isolée dans son poste et souhaiterait "
        "échanger avec les autres médiateurs de la ville.",
        collaboration="Témoigner de ce que vivent les habitants ; relayer les campagnes de "
        "dépistage dans le quartier.",
        follow_up="Invitée au groupe de travail de juin 2025 sur la médiation santé, avec les "
        "autres médiateurs ; à ajouter à l'annuaire avec son accord.",
    ),
    InterviewNotes(
        dt.date(2025, 5, 20),
        "Centre social Balzac",
        missions="Centre social du quartier Balzac : accueil, ateliers sociolinguistiques, "
        "permanences d'écrivain public.",
        territory_actions="Accueille la permanence d'accès aux droits de santé ; ateliers santé "
        "avec les habitantes.",
        needs="Former les accueillants aux droits de santé ; trouver de l'interprétariat ; avoir "
        "un contact direct à la CPAM.",
        collaboration="Accueillir des actions de dépistage hors les murs ; relayer les campagnes "
        "auprès des habitants.",
        follow_up="Inscrire deux accueillantes à la formation aux droits de santé ; organiser "
        "avec le centre régional de coordination un dépistage au centre social.",
    ),
    InterviewNotes(
        dt.date(2025, 6, 17),
        "Espace départemental des solidarités de Vitry",
        missions="Service social départemental : accompagnement social global des familles et "
        "des personnes isolées.",
        territory_actions="Accompagnement des familles, aides financières, orientation vers la "
        "PMI et les centres de santé.",
        needs="Venu une seule fois au groupe : les dates tombent sur les réunions d'équipe ; le "
        "renouvellement des professionnels fait perdre le lien.",
        collaboration="Être relais d'information auprès des équipes ; participer aux séances qui "
        "touchent les familles.",
        follow_up="Présentation de l'Espace départemental des solidarités au groupe de travail "
        "au premier semestre 2026 ; envoyer les comptes-rendus à l'adresse de l'équipe.",
        job_titles=("Responsable de service",),
    ),
    InterviewNotes(
        dt.date(2025, 6, 26),
        "Mission locale Vitry-Ivry",
        missions="Accompagnement des jeunes de 16 à 25 ans vers l'emploi et l'autonomie, avec un "
        "point santé.",
        territory_actions="Bilans de santé avec le centre d'examens de santé ; ateliers sur "
        "l'accès aux soins.",
        needs="Beaucoup de jeunes sans complémentaire santé ni médecin traitant ; pas de "
        "psychologue pour les jeunes en difficulté.",
        collaboration="Orienter vers les permanences d'accès aux droits ; rejoindre aussi le "
        "groupe Santé sexuelle et affective.",
        follow_up="Mettre en lien la Mission locale et la CPAM pour des sessions collectives "
        "d'ouverture de droits ; l'inviter au GT 3.",
        job_titles=("Conseillère",),
    ),
]


def seed_evaluation(
    territory: Territory,
    contract: Contract,
    groups: list[WorkGroup],
    organizations: dict[str, Organization],
    by: User | None,
) -> tuple[Survey | None, list[Interview]]:
    """The closed mid-term questionnaire to the partners of the seven groups, and the interviews
    of the review on the access axis (none of it before its day: a demo loaded in 2025 holds what
    had happened by then)."""
    today = timezone.localdate()
    axis_of = {g.pk: g.axis.number for g in groups if g.axis_id}
    people = People(axis_of)
    survey = None
    if today > CLOSES:
        survey = seed_campaign(
            territory,
            contract,
            Campaign(
                MID_TERM,
                MID_TERM_MESSAGE,
                OPENS,
                CLOSES,
                groups=[g for g in groups if g.pk in axis_of],
                reminder_on=REMINDER,
            ),
            people.plan,
        )
    axis = contract.axes.get(kind=AxisKind.THEMATIC, number=ACCESS_AXIS)
    group = next((g for g in groups if g.axis_id == axis.pk), None)
    held = [notes for notes in ACCESS_INTERVIEWS if notes.held_on < today]
    interviews = seed_interviews(territory, contract, axis, group, organizations, held, by)
    return survey, interviews
