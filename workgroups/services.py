"""Writes of the work groups: meetings, invitations, attendance, compte-rendu and its sending.

Every e-mail goes through the outbox (`cls_platform.outbox`): rows written in the same
transaction as the decision to send, handed to the workers once it commits.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import nh3
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext as _

from actions.models import ActionUpdate, FicheAction
from cls_platform import outbox
from cls_platform.models import User
from partners.models import Contact, ContactSource, normalize_email
from partners.services import contact_create, existing_contact

from .models import (
    AgendaItem,
    Attendance,
    Invitation,
    InvitationPolicy,
    Meeting,
    MeetingAction,
    MeetingDocument,
    MeetingStatus,
    Membership,
    MembershipKind,
    Rsvp,
    WorkGroup,
)

KIND_INVITATION = "invitation"
KIND_CANCELLATION = "cancellation"
KIND_REMINDER = "reminder"
KIND_REPORT = "report"

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


@transaction.atomic
def group_save(*, group: WorkGroup, pilots: Iterable[Contact] | None = None) -> WorkGroup:
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


@transaction.atomic
def meeting_save(*, meeting: Meeting, agenda: Iterable[dict[str, Any]] | None = None) -> Meeting:
    """Schedule or edit a meeting. Moving an invited meeting re-sends the invitation with the
    same calendar UID and a higher SEQUENCE, so that calendars update it in place."""
    if meeting.ends_at <= meeting.starts_at:
        raise ValidationError({"ends_at": _("La fin doit être après le début.")})
    resend = False
    if meeting.pk:
        before = Meeting.objects.get(pk=meeting.pk)
        changed = (before.starts_at, before.ends_at, before.place, before.online_url) != (
            meeting.starts_at,
            meeting.ends_at,
            meeting.place,
            meeting.online_url,
        )
        if changed and before.invitations_sent_at and meeting.status == MeetingStatus.PLANNED:
            meeting.sequence = before.sequence + 1
            resend = True
    meeting.save()
    if agenda is not None:
        meeting.agenda_items.all().delete()
        AgendaItem.objects.bulk_create(
            [AgendaItem(meeting=meeting, order=index, **item) for index, item in enumerate(agenda)]
        )
    if resend:
        invitees = meeting.invitations.exclude(rsvp=Rsvp.NO).select_related("contact")
        _enqueue(meeting, KIND_INVITATION, (i.contact for i in invitees), revision=meeting.sequence)
    return meeting


@transaction.atomic
def meeting_cancel(*, meeting: Meeting) -> Meeting:
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.status == MeetingStatus.CANCELLED:
        return meeting
    if meeting.status == MeetingStatus.HELD or meeting.is_over:
        raise ValidationError(_("Cette réunion a déjà eu lieu : elle ne peut plus être annulée."))
    meeting.status = MeetingStatus.CANCELLED
    meeting.sequence += 1
    meeting.save(update_fields=["status", "sequence"])
    if meeting.invitations_sent_at:
        contacts = (i.contact for i in meeting.invitations.select_related("contact"))
        _enqueue(meeting, KIND_CANCELLATION, contacts, revision=meeting.sequence)
    return meeting


def default_invitees(meeting: Meeting) -> QuerySet[Contact]:
    """Who the group's policy invites: every active partner of the territory (Cergy's choice)
    or the group's members; minus those who opted out of invitations, overall or for this group."""
    group = meeting.group
    contacts = Contact.objects.mailable().filter(
        territory_id=meeting.territory_id, receives_invitations=True
    )
    if group.invitation_policy == InvitationPolicy.MEMBERS:
        contacts = contacts.filter(
            memberships__group=group, memberships__kind=MembershipKind.MEMBER
        ) | contacts.filter(piloted_groups=group)
    opted_out = Membership.objects.filter(group=group, invitations=False).values("contact_id")
    return contacts.exclude(pk__in=opted_out).distinct()


@transaction.atomic
def invitations_prepare(*, meeting: Meeting) -> int:
    """Fill the invitation list from the group's policy (the coordinator then adjusts it)."""
    ensure_invitable(meeting)
    already = set(meeting.invitations.values_list("contact_id", flat=True))
    rows = [
        Invitation(meeting=meeting, contact_id=contact_id, territory_id=meeting.territory_id)
        for contact_id in default_invitees(meeting).values_list("pk", flat=True)
        if contact_id not in already
    ]
    Invitation.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


@transaction.atomic
def invitation_add(*, meeting: Meeting, contact: Contact) -> Invitation:
    if contact.territory_id != meeting.territory_id:
        raise ValidationError(_("Ce contact n'appartient pas au territoire de la réunion."))
    invitation, _created = Invitation.objects.get_or_create(meeting=meeting, contact=contact)
    if meeting.invitations_sent_at and not meeting.is_over:
        _enqueue(meeting, KIND_INVITATION, [contact], revision=meeting.sequence)
    return invitation


@transaction.atomic
def invitation_remove(*, invitation: Invitation) -> None:
    if invitation.meeting.invitations_sent_at and outbox_sent(invitation):
        raise ValidationError(_("L'invitation est déjà partie : elle ne peut plus être retirée."))
    invitation.delete()


def outbox_sent(invitation: Invitation) -> bool:
    from cls_platform.models import Delivery, DeliveryStatus

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
    queued: int
    skipped: int


@transaction.atomic
def invitations_send(*, meeting: Meeting) -> SendResult:
    """One e-mail per invited contact who can be mailed; those already served are skipped."""
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    ensure_invitable(meeting)
    if not meeting.invitations.exists():
        invitations_prepare(meeting=meeting)
    contacts = Contact.objects.mailable().filter(
        invitations__meeting=meeting, receives_invitations=True
    )
    result = _enqueue(meeting, KIND_INVITATION, contacts, revision=meeting.sequence)
    if meeting.invitations_sent_at is None:
        meeting.invitations_sent_at = timezone.now()
        meeting.save(update_fields=["invitations_sent_at"])
    return result


@transaction.atomic
def reminders_send(*, meeting: Meeting) -> SendResult:
    """A reminder to those who have not declined (sent once per person and meeting)."""
    if (
        meeting.status != MeetingStatus.PLANNED
        or meeting.is_over
        or not meeting.invitations_sent_at
    ):
        return SendResult(0, 0)
    contacts = (
        Contact.objects.mailable()
        .filter(invitations__meeting=meeting, receives_invitations=True)
        .exclude(invitations__meeting=meeting, invitations__rsvp=Rsvp.NO)
    )
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


@transaction.atomic
def rsvp_record(*, invitation: Invitation, answer: str) -> Invitation:
    if answer not in (Rsvp.YES, Rsvp.NO):
        raise ValidationError(_("Réponse inconnue."))
    if invitation.meeting.status == MeetingStatus.CANCELLED:
        raise ValidationError(_("Cette réunion est annulée : il n'est plus possible d'y répondre."))
    if invitation.meeting.is_over:
        raise ValidationError(_("Cette réunion est passée : il n'est plus possible d'y répondre."))
    invitation.rsvp = answer
    invitation.rsvp_at = timezone.now()
    invitation.save(update_fields=["rsvp", "rsvp_at"])
    Contact.objects.filter(pk=invitation.contact_id).update(last_activity_at=timezone.now())
    return invitation


# --- attendance --------------------------------------------------------------------------------


@transaction.atomic
def attendance_record(*, meeting: Meeting, marks: dict[int, str]) -> int:
    """Tick who came from the invitation list; a meeting with attendance counts as held."""
    valid = {value for value, _label in Attendance.choices}
    changed = 0
    for invitation in meeting.invitations.filter(pk__in=list(marks)):
        status = marks[invitation.pk]
        if status in valid and status != invitation.attendance:
            invitation.attendance = status
            invitation.save(update_fields=["attendance"])
            changed += 1
    present = meeting.invitations.filter(attendance=Attendance.PRESENT).values("contact_id")
    Contact.objects.filter(pk__in=present).update(last_activity_at=timezone.now())
    if meeting.status == MeetingStatus.PLANNED and meeting.starts_at <= timezone.now():
        meeting.status = MeetingStatus.HELD
        meeting.save(update_fields=["status"])
    return changed


@transaction.atomic
def walk_in_add(*, meeting: Meeting, data: dict[str, Any]) -> Invitation:
    """Someone came who is not in the directory yet: the directory grows with every meeting."""
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
    return invitation


# --- compte-rendu ------------------------------------------------------------------------------


@transaction.atomic
def report_save(
    *, meeting: Meeting, html: str, fiches: Iterable[FicheAction] = (), user: User | None = None
) -> Meeting:
    """Save the compte-rendu, sanitised; each fiche-action discussed gets a dated update."""
    if meeting.report_sent_at:
        raise ValidationError(_("Ce compte-rendu est déjà envoyé : il ne peut plus être modifié."))
    meeting.report = sanitize_report(text_to_html(html))
    meeting.report_written_at = timezone.now()
    meeting.report_pdf = None  # rebuilt at sending time from the final text
    meeting.save(update_fields=["report", "report_written_at", "report_pdf"])
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
    return meeting


@transaction.atomic
def document_add(*, meeting: Meeting, upload: Any, title: str = "") -> MeetingDocument:
    name = upload.name or "document"
    suffix = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if suffix not in DOCUMENT_TYPES:
        raise ValidationError(
            _("Type de fichier refusé : PDF, documents bureautiques ou images seulement.")
        )
    if upload.size > MAX_DOCUMENT_BYTES:
        raise ValidationError(_("Ce fichier dépasse 15 Mo."))
    head = upload.read(8)
    upload.seek(0)
    if suffix == ".pdf" and not head.startswith(b"%PDF"):
        raise ValidationError(_("Ce fichier ne ressemble pas à un PDF."))
    if suffix in (".png",) and not head.startswith(b"\x89PNG"):
        raise ValidationError(_("Ce fichier ne ressemble pas à une image PNG."))
    if suffix in (".jpg", ".jpeg") and not head.startswith(b"\xff\xd8"):
        raise ValidationError(_("Ce fichier ne ressemble pas à une image JPEG."))
    document = MeetingDocument(
        meeting=meeting, title=title or name, size=upload.size, content_type=DOCUMENT_TYPES[suffix]
    )
    document.file.save(name, upload, save=False)
    document.save()
    return document


def report_recipients(meeting: Meeting) -> QuerySet[Contact]:
    """Every invited contact and every subscriber of the group, without duplicates, minus the
    unsubscribed, bounced and departed, and those who asked not to get this group's reports."""
    group = meeting.group
    opted_out = Membership.objects.filter(group=group, reports=False).values("contact_id")
    return (
        Contact.objects.mailable()
        .filter(territory_id=meeting.territory_id, receives_reports=True)
        .filter(
            Q(invitations__meeting=meeting)
            | Q(memberships__group=group, memberships__kind=MembershipKind.SUBSCRIBER)
        )
        .exclude(pk__in=opted_out)
        .distinct()
    )


@transaction.atomic
def report_send(*, meeting: Meeting) -> SendResult:
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if not meeting.report.strip():
        raise ValidationError(_("Écrivez le compte-rendu avant de l'envoyer."))
    if not meeting.report_pdf:
        from .pdf import meeting_report_pdf

        meeting.report_pdf.save(
            f"compte-rendu-{meeting.pk}.pdf",
            ContentFile(meeting_report_pdf(meeting=meeting)),
            save=False,
        )
    if meeting.status == MeetingStatus.PLANNED and meeting.starts_at <= timezone.now():
        meeting.status = MeetingStatus.HELD
    result = _enqueue(meeting, KIND_REPORT, report_recipients(meeting))
    meeting.report_sent_at = meeting.report_sent_at or timezone.now()
    meeting.save(update_fields=["report_pdf", "report_sent_at", "status"])
    return result


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
