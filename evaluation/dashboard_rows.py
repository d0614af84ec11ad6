"""Parts of the dashboard written in Python: its title, its figures, the signed contracts'
progress cards, the contracts' rows, the fiches per status, the groups per health state, the
open campaigns and the contracts' Ottawa matrices. Through the template language, their links,
labels, plural forms, dates and lookups were a good part of the page's time; the HTML is the
one the template wrote, byte for byte (tests/evaluation/test_dashboard_rows.py). Every value
typed by someone (names, titles) is escaped here; the rest are numbers, dates and the site's
own labels, escaped as the template escaped them: `{{ }}` escapes, `{% blocktranslate %}` its
values but not its text, `{% translate "…" %}` nothing (a literal's translation is safe).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.urls import reverse
from django.utils.formats import date_format, localize
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from actions.models import Contract, ContractStatus
from workgroups.group_rows import link_pattern

from .selectors import StatusCount, TerritoryOverview


def _value(value: Any) -> str:
    # As `{{ value }}`: localized, escaped.
    return conditional_escape(str(localize(value)))


def contract_rows(contracts: Iterable[Contract], territory_slug: str) -> SafeString:
    """The <tr>s of the table of the territory's contracts, between its loop's line breaks."""
    detail = link_pattern("actions:contract_detail", territory_slug)
    progress = link_pattern("evaluation:contract_progress", territory_slug)
    words = None
    rows = []
    for c in contracts:
        words = words or (_("Avancement"), _("le %(date)s"))
        title = _value(c.title)
        signed = (
            '<br><span\n          class="muted">'
            f"{words[1] % {'date': _value(date_format(c.signed_on, 'j F Y'))}}</span>"
            if c.signed_on
            else ""
        )
        last = (
            f'<a href="{progress[0]}{c.pk}{progress[1]}">{words[0]}'
            f'<span class="visually-hidden"> : {title}</span></a>'
            if c.status != ContractStatus.DRAFT
            else "—"
        )
        rows.append(
            "\n      <tr>\n"
            f'        <th scope="row"><a href="{detail[0]}{c.pk}{detail[1]}">{title}</a><br><span\n'
            f'          class="muted">{_value(c.get_kind_display())}</span></th>\n'
            f"        <td>{_value(c.period)}</td>\n"
            f'        <td><span class="badge badge--{_value(c.status)}">'
            f"{_value(c.get_status_display())}</span>{signed}</td>\n"
            f"        <td>{_value(c.axis_count)}</td>\n"
            f"        <td>{_value(c.action_count)}</td>\n"
            f"        <td>{last}</td>\n"
            "      </tr>\n    "
        )
    # Safe: every value above escaped, or a number.
    return mark_safe("\n    " + "".join(rows) + "\n    ")


def status_items(counts: Iterable[StatusCount]) -> SafeString:
    """The <li>s of the fiches per status, between the loop's line breaks."""
    items = "".join(
        f'\n    <li><span class="badge badge--{_value(row.status)}">{_value(row.label)}</span> '
        f"{_value(row.count)}</li>\n    "
        for row in counts
    )
    return mark_safe(f"\n    {items}\n  ")


def health_items(counts: Iterable[StatusCount]) -> SafeString:
    """The <li>s of the groups per health state, between the loop's line breaks."""
    items = "".join(
        f"\n    <li>{_value(capfirst(row.label))} : {_value(row.count)}</li>\n    "
        for row in counts
    )
    return mark_safe(f"\n    {items}\n  ")


def heading(territory_name: str) -> SafeString:
    """The page's title and heading, as `{% blocktranslate with name=territory.name %}`."""
    # Safe: the name escaped, the text the site's own (not escaped by the template either).
    return mark_safe(_("Tableau de bord · %(name)s") % {"name": _value(territory_name)})


def _count_label(count: int, singular: str, plural: str, zero: str) -> str:
    # As `{% if count %}{% blocktranslate trimmed count n=count %}…{% else %}{% translate %}`.
    if count:
        return ngettext(singular, plural, count) % {"n": _value(count)}
    return _(zero)


def stats(overview: TerritoryOverview, territory_slug: str) -> SafeString:
    """The <div>s of the figures' <dl>, between its line breaks."""
    slug = {"territory": territory_slug}
    organizations = _count_label(
        overview.organization_count,
        "%(n)s structure partenaire : voir l'annuaire",
        "%(n)s structures partenaires : voir l'annuaire",
        "0 structure partenaire : voir l'annuaire",
    )
    fiches = _count_label(
        overview.action_count,
        "%(n)s fiche-action : voir la liste",
        "%(n)s fiches-actions : voir la liste",
        "0 fiche-action : voir la liste",
    )
    return mark_safe(
        f'\n    <div class="stat"><dt>{_("Structures partenaires")}</dt>\n'
        f'      <dd><a href="{_value(reverse("partners:organization_list", kwargs=slug))}"\n'
        f'        aria-label="{organizations}"\n'
        f"        >{_value(overview.organization_count)}</a></dd></div>\n"
        f'    <div class="stat"><dt>{_("dont services de la collectivité")}</dt>'
        f"<dd>{_value(overview.internal_organization_count)}</dd></div>\n"
        f'    <div class="stat"><dt>{_("Contacts joignables")}</dt>'
        f"<dd>{_value(overview.contact_count)}</dd></div>\n"
        f'    <div class="stat"><dt>{_("Fiches-actions")}</dt>\n'
        f'      <dd><a href="{_value(reverse("actions:fiche_list", kwargs=slug))}"\n'
        f'        aria-label="{fiches}"\n'
        f"        >{_value(overview.action_count)}</a></dd></div>\n"
        f'    <div class="stat"><dt>{_("Groupes de travail actifs")}</dt>'
        f"<dd>{_value(overview.active_group_count)} / {_value(overview.group_count)}</dd></div>\n"
        "  "
    )


def progress_cards(links: Iterable[Any], territory_slug: str) -> SafeString:
    """The <li>s of the signed contracts' progress (`views.ContractProgressLink`: a contract
    and its figures), between the loop's line breaks."""
    progress = link_pattern("evaluation:contract_progress", territory_slug)
    words = None
    cards = []
    for link in links:
        c, f = link.contract, link.figures
        words = words or [
            _(text)
            for text in (
                "Fiches-actions réalisées",
                "En cours",
                "En retard",
                "Indicateurs atteints ou en bonne voie",
            )
        ]
        title = _("Avancement · %(title)s") % {"title": _value(c.title)}
        cards.append(
            '\n    <li class="card">\n'
            f'      <h3 class="card__title"><a href="{progress[0]}{c.pk}{progress[1]}">{title}</a>'
            "</h3>\n"
            f'      <p class="muted">{_value(c.get_kind_display())} · {_value(c.period)} · '
            f"{_value(c.get_status_display())}</p>\n"
            '      <dl class="facts facts--stacked">\n'
            f"        <div><dt>{words[0]}</dt><dd>{_value(f.done)} / {_value(f.fiches)} "
            f"({_value(f.done_share)} %)</dd></div>\n"
            f"        <div><dt>{words[1]}</dt><dd>{_value(f.in_progress)}</dd></div>\n"
            f"        <div><dt>{words[2]}</dt><dd>{_value(f.late)}</dd></div>\n"
            f"        <div><dt>{words[3]}</dt><dd>{_value(f.on_track)} / "
            f"{_value(f.measurable)}</dd></div>\n"
            "      </dl>\n"
            "    </li>\n    "
        )
    # Safe: every value above escaped, or a number.
    return mark_safe("\n    " + "".join(cards) + "\n  ")


def _ratio(part: int, whole: int) -> str:
    # As `{% widthratio part whole 100 %}`.
    try:
        return str(round(float(part) / float(whole) * 100))
    except ZeroDivisionError:
        return "0"


def survey_items(surveys: Iterable[Any], territory_slug: str) -> SafeString:
    """The <li>s of the open campaigns (each with `invited` and `answered`)."""
    detail = link_pattern("evaluation:survey_detail", territory_slug)
    items = []
    for s in surveys:
        text = ngettext(
            "ouverte jusqu'au %(closes)s : %(answered)s réponse sur %(invited)s sollicitations",
            "ouverte jusqu'au %(closes)s : %(answered)s réponses sur %(invited)s sollicitations",
            s.answered,
        ) % {
            "closes": _value(date_format(s.closes_on, "j F Y")),
            "answered": _value(s.answered),
            "invited": _value(s.invited),
        }
        items.append(
            f'<li><a href="{detail[0]}{s.pk}{detail[1]}">{_value(s.title)}</a>\n'
            f"    {text}\n"
            f"    ({_ratio(s.answered, s.invited)} %)</li>"
        )
    # Safe: every value above escaped, or a number.
    return mark_safe("".join(items))


def ottawa_items(contracts: Iterable[Contract], territory_slug: str) -> SafeString:
    """The <li>s of the contracts' Ottawa matrices, between the loop's line breaks."""
    matrix = link_pattern("evaluation:ottawa_matrix", territory_slug)
    text = _("Matrice de la charte d'Ottawa : %(title)s")
    items = "".join(
        f'\n    <li><a href="{matrix[0]}{c.pk}{matrix[1]}">'
        f"{text % {'title': _value(c.title)}}</a></li>\n    "
        for c in contracts
    )
    # Safe: the titles escaped.
    return mark_safe(items)
