"""Writes of the work groups: meetings, invitations, attendance, compte-rendu and its sending.

Every e-mail goes through the outbox (`cls_platform.outbox`): rows written in the same
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
from django.db import transaction
from django.utils import timezone
from django.utils.html import escape, strip_tags
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from actions.models import ActionUpdate, FicheAction
from cls_platform import outbox
from cls_platform.models import Delivery, DeliveryStatus, Role, User
from partners.models import Contact, ContactSource, normalize_email
from partners.services import contact_create, existing_contact

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
    default_invitees,
    delivery_obstacle,
    invitation_recipients,
    outdated,
    report_recipients,
)

__all__ = [  # re-exported: the demo, the commands and the tests name them from here
    "KIND_CANCELLATION",
    "KIND_INVITATION",
    "KIND_REMINDER",
    "KIND_REPORT",
    "default_invitees",
    "invitation_recipients",
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


# What the meeting form edits; a change of the four first moves the meeting in calendars.
MEETING_MOVE_FIELDS = ("starts_at", "ends_at", "place", "online_url")
MEETING_EDIT_FIELDS = (*MEETING_MOVE_FIELDS, "title", "description")


@transaction.atomic
def meeting_save(
    *,
    meeting: Meeting,
    agenda: Iterable[dict[str, Any]] | None = None,
    fields: Iterable[str] | None = None,
) -> Meeting:
    """Schedule or edit a meeting. Moving an invited meeting re-sends the invitation with the
    same calendar UID and a higher SEQUENCE, so that calendars update it in place.

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
        editable = MEETING_EDIT_FIELDS if fields is None else set(fields) & set(MEETING_EDIT_FIELDS)
        changed = [f for f in editable if getattr(saved, f) != getattr(meeting, f)]
        for name in changed:
            setattr(saved, name, getattr(meeting, name))
        moved = any(name in MEETING_MOVE_FIELDS for name in changed)
        if (
            moved
            and saved.invitations_sent_at
            and saved.status == MeetingStatus.PLANNED
            and not saved.is_over
        ):
            saved.sequence += 1
            changed.append("sequence")
            resend = True
        if changed:
            saved.save(update_fields=changed)
        # The caller's copy tells the truth from now on.
        for name in ("sequence", "status", "invitations_sent_at", "report_sent_at"):
            setattr(meeting, name, getattr(saved, name))
    if agenda is not None:
        saved.agenda_items.all().delete()
        AgendaItem.objects.bulk_create(
            [AgendaItem(meeting=saved, order=index, **item) for index, item in enumerate(agenda)]
        )
    if resend:
        # Those who declined are not bothered again; those who opted out are not mailed.
        attending = saved.invitations.exclude(rsvp=Rsvp.NO).values("contact_id")
        contacts = invitation_recipients(saved).filter(pk__in=attending)
        _enqueue(saved, KIND_INVITATION, contacts, revision=saved.sequence)
    return saved


@transaction.atomic
def meeting_cancel(*, meeting: Meeting) -> Meeting:
    """Cancel a planned meeting: those whose calendar got the invitation get a CANCEL."""
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.status == MeetingStatus.CANCELLED:
        return meeting
    if meeting.status == MeetingStatus.HELD or meeting.is_over:
        raise ValidationError(_("Cette réunion a déjà eu lieu : elle ne peut plus être annulée."))
    meeting.status = MeetingStatus.CANCELLED
    meeting.sequence += 1
    meeting.save(update_fields=["status", "sequence"])
    if meeting.invitations_sent_at:
        received = Delivery.objects.filter(
            topic=meeting.topic, kind=KIND_INVITATION, status=DeliveryStatus.SENT
        ).values("contact_id")
        contacts = invitation_recipients(meeting).filter(pk__in=received)
        _enqueue(meeting, KIND_CANCELLATION, contacts, revision=meeting.sequence)
    return meeting


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
    if not meeting.invitations.exists():
        invitations_prepare(meeting=meeting)
    if meeting.invitations_sent_at is None:
        meeting.invitations_sent_at = timezone.now()
        meeting.organizer_email, meeting.organizer_name = organizer_of(meeting, user)
        meeting.save(update_fields=["invitations_sent_at", "organizer_email", "organizer_name"])
    # Those who already declined are not invited again (to a meeting moved since, say).
    declined = meeting.invitations.filter(rsvp=Rsvp.NO).values("contact_id")
    return _enqueue(
        meeting,
        KIND_INVITATION,
        invitation_recipients(meeting).exclude(pk__in=declined),
        revision=meeting.sequence,
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
    report = sanitize_report(text_to_html(html))
    if not strip_tags(report).strip():
        raise ValidationError(
            {"report": _("Le compte-rendu est vide une fois sa mise en forme nettoyée.")}
        )
    meeting.report = report
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
