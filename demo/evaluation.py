"""How the demo's evaluation of the partnership is written, once for both territories: partner
surveys and the interviews of a mid-term review. Each territory's campaigns, answers and
interviews are in `demo/<territory>/evaluation.py`.

Everything goes through the project's services, so that the demo holds what the app would: the
campaign is saved and sent by `survey_save` and `survey_send` (its e-mails are outbox rows,
recorded as sent as for the demo's past meetings: nothing is mailed), a reminder by
`survey_remind`, each answer by `answer_submit` on its day, each interview by `interview_save`.
Then the moments the services stamp with "now" are set to when it happened.

A campaign is keyed on its contract and title, an interview on its contract, day and structure:
written once, a second run adds nothing.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from actions.models import Axis, Contract
from cls_platform.models import Delivery, DeliveryStatus, Territory, User
from demo.common import PARIS, vary
from evaluation.interviews.models import Interview
from evaluation.interviews.services import interview_save
from evaluation.surveys.models import (
    Choice,
    Question,
    QuestionKind,
    Questionnaire,
    Survey,
    SurveyAudience,
    SurveyInvitation,
)
from evaluation.surveys.questionnaires import DEFAULT_TITLE, questionnaire_create_default
from evaluation.surveys.services import (
    KIND_SURVEY,
    KIND_SURVEY_REMINDER,
    answer_submit,
    survey_remind,
    survey_save,
    survey_send,
)
from partners.models import Contact, Organization
from workgroups.models import WorkGroup

# The questions of the default questionnaire (evaluation/surveys/questionnaires.py).
KNOWS = "Connaissez-vous le CLS ?"
INVOLVED = "Quel est votre niveau d'implication dans le CLS ?"
EXPECTS = "Qu'attendez-vous des groupes de travail ?"
SATISFIED = "Le CLS a-t-il permis de satisfaire vos attentes ?"
MET = "Grâce au CLS, avez-vous rencontré des professionnels que vous ne connaissiez pas ?"
NEXT = "Comment souhaitez-vous vous inscrire dans le prochain CLS ?"
COMMENTS = "Commentaires libres"

# Their answers, as the demo's profiles weigh them.
KNOW_WELL, KNOW_A_BIT, HEARD_OF, KNOW_NOT = (
    "Oui, bien",
    "Un peu",
    "J'en ai seulement entendu parler",
    "Non",
)
PILOTS, REGULAR, SOMETIMES, INFORMED, NOT_INVOLVED = (
    "Je pilote ou co-pilote une action ou un groupe de travail",
    "Je participe régulièrement aux groupes de travail",
    "Je participe de temps en temps",
    "Je suis informé·e (comptes-rendus) sans participer",
    "Je ne suis pas impliqué·e",
)
THEME, SHARE, CONTACTS, PROJECTS, FOLLOW, SHOWCASE = (
    "Mieux connaître la thématique",
    "Partager des expériences",
    "Rencontrer des partenaires, trouver des contacts",
    "Construire des projets communs",
    "Suivre l'avancement des actions du CLS",
    "Faire connaître l'offre de ma structure",
)
MET_MANY, MET_SOME, MET_NONE = "Oui, plusieurs", "Oui, quelques-uns", "Non"
LEAD, CO_LEAD, TAKE_PART, PARTNER, KEEP_INFORMED, UNDECIDED = (
    "Piloter ou co-piloter une action",
    "Co-animer un groupe de travail",
    "Participer aux groupes de travail",
    "Être partenaire d'une action",
    "Être tenu·e informé·e des travaux",
    "Je ne sais pas encore",
)

Weights = dict[Any, float]


def blend(*weights: Weights) -> Weights:
    """Weights added answer by answer (a profile, then what a sector adds to it)."""
    total: Weights = {}
    for table in weights:
        for key, weight in table.items():
            total[key] = total.get(key, 0) + weight
    return total


def pick(rng: random.Random, weights: Weights) -> Any:
    keys = [k for k, w in weights.items() if w > 0]
    return rng.choices(keys, weights=[weights[k] for k in keys])[0]


def pick_some(rng: random.Random, weights: Weights, low: int, high: int) -> list[Any]:
    """Between `low` and `high` distinct answers, the heavier more often."""
    left = dict(weights)
    chosen: list[Any] = []
    for _ in range(rng.randint(low, high)):
        if not any(w > 0 for w in left.values()):
            break
        chosen.append(pick(rng, left))
        left[chosen[-1]] = 0
    return chosen


@dataclass(frozen=True)
class Profile:
    """How a kind of partner tends to answer the default questionnaire."""

    knows: Weights
    involved: Weights
    expects: Weights
    satisfied: Weights  # point of the scale (1 to 5) -> weight
    met: Weights
    next: Weights

    def __add__(self, other: Profile) -> Profile:
        return Profile(
            *(
                blend(getattr(self, name), getattr(other, name))
                for name in ("knows", "involved", "expects", "satisfied", "met", "next")
            )
        )

    def draw(self, rng: random.Random, skip: float = 0.06) -> dict[str, Any]:
        """One person's answers; a question other than the first is now and then left blank."""
        answers: dict[str, Any] = {
            KNOWS: pick(rng, self.knows),
            INVOLVED: pick(rng, self.involved),
            EXPECTS: pick_some(rng, self.expects, 1, 3),
            SATISFIED: pick(rng, self.satisfied),
            MET: pick(rng, self.met),
            NEXT: pick_some(rng, self.next, 1, 2),
        }
        return {q: v for q, v in answers.items() if q == KNOWS or rng.random() >= skip}


def nudge(**weights: Weights) -> Profile:
    """A profile that only adds to some questions (what a sector changes, for instance)."""
    empty = {name: {} for name in ("knows", "involved", "expects", "satisfied", "met", "next")}
    return Profile(**{**empty, **weights})


# --- campaigns ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Asked:
    """One person a campaign asked, as the answers are drawn: the structure and the groups the
    invitation kept, and whether they pilot one of those groups."""

    invitation_id: int
    key: str  # their address: stable from one database to another
    organization: str
    kind: str
    sectors: frozenset[str]
    internal: bool
    groups: frozenset[int]  # ids of their groups when asked
    pilots: frozenset[int]  # ids of the groups they pilot


@dataclass(frozen=True)
class Reply:
    """What one person answered (question -> choice label, labels, point or text), and when."""

    invitation_id: int
    at: dt.datetime
    answers: dict[str, Any]
    edited_at: dt.datetime | None = None  # came back later and changed an answer


@dataclass(frozen=True)
class Campaign:
    title: str
    message: str
    opens_on: dt.date
    closes_on: dt.date
    groups: list[WorkGroup] = field(default_factory=list)  # empty: all the active partners
    reminder_on: dt.date | None = None


# Who answers a campaign and what: from the people it asked (and a seeded random generator).
Plan = Callable[[list[Asked], random.Random], list[Reply]]


def moment(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=PARIS)


def default_questionnaire(territory: Territory, first_used: dt.date) -> Questionnaire:
    """The territory's copy of the built-in questionnaire, made before its first campaign."""
    questionnaire = Questionnaire.objects.filter(territory=territory, title=DEFAULT_TITLE).first()
    if questionnaire is None:
        questionnaire = questionnaire_create_default(territory=territory)
        made = moment(first_used - dt.timedelta(days=12), 11)
        Questionnaire.objects.filter(pk=questionnaire.pk).update(created_at=made, updated_at=made)
    return questionnaire


@transaction.atomic
def seed_campaign(
    territory: Territory, contract: Contract, campaign: Campaign, plan: Plan
) -> Survey:
    """A campaign of the default questionnaire, sent on its opening day, answered as `plan`
    says, reminded once if it says when. In one transaction: its e-mails are recorded as sent
    before the outbox hands them to the workers (after the commit), which hands over only rows
    still waiting: nothing."""
    survey = Survey.objects.filter(contract=contract, title=campaign.title).first()
    if survey is not None:
        return survey
    survey = survey_save(
        territory=territory,
        data={
            "contract": contract,
            "questionnaire": default_questionnaire(territory, campaign.opens_on),
            "title": campaign.title,
            "message": campaign.message,
            "audience": SurveyAudience.GROUPS if campaign.groups else SurveyAudience.ALL_PARTNERS,
            "groups": campaign.groups,
            "opens_on": campaign.opens_on,
            "closes_on": campaign.closes_on,
        },
    )
    survey_send(survey=survey, today=campaign.opens_on)
    sent = moment(campaign.opens_on, 9, 30)
    Survey.objects.filter(pk=survey.pk).update(sent_at=sent, created_at=sent - dt.timedelta(days=3))
    survey.invitations.update(created_at=sent)
    mark_sent(survey, KIND_SURVEY, sent)

    asked = asked_people(survey)
    rng = random.Random(f"{territory.slug}|{campaign.title}")
    replies = sorted(plan(asked, rng), key=lambda r: r.at)
    answer_all(survey, campaign, replies)
    return survey


def mark_sent(survey: Survey, kind: str, when: dt.datetime, revision: int = 0) -> None:
    """The campaign's e-mails left when it happened: recorded as sent, nothing is mailed."""
    Delivery.objects.filter(topic=survey.topic, kind=kind, revision=revision).update(
        status=DeliveryStatus.SENT,
        attempts=1,
        next_attempt_at=when,
        claimed_at=when,
        sent_at=when,
        created_at=when,
    )


def asked_people(survey: Survey) -> list[Asked]:
    """Everyone the campaign asked, in a stable order (plain values: four queries)."""
    invitations = survey.invitations.order_by("contact__email")
    sectors: dict[int, set[str]] = {}
    for org_id, slug in Organization.sectors.through.objects.filter(
        organization__survey_invitations__survey=survey
    ).values_list("organization_id", "sector__slug"):
        sectors.setdefault(org_id, set()).add(slug)
    groups: dict[int, set[int]] = {}
    for invitation_id, group_id in SurveyInvitation.groups.through.objects.filter(
        surveyinvitation__survey=survey
    ).values_list("surveyinvitation_id", "workgroup_id"):
        groups.setdefault(invitation_id, set()).add(group_id)
    piloting: dict[int, set[int]] = {}
    for contact_id, group_id in WorkGroup.pilots.through.objects.filter(
        contact__survey_invitations__survey=survey, workgroup__contract_id=survey.contract_id
    ).values_list("contact_id", "workgroup_id"):
        piloting.setdefault(contact_id, set()).add(group_id)
    return [
        Asked(
            invitation_id=pk,
            key=email,
            organization=name or "",
            kind=kind or "",
            sectors=frozenset(sectors.get(org_id, ())),
            internal=bool(internal),
            groups=frozenset(groups.get(pk, ())),
            pilots=frozenset(piloting.get(contact_id, ())),
        )
        for pk, contact_id, email, org_id, name, kind, internal in invitations.values_list(
            "pk",
            "contact_id",
            "contact__email",
            "organization_id",
            "organization__name",
            "organization__kind",
            "organization__is_internal",
        )
    ]


def answer_all(survey: Survey, campaign: Campaign, replies: list[Reply]) -> None:
    """Each reply through `answer_submit` on its day; the reminder goes when it went, to those
    who had not answered by then; then each answer is dated as it came."""
    questions = {
        q.text: q
        for q in Question.objects.filter(section__questionnaire_id=survey.questionnaire_id)
    }
    choices = {
        (c.question_id, c.label): c.pk
        for c in Choice.objects.filter(question__in=questions.values())
    }
    invitations = {i.pk: i for i in survey.invitations.all()}
    reminded = campaign.reminder_on is None
    for reply in replies:
        if not reminded and reply.at >= reminder_moment(campaign.reminder_on):
            remind(survey, campaign.reminder_on)
            reminded = True
        answer_submit(
            invitation=invitations[reply.invitation_id],
            questionnaire=survey.questionnaire,
            data=form_values(questions, choices, reply.answers),
            today=timezone.localdate(reply.at, PARIS),
        )
    if not reminded:
        remind(survey, campaign.reminder_on)
    dated = [
        SurveyInvitation(pk=r.invitation_id, submitted_at=r.at, updated_at=r.edited_at or r.at)
        for r in replies
    ]
    SurveyInvitation.objects.bulk_update(dated, ["submitted_at", "updated_at"])


def reminder_moment(day: dt.date) -> dt.datetime:
    return moment(day, 9, 15)


def remind(survey: Survey, day: dt.date | None) -> None:
    assert day is not None
    survey_remind(survey=survey, today=day)
    when = reminder_moment(day)
    Survey.objects.filter(pk=survey.pk).update(last_reminder_at=when)
    mark_sent(survey, KIND_SURVEY_REMINDER, when, revision=1)


def form_values(
    questions: dict[str, Question], choices: dict[tuple[int, str], int], answers: dict[str, Any]
) -> dict[int, Any]:
    """The answers as the answer page's form hands them to `answer_submit`."""
    data: dict[int, Any] = {}
    for text, value in answers.items():
        question = questions[text]
        if question.kind == QuestionKind.MULTIPLE:
            data[question.pk] = [str(choices[(question.pk, label)]) for label in value]
        elif question.kind == QuestionKind.SINGLE:
            data[question.pk] = str(choices[(question.pk, value)])
        else:
            data[question.pk] = value
    return data


def weighted_sample(
    people: Iterable[Asked], weight: Callable[[Asked], float], n: int, rng: random.Random
) -> list[Asked]:
    """`n` people drawn without replacement, each as likely as their weight (A-ES keys)."""
    keyed = [(rng.random() ** (1 / w), p) for p in people if (w := weight(p)) > 0]
    keyed.sort(key=lambda pair: pair[0], reverse=True)
    return [p for _k, p in keyed[:n]]


def working_day(day: dt.date) -> dt.date:
    """The day itself, or the Friday before a weekend: campaigns go out on working days."""
    return day - dt.timedelta(days=max(0, day.weekday() - 4))


def reply_days(
    rng: random.Random,
    n: int,
    opens_on: dt.date,
    last_day: dt.date,
    reminder_on: dt.date | None = None,
) -> list[dt.datetime]:
    """When `n` people answer: many in the first days, then a trickle, a rise after the
    reminder; on working days, in office hours."""
    days = [
        opens_on + dt.timedelta(days=k)
        for k in range((last_day - opens_on).days + 1)
        if (opens_on + dt.timedelta(days=k)).weekday() < 5
    ] or [opens_on]
    after = [d for d in days if reminder_on is not None and d >= reminder_on]
    moments = []
    for _ in range(n):
        roll = rng.random()
        if roll < 0.45:
            day = rng.choice(days[:3])
        elif after and roll < 0.75:
            day = rng.choice(after[:4])
        else:
            day = rng.choice(days)
        moments.append(moment(day, rng.randint(8, 18), rng.randrange(0, 60, 5)))
    return moments


@dataclass(frozen=True)
class Comment:
    """A free comment, written by the first respondent it fits (in a stable order), who then
    answers `answers` to the questions it speaks of."""

    text: str
    fits: Callable[[Asked], bool]
    answers: dict[str, Any] = field(default_factory=dict)


def draw_replies(
    asked: list[Asked],
    rng: random.Random,
    *,
    count: int,
    weight: Callable[[Asked], float],
    profile: Callable[[Asked], Profile],
    comments: list[Comment],
    opens_on: dt.date,
    last_day: dt.date,
    reminder_on: dt.date | None = None,
    edits: int = 2,
    sure: Iterable[Asked] = (),
) -> list[Reply]:
    """`count` people who answer (those `sure` to, then others drawn by `weight`, 0 for those
    who never would), their answers drawn from their profile, the comments given to the people
    they fit, the days they answered; `edits` of them came back later to change something."""
    respondents = list(dict.fromkeys(sure))[:count]
    chosen = {p.invitation_id for p in respondents}
    others = [p for p in asked if p.invitation_id not in chosen]
    respondents += weighted_sample(others, weight, count - len(respondents), rng)
    order = sorted(respondents, key=lambda p: vary(p.key + "|comment", 10_000))
    said: dict[int, Comment] = {}
    for comment in comments:
        for person in order:
            if person.invitation_id not in said and comment.fits(person):
                said[person.invitation_id] = comment
                break
    moments = reply_days(rng, len(respondents), opens_on, last_day, reminder_on)
    came_back = set(rng.sample(range(len(respondents)), min(edits, len(respondents))))
    replies = []
    for rank, (person, at) in enumerate(zip(respondents, moments, strict=True)):
        answers = profile(person).draw(rng)
        comment = said.get(person.invitation_id)
        if comment is not None:
            answers.update(comment.answers)
            answers[COMMENTS] = comment.text
        edited = None
        if rank in came_back:
            later = min(timezone.localdate(at, PARIS) + dt.timedelta(days=4), last_day)
            edited = max(moment(later, 17, 40), at + dt.timedelta(hours=2))
        replies.append(Reply(person.invitation_id, at, answers, edited))
    return replies


# --- interviews --------------------------------------------------------------------------------


@dataclass(frozen=True)
class InterviewNotes:
    """One interview of a mid-term review: whom (a structure of the directory, or a person who
    is not in it), when, and the notes."""

    held_on: dt.date
    organization: str
    missions: str
    territory_actions: str
    needs: str
    collaboration: str
    follow_up: str
    interviewee: str = ""  # someone not in the directory: name and function
    job_titles: tuple[str, ...] = ()  # whom to meet at the structure, first found


def interviewed_contact(org: Organization, spec: InterviewNotes) -> Contact | None:
    """The person met at the structure: one still in post, of the function the notes expect."""
    people = list(
        Contact.objects.filter(
            organization=org, left_at__isnull=True, anonymized_at__isnull=True
        ).order_by("id")
    )
    for title in spec.job_titles:
        for person in people:
            if person.job_title == title:
                return person
    return people[0] if people else None


def seed_interviews(
    territory: Territory,
    contract: Contract,
    axis: Axis,
    group: WorkGroup | None,
    organizations: dict[str, Organization],
    notes: list[InterviewNotes],
    by: User | None,
) -> list[Interview]:
    """The interviews of a review on one axis (and its group), through `interview_save`."""
    done = []
    for spec in notes:
        org = organizations[spec.organization]
        found = Interview.objects.filter(
            contract=contract, held_on=spec.held_on, organization=org
        ).first()
        if found is not None:
            done.append(found)
            continue
        contact = None if spec.interviewee else interviewed_contact(org, spec)
        interview = interview_save(
            territory=territory,
            by=by,
            data={
                "contract": contract,
                "contact": contact,
                "interviewee": spec.interviewee,
                "organization": org,
                "axis": axis,
                "group": group,
                "held_on": spec.held_on,
                "missions": spec.missions,
                "territory_actions": spec.territory_actions,
                "needs": spec.needs,
                "collaboration": spec.collaboration,
                "follow_up": spec.follow_up,
            },
        )
        written = moment(spec.held_on + dt.timedelta(days=1), 17)
        Interview.objects.filter(pk=interview.pk).update(created_at=written, updated_at=written)
        done.append(interview)
    return done
