"""The bilan of a contract, annual or mid-term: a tagged A4 PDF (PDF/UA-1) in French for the
steering committee and the signatories.

It prints what the progress page shows (`selectors.contract_progress`, the same object and the
same rules) and adds what a printed review needs: a cover, a table of contents with page numbers
(WeasyPrint's target-counter: the bilan is one document, unlike the contract joined from parts),
small charts of the indicators against their targets (inline SVG, each with a text alternative
in its <title>), the survey's charts beside their data tables, the Ottawa matrix, and the list of
fiches-actions with their status.

Signatories (viewers) read structures and counts only: no person's name, e-mail or phone. The
selector already leaves the people out for them (no group reasons, no compte-rendu PDF); the
decisions print their structure and label, which never name a person.

WeasyPrint 70 writes table header cells (/TH) without the /Scope attribute PDF/UA asks for:
`cls_platform.pdf.rendering.scope_table_headers` adds it to every tagged PDF once written (the
bilan's, the contract's, a fiche's), from the table's structure (a header in a /THead or in a
row of headers heads its column, any other heads its row), as the HTML's scope="col"/"row" say.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from django.db.models import BooleanField, ExpressionWrapper
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.views.generic import View

from actions.models import ActionStatus, Contract, FicheAction
from actions.progress import late_q, percent
from cls_platform.access import TerritoryMixin, scoped
from cls_platform.models import Access

from ..partnership.matrix import OttawaMatrix, ottawa_matrix
from . import selectors

ANNUAL = "annuel"
MIDTERM = "mi-parcours"
CHOICE_PARAMETER = "bilan"
TEMPLATE = "pdf/bilan.html"


# The choice: "bilan annuel 2025" or "bilan à mi-parcours" -------------------------------------


@dataclass(frozen=True)
class BilanChoice:
    kind: str  # ANNUAL or MIDTERM
    year: int | None  # the year of an annual bilan

    @property
    def value(self) -> str:
        """As the download's query string says it: "2025" or "mi-parcours"."""
        return str(self.year) if self.kind == ANNUAL else MIDTERM

    @property
    def label(self) -> str:
        if self.kind == ANNUAL:
            return _("Bilan annuel %(year)s") % {"year": self.year}
        return _("Bilan à mi-parcours")


def bilan_choices(contract: Contract, today: dt.date | None = None) -> list[BilanChoice]:
    """The bilans one may download: each year of the period begun by `today` (latest first),
    then the mid-term one."""
    today = today or timezone.localdate()
    last = min(contract.end_year, max(today.year, contract.start_year))
    years = range(last, contract.start_year - 1, -1)
    return [*(BilanChoice(ANNUAL, year) for year in years), BilanChoice(MIDTERM, None)]


def parse_choice(contract: Contract, value: str, today: dt.date | None = None) -> BilanChoice:
    """The choice `value` names; the latest annual bilan when it is empty. ValueError (with a
    French message) when it names none of the contract's."""
    choices = bilan_choices(contract, today)
    if not value:
        return choices[0]
    for choice in choices:
        if choice.value == value.strip():
            return choice
    raise ValueError(
        _("Bilan inconnu : « %(value)s ». Choisissez %(choices)s.")
        % {"value": value[:40], "choices": ", ".join(f"« {c.value} »" for c in choices)}
    )


# What the bilan prints ------------------------------------------------------------------------


@dataclass(frozen=True)
class IndicatorChart:
    """A bar from the baseline (0 %) to the target (100 %), the latest value marked on it."""

    svg: SafeString
    alt: str


@dataclass(frozen=True)
class FicheLine:
    number: str
    title: str
    status: str
    status_key: str
    progress: int
    late: bool
    end_date: dt.date | None


@dataclass(frozen=True)
class AxisFiches:
    label: str
    title: str
    fiches: list[FicheLine]


@dataclass(frozen=True)
class Bilan:
    choice: BilanChoice
    progress: selectors.ContractProgress
    charts: dict[int, IndicatorChart]  # by indicator id
    survey_charts: list[SafeString]  # beside `progress.survey.headlines`, in their order
    matrix: OttawaMatrix
    fiches: list[AxisFiches]
    edited_on: dt.date

    @property
    def contract(self) -> Contract:
        return self.progress.contract

    @property
    def title(self) -> str:
        return f"{self.choice.label} · {self.contract.title}"

    @property
    def fiches_count(self) -> int:
        return sum(len(axis.fiches) for axis in self.fiches)


def contract_bilan(
    *, contract: Contract, access: Access, choice: BilanChoice, today: dt.date | None = None
) -> Bilan:
    """Everything the bilan prints, in a constant number of queries (the progress page's, the
    Ottawa matrix's three and one for the fiches)."""
    today = today or timezone.localdate()
    progress = selectors.contract_progress(contract=contract, access=access, today=today)
    return Bilan(
        choice=choice,
        progress=progress,
        charts={r.indicator.pk: indicator_chart(r) for r in progress.readings},
        survey_charts=[
            _titled(item.chart, _("Graphique : %(q)s") % {"q": item.question.text})
            for item in (progress.survey.headlines if progress.survey else [])
        ],
        matrix=ottawa_matrix(contract=contract),
        fiches=_fiches(contract, today),
        edited_on=today,
    )


def _fiches(contract: Contract, today: dt.date) -> list[AxisFiches]:
    from actions.pdf import natural_key  # the contract PDF's order of numbers

    rows = (
        FicheAction.objects.filter(contract=contract)
        .select_related("thematic_axis")
        .annotate(late=ExpressionWrapper(late_q(today=today), output_field=BooleanField()))
    )
    fiches = sorted(rows, key=lambda f: (f.thematic_axis.number, natural_key(f.number)))
    axes: dict[int, AxisFiches] = {}
    for fiche in fiches:
        axis = fiche.thematic_axis
        if axis.pk not in axes:
            axes[axis.pk] = AxisFiches(label=axis.label, title=axis.plain_title, fiches=[])
        axes[axis.pk].fiches.append(
            FicheLine(
                number=fiche.number,
                title=fiche.title,
                status=fiche.get_status_display(),
                status_key=fiche.status,
                progress=fiche.progress,
                late=bool(fiche.late),
                end_date=fiche.end_date,
            )
        )
    return list(axes.values())


def indicator_chart(reading) -> IndicatorChart:
    """A small bar (baseline to target) with the latest value, and the sentence it draws."""
    indicator = reading.indicator
    reached = reading.reached_percent
    if indicator.target is None:
        alt = _("%(title)s : pas de cible fixée ; dernière valeur %(value)s.") % {
            "title": indicator.title,
            "value": reading.latest_label or _("non mesurée"),
        }
    elif reached is None:
        alt = _("%(title)s : pas encore mesuré ; cible %(target)s.") % {
            "title": indicator.title,
            "target": reading.target_label,
        }
    else:
        alt = _(
            "%(title)s : %(value)s pour une cible de %(target)s (départ %(baseline)s), "
            "soit %(reached)s %% du chemin ; %(standing)s."
        ) % {
            "title": indicator.title,
            "value": reading.latest_label,
            "target": reading.target_label,
            "baseline": reading.baseline_label or "0",
            "reached": reached,
            "standing": reading.standing_label,
        }
    width, height = 120, 14
    shown = max(0, min(reached or 0, 100))
    fill = {"reached": "#0f5d2c", "on_track": "#1d3f8f", "behind": "#b34700"}.get(
        reading.standing, "#8a8fa3"
    )
    bar = round(width * shown / 100, 1)
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="gauge" role="img" '
        f'aria-label="{escape(alt)}" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}"><title>{escape(alt)}</title>'
        f'<rect x="0" y="3" width="{width}" height="8" rx="2" fill="#e4e7ee"/>'
        f'<rect x="0" y="3" width="{bar}" height="8" rx="2" fill="{fill}"/>'
        f'<line x1="{width - 0.75}" y1="0" x2="{width - 0.75}" y2="{height}" '
        f'stroke="#132a61" stroke-width="1.5"/></svg>'
    )
    return IndicatorChart(svg=mark_safe(svg), alt=alt)  # numbers and escaped text only


def _titled(svg: str, title: str) -> SafeString:
    """pygal's chart with a <title>: WeasyPrint writes it as the figure's text alternative."""
    if not svg:
        return mark_safe("")
    opening = re.search(r"<svg\b[^>]*>", svg)
    if opening is None:
        return mark_safe(svg)
    end = opening.end()
    return mark_safe(f"{svg[:end]}<title>{escape(title)}</title>{svg[end:]}")


# The document ---------------------------------------------------------------------------------


def bilan_html(bilan: Bilan) -> str:
    from cls_platform.pdf.rendering import render_html

    return render_html(template=TEMPLATE, context=_context(bilan), title=bilan.title)


def bilan_pdf(bilan: Bilan) -> bytes:
    from cls_platform.pdf.rendering import write_pdf  # scopes the header cells

    return write_pdf(bilan_html(bilan))


def _context(bilan: Bilan) -> dict[str, Any]:
    progress = bilan.progress
    contract = bilan.contract
    return {
        "bilan": bilan,
        "progress": progress,
        "contract": contract,
        "territory_name": contract.territory.name,
        "period": f"{contract.start_year}\u2013{contract.end_year}",
        "axes": [
            {
                "progress": axis,
                "late_share": percent(axis.figures.late, axis.figures.fiches),
                "readings": [(r, bilan.charts[r.indicator.pk]) for r in axis.readings],
            }
            for axis in progress.axes
        ],
        "surveys": list(
            zip(progress.survey.headlines, bilan.survey_charts, strict=True)
            if progress.survey
            else []
        ),
        "statuses": [(value, str(label)) for value, label in ActionStatus.choices],
        # An annual bilan names what its year brought: the COPIL decisions taken in it and the
        # indicators measured in it; the mid-term one, the review's date.
        "year_decisions": [
            d for d in progress.decisions if d.meeting_on and d.meeting_on.year == bilan.choice.year
        ],
        "year_readings": [
            r for r in progress.readings if r.latest_on and r.latest_on.year == bilan.choice.year
        ],
        "midterm": next(
            (m for m in progress.milestones if m.kind == selectors.MilestoneKind.MIDTERM), None
        ),
    }


# The download ---------------------------------------------------------------------------------


class ContractBilanView(TerritoryMixin, View):
    """The bilan PDF of a contract, for its signatories, coordinators and co-pilots:
    `?bilan=2025` (annual) or `?bilan=mi-parcours`; the latest annual one by default."""

    model = Contract  # the URL names the contract (the tenancy walk reads it)
    http_method_names = ["get", "head"]

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        contract = (
            scoped(Contract.objects.select_related("territory"), self.access)
            .filter(pk=kwargs["pk"])
            .first()
        )
        if contract is None:
            raise Http404
        try:
            choice = parse_choice(contract, request.GET.get(CHOICE_PARAMETER, ""))
        except ValueError as error:
            response = HttpResponse(
                str(error), status=400, content_type="text/plain; charset=utf-8"
            )
            response["Cache-Control"] = "private, no-store"
            return response
        bilan = contract_bilan(contract=contract, access=self.access, choice=choice)
        response = HttpResponse(bilan_pdf(bilan), content_type="application/pdf")
        name = (
            f"bilan-{choice.value}-{self.territory.slug}-{contract.start_year}-{contract.end_year}"
        )
        response["Content-Disposition"] = f'attachment; filename="{name}.pdf"'
        response["Cache-Control"] = "private, no-store"
        return response
