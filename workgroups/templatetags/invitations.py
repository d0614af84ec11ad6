"""The rows of a meeting's invitation list, written in Python.

The list has a row per invited partner (200 in Cergy, where everyone is invited), each with a
dozen values, conditions and a labelled <select>: through the template language those rows took
half of the page's time. Every value is escaped by format_html; the cells built beforehand in
workgroups.selectors.meeting_detail are already safe.
"""

from __future__ import annotations

from collections.abc import Iterable

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from workgroups.selectors import InvitationRow

register = template.Library()


@register.simple_tag
def invitation_rows(rows: Iterable[InvitationRow], *, editable: bool, personal: bool) -> SafeString:
    on_site = format_html(' <span class="badge">{}</span>', _("sur place"))
    presence, remove = _("Présence de"), _("Retirer")
    lines = []
    for row in rows:
        invitation = row.invitation
        organization = invitation.contact.organization
        person = format_html(
            "{}{}{}",
            row.name,
            format_html('<br><span class="muted">{}</span>', organization.name)
            if organization
            else "",
            on_site if invitation.walk_in else "",
        )
        if editable:
            attendance = format_html(
                '<label class="visually-hidden" for="presence-{0}">{1} {2}</label>'
                '<select name="presence-{0}" id="presence-{0}" form="presences">{3}</select>',
                invitation.pk,
                presence,
                row.name,
                row.attendance_options,
            )
        else:
            attendance = row.attendance_label
        cells = [
            format_html('<th scope="row">{}</th>', person),
            format_html("<td>{}</td>", row.rsvp_label),
            format_html("<td>{}</td>", attendance),
        ]
        if personal:
            cells += [
                format_html("<td>{}</td>", row.invitation_cell),
                format_html("<td>{}</td>", row.report_cell),
            ]
        if editable:
            button = ""
            if not row.invitation_delivery:  # an invitation already sent stays on the list
                button = format_html(
                    '<button type="submit" form="retrait" name="invitation" value="{}" '
                    'class="button--link">{}<span class="visually-hidden"> {}</span></button>',
                    invitation.pk,
                    remove,
                    row.name,
                )
            cells.append(format_html("<td>{}</td>", button))
        lines.append(format_html("<tr>{}</tr>", mark_safe("".join(cells))))  # each cell escaped
    return mark_safe("\n".join(lines))
