"""What the groups of both territories are made of: a meeting as the narratives tell it
(`Session`, its agenda `Item`s, the `WalkIn`s who join), the context a territory's groups are
seeded in, and how members and regulars are drawn from the directory. Each territory's groups are
in `demo/<territory>/groups.py`; a meeting is written by `demo/meetings.py`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.urls import reverse
from django.utils import timezone

from actions.models import Contract, FicheAction
from cls_platform.mail.messages import absolute_url
from cls_platform.models import Territory, User
from demo.accounts import coordinator
from demo.common import PARIS, ascii_slug, vary
from evaluation.surveys.models import SurveyInvitation
from evaluation.surveys.tokens import answer_token
from partners.models import Contact, ContactSource, Organization
from workgroups.models import AgendaKind, Meeting, Membership, WorkGroup

K = AgendaKind

# What happens to a meeting in the demo.
HELD = "held"  # held, compte-rendu written and sent
WRITTEN = "written"  # held, compte-rendu written, not sent yet
INVITED = "invited"  # upcoming, invitations sent, some answers
DRAFT = "draft"  # upcoming, agenda ready, invitations not sent yet


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


def at(day: dt.date, hour: int) -> dt.datetime:
    """That day at that hour in Paris, moved to the Tuesday on or after it (no weekend meetings)."""
    day += dt.timedelta(days=(1 - day.weekday()) % 7)
    return dt.datetime.combine(day, dt.time(hour, 0), tzinfo=PARIS)


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

    def person(self, person: WalkIn, **fields: object) -> Contact:
        """Someone the narratives name, at their demo address: found, or added with `fields`."""
        email = f"{ascii_slug(person.first_name)}.{ascii_slug(person.last_name)}@{self.domain}"
        contact = Contact.objects.filter(territory=self.territory, email__iexact=email).first()
        if contact is None:
            contact = Contact.objects.create(
                territory=self.territory,
                first_name=person.first_name,
                last_name=person.last_name,
                email=email,
                job_title=person.job_title,
                **fields,
            )
        return contact

    def speaker(self, key: str) -> Contact | None:
        org = self.org(key)
        if org is None:
            return None
        return Contact.objects.mailable().filter(organization=org).order_by("id").first()


def load_context(
    territory: Territory, organizations: dict[str, Organization], domain: str
) -> Context:
    through = Organization.sectors.through
    sectors: dict[int, set[str]] = {}
    for org_id, slug in through.objects.filter(organization__territory=territory).values_list(
        "organization_id", "sector__slug"
    ):
        sectors.setdefault(org_id, set()).add(slug)
    now = timezone.now()
    return Context(
        territory=territory,
        organizations=organizations,
        author=coordinator(territory),
        now=now,
        today=timezone.localdate(now),
        sectors=sectors,
        domain=domain,
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
    # Left at least two months ago, if added now.
    left_on = min(left_on, ctx.today - dt.timedelta(days=60))
    return ctx.person(
        person,
        organization=org,
        source=ContactSource.DEMO,
        is_active=False,
        left_at=left_on,
        last_activity_at=dt.datetime.combine(left_on, dt.time(12), tzinfo=PARIS),
    )


def first_contact(ctx: Context, key: str) -> Contact | None:
    org = ctx.org(key)
    if org is None:
        return None
    return Contact.objects.filter(organization=org, left_at__isnull=True).order_by("id").first()


def fiches_of(contract: Contract, axis_id: int | None) -> list[FicheAction]:
    if axis_id is None:
        return []
    return list(contract.fiches_actions.filter(thematic_axis_id=axis_id).order_by("number"))


class SeededGroups(list):  # type: ignore[type-arg]
    """The territory's groups (a list, as before), with the meetings a newcomer can try the two
    buttons on, and an open questionnaire they can answer as a partner would."""

    def __init__(
        self,
        groups: list[WorkGroup],
        to_invite: Meeting | None = None,
        to_report: Meeting | None = None,
        to_answer: SurveyInvitation | None = None,
    ) -> None:
        super().__init__(groups)
        self.to_invite = to_invite
        self.to_report = to_report
        self.to_answer = to_answer

    def notes(self) -> list[str]:
        """One line per meeting still waiting for its button, and one for the open
        questionnaire, for seed_demo's output."""
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
        invitation = self.to_answer
        if invitation is not None:
            invitation.refresh_from_db()
            survey = invitation.survey
            if survey.is_open() and invitation.submitted_at is None:
                path = reverse(
                    "evaluation:survey_answer",
                    kwargs={
                        "territory": survey.territory.slug,
                        "token": answer_token(invitation.pk),
                    },
                )
                lines.append(
                    f"  À essayer : « {survey.title} » est ouvert jusqu'au "
                    f"{survey.closes_on:%d/%m/%Y} ; y répondre comme un partenaire, sans compte : "
                    f"{absolute_url(path)}"
                )
        return lines
