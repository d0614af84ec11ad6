"""The lists of a group's page written in Python: its meetings, the attendance bars, the fiches
it follows, the structures and sectors that come; and the rows of the list of groups.

Through the template language, their lookups, links, dates and plural forms took a third of the
page's time. The HTML is the one the template wrote, byte for byte. Every value typed by someone
(titles, names) is escaped here; the rest are numbers, dates and the site's own labels, escaped
as well.
"""

from __future__ import annotations

from collections.abc import Iterable
from html import escape
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import escape as django_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import capfirst
from django.utils.translation import ngettext

from actions.models import FicheAction
from cls_platform.templatetags.people import professional_of, redact_names, shows_people
from partners.models import Contact

from .health import GroupHealth
from .models import GroupKind, GroupStatus, Meeting, WorkGroup

MARK_PK = 987654321
LONG_DAY = "l j F Y, H\\hi"  # "mardi 15 décembre 2026, 10h00"


def link_pattern(route: str, territory_slug: str) -> tuple[str, str]:
    """The address of `route` for any object of the territory, reversed once: (head, tail)
    around its primary key."""
    head, tail = reverse(route, kwargs={"territory": territory_slug, "pk": MARK_PK}).split(
        str(MARK_PK), 1
    )
    return escape(head), escape(tail)


def _day(value: Any, format: str) -> str:
    # As the template's `date` filter: in the current time zone.
    return escape(date_format(timezone.localtime(value), format))


def meeting_rows(meetings: Iterable[Meeting], territory_slug: str) -> SafeString:
    """The <tr>s of the table of the group's meetings, each with `present` and `invited`."""
    head, tail = link_pattern("workgroups:meeting_detail", territory_slug)
    rows = []
    for m in meetings:
        title = f" · {escape(m.title)}" if m.title else ""
        rows.append(
            "<tr>\n"
            f'    <th scope="row"><a href="{head}{m.pk}{tail}">{_day(m.starts_at, "j F Y")}'
            f"{title}</a></th>\n"
            f'    <td><span class="badge badge--{escape(m.status)}">'
            f"{escape(str(m.get_status_display()))}</span></td>\n"
            f"    <td>{m.present} / {m.invited}</td></tr>"
        )
    # Safe: every value above escaped, or a number.
    return mark_safe("".join(rows))


def attendance_bars(attendance: Iterable[tuple[Meeting, int]], max_present: int) -> SafeString:
    """The <li>s of the bars of how many came to each meeting held."""
    items = []
    for meeting, present in attendance:
        width = str(round(float(present) / float(max_present) * 100))  # as `widthratio`
        items.append(
            f'<li><span class="bars__label">{_day(meeting.starts_at, "F Y")}</span>\n'
            '    <svg class="bars__bar" viewBox="0 0 100 10" preserveAspectRatio="none" '
            f'aria-hidden="true" focusable="false"><rect width="{width}" height="10"/></svg>\n'
            f'    <span class="bars__value">{present}</span></li>'
        )
    return mark_safe("".join(items))


def fiche_items(fiches: Iterable[FicheAction], territory_slug: str) -> SafeString:
    """The <li>s of the fiches-actions the group follows."""
    head, tail = link_pattern("actions:fiche_detail", territory_slug)
    return mark_safe(
        "".join(
            f'<li><a href="{head}{f.pk}{tail}">{escape(f.number)} {escape(f.title)}</a>\n'
            f'  <span class="badge badge--{escape(f.status)}">'
            f"{escape(str(f.get_status_display()))}</span></li>"
            for f in fiches
        )
    )


def structure_items(structures: Iterable[dict[str, Any]]) -> SafeString:
    """The <li>s of the structures that come, with to how many meetings."""
    items = []
    for s in structures:
        # The template's {% blocktranslate count %}: the same message, the same plural rule.
        times = ngettext("%(n)s réunion", "%(n)s réunions", s["times"]) % {"n": s["times"]}
        items.append(
            f"<li>{escape(s['contact__organization__name'])}\n"
            f'  <span class="muted">({escape(times)})</span></li>'
        )
    return mark_safe("".join(items))


def sector_items(sectors: Iterable[dict[str, Any]]) -> SafeString:
    """The <li>s of the sectors represented, with how many people."""
    return mark_safe(
        "".join(
            f"<li>{escape(s['contact__organization__sectors__name'])} "
            f'<span class="muted">({s["people"]})</span></li>'
            for s in sectors
        )
    )


def health_badge(health: GroupHealth) -> str:
    """workgroups/_health_badge.html, as its include writes it."""
    css = {"active": "badge--active", "fragile": "badge--postponed"}.get(
        health.state, "badge--cancelled"
    )
    return f'\n<span class="badge {css}"\n  >{escape(capfirst(health.label))}</span>\n'


def reason_for(text: str, vacant: Iterable[Contact], people: bool) -> str:
    """A health finding as `{% unnamed reason health.vacant_pilots %}` writes it."""
    if people:
        return escape(text)
    named = []
    for contact in vacant:
        for someone in (contact, contact.successor):
            if someone is not None:
                organization = someone.organization
                named.append(
                    (someone.first_name, someone.last_name, organization and organization.name)
                )
    return str(redact_names(django_escape(text), named))


def group_list_rows(groups: Iterable[WorkGroup], territory_slug: str, access: Any) -> SafeString:
    """The <tr>s of the list of groups, each with `health` and `pilot_list`
    (`selectors.group_list`). Each label (kind, status, health badge, a structure's
    professional) is translated and escaped once a page, not once a row."""
    head, tail = link_pattern("workgroups:group_detail", territory_slug)
    people = shows_people(access)
    kinds = {value: escape(str(label)) for value, label in GroupKind.choices}
    statuses = {value: escape(str(label)) for value, label in GroupStatus.choices}
    badges: dict[str, str] = {}
    professionals: dict[str | None, str] = {}
    rows = []
    for group in groups:
        pilots = []
        for p in group.pilot_list:
            organization = p.organization
            if not people:
                structure = organization.name if organization is not None else None
                professional = professionals.get(structure)
                if professional is None:
                    professional = professionals[structure] = escape(professional_of(structure))
                pilots.append(professional)
            elif organization:
                pilots.append(
                    f'{escape(p.full_name)}\n      <span class="muted">'
                    f"({escape(organization.name)})</span>"
                )
            else:
                pilots.append(escape(p.full_name))
        health = group.health
        state = health.state
        badge = badges.get(state)
        if badge is None:
            badge = badges[state] = health_badge(health)
        reasons = "".join(
            f'<p class="warning">{reason_for(reason, health.vacant_pilots, people)}</p>'
            for reason in health.reasons
        )
        kind = kinds.get(group.kind) or escape(group.kind)
        status = escape(group.status)
        rows.append(
            "\n  <tr>\n"
            f'    <th scope="row"><a href="{head}{group.pk}{tail}">{escape(group.name)}</a><br>\n'
            f'      <span class="muted">{kind} · '
            f'<span class="badge badge--{status}">'
            f"{statuses.get(group.status) or status}</span></span></th>\n"
            f"    <td>{'<br>'.join(pilots) or '—'}</td>\n"
            f"    <td>{health.held_last_year} / {group.target_meetings_per_year}</td>\n"
            f"    <td>{badge}{reasons}</td>\n"
            "  </tr>\n  "
        )
    return mark_safe("".join(rows))


def unwell_items(healths: Iterable[GroupHealth], territory_slug: str, access: Any) -> SafeString:
    """The <li>s of the dashboard's fragile and stopped groups, with their reasons."""
    head, tail = link_pattern("workgroups:group_detail", territory_slug)
    people = shows_people(access)
    items = []
    for health in healths:
        reasons = "".join(
            f"<li>{reason_for(reason, health.vacant_pilots, people)}</li>"
            for reason in health.reasons
        )
        items.append(
            f'<li><a href="{head}{health.group.pk}{tail}">{escape(health.group.name)}</a>\n'
            f"    {health_badge(health)}\n"
            f"    {f'<ul>{reasons}</ul>' if reasons else ''}</li>"
        )
    return mark_safe("".join(items))


def next_meeting_items(meetings: Iterable[Meeting], territory_slug: str) -> SafeString:
    """The <li>s of the dashboard's next meetings, each with its group."""
    head, tail = link_pattern("workgroups:meeting_detail", territory_slug)
    items = []
    for m in meetings:
        title = f" · {escape(m.title)}" if m.title else ""
        place = f" · {escape(m.place)}" if m.place else ""
        items.append(
            f'\n    <li><time datetime="{_day(m.starts_at, "c")}">'
            f"{_day(m.starts_at, LONG_DAY)}</time> · <strong><a\n"
            f'      href="{head}{m.pk}{tail}">{escape(m.group.name)}</a></strong>{title}\n'
            f"      {place}</li>\n    "
        )
    return mark_safe("".join(items))
