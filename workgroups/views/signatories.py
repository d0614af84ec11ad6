"""What a signatory (viewer) reads of a meeting: its structures and counts, never its people.

The meeting's page and its compte-rendu PDF name people (presenters, participants, and the
coordination's own prose); for a signatory the names give way to structures, decided by
cls_platform/templatetags/people.py. The partners' PDF (`Meeting.report_pdf`, sent with the
e-mails) is never served to them: theirs is made apart and cached under its own key.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.core.cache import caches
from django.utils.safestring import SafeString

from cls_platform.templatetags.people import redact_names
from partners.models import Contact

from ..models import AgendaItem, Meeting

CACHE_PREFIX = "meeting-report-signatories"


def territory_people(meeting: Meeting) -> list[tuple[str, str, str | None]]:
    """Everyone of the territory's directory, as (first name, last name, structure): one query."""
    return list(
        Contact.objects.filter(territory_id=meeting.territory_id).values_list(
            "first_name", "last_name", "organization__name"
        )
    )


def signatory_report(meeting: Meeting) -> SafeString:
    """The compte-rendu's text with the directory's names replaced by their structures."""
    return redact_names(meeting.report, territory_people(meeting))


def structure_label(item: AgendaItem) -> str:
    """Who presents an agenda item, for a signatory: the structure presented, else no one."""
    return item.organization.name if item.organization else ""


def signatory_meeting(meeting: Meeting, agenda: list[AgendaItem]) -> dict[str, Any]:
    """The meeting page's context for a signatory: presenters as structures, the report
    without names. `agenda` is the page's (its items' `who` is rewritten in place)."""
    for item in agenda:
        item.who = structure_label(item)  # type: ignore[attr-defined]
    return {"signatory_report": signatory_report(meeting) if meeting.report else None}


def signatory_report_context(meeting: Meeting) -> dict[str, Any]:
    from ..pdf import meeting_report_context  # WeasyPrint loads only when a PDF is made

    context = meeting_report_context(meeting)
    context.update(
        for_signatories=True,
        present=[],  # the structures present are listed instead
        agenda=[
            {**entry, "presenter": structure_label(item)}
            for entry, item in zip(
                context["agenda"],
                meeting.agenda_items.select_related("organization"),
                strict=True,
            )
        ],
        report_html=signatory_report(meeting),
    )
    return context


def signatory_report_pdf(meeting: Meeting) -> bytes:
    """The compte-rendu a signatory downloads: made from what it shows, cached by that."""
    from cls_platform.pdf.rendering import render_pdf

    context = signatory_report_context(meeting)
    fingerprint = hashlib.sha256(
        json.dumps(context, default=str, sort_keys=True).encode()
    ).hexdigest()
    key = f"{CACHE_PREFIX}:{meeting.pk}:{fingerprint}"
    cache = caches["pdf"]
    document = cache.get(key)
    if document is None:
        title = f"Compte-rendu · {context['group_name']} · {context['date']}"
        document = render_pdf(template="pdf/meeting_report.html", context=context, title=title)
        cache.set(key, document)
    return document
