"""Parts of a group's page written in Python: its health figures (once the include
workgroups/_health_figures.html), the pilots and the members, the way group_rows.py writes the
page's lists.

Through the template language, their forty-odd lookups, conditions, dates and plural forms were
a good part of the page's time. The HTML is the one the templates wrote, byte for byte (checked
against the include in tests/workgroups/test_group_page.py). Every value typed by someone
(names, structures) is escaped here; the rest are numbers, dates and the site's own labels,
escaped as well.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from html import escape
from typing import Any

from django.forms import Form
from django.template.defaultfilters import floatformat
from django.template.loader import render_to_string
from django.utils.formats import date_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cls_platform.templatetags import navigation
from cls_platform.templatetags.people import as_professional
from partners.models import Contact

from .health import GroupHealth
from .models import Membership


def _day(value: Any) -> str:
    # As the template's `date:"j F Y"` on a date.
    return escape(date_format(value, "j F Y"))


def _join(names: Iterable[str]) -> str:
    # As the template's `join:", "`: each name escaped.
    return ", ".join(escape(str(name)) for name in names)


def _trend(health: GroupHealth) -> str:
    trend = health.trend
    if trend == "hausse":
        text = escape(_("en hausse"))
    elif trend == "baisse":
        text = escape(_("en baisse")) + "\n    "  # the template's line break, in that branch
    elif trend == "stable":
        text = escape(_("stable"))
    else:
        text = escape(_("pas assez de réunions pour le dire"))
    if trend:
        means = _("%(recent)s présent·e·s en moyenne récemment, %(earlier)s avant") % {
            "recent": floatformat(health.present_recent, "-1"),
            "earlier": floatformat(health.present_earlier, "-1"),
        }
        text += f'\n    <span class="muted">({means})</span>'
    return text


def health_figures(health: GroupHealth, *, show_drifters: bool) -> SafeString:
    """workgroups/_health_figures.html, as its include wrote it."""
    none = escape(_("aucune"))
    held = ngettext(
        "%(held)s pour %(target)s visée", "%(held)s pour %(target)s visées", health.target
    ) % {"held": health.held_last_year, "target": health.target}
    structures = str(len(health.structures))
    if health.structures:
        structures += f' <span class="muted">({_join(health.structures)})</span>'
    if health.participants:
        # {% blocktranslate %}: the message as translated, its values (numbers) escaped.
        participants = ngettext(
            "%(outside)s sur %(n)s participant·e",
            "%(outside)s sur %(n)s participant·e·s",
            health.participants,
        ) % {"outside": health.outside_health, "n": health.participants}
    else:
        participants = "—"
    parts = [
        f"\n<h2>{escape(_('Vitalité du groupe'))}</h2>\n"
        '<dl class="facts facts--stacked">\n'
        f"  <div><dt>{escape(_('Réunions tenues sur 12 mois'))}</dt>\n"
        f"  <dd>{held}</dd></div>\n"
        f"  <div><dt>{escape(_('Dernière réunion tenue'))}</dt>\n"
        f"  <dd>{_day(health.last_held_on) if health.last_held_on else none}</dd></div>\n"
        f"  <div><dt>{escape(_('Prochaine réunion programmée'))}</dt>\n"
        f"  <dd>{_day(health.next_planned_on) if health.next_planned_on else none}</dd></div>\n"
        f"  <div><dt>{escape(_('Participation'))}</dt>\n"
        f"  <dd>{_trend(health)}</dd></div>\n"
        f"  <div><dt>{escape(_('Structures présentes sur 12 mois'))}</dt>\n"
        f"  <dd>{structures}</dd></div>\n"
        f"  <div><dt>{escape(_('Secteurs présents sur 12 mois'))}</dt>\n"
        f"  <dd>{_join(health.sectors) if health.sectors else '—'}</dd></div>\n"
        f"  <div><dt>{escape(_('Participants hors secteur santé'))}</dt>\n"
        f"  <dd>{participants}</dd></div>\n"
        f"  <div><dt>{escape(_('Nouvelles structures cette année'))}</dt>\n"
        f"  <dd>{_join(health.new_structures) if health.new_structures else none}</dd></div>\n"
        "</dl>\n"
    ]
    notes = health.notes
    if notes:
        parts.append(
            '<ul class="notes">' + "".join(f"<li>{escape(note)}</li>" for note in notes) + "</ul>"
        )
    parts.append("\n")
    if show_drifters and health.drifters:
        items = []
        for d in health.drifters:
            organization = f", {escape(d.organization)}" if d.organization else ""
            came = _("venu·e pour la dernière fois le %(day)s") % {"day": _day(d.last_came_on)}
            items.append(
                f'<li>{escape(d.name)}{organization}\n  <span class="muted">({came})</span></li>'
            )
        parts.append(
            f"\n<h3>{escape(_('Partenaires qui ne viennent plus'))}</h3>\n"
            f"<ul>{''.join(items)}</ul>\n"
        )
    parts.append("\n")
    # Safe: every value above escaped, or a number.
    return mark_safe("".join(parts))


def pilot_items(
    pilots: list[Contact], *, people: bool, sectors: dict[int, list[str]]
) -> SafeString:
    """The <li>s of the list of pilots: names for those who may read them, structures else;
    each structure's sector names from `sectors` (by structure id, as `group_detail` reads them
    with the group: no query here)."""
    if not pilots:
        return mark_safe(f"<li>{escape(_('Aucun pilote'))}</li>")
    left = None
    items = []
    for p in pilots:
        organization = p.organization
        if people:
            text = escape(p.full_name)
            if organization:
                text += f", {escape(organization.name)}"
        else:
            text = escape(as_professional(p))
        names = sectors.get(organization.pk, []) if organization is not None else []
        if names:
            text += f'\n  <span class="muted">({_join(names)})</span>'
        if p.left_at:
            left = left or escape(_("a quitté sa structure"))
            text += f'\n  <span class="badge badge--postponed">{left}</span>'
        items.append(f"<li>{text}</li>\n")
    return mark_safe("".join(items))


def member_items(
    memberships: list[Membership], *, can_edit: bool, action: str, csrf_input: str
) -> SafeString:
    """The <li>s of the members and subscribers (for those who may read names), each with its
    "Retirer" button for those who may edit the group."""
    kinds = {
        value: escape(str(label)) for value, label in Membership._meta.get_field("kind").flatchoices
    }
    items = []
    for m in memberships:
        name = escape(str(m.contact))
        item = f'<li>{name} <span class="muted">({kinds.get(m.kind, escape(str(m.kind)))})</span>'
        if can_edit:
            remove = _('Retirer<span class="visually-hidden"> %(name)s</span>') % {"name": name}
            item += (
                '<form\n  method="post" action="'
                f'{escape(action)}" class="inline">{csrf_input}<button type="submit" '
                f'name="remove"\n  value="{m.contact_id}" class="button--link">{remove}'
                "</button></form>"
            )
        items.append(item + "</li>")
    # Safe: every value above escaped, or a number; `csrf_input` is Django's own.
    return mark_safe("".join(items))


# The empty "Ajouter au groupe" form's HTML, per territory (its picker's address), language,
# URLconf and script prefix, and forgotten with the {% constant %} fragments (settings changed,
# a template file edited): the same on every page of the territory's groups, it took a sixth
# of the page's time through the form renderer's templates.
_EMPTY_FORMS: dict[tuple[Any, ...], SafeString] = {}


def form_html(form: Form | None, *, empty: Callable[[], Form], territory_slug: str) -> SafeString:
    """includes/form.html for `form` (bound: its values and errors), or for the form `empty`
    builds, kept per process."""
    if form is not None:
        return render_to_string("includes/form.html", {"form": form})
    key = (navigation._generation, *navigation._where(), territory_slug)
    html = _EMPTY_FORMS.get(key)
    if html is None:
        if len(_EMPTY_FORMS) > 1024:  # stale generations, or many territories: start again
            _EMPTY_FORMS.clear()
        html = _EMPTY_FORMS[key] = render_to_string("includes/form.html", {"form": empty()})
    return html
