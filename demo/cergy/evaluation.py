"""Cergy's self-evaluation of the partnership, as the Cergy narrative tells it: with no budget
for an external evaluation, the Service Santé asks the partners the narrative's questions (do
they know the CLS, how involved are they, what do they expect of the groups, were those
expectations met, did they meet professionals they did not know, how do they want to take part
in the next CLS). Every partner is asked, as every partner is invited to every group.

This year's campaign is open, dated from the day the demo is loaded (open for weeks still, its
first answers in), before the steering committee that prepares the next contract. Partners
who come to the groups know the CLS and met people there; those who only read the
compte-rendus follow from afar and say so.
"""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from actions.models import Contract
from cls_platform.models import Territory
from demo.evaluation import (
    CO_LEAD,
    CONTACTS,
    FOLLOW,
    HEARD_OF,
    INFORMED,
    INVOLVED,
    KEEP_INFORMED,
    KNOW_A_BIT,
    KNOW_WELL,
    KNOWS,
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
    SHARE,
    SHOWCASE,
    SOMETIMES,
    TAKE_PART,
    THEME,
    UNDECIDED,
    Asked,
    Campaign,
    Comment,
    Profile,
    Reply,
    draw_replies,
    nudge,
    seed_campaign,
    working_day,
)
from evaluation.surveys.models import Survey
from partners.models import OrganizationKind

# The coordination runs the survey and does not answer it.
COORDINATION = {
    "Service Santé, prévention, handicap et lien intergénérationnel",
    "Direction du Développement social et de la santé",
}

THIS_YEAR = "Auto-évaluation du partenariat : préparer le prochain CLS"
THIS_YEAR_MESSAGE = (
    "Le prochain Contrat local de santé se prépare. Avant le comité de pilotage qui en arrêtera "
    "les orientations, dites-nous comment vous voyez le CLS actuel et comment vous souhaitez "
    "vous inscrire dans le suivant. Cinq minutes suffisent ; vous pourrez modifier vos réponses "
    "jusqu'à la clôture."
)

COPILOT = Profile(
    knows={KNOW_WELL: 1},
    involved={PILOTS: 1},
    expects={PROJECTS: 4, CONTACTS: 4, FOLLOW: 3, SHARE: 2},
    satisfied={4: 5, 5: 4, 3: 1},
    met={MET_MANY: 5, MET_SOME: 1},
    next={LEAD: 4, CO_LEAD: 3, PARTNER: 1},
)
REGULAR_PARTNER = Profile(  # came to three groups or more
    knows={KNOW_WELL: 6, KNOW_A_BIT: 3},
    involved={REGULAR: 6, SOMETIMES: 3, PILOTS: 0.5},
    expects={CONTACTS: 7, FOLLOW: 5, PROJECTS: 4, SHARE: 3, SHOWCASE: 3, THEME: 2},
    satisfied={3: 2, 4: 6, 5: 3},
    met={MET_MANY: 6, MET_SOME: 3, MET_NONE: 0.3},
    next={TAKE_PART: 6, PARTNER: 4, CO_LEAD: 1, LEAD: 0.5, KEEP_INFORMED: 1},
)
OCCASIONAL = Profile(  # came once or twice
    knows={KNOW_WELL: 3, KNOW_A_BIT: 5, HEARD_OF: 1},
    involved={SOMETIMES: 7, REGULAR: 2, INFORMED: 1.5},
    expects={CONTACTS: 6, FOLLOW: 5, THEME: 3, SHOWCASE: 3, SHARE: 2, PROJECTS: 2},
    satisfied={2: 1, 3: 4, 4: 5, 5: 1},
    met={MET_MANY: 3, MET_SOME: 5, MET_NONE: 1},
    next={TAKE_PART: 5, KEEP_INFORMED: 4, PARTNER: 2, UNDECIDED: 1},
)
READER = Profile(  # never came: follows the CLS by its compte-rendus
    knows={KNOW_A_BIT: 5, KNOW_WELL: 2, HEARD_OF: 3},
    involved={INFORMED: 7, NOT_INVOLVED: 1.5, SOMETIMES: 0.5},
    expects={FOLLOW: 6, CONTACTS: 4, THEME: 3, SHOWCASE: 2},
    satisfied={2: 1, 3: 5, 4: 3},
    met={MET_NONE: 5, MET_SOME: 3, MET_MANY: 0.5},
    next={KEEP_INFORMED: 7, TAKE_PART: 2, UNDECIDED: 2},
)
SECTORS = {
    "education": nudge(knows={KNOW_A_BIT: 2}, expects={THEME: 2}, involved={INFORMED: 2}),
    "social": nudge(expects={CONTACTS: 2}),
    "sante": nudge(expects={PROJECTS: 2}),
}
ASSOCIATION = nudge(expects={SHOWCASE: 3})


# Structures of the field, rather than institutions.
LOCAL = (
    OrganizationKind.ASSOCIATION,
    OrganizationKind.CITY_SERVICE,
    OrganizationKind.HEALTH_CENTRE,
    OrganizationKind.PROFESSIONAL,
)


def came(person: Asked) -> int:
    """In how many of the contract's groups they came at least once (or pilot, or belong)."""
    return len(person.groups)


def copilot(person: Asked) -> bool:
    return bool(person.pilots) and person.organization not in COORDINATION


def weight(person: Asked) -> float:
    if person.organization in COORDINATION:
        return 0
    if copilot(person):
        return 6
    return 1.6 if came(person) else 0.6


def profile(person: Asked) -> Profile:
    if copilot(person):
        base = COPILOT
    elif came(person) >= 3:
        base = REGULAR_PARTNER
    elif came(person):
        base = OCCASIONAL
    else:
        base = READER
    for sector in sorted(person.sectors):
        base = base + SECTORS.get(sector, nudge())
    if person.kind == OrganizationKind.ASSOCIATION:
        base = base + ASSOCIATION
    return base


def association(person: Asked) -> bool:
    return person.kind == OrganizationKind.ASSOCIATION


def school(person: Asked) -> bool:
    return person.kind == OrganizationKind.SCHOOL


def reader(person: Asked) -> bool:
    return not came(person) and not copilot(person)


def participant(person: Asked) -> bool:
    return bool(came(person)) and not copilot(person)


COMMENTS = [
    Comment(
        "Le speed meeting m'a permis de rencontrer la CPTS : nous avons depuis monté un atelier "
        "ensemble.",
        participant,
        {MET: MET_MANY},
    ),
    Comment(
        "Je ne peux presque jamais venir, mais je lis tous les comptes-rendus : ils me "
        "permettent de suivre le fil du CLS.",
        reader,
        {INVOLVED: INFORMED},
    ),
    Comment(
        "Être invité à tous les groupes, même hors de ma thématique, m'a fait découvrir des "
        "structures que je n'aurais jamais croisées.",
        lambda p: came(p) >= 2 and not copilot(p) and p.kind in LOCAL,
        {MET: MET_MANY},
    ),
    Comment(
        "Deux réunions par an de deux heures, c'est ce qu'il faut : plus, ce serait difficile à "
        "tenir pour nos équipes.",
        participant,
    ),
    Comment(
        "Pour le prochain contrat, nous serions prêts à co-animer un groupe sur la santé des "
        "jeunes.",
        lambda p: bool(p.sectors & {"jeunesse", "education"}) and not reader(p),
        {NEXT: [CO_LEAD, TAKE_PART]},
    ),
    Comment(
        "Le Village santé a été une belle réussite. Nous souhaitons participer au prochain, avec "
        "un stand commun aux associations du quartier.",
        association,
        {NEXT: [PARTNER, TAKE_PART]},
    ),
    Comment(
        "Je découvre le CLS avec ce questionnaire : une courte présentation dans nos réunions "
        "d'équipe serait bienvenue.",
        reader,
        {KNOWS: HEARD_OF, INVOLVED: NOT_INVOLVED, NEXT: [KEEP_INFORMED, UNDECIDED]},
    ),
]
RESPONDENTS = 16


def replies(asked: list[Asked], rng: random.Random) -> list[Reply]:
    """The first answers, from the opening day to yesterday."""
    opens = opening_day()
    return draw_replies(
        asked,
        rng,
        count=RESPONDENTS,
        weight=weight,
        profile=profile,
        comments=COMMENTS,
        opens_on=opens,
        last_day=max(opens, timezone.localdate() - dt.timedelta(days=1)),
    )


def opening_day() -> dt.date:
    return working_day(timezone.localdate() - dt.timedelta(days=12))


def seed_evaluation(territory: Territory, contract: Contract) -> Survey:
    """This year's campaign: opened twelve days ago, open for thirty days more, sixteen
    answers in."""
    closes = timezone.localdate() + dt.timedelta(days=30)
    campaign = Campaign(THIS_YEAR, THIS_YEAR_MESSAGE, opening_day(), closes)
    return seed_campaign(territory, contract, campaign, replies)
