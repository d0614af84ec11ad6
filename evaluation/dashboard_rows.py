"""Lists of the dashboard written in Python: the contracts' rows, the fiches per status and the
groups per health state. Through the template language, their links, labels, dates and
lookups were a good part of the page's time; the HTML is the one the template wrote, byte for
byte (tests/evaluation/test_dashboard_rows.py). Every value typed by someone (titles) is
escaped here; the rest are numbers, dates and the site's own labels, escaped as well.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils.formats import date_format, localize
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from actions.models import Contract, ContractStatus
from workgroups.group_rows import link_pattern

from .selectors import StatusCount


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
        words = words or (_value(_("Avancement")), _("le %(date)s"))
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
