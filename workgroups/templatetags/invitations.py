"""The rows of a meeting's invitation list, written in Python.

The list has a row per invited partner (200 in Cergy, where everyone is invited), each with a
dozen values, conditions and a labelled <select>: through the template language those rows took
half of the page's time, and format_html per cell still a third of what remained. Every value
typed by someone (names, structures) is escaped here; the cells built beforehand in
workgroups.selectors.meeting_detail are already safe. The standard library's escape is Django's
without its lazy-text wrapper (hundreds of calls per page).
"""

from __future__ import annotations

from collections.abc import Iterable
from html import escape

from django import template
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from workgroups.selectors import InvitationRow

register = template.Library()


@register.simple_tag
def invitation_rows(
    rows: Iterable[InvitationRow],
    *,
    editable: bool,
    attendance: bool,
    removable: bool,
) -> SafeString:
    """`attendance`: the meeting has started, its column is shown (a <select> per row when
    `editable`); `removable`: the list may still lose someone whose invitation has not gone."""
    on_site = f' <span class="badge">{escape(_("sur place"))}</span>'
    presence, remove = escape(_("Présence de")), escape(_("Retirer"))
    # Labels and structures repeat from row to row: each escaped once.
    labels: dict[str, str] = {}
    structures: dict[str, str] = {"": ""}
    lines = []
    for row in rows:
        name = escape(row.name)
        # One line per person, the structure beside the name: 200 rows stay readable and short.
        structure = structures.get(row.organization)
        if structure is None:
            structure = structures[row.organization] = (
                f' <span class="muted">· {escape(row.organization)}</span>'
            )
        answer = labels.get(row.rsvp_label)
        if answer is None:
            answer = labels[row.rsvp_label] = escape(row.rsvp_label)
        if not attendance:
            came = ""
        elif editable:
            came = (
                f'<td><label class="visually-hidden" for="presence-{row.pk}">{presence} '
                f'{name}</label><select name="presence-{row.pk}" id="presence-{row.pk}" '
                f'form="presences-form">{row.attendance_options}</select></td>'
            )
        else:
            came = f"<td>{escape(row.attendance_label)}</td>"
        if not removable:
            button = ""
        elif row.invitation_delivery:  # an invitation already sent stays on the list
            button = "<td></td>"
        else:
            button = (
                f'<td><button type="submit" form="retrait" name="invitation" value="{row.pk}" '
                f'class="button--link">{remove}<span class="visually-hidden"> {name}</span>'
                "</button></td>"
            )
        lines.append(
            f'<tr><th scope="row">{name}{structure}{on_site if row.walk_in else ""}</th>'
            f"<td>{answer}</td>{came}<td>{row.invitation_cell}</td><td>{row.report_cell}</td>"
            f"{button}</tr>"
        )
    # Safe: names and structures escaped above; labels and cells are the selector's, escaped.
    return mark_safe("\n".join(lines))
