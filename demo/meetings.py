"""How one demo meeting is written: its agenda, its invitations and answers, who came, the
fiches-actions discussed and its compte-rendu, and the e-mails already sent (outbox rows recorded
as sent, so that `send_invitations` and `send_report` find nothing more to send for them).

A meeting's rows are written once, when the meeting is created; a meeting is keyed on its group
and title.
"""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone
from django.utils.html import escape

from actions.models import ActionStatus, ActionUpdate, FicheAction
from cls_platform.models import Delivery, DeliveryStatus, User
from demo.common import MONTHS, PARIS, enumerate_fr, vary
from demo.groups import DRAFT, HELD, INVITED, Context, K, Session, WalkIn, at
from partners.models import Contact, ContactSource
from workgroups.models import (
    AgendaItem,
    Attendance,
    Invitation,
    Meeting,
    MeetingAction,
    MeetingStatus,
    Rsvp,
    WorkGroup,
)
from workgroups.services import (
    KIND_INVITATION,
    KIND_REPORT,
    default_invitees,
    report_recipients,
    sanitize_report,
)

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


def fr_date(moment: dt.datetime) -> str:
    local = timezone.localtime(moment, PARIS)
    return f"{local.day} {MONTHS[local.month - 1]} {local.year}"


def walk_in_contact(ctx: Context, person: WalkIn, meeting: Meeting) -> Contact:
    """Someone who came without being in the directory: added on the spot (source walk_in)."""
    return ctx.person(
        person,
        organization=ctx.org(person.org),
        source=ContactSource.WALK_IN,
        source_detail=f"Présent·e à « {meeting.group.name} » du "
        f"{timezone.localtime(meeting.starts_at, PARIS):%d/%m/%Y}",
        last_activity_at=meeting.ends_at,
    )


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
        names = enumerate_fr(people)
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
