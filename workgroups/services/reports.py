"""Writes of the compte-rendu: its text (sanitised, each fiche-action discussed dated), its
shared resources, and its sending with the PDF made once."""

from __future__ import annotations

import math
import os
import zipfile
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from actions.models import ActionUpdate, FicheAction
from cls_platform.audit import AuditEvent, audit_event
from cls_platform.models import Delivery, User
from cls_platform.spreadsheets import SpreadsheetRefused, check_xlsx_archive

from ..models import KIND_REPORT, Meeting, MeetingAction, MeetingDocument, MeetingStatus
from ..richtext import sanitize_report, text_to_html
from ..selectors import report_recipients
from .deliveries import SendResult, enqueue
from .meetings import ensure_started


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
    result = enqueue(meeting, KIND_REPORT, report_recipients(meeting))
    if result.queued and not meeting.report_pdf:
        # In the same transaction as the rows: the workers, handed them after the commit,
        # always find the PDF.
        from ..pdf import meeting_report_pdf

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
    audit_event(
        AuditEvent.SEND,
        target=meeting,
        message="report",
        queued=result.queued,
        skipped=result.skipped,
    )
    return result


# --- shared resources ------------------------------------------------------------------------

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


# An office file is a zip: a few kilobytes may inflate to gigabytes in the recipient's
# program (a zip bomb). What a real document of 15 MB holds stays well below this.
MAX_DOCUMENT_INFLATED = 200 * 1024 * 1024


def inflates_too_much(upload: Any) -> bool:
    """Read from the zip's central directory alone: nothing is inflated here. A file that
    only starts like a zip has nothing to inflate."""
    try:
        with zipfile.ZipFile(upload) as archive:
            check_xlsx_archive(archive, max_uncompressed=MAX_DOCUMENT_INFLATED)
    except (SpreadsheetRefused, zipfile.LargeZipFile):
        return True
    except zipfile.BadZipFile:
        return False
    finally:
        upload.seek(0)
    return False


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
    if signatures is ZIP and inflates_too_much(upload):
        raise ValidationError(
            _(
                "« %(name)s » se décompresse en un volume démesuré : ce n'est pas un document "
                "bureautique ordinaire. Déposez-en une version PDF."
            )
            % {"name": name}
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
