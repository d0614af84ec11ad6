"""The compte-rendu's first draft, written from what the meeting already knows."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from actions.models import ActionUpdate

from ..models import Attendance, Meeting, Rsvp
from ..richtext import sanitize_report
from .meetings import hour_label, presenter_label


def report_draft(*, meeting: Meeting) -> str:
    """A first draft of the compte-rendu from what the meeting already knows, for the editor
    to start from when the report is empty: the agenda with its presenters, the structures
    present and excused, the fiches-actions discussed with their latest news, the documents
    shared. Sanitised HTML, in five queries whatever the meeting's size."""
    parts: list[str] = []

    def section(title: str, items: list[str]) -> None:
        if items:
            parts.append(format_html("<h3>{}</h3>", title))
            parts.append("<ul>" + "".join(format_html("<li>{}</li>", i) for i in items) + "</ul>")

    starts, ends = timezone.localtime(meeting.starts_at), timezone.localtime(meeting.ends_at)
    where = meeting.place or (_("en visioconférence") if meeting.online_url else "")
    parts.append(
        format_html(
            "<p>{}</p>",
            _("Réunion du %(day)s, de %(start)s à %(end)s%(where)s.")
            % {
                "day": date_format(starts, "l j F Y"),
                "start": hour_label(starts),
                "end": hour_label(ends),
                "where": f", {where}" if where else "",
            },
        )
    )
    agenda = []
    for item in meeting.agenda_items.select_related("organization"):
        who = presenter_label(item)
        agenda.append(
            format_html("<strong>{}</strong> ({})", item.title, who)
            if who
            else format_html("<strong>{}</strong>", item.title)
        )
    section(_("Ordre du jour"), agenda)

    attendance = (
        meeting.invitations.filter(
            Q(attendance__in=[Attendance.PRESENT, Attendance.EXCUSED]) | Q(rsvp=Rsvp.NO)
        )
        .values_list("attendance", "contact__organization__name")
        .order_by("contact__organization__name")
    )
    # Structures only: the compte-rendu goes to every partner and signatories read it. A
    # person without a structure is counted, never named ("2 personnes sans structure").
    present: dict[str, None] = {}
    excused: dict[str, None] = {}
    alone = {"present": 0, "excused": 0}
    for status, organization in attendance:
        came = status == Attendance.PRESENT  # otherwise excused, or answered no and not seen
        if organization:
            (present if came else excused)[organization] = None
        else:
            alone["present" if came else "excused"] += 1

    def names(structures: Iterable[str], people: int) -> list[str]:
        if not people:
            return list(structures)
        without = ngettext(
            "%(n)s personne sans structure", "%(n)s personnes sans structure", people
        ) % {"n": people}
        return [*structures, without]

    section(_("Structures présentes"), names(present, alone["present"]))
    section(
        _("Structures excusées"),
        names([name for name in excused if name not in present], alone["excused"]),
    )

    latest = ActionUpdate.objects.filter(fiche_id=OuterRef("fiche_id")).order_by(
        "-happened_on", "-id"
    )
    fiches = []
    for link in (
        meeting.action_links.select_related("fiche")
        .annotate(
            news=Subquery(latest.values("text")[:1]),
            news_on=Subquery(latest.values("happened_on")[:1]),
        )
        .order_by("fiche__number")
    ):
        title = format_html("<strong>{} {}</strong>", link.fiche.number, link.fiche.title)
        if link.news:
            fiches.append(
                format_html("{} : {} ({})", title, link.news, date_format(link.news_on, "j F Y"))
            )
        else:
            fiches.append(title)
    section(_("Fiches-actions évoquées"), fiches)
    section(_("Documents partagés"), [d.title for d in meeting.documents.all()])
    return sanitize_report("\n".join(parts))
