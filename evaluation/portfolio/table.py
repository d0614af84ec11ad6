"""The table of all one's contracts as the page and the exports share it: columns, sorting on the
server (`?order=population`, `?order=-population` for descending), filters, without JavaScript.

Sorting by a column of the territory or the contract costs nothing more: the figures are then
computed for the page shown only. Sorting by a figure (fiches, indicators, groups, last COPIL,
milestone) computes it for every row first, in the same queries. A value that is missing (no population recorded, no
COPIL held, no indicator with a target) comes last whichever the direction.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from dataclasses import dataclass
from html import escape
from typing import Any
from urllib.parse import urlencode

from django.core.paginator import Page, Paginator
from django.http import QueryDict
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from actions.models import ContractStatus
from cls_platform.departments import fold
from cls_platform.departments import sort_key as department_order
from cls_platform.models import User

from .forms import PortfolioFilterForm
from .selectors import (
    ContractRow,
    contract_keys,
    contract_rows,
    fill,
    fill_copil,
    fill_figures,
    fill_groups,
    fill_milestones,
    filled_rows,
)

PAGE_SIZE = 50
STATUS_ORDER = {ContractStatus.DRAFT: 0, ContractStatus.SIGNED: 1, ContractStatus.CLOSED: 2}


@functools.lru_cache(maxsize=8192)
def folded(name: str) -> str:
    """`fold` of a territory's name, remembered: the default order folds a thousand names a
    request, always the same ones."""
    return fold(name)


def _share_then_count(share: Callable[[ContractRow], int | None], count: Callable) -> Callable:
    def key(row: ContractRow) -> Any:
        value = share(row)
        return None if value is None else (value, count(row))

    return key


@dataclass(frozen=True)
class Column:
    key: str
    label: Any  # lazy French text
    sort: Callable[[ContractRow], Any]  # None: the value is missing
    # Computed for every row first: "figures" (fiches, indicators), "groups", "copil" or
    # "milestone"; the other columns are read with the row.
    needs: str = ""

    def link(self, table: PortfolioTable) -> str:
        """The address that sorts by this column: ascending first, the other way when the table
        is already sorted by it ascending."""
        descending = table.column is self and not table.descending
        return table.query(order=f"-{self.key}" if descending else self.key, page=None)


COLUMNS = [
    Column("territory", _("Territoire"), lambda r: folded(r.territory_name)),
    Column("insee", _("Code INSEE"), lambda r: r.insee_code or None),
    Column(
        "department",
        _("Département"),
        lambda r: department_order(r.department_code) if r.department_code else None,
    ),
    Column("population", _("Population"), lambda r: r.population),
    Column("contract", _("Contrat"), lambda r: fold(r.title)),
    Column("period", _("Période"), lambda r: (r.start_year, r.end_year)),
    Column("status", _("État"), lambda r: STATUS_ORDER.get(r.status, 9)),
    Column("fiches", _("Fiches-actions"), lambda r: r.figures.fiches, needs="figures"),
    Column(
        "done",
        _("Fiches réalisées"),
        _share_then_count(lambda r: r.figures.done_share, lambda r: r.figures.done),
        needs="figures",
    ),
    Column(
        "in_progress",
        _("Fiches en cours"),
        _share_then_count(lambda r: r.in_progress_share, lambda r: r.figures.in_progress),
        needs="figures",
    ),
    Column(
        "late",
        _("Fiches en retard"),
        _share_then_count(lambda r: r.late_share, lambda r: r.late),
        needs="figures",
    ),
    Column(
        "indicators",
        _("Indicateurs en bonne voie"),
        _share_then_count(lambda r: r.on_track_share, lambda r: r.figures.on_track),
        needs="figures",
    ),
    Column("active", _("Groupes actifs"), lambda r: r.active_groups, needs="groups"),
    Column("fragile", _("Groupes fragiles"), lambda r: r.fragile_groups, needs="groups"),
    Column("stopped", _("Groupes à l'arrêt"), lambda r: r.stopped_groups, needs="groups"),
    Column("copil", _("Dernier COPIL"), lambda r: r.last_copil, needs="copil"),
    Column(
        "milestone",
        _("Prochaine échéance"),
        lambda r: r.milestone.on if r.milestone else None,
        needs="milestone",
    ),
]
BY_KEY = {column.key: column for column in COLUMNS}
KEYED = {"territory", "department", "status"}  # sorted by what a `ContractKey` holds
FILL = {
    "figures": fill_figures,
    "groups": fill_groups,
    "copil": fill_copil,
    "milestone": fill_milestones,
}
DEFAULT = BY_KEY["territory"]


def sort_rows(rows: list[ContractRow], column: Column, *, descending: bool) -> list[ContractRow]:
    """Stable: rows equal on the column keep the order of the query (territory, then the most
    recent contract first). Missing values last in both directions."""
    keys = list(map(column.sort, rows))
    present = [i for i, key in enumerate(keys) if key is not None]
    present.sort(key=keys.__getitem__, reverse=descending)
    return [rows[i] for i in present] + [rows[i] for i, key in enumerate(keys) if key is None]


class PortfolioTable:
    """The rows the user may read, filtered and sorted as the GET parameters ask; figures
    computed for `page()` or, when the sort needs them, for every row."""

    def __init__(self, params: QueryDict, *, user: User, today: dt.date | None = None) -> None:
        self.params = params
        self.today = today or timezone.localdate()
        order = params.get("order", "")
        key = order.removeprefix("-")
        self.unknown_order = bool(order) and key not in BY_KEY
        self.column = BY_KEY.get(key, DEFAULT)
        self.descending = order.startswith("-") and not self.unknown_order
        # Sorted by territory, department or state: the contracts as keys, the page's read in
        # full with their figures (`filled_rows`). Sorted by the last COPIL: read with the
        # contracts, for every row.
        self.keyed = self.column.key in KEYED
        every_row: list[Any] = (
            contract_keys(user=user)
            if self.keyed
            else contract_rows(user=user, copil=self.column.needs == "copil")
        )
        self.form = PortfolioFilterForm(
            params,
            departments={row.department_code for row in every_row},
            statuses={row.status for row in every_row},
        )
        self.rows = self.form.filter(every_row)
        self.total = len(every_row)
        # Contracts of two territories or more: the user holds accesses to several (what the
        # navigation asks, `several_territories`); fewer tell nothing (a territory without a
        # contract, or none the user may read).
        territory = (lambda r: r.territory_id) if self.keyed else (lambda r: r.territory_slug)
        self.several_territories = len({territory(row) for row in every_row}) > 1
        if self.column.needs:
            FILL[self.column.needs](self.rows, today=self.today)
        self.rows = sort_rows(self.rows, self.column, descending=self.descending)

    @property
    def order(self) -> str:
        return f"-{self.column.key}" if self.descending else self.column.key

    def query(self, **changes: str | None) -> str:
        """The current GET parameters with `changes` (None removes one), as "?a=1&b=2"."""
        params = {key: value for key, value in self.params.items() if value}
        if self.unknown_order:
            params.pop("order", None)
        for key, value in changes.items():
            if value is None:
                params.pop(key, None)
            else:
                params[key] = value
        return "?" + urlencode(params) if params else "?"

    def headers(self) -> list[dict[str, Any]]:
        return [
            {
                "column": column,
                "link": column.link(self),
                "sorted": column is self.column,
                "aria_sort": (
                    ("descending" if self.descending else "ascending")
                    if column is self.column
                    else ""
                ),
            }
            for column in COLUMNS
        ]

    def header_cells(self) -> SafeString:
        """The <th>s of `headers()`, as the template's loop over them wrote them (seventeen
        columns of lookups and conditions through the template language, on every page)."""
        descending = self.descending
        to_read = (
            escape(gettext(" : trier par ordre décroissant")),
            escape(gettext(" : trier par ordre croissant")),
        )
        cells = []
        for header in self.headers():
            sorted_ = header["sorted"]
            aria = f' aria-sort="{header["aria_sort"]}"' if header["aria_sort"] else ""
            read = to_read[0] if sorted_ and not descending else to_read[1]
            arrow = (
                f'<span\n      aria-hidden="true">{" ▼" if descending else " ▲"}</span>'
                if sorted_
                else ""
            )
            cells.append(
                f'\n    <th scope="col"{aria}><a href="{escape(header["link"])}">'
                f'{escape(str(header["column"].label))}<span\n      class="visually-hidden">'
                f"{read}</span>{arrow}</a></th>\n    "
            )
        # Safe: the labels, addresses and words escaped.
        return mark_safe("\n    " + "".join(cells) + "\n  ")

    def page(self, number: Any) -> Page:
        page = Paginator(self.rows, PAGE_SIZE).get_page(number)
        if self.keyed:
            page.object_list = filled_rows(page.object_list, today=self.today)
        else:
            fill(page.object_list, today=self.today)
        return page

    def all_rows(self) -> list[ContractRow]:
        """Every row of the filter, figures included (the exports)."""
        if self.keyed:
            return filled_rows(self.rows, today=self.today)
        fill(self.rows, today=self.today)
        return self.rows
