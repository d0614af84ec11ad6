"""The compte-rendu as a PDF: made once per meeting when it is sent, attached to every e-mail."""

from __future__ import annotations

from django.utils import timezone
from django.utils.safestring import mark_safe

from cls_platform.pdf.rendering import format_date, render_pdf

from .models import Attendance, Meeting


def meeting_report_context(meeting: Meeting) -> dict[str, object]:
    invitations = list(
        meeting.invitations.filter(attendance=Attendance.PRESENT)
        .select_related("contact__organization")
        .order_by("contact__organization__name", "contact__last_name")
    )
    excused = meeting.invitations.filter(attendance=Attendance.EXCUSED).count()
    structures = sorted(
        {i.contact.organization.name for i in invitations if i.contact.organization}
    )
    return {
        "territory_name": meeting.territory.name,
        "group_name": meeting.group.name,
        "title": meeting.title,
        "date": format_date(timezone.localtime(meeting.starts_at)),
        "hours": f"{timezone.localtime(meeting.starts_at):%H h %M} – {timezone.localtime(meeting.ends_at):%H h %M}",
        "place": meeting.place or meeting.online_url,
        "agenda": [
            {
                "kind": item.get_kind_display(),
                "title": item.title,
                "duration": item.duration_minutes,
                "presenter": item.presenter,
            }
            for item in meeting.agenda_items.all()
        ],
        "present": [
            {
                "name": i.contact.full_name or "",
                "organization": i.contact.organization.name if i.contact.organization else "",
            }
            for i in invitations
            if not i.contact.anonymized_at
        ],
        "present_count": len(invitations),
        "excused_count": excused,
        "structures": structures,
        "fiches": [
            {"number": link.fiche.number, "title": link.fiche.title}
            for link in meeting.action_links.select_related("fiche").order_by("fiche__number")
        ],
        "documents": [d.title for d in meeting.documents.all()],
        # Sanitised with nh3 when saved (workgroups.services.report_save).
        "report_html": mark_safe(meeting.report),
    }


def meeting_report_pdf(*, meeting: Meeting) -> bytes:
    context = meeting_report_context(meeting)
    title = f"Compte-rendu · {context['group_name']} · {context['date']}"
    return render_pdf(template="pdf/meeting_report.html", context=context, title=title)
