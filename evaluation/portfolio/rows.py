"""The rows of the table of all one's contracts, written in Python.

Fifty rows a page (a thousand territories), seventeen cells each: through the template language,
their forty lookups and conditions per row took most of the page's time. Every value typed by
someone (names, titles) is escaped here; the rest are numbers, dates and the site's own labels,
escaped as well.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from html import escape

from django.urls import reverse
from django.utils.formats import date_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from actions.models import ContractKind, ContractStatus

from .selectors import ContractRow, Milestone, MilestoneKind

MARK_SLUG, MARK_PK = "territoire-repere", 987654321


class RowLinks:
    """The address each row opens, reversed once per route and not once per row."""

    def __init__(self) -> None:
        self.patterns: dict[str, tuple[str, str, str]] = {}

    def __call__(self, row: ContractRow) -> str:
        pattern = self.patterns.get(row.route)
        if pattern is None:
            url = reverse(row.route, kwargs={"territory": MARK_SLUG, "pk": MARK_PK})
            head, rest = url.split(MARK_SLUG, 1)
            middle, tail = rest.split(str(MARK_PK), 1)
            pattern = self.patterns[row.route] = (head, middle, tail)
        head, middle, tail = pattern
        return f"{head}{row.territory_slug}{middle}{row.pk}{tail}"


def muted(text: str) -> str:
    return f'<span class="muted">{escape(text)}</span>'


class Words:
    """The site's words and dates as the rows write them, translated once per page rather than
    once per row (fifty rows, a dozen lookups in the catalogs each), dates formatted once per
    day (contracts of one period share their milestones)."""

    def __init__(self) -> None:
        self.kinds = {value: escape(str(label)) for value, label in ContractKind.choices}
        self.statuses = {value: escape(str(label)) for value, label in ContractStatus.choices}
        self.milestones = {kind: escape(str(label)) for kind, label in MilestoneKind.LABELS.items()}
        self.in_year, self.out_of = _("en %(year)s"), _("%(n)s sur %(total)s")
        self.days: dict[tuple[dt.date, str], str] = {}

    def day(self, value: dt.date, format: str) -> str:
        key = (value, format)
        if key not in self.days:
            self.days[key] = escape(date_format(value, format))
        return self.days[key]

    def when(self, milestone: Milestone) -> str:
        """`Milestone.when`, escaped (once per milestone: contracts of one period share it)."""
        key = (milestone.on, milestone.kind)
        if key not in self.days:
            if milestone.kind == MilestoneKind.FINAL:
                self.days[key] = escape(_("fin %(year)s") % {"year": milestone.on.year})
            else:
                self.days[key] = self.day(milestone.on, "F Y")
        return self.days[key]


def contract_table_rows(rows: Iterable[ContractRow]) -> SafeString:
    """The <tr>s of the page's rows (their figures and groups filled by `fill`)."""
    link = RowLinks()
    words = Words()
    none_copil, over, no_target = (
        muted(_("aucun")),
        muted(_("période achevée")),
        muted(_("aucun avec une cible")),
    )
    lines = []
    for row in rows:
        figures = row.figures
        if row.population_text:
            population = escape(row.population_text)
            if row.population_year:
                year = words.in_year % {"year": row.population_year}
                population += f"<br>{muted(year)}"
        else:
            population = "—"
        if figures is not None and figures.fiches:
            done = f' <span class="muted">({figures.done_share}&nbsp;%)</span>'
            in_progress = f' <span class="muted">({row.in_progress_share}&nbsp;%)</span>'
            late = f' <span class="muted">({row.late_share}&nbsp;%)</span>'
        else:
            done = in_progress = late = ""
        if figures is not None and figures.measurable:
            share = words.out_of % {"n": figures.on_track, "total": figures.measurable}
            on_track = f'{escape(share)} <span class="muted">({row.on_track_share}&nbsp;%)</span>'
        else:
            on_track = no_target
        copil = words.day(row.last_copil, "j F Y") if row.last_copil else none_copil
        milestone = (
            f"{words.milestones[row.milestone.kind]}<br>"
            f'<span class="muted">{words.when(row.milestone)}</span>'
            if row.milestone
            else over
        )
        lines.append(
            "    <tr>\n"
            f'      <th scope="row">{escape(row.territory_name)}</th>\n'
            f"      <td>{escape(row.insee_code or '—')}</td>\n"
            f"      <td>{escape(row.department_label or '—')}</td>\n"
            f"      <td>{population}</td>\n"
            f'      <td><a href="{escape(link(row))}">{escape(row.title)}</a><br>'
            f'<span class="muted">{words.kinds.get(row.kind, "")}</span></td>\n'
            f"      <td>{escape(row.period)}</td>\n"
            f'      <td><span class="badge badge--{escape(row.status)}">'
            f"{words.statuses.get(row.status, '')}</span></td>\n"
            f"      <td>{figures.fiches if figures else ''}</td>\n"
            f"      <td>{figures.done if figures else ''}{done}</td>\n"
            f"      <td>{figures.in_progress if figures else ''}{in_progress}</td>\n"
            f"      <td>{figures.late if figures else ''}{late}</td>\n"
            f"      <td>{on_track}</td>\n"
            f"      <td>{row.active_groups}</td>\n"
            f"      <td>{row.fragile_groups}</td>\n"
            f"      <td>{row.stopped_groups}</td>\n"
            f"      <td>{copil}</td>\n"
            f"      <td>{milestone}</td>\n"
            "    </tr>"
        )
    # Safe: every value above escaped, or a number.
    return mark_safe("\n".join(lines))
