"""Writes of the work groups: meetings, invitations, attendance, compte-rendu and its sending.

Every e-mail goes through the outbox (`cls_platform.mail.outbox`): rows written in the same
transaction as the decision to send, handed to the workers once it commits.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import nh3
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.html import escape, strip_tags
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from actions.models import ActionUpdate, FicheAction
from cls_platform.mail import outbox
from cls_platform.models import Access, Delivery, DeliveryStatus, Role, User
from partners.models import Contact, ContactSource, Organization, normalize_email
from partners.services import contact_create, existing_contact, organization_save

from .models import (
    INVITATION_KINDS,
    KIND_CANCELLATION,
    KIND_INVITATION,
    KIND_REMINDER,
    KIND_REPORT,
    AgendaItem,
    Attendance,
    Invitation,
    Meeting,
    MeetingAction,
    MeetingDocument,
    MeetingStatus,
    Membership,
    Rsvp,
    WorkGroup,
)
from .selectors import (
    cancellation_recipients,
    default_invitees,
    delivery_obstacle,
    invitation_recipients,
    invitation_send_recipients,
    not_started_reason,
    outdated,
    report_recipients,
)

__all__ = [  # re-exported: the demo, the commands and the tests name them from here
    "KIND_CANCELLATION",
    "KIND_INVITATION",
    "KIND_REMINDER",
    "KIND_REPORT",
    "cancellation_recipients",
    "default_invitees",
    "invitation_recipients",
    "invitation_send_recipients",
    "report_recipients",
]

ALLOWED_REPORT_TAGS = {
    "p",
    "br",
    "strong",
    "b",
    "em",
    "i",
    "u",
    "s",
    "ul",
    "ol",
    "li",
    "h2",
    "h3",
    "h4",
    "blockquote",
    "a",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "hr",
    "sup",
    "sub",
}
ALLOWED_REPORT_ATTRIBUTES = {
    "a": {"href", "title"},
    "th": {"scope", "colspan", "rowspan"},
    "td": {"colspan", "rowspan"},
}
DOCUMENT_TYPES = {
    ".pdf": "application/pdf",
    ".doc": "application/msword",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".odt": "application/vnd.oasis.opendocument.text",
    ".xls": "application/vnd.ms-excel",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".ods": "application/vnd.oasis.opendocument.spreadsheet",
    ".ppt": "application/vnd.ms-powerpoint",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ".odp": "application/vnd.oasis.opendocument.presentation",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
}
MAX_DOCUMENT_BYTES = 15 * 1024 * 1024
# What each kind of file starts with: the extension alone says nothing about the content.
ZIP = (b"PK\x03\x04",)  # OOXML (docx, xlsx, pptx) and OpenDocument (odt, ods, odp)
OLE = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",)  # the older Office formats (doc, xls, ppt)
DOCUMENT_SIGNATURES: dict[str, tuple[tuple[bytes, ...], Any]] = {
    ".pdf": ((b"%PDF",), _lazy("un PDF")),
    ".doc": (OLE, _lazy("un document Word")),
    ".docx": (ZIP, _lazy("un document Word")),
    ".odt": (ZIP, _lazy("un document OpenDocument")),
    ".xls": (OLE, _lazy("un classeur Excel")),
    ".xlsx": (ZIP, _lazy("un classeur Excel")),
    ".ods": (ZIP, _lazy("un classeur OpenDocument")),
    ".ppt": (OLE, _lazy("une présentation PowerPoint")),
    ".pptx": (ZIP, _lazy("une présentation PowerPoint")),
    ".odp": (ZIP, _lazy("une présentation OpenDocument")),
    ".png": ((b"\x89PNG\r\n\x1a\n",), _lazy("une image PNG")),
    ".jpg": ((b"\xff\xd8\xff",), _lazy("une image JPEG")),
    ".jpeg": ((b"\xff\xd8\xff",), _lazy("une image JPEG")),
}


HTML_TAG = re.compile(r"</?[a-zA-Z][^>]*>")


def text_to_html(text: str) -> str:
    """Plain text as coordinators type it: blank lines between paragraphs, "- " for lists,
    "## " for headings. HTML pasted from a word processor is kept (then sanitised)."""
    if HTML_TAG.search(text or ""):
        return text
    blocks = []
    for block in re.split(r"\n\s*\n", (text or "").strip()):
        lines = [line.rstrip() for line in block.splitlines() if line.strip()]
        if not lines:
            continue
        if all(line.lstrip().startswith(("- ", "* ", "• ")) for line in lines):
            items = "".join(f"<li>{escape(line.lstrip()[2:].strip())}</li>" for line in lines)
            blocks.append(f"<ul>{items}</ul>")
        elif lines[0].startswith("## ") and len(lines) == 1:
            blocks.append(f"<h3>{escape(lines[0][3:].strip())}</h3>")
        else:
            blocks.append("<p>" + "<br>".join(escape(line) for line in lines) + "</p>")
    return "\n".join(blocks)


def sanitize_report(html: str) -> str:
    """Rich text as the coordinator wrote it, minus anything that could run or restyle: no
    script, no event handler, no style attribute or tag, links limited to http(s) and mailto."""
    return nh3.clean(
        html or "",
        tags=ALLOWED_REPORT_TAGS,
        attributes=ALLOWED_REPORT_ATTRIBUTES,
        clean_content_tags={"script", "style"},
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
    ).strip()


# --- groups ------------------------------------------------------------------------------------


# What only a coordinator decides about a group: who pilots it, its contract, its state and whom
# its meetings invite. A co-pilot runs the group's life (meetings, members, reports).
COORDINATOR_GROUP_FIELDS = ("contract_id", "status", "invitation_policy")


@transaction.atomic
def group_save(
    *,
    group: WorkGroup,
    pilots: Iterable[Contact] | None = None,
    access: Access | None = None,
) -> WorkGroup:
    """Create or edit a group. `access` is who acts (None: a script); a co-pilot may not
    change the pilots, the contract, the state nor the invitation rule, whatever was posted."""
    if access is not None and not access.is_coordinator:
        if group.pk is None:
            raise ValidationError(_("Seule la coordination crée un groupe."))
        stored = WorkGroup.objects.select_for_update().get(pk=group.pk)
        changed = [f for f in COORDINATOR_GROUP_FIELDS if getattr(stored, f) != getattr(group, f)]
        if pilots is not None and {p.pk for p in pilots} != set(
            stored.pilots.values_list("pk", flat=True)
        ):
            changed.append("pilots")
        if changed:
            raise ValidationError(
                _(
                    "Seule la coordination change les pilotes d'un groupe, son contrat, son état "
                    "ou la règle d'invitation de ses réunions."
                )
            )
    group.save()
    if pilots is not None:
        group.pilots.set(pilots)
    return group


@transaction.atomic
def membership_set(*, group: WorkGroup, contact: Contact, kind: str | None) -> None:
    """Make a contact a member or a report subscriber of a group, or remove them (kind None)."""
    if contact.territory_id != group.territory_id:
        raise ValidationError(_("Ce contact n'appartient pas au territoire du groupe."))
    if kind is None:
        group.memberships.filter(contact=contact).delete()
        return
    Membership.objects.update_or_create(group=group, contact=contact, defaults={"kind": kind})


# --- meetings ----------------------------------------------------------------------------------


# What the meeting form edits; a change of the four first moves the meeting in calendars.
MEETING_MOVE_FIELDS = ("starts_at", "ends_at", "place", "online_url")
MEETING_EDIT_FIELDS = (*MEETING_MOVE_FIELDS, "title", "description")


def _changes(
    stored: Meeting, meeting: Meeting, fields: Iterable[str] | None
) -> tuple[list[str], bool]:
    """The fields an edit writes (what the person changed, when known) and whether the edit
    moves an invited, upcoming meeting (a new SEQUENCE goes to the invitees)."""
    editable = MEETING_EDIT_FIELDS if fields is None else set(fields) & set(MEETING_EDIT_FIELDS)
    changed = [f for f in editable if getattr(stored, f) != getattr(meeting, f)]
    moved = any(name in MEETING_MOVE_FIELDS for name in changed)
    resend = bool(
        moved
        and stored.invitations_sent_at
        and stored.status == MeetingStatus.PLANNED
        and not stored.is_over
    )
    return changed, resend


def meeting_update_count(*, meeting: Meeting, fields: Iterable[str] | None = None) -> int | None:
    """How many people saving this edit would send the updated invitation to; None when the
    edit does not move an invited meeting (it then saves at once, without mail)."""
    if meeting.pk is None:
        return None
    stored = Meeting.objects.get(pk=meeting.pk)
    _changed, resend = _changes(stored, meeting, fields)
    if not resend:
        return None
    return invitation_recipients(stored).values("pk").count()


@transaction.atomic
def meeting_save(
    *,
    meeting: Meeting,
    agenda: Iterable[dict[str, Any]] | None = None,
    fields: Iterable[str] | None = None,
    note: str = "",
) -> Meeting:
    """Schedule or edit a meeting. Moving an invited meeting re-sends the invitation with the
    same calendar UID and a higher SEQUENCE, so that calendars update it in place; `note` (the
    coordinator's words, "la salle a changé") goes with that version, and the answers given to
    the former date no longer count: everyone is asked again, those who declined included.

    An edit locks the meeting's row and writes only what changed (`fields`: what the person
    changed in the form, when known): the page's copy of the meeting may be older than the row
    (invitations sent, or the meeting moved, meanwhile), and two moves at once must each get
    their own SEQUENCE."""
    if meeting.ends_at <= meeting.starts_at:
        raise ValidationError({"ends_at": _("La fin doit être après le début.")})
    resend = False
    if meeting.pk is None:
        meeting.save()
        saved = meeting
    else:
        saved = Meeting.objects.select_for_update().get(pk=meeting.pk)
        changed, resend = _changes(saved, meeting, fields)
        for name in changed:
            setattr(saved, name, getattr(meeting, name))
        if resend:
            saved.sequence += 1
            saved.change_note = (note or "").strip()
            changed += ["sequence", "change_note"]
        if changed:
            saved.save(update_fields=changed)
        # The caller's copy tells the truth from now on.
        for name in ("sequence", "status", "invitations_sent_at", "report_sent_at", "change_note"):
            setattr(meeting, name, getattr(saved, name))
    if agenda is not None:
        saved.agenda_items.all().delete()
        AgendaItem.objects.bulk_create(
            [AgendaItem(meeting=saved, order=index, **item) for index, item in enumerate(agenda)]
        )
    if resend:
        # Answers were given to the former date: asked again, declined ones included.
        saved.invitations.exclude(rsvp=Rsvp.PENDING, rsvp_at=None).update(
            rsvp=Rsvp.PENDING, rsvp_at=None
        )
        _enqueue(saved, KIND_INVITATION, invitation_recipients(saved), revision=saved.sequence)
    return saved


@transaction.atomic
def meeting_cancel(*, meeting: Meeting, note: str = "") -> Meeting:
    """Cancel a planned meeting: those whose calendar got the invitation get a CANCEL, with
    the coordinator's `note` ("reportée à cause de la grève") when there is one."""
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.status == MeetingStatus.CANCELLED:
        return meeting
    problem = cancel_problem(meeting)
    if problem:
        raise ValidationError(problem)
    # The invitations not yet sent are held until this cancellation commits: a worker cannot
    # claim one in between (the row still "queued" when the recipients are read) and send it
    # from a meeting it still reads as planned, to someone the CANCEL then misses. Once this
    # commits, the worker claims it, finds the meeting cancelled and skips it.
    list(
        Delivery.objects.select_for_update()
        .filter(
            topic=meeting.topic,
            kind=KIND_INVITATION,
            status__in=[DeliveryStatus.QUEUED, DeliveryStatus.SENDING],
        )
        .values_list("pk", flat=True)
    )
    meeting.status = MeetingStatus.CANCELLED
    meeting.sequence += 1
    meeting.change_note = (note or "").strip()
    meeting.save(update_fields=["status", "sequence", "change_note"])
    if meeting.invitations_sent_at:
        _enqueue(
            meeting, KIND_CANCELLATION, cancellation_recipients(meeting), revision=meeting.sequence
        )
    return meeting


def cancel_problem(meeting: Meeting) -> str:
    """Why this meeting can no longer be cancelled ("" when it can)."""
    if meeting.status == MeetingStatus.CANCELLED:
        return _("Cette réunion est déjà annulée.")
    if meeting.status == MeetingStatus.HELD or meeting.is_over:
        return _("Cette réunion a déjà eu lieu : elle ne peut plus être annulée.")
    return ""


@transaction.atomic
def invitations_prepare(*, meeting: Meeting) -> int:
    """Fill the invitation list from the group's policy (the coordinator then adjusts it);
    those already on the list stay. Returns how many were added."""
    ensure_invitable(meeting)
    already = set(meeting.invitations.values_list("contact_id", flat=True))
    rows = [
        Invitation(meeting=meeting, contact_id=contact_id, territory_id=meeting.territory_id)
        for contact_id in default_invitees(meeting).values_list("pk", flat=True)
        if contact_id not in already
    ]
    Invitation.objects.bulk_create(rows, ignore_conflicts=True)
    if meeting.invitees_prepared_at is None:
        meeting.invitees_prepared_at = timezone.now()
        Meeting.objects.filter(pk=meeting.pk).update(
            invitees_prepared_at=meeting.invitees_prepared_at
        )
    return len(rows)


@dataclass(frozen=True)
class InvitationAdded:
    invitation: Invitation
    mailed: bool  # an invitation e-mail was queued for the person


@transaction.atomic
def invitation_add(*, meeting: Meeting, contact: Contact) -> InvitationAdded:
    """Add someone to the list; once the invitations went, they get theirs at once, unless
    they opted out of invitations (they stay on the list for attendance)."""
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if contact.territory_id != meeting.territory_id:
        raise ValidationError(_("Ce contact n'appartient pas au territoire de la réunion."))
    ensure_invitable(meeting)
    if meeting.invitees_prepared_at is None:
        # The group's rule always applies: one more person is added to it, never instead of it.
        invitations_prepare(meeting=meeting)
    invitation, _created = Invitation.objects.get_or_create(meeting=meeting, contact=contact)
    mailed = False
    if meeting.invitations_sent_at:
        contacts = invitation_recipients(meeting).filter(pk=contact.pk)
        mailed = bool(
            _enqueue(meeting, KIND_INVITATION, contacts, revision=meeting.sequence).queued
        )
    return InvitationAdded(invitation, mailed)


@transaction.atomic
def invitation_remove(*, invitation: Invitation) -> None:
    if invitation.meeting.invitations_sent_at and outbox_sent(invitation):
        raise ValidationError(_("L'invitation est déjà partie : elle ne peut plus être retirée."))
    invitation.delete()


def outbox_sent(invitation: Invitation) -> bool:
    return Delivery.objects.filter(
        topic=invitation.meeting.topic,
        kind=KIND_INVITATION,
        contact_id=invitation.contact_id,
        status=DeliveryStatus.SENT,
    ).exists()


def ensure_invitable(meeting: Meeting) -> None:
    if meeting.status == MeetingStatus.CANCELLED:
        raise ValidationError(_("Cette réunion est annulée : on ne peut plus y inviter."))
    if meeting.is_over:
        raise ValidationError(
            _(
                "Cette réunion est terminée (%(date)s) : on ne peut plus y inviter. Programmez une nouvelle réunion."
            )
            % {"date": timezone.localtime(meeting.starts_at).strftime("%d/%m/%Y")}
        )


@dataclass(frozen=True)
class SendResult:
    queued: int  # e-mails queued by this sending
    skipped: int  # recipients already served before


def organizer_of(meeting: Meeting, user: User | None = None) -> tuple[str, str]:
    """Who organises the meeting in calendars (where "accept" / "decline" replies land): the
    person who sends the invitations, or else the territory's first coordinator; ("", "") when
    there is none (the .ics then names the platform's sending address)."""
    if user is None or not getattr(user, "email", ""):
        user = (
            User.objects.filter(
                accesses__territory_id=meeting.territory_id,
                accesses__role=Role.COORDINATOR,
                is_active=True,
            )
            .order_by("pk")
            .first()
        )
    if user is None:
        return "", ""
    return user.email, user.get_full_name()


@transaction.atomic
def invitations_send(*, meeting: Meeting, user: User | None = None) -> SendResult:
    """One e-mail per invited contact who can be mailed; those already served are skipped.

    The first sending fixes the calendar organizer (`user`, who sends) for the meeting's life."""
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    ensure_invitable(meeting)
    if meeting.invitees_prepared_at is None:
        invitations_prepare(meeting=meeting)
    if meeting.invitations_sent_at is None:
        meeting.invitations_sent_at = timezone.now()
        meeting.organizer_email, meeting.organizer_name = organizer_of(meeting, user)
        meeting.save(update_fields=["invitations_sent_at", "organizer_email", "organizer_name"])
    # Those who declined this version of the meeting are not invited again; a move put every
    # answer back to "sans réponse", so a "no" here was given to the current date.
    return _enqueue(
        meeting, KIND_INVITATION, invitation_send_recipients(meeting), revision=meeting.sequence
    )


@transaction.atomic
def reminders_send(*, meeting: Meeting) -> SendResult:
    """A reminder to those who have not declined (sent once per person and meeting)."""
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if (
        meeting.status != MeetingStatus.PLANNED
        or meeting.is_over
        or not meeting.invitations_sent_at
    ):
        return SendResult(0, 0)
    declined = meeting.invitations.filter(rsvp=Rsvp.NO).values("contact_id")
    contacts = invitation_recipients(meeting).exclude(pk__in=declined)
    return _enqueue(meeting, KIND_REMINDER, contacts)


def due_reminders(*, days_before: int = 3) -> list[int]:
    now = timezone.now()
    return list(
        Meeting.objects.filter(
            status=MeetingStatus.PLANNED,
            invitations_sent_at__isnull=False,
            starts_at__gt=now,
            starts_at__lte=now + dt.timedelta(days=days_before),
        ).values_list("pk", flat=True)
    )


def rsvp_problem(invitation: Invitation) -> str:
    """Why this invitation can no longer be answered ("" when it can)."""
    if invitation.meeting.status == MeetingStatus.CANCELLED:
        return _("Cette réunion est annulée : il n'est plus possible d'y répondre.")
    if invitation.meeting.is_over:
        return _("Cette réunion est passée : il n'est plus possible d'y répondre.")
    return ""


@transaction.atomic
def rsvp_record(*, invitation: Invitation, answer: str) -> Invitation:
    if answer not in (Rsvp.YES, Rsvp.NO):
        raise ValidationError(_("Réponse inconnue."))
    problem = rsvp_problem(invitation)
    if problem:
        raise ValidationError(problem)
    invitation.rsvp = answer
    invitation.rsvp_at = timezone.now()
    invitation.save(update_fields=["rsvp", "rsvp_at"])
    Contact.objects.filter(pk=invitation.contact_id).update(last_activity_at=timezone.now())
    return invitation


# --- attendance --------------------------------------------------------------------------------


def ensure_started(meeting: Meeting) -> None:
    """The compte-rendu and the attendance tell what happened: not before the meeting starts."""
    reason = not_started_reason(meeting)
    if reason:
        raise ValidationError(reason)


def _held(meeting: Meeting) -> None:
    """A meeting with attendance counts as held; its people were active in the network."""
    present = meeting.invitations.filter(attendance=Attendance.PRESENT).values("contact_id")
    Contact.objects.filter(pk__in=present).update(last_activity_at=timezone.now())
    if meeting.status == MeetingStatus.PLANNED and meeting.starts_at <= timezone.now():
        meeting.status = MeetingStatus.HELD
        Meeting.objects.filter(pk=meeting.pk).update(status=MeetingStatus.HELD)


@transaction.atomic
def attendance_record(*, meeting: Meeting, marks: dict[int, str]) -> int:
    """Tick who came from the invitation list. Only the invitations named in `marks` change
    (the page may show a filtered part of the list); returns how many changed."""
    ensure_started(meeting)
    valid = {value for value, _label in Attendance.choices}
    changed = 0
    for invitation in meeting.invitations.filter(pk__in=list(marks)):
        status = marks[invitation.pk]
        if status in valid and status != invitation.attendance:
            invitation.attendance = status
            invitation.save(update_fields=["attendance"])
            changed += 1
    _held(meeting)
    return changed


@transaction.atomic
def attendance_mark_said_yes(*, meeting: Meeting) -> int:
    """ "Marquer présents tous ceux qui ont dit venir": everyone who answered yes and whose
    attendance is not recorded yet (an "absent" or "excusé" ticked by hand stays). Returns how
    many were marked."""
    ensure_started(meeting)
    marked = meeting.invitations.filter(rsvp=Rsvp.YES, attendance=Attendance.UNKNOWN).update(
        attendance=Attendance.PRESENT
    )
    _held(meeting)
    return marked


def walk_in_organization(*, meeting: Meeting, name: str) -> Organization:
    """The structure of a walk-in who named one the directory does not hold: the existing one
    of that name (whatever its case) when there is one, a new one otherwise. A name the
    directory keeps for an archived structure is refused: the walk-in would join a structure
    the coordination closed, which no picker offers any more."""
    name = " ".join(name.split())
    existing = _organization_named(meeting, name)
    if existing is None:
        try:
            # In a savepoint: another walk-in naming the same new structure at the same moment
            # (two coordinators at the door) creates it first; its row is read back below.
            with transaction.atomic():
                return organization_save(
                    organization=Organization(territory=meeting.territory, name=name)
                )
        except IntegrityError:
            existing = _organization_named(meeting, name)
            if existing is None:  # not a name clash after all
                raise
    if existing.archived_at is not None:
        raise ValidationError(
            {
                "new_organization": _(
                    "« %(name)s » est une structure archivée de l'annuaire : choisissez une "
                    "structure active, ou laissez ce champ vide pour ajouter la personne sans "
                    "structure."
                )
                % {"name": existing.name}
            }
        )
    return existing


def _organization_named(meeting: Meeting, name: str) -> Organization | None:
    # The directory holds one structure per name, whatever its case (a unique constraint on
    # the lowered name): an active one first should that ever change.
    return (
        Organization.objects.filter(territory_id=meeting.territory_id, name__iexact=name)
        .order_by(F("archived_at").asc(nulls_first=True), "pk")
        .first()
    )


@transaction.atomic
def walk_in_add(*, meeting: Meeting, data: dict[str, Any]) -> Invitation:
    """Someone came who is not in the directory yet: the directory grows with every meeting,
    and so does it with their structure when it was not there (`new_organization`)."""
    ensure_started(meeting)
    data = dict(data)
    new_organization = (data.pop("new_organization", "") or "").strip()
    if new_organization:
        if data.get("organization"):
            raise ValidationError(
                {
                    "new_organization": _(
                        "Choisissez une structure de l'annuaire ou indiquez une nouvelle "
                        "structure, pas les deux."
                    )
                }
            )
        data["organization"] = walk_in_organization(meeting=meeting, name=new_organization)
    email = normalize_email(data["email"])
    contact = existing_contact(territory=meeting.territory, email=email)
    if contact is None:
        contact = contact_create(
            territory=meeting.territory,
            data={
                k: v
                for k, v in data.items()
                if k in {"first_name", "last_name", "email", "job_title", "organization", "phone"}
            },
            source=ContactSource.WALK_IN,
            source_detail=_("Présent·e à « %(meeting)s » du %(date)s")
            % {
                "meeting": meeting.group.name,
                "date": timezone.localtime(meeting.starts_at).strftime("%d/%m/%Y"),
            },
        )
    invitation, created = Invitation.objects.get_or_create(
        meeting=meeting,
        contact=contact,
        defaults={"walk_in": True, "attendance": Attendance.PRESENT},
    )
    if not created:
        invitation.attendance = Attendance.PRESENT
        invitation.save(update_fields=["attendance"])
    _held(meeting)
    return invitation


# --- compte-rendu ------------------------------------------------------------------------------


@transaction.atomic
def report_save(
    *, meeting: Meeting, html: str, fiches: Iterable[FicheAction] = (), user: User | None = None
) -> Meeting:
    """Save the compte-rendu, sanitised; each fiche-action discussed gets a dated update.

    The meeting's row is locked and read again: a sending under way (report_send holds the
    same lock) has made the PDF its queued e-mails attach, and saving from a page opened before
    must neither change the text they carry nor take that PDF away."""
    meeting_copy = meeting
    meeting = Meeting.objects.select_for_update().select_related("group").get(pk=meeting.pk)
    if meeting.report_sent_at:
        raise ValidationError(_("Ce compte-rendu est déjà envoyé : il ne peut plus être modifié."))
    ensure_started(meeting)
    report = sanitize_report(text_to_html(html))
    if not strip_tags(report).strip():
        raise ValidationError(
            {"report": _("Le compte-rendu est vide une fois sa mise en forme nettoyée.")}
        )
    meeting.report = report
    meeting.report_written_at = timezone.now()
    fields = ["report", "report_written_at"]
    delivered = Delivery.objects.filter(topic=meeting.topic, kind=KIND_REPORT).exists()
    if meeting.report_pdf and not delivered:
        meeting.report_pdf = None  # rebuilt at sending time from the final text
        fields.append("report_pdf")
    meeting.save(update_fields=fields)
    day = timezone.localtime(meeting.starts_at).date()
    for fiche in fiches:
        if fiche.territory_id != meeting.territory_id:
            raise ValidationError(
                _("Cette fiche-action n'appartient pas au territoire de la réunion.")
            )
        link = MeetingAction.objects.filter(meeting=meeting, fiche=fiche).first()
        if link is None:
            update = ActionUpdate.objects.create(
                fiche=fiche,
                happened_on=day,
                author=user,
                text=_("Discutée en réunion : %(group)s.") % {"group": meeting.group.name},
            )
            MeetingAction.objects.create(meeting=meeting, fiche=fiche, update=update)
    # The caller's copy tells the truth from now on.
    for name in ("report", "report_written_at", "report_pdf", "status"):
        setattr(meeting_copy, name, getattr(meeting, name))
    return meeting


@transaction.atomic
def document_add(*, meeting: Meeting, upload: Any, title: str = "") -> MeetingDocument:
    """Attach a shared resource: PDF, office file or image, 15 MB at most, whose content is
    what its name says (a renamed executable is refused)."""
    name = os.path.basename((upload.name or "").replace("\\", "/")).strip() or "document"
    suffix = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if suffix not in DOCUMENT_TYPES:
        raise ValidationError(
            _("Type de fichier refusé : PDF, documents bureautiques ou images seulement.")
        )
    if upload.size > MAX_DOCUMENT_BYTES:
        raise ValidationError(
            _("Ce fichier dépasse 15 Mo (%(size)s Mo) : déposez-en une version plus légère.")
            % {"size": f"{math.ceil(upload.size * 10 / (1024 * 1024)) / 10:.1f}".replace(".", ",")}
        )
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    signatures, what = DOCUMENT_SIGNATURES[suffix]
    if not head.startswith(signatures):
        raise ValidationError(
            _(
                "« %(name)s » ne ressemble pas à %(what)s : son contenu ne correspond pas à son "
                "extension. Déposez le fichier d'origine."
            )
            % {"name": name, "what": what}
        )
    name = name[-250:]
    document = MeetingDocument(
        meeting=meeting,
        title=(title or name)[:250],
        file_name=name,
        size=upload.size,
        content_type=DOCUMENT_TYPES[suffix],
    )
    document.file.save(name, upload, save=False)
    document.save()
    return document


@transaction.atomic
def report_send(*, meeting: Meeting) -> SendResult:
    """The compte-rendu to every recipient not served yet, with its PDF, made once: only when
    this sending queues at least one e-mail (a second press on a served meeting makes none)."""
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    ensure_started(meeting)
    if not meeting.report.strip():
        raise ValidationError(_("Écrivez le compte-rendu avant de l'envoyer."))
    fields = []
    if meeting.status == MeetingStatus.PLANNED and meeting.starts_at <= timezone.now():
        meeting.status = MeetingStatus.HELD
        fields.append("status")
    result = _enqueue(meeting, KIND_REPORT, report_recipients(meeting))
    if result.queued and not meeting.report_pdf:
        # In the same transaction as the rows: the workers, handed them after the commit,
        # always find the PDF.
        from .pdf import meeting_report_pdf

        meeting.report_pdf.save(
            f"compte-rendu-{meeting.pk}.pdf",
            ContentFile(meeting_report_pdf(meeting=meeting)),
            save=False,
        )
        fields.append("report_pdf")
    if meeting.report_sent_at is None:
        meeting.report_sent_at = timezone.now()
        fields.append("report_sent_at")
    if fields:
        meeting.save(update_fields=fields)
    return result


# --- failed deliveries -------------------------------------------------------------------------


@transaction.atomic
def deliveries_retry(*, meeting: Meeting) -> outbox.Retried:
    """ "Relancer les envois en échec": each failed e-mail goes again to the person's current
    address (the coordinator may have corrected it), unless the person still cannot be mailed
    or the message no longer makes sense (an invitation once the meeting is over)."""
    # Locked: a second retry (double click) waits, then finds the rows no longer failed.
    meeting = Meeting.objects.select_for_update().select_related("group").get(pk=meeting.pk)

    def decide(rows: list[Delivery]) -> dict[int, outbox.Decision]:
        ids = {r.contact_id for r in rows if r.contact_id}
        contacts = Contact.objects.filter(territory_id=meeting.territory_id).in_bulk(ids)
        choices = {
            (m.contact_id, kind): True
            for m in Membership.objects.filter(group_id=meeting.group_id, contact_id__in=ids)
            for kind, wanted in (("invitations", m.invitations), ("reports", m.reports))
            if not wanted
        }
        answers = dict(
            meeting.invitations.filter(contact_id__in=ids).values_list("contact_id", "rsvp")
        )
        decisions: dict[int, outbox.Decision] = {}
        for row in rows:
            if not row.contact_id:
                continue  # a plain address: nothing to check it against
            contact = contacts.get(row.contact_id)
            choice = "invitations" if row.kind in INVITATION_KINDS else "reports"
            reason = delivery_obstacle(
                meeting=meeting,
                contact=contact,
                kind=row.kind,
                opted_out=(row.contact_id, choice) in choices,
                rsvp=answers.get(row.contact_id, ""),
            ) or outdated(meeting, row)
            decisions[row.pk] = outbox.Skip(reason) if reason else contact.email
        return decisions

    return outbox.retry_failed(territory=meeting.territory, topic=meeting.topic, decide=decide)


def _enqueue(
    meeting: Meeting, kind: str, contacts: Iterable[Contact], revision: int = 0
) -> SendResult:
    result = outbox.enqueue(
        territory=meeting.territory,
        kind=kind,
        topic=meeting.topic,
        revision=revision,
        recipients=[outbox.Recipient(email=c.email, contact_id=c.pk) for c in contacts],
    )
    return SendResult(queued=len(result.queued), skipped=result.skipped)
