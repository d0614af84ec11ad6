"""The printed contract and fiches-actions: the PDF handed to the steering committee.

`contract_print` and `fiche_print` are the print view's selectors: they read everything the
layout shows in a fixed number of queries (the same for 5 actions or 60) and return plain,
already formatted values, so that templates hold no query and no formatting rule.

Signatories (viewers) read structures, never persons: their print (`for_signatories=True`)
names no pilot, gives a co-pilot as "un·e professionnel·le de <structure>", and replaces the
directory's names typed in the free texts by their structures, as the compte-rendu they read
does (cls_platform/templatetags/people.py). Their parts are kept apart from the coordination's
in the PDF cache (`audience`).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from itertools import accumulate

from django.core.cache import caches
from django.db.models import Prefetch, QuerySet
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.translation import gettext

from actions.models import (
    ActionPartner,
    Axis,
    AxisKind,
    Contract,
    ContractStatus,
    FicheAction,
    FundingStatus,
    Indicator,
    Signatory,
    TerritoryScope,
)
from actions.services.pdf_warm import warmed_key
from cls_platform.pdf.numbers import mark
from cls_platform.pdf.parts import (
    CACHE_ALIAS,
    Book,
    Front,
    Part,
    assemble,
    book,
    destination_pages,
    layout_generation,
)
from cls_platform.pdf.rendering import (
    LANG,
    format_amount,
    format_date,
    format_number,
    render_html,
    render_pdf,
)
from cls_platform.templatetags.people import professional_of, redact_names
from partners.models import Contact, Organization

# The cache's audience of the signatories' print (cls_platform.pdf.parts).
SIGNATORIES = "signatories"
FICHES_ANCHOR = "fiches-actions"  # the first fiche, or the page that says there is none


@dataclass(frozen=True)
class SignatoryLine:
    order: int
    name: str
    signed_on: str


@dataclass(frozen=True)
class PartnerLine:
    name: str
    role: str
    level: str


@dataclass(frozen=True)
class FundingLineRow:
    funder: str
    year: str
    amount: str
    status: str
    is_secured: bool


@dataclass(frozen=True)
class IndicatorLine:
    title: str
    kind: str
    unit: str
    baseline: str
    target: str
    latest_value: str
    latest_on: str
    source: str
    frequency: str


@dataclass(frozen=True)
class FichePrint:
    anchor: str
    number: str
    title: str
    thematic_axis: str
    transversal_axes: list[str]
    status: str
    status_key: str
    progress: int
    start_on: str
    end_on: str
    calendar: str
    context: str
    general_objective: str
    operational_objectives: list[str]
    description: str
    publics: list[str]
    publics_detail: str
    territory_scope: str
    qpvs: list[str]
    pilot_organization: str
    pilot_contact: str  # empty for signatories, who read the structure only
    copilots: list[str]
    partners: list[PartnerLine]
    budget_total: str
    funding_lines: list[FundingLineRow]
    funding_total: str
    funding_secured: str
    funding_requested: str
    ottawa_areas: list[str]
    participation: str
    indicators: list[IndicatorLine]
    shows_people: bool = True


@dataclass(frozen=True)
class FicheEntry:
    """A fiche as the table of contents and the axis pages list it."""

    anchor: str
    number: str
    title: str
    page: str = ""  # its first page in the printed contract, once known


@dataclass(frozen=True)
class AxisPrint:
    anchor: str
    label: str
    title: str
    description: str
    objectives: list[str]
    fiches: list[FicheEntry] = field(default_factory=list)
    page: str = ""  # its page in the printed contract, once known


@dataclass(frozen=True)
class ContractPrint:
    title: str
    territory: str
    kind: str
    period: str
    status: str
    signed_on: str
    description: str
    signatories: list[SignatoryLine]
    thematic_axes: list[AxisPrint]
    transversal_axes: list[AxisPrint]
    fiches: list[FichePrint]
    edited_on: str
    fiches_page: str = ""  # the first fiche's page in the printed contract, once known
    axes_page: str = ""  # the axes' first page, as well
    for_signatories: bool = False


# What a print does to a free text before it is shown: nothing, or the directory's names made
# structures (the result is then safe HTML, escaped before names are replaced).
Unnamed = Callable[[str], str]


def _as_typed(text: str) -> str:
    return text


def unnamed_for_signatories(*, territory_id: int) -> Unnamed:
    """The directory's people of the territory, "First Last" or "Last First", replaced in a
    free text by their structure: one query. Each text goes to `redact_names` with only the
    people whose last name it holds (it builds its pattern from the people it is given: a
    contract's 400 texts times a directory's 200 people took seconds), or none."""
    people = list(
        Contact.objects.filter(territory_id=territory_id).values_list(
            "first_name", "last_name", "organization__name"
        )
    )
    by_last: dict[str, list[int]] = {}
    for index, (first, last, _structure) in enumerate(people):
        folded = " ".join((last or "").split()).casefold()
        if folded and (first or "").strip():
            for form in {folded, folded.replace("'", "’")}:
                by_last.setdefault(form, []).append(index)

    def unnamed(text: str) -> str:
        if not text:
            return text
        folded = " ".join(text.split()).casefold()
        named = sorted({i for form, found in by_last.items() if form in folded for i in found})
        return redact_names(escape(text), [people[i] for i in named]) if named else escape(text)

    return unnamed


# Selectors ------------------------------------------------------------------------------------


def fiches_for_print() -> QuerySet[FicheAction]:
    """Fiches-actions with everything the print layout shows: ten queries for any number."""
    return FicheAction.objects.select_related(
        "thematic_axis", "pilot_organization", "pilot_contact"
    ).prefetch_related(
        Prefetch("transversal_axes", queryset=Axis.objects.order_by("number")),
        Prefetch("copilots", queryset=Contact.objects.select_related("organization")),
        "publics",
        "qpvs",
        "ottawa_areas",
        Prefetch(
            "partnerships",
            queryset=ActionPartner.objects.select_related("organization", "level").order_by(
                "organization__name"
            ),
        ),
        "funding_lines",
        Prefetch("indicators", queryset=Indicator.objects.prefetch_related("values")),
    )


def contract_print(*, contract: Contract, for_signatories: bool = False) -> ContractPrint:
    """The whole contract for print: cover, signatories, axes, every fiche-action; for
    signatories, with structures in place of persons (one query more)."""
    contract = Contract.objects.select_related("territory").get(pk=contract.pk)
    unnamed = (
        unnamed_for_signatories(territory_id=contract.territory_id)
        if for_signatories
        else _as_typed
    )
    signatories = Signatory.objects.filter(contract=contract).select_related("organization")
    axes = list(Axis.objects.filter(contract=contract).order_by("kind", "number"))
    fiches = sorted(
        fiches_for_print().filter(contract=contract),
        key=lambda f: (f.thematic_axis.number, natural_key(f.number)),
    )
    with translation.override(LANG):
        printed = [_fiche(fiche, unnamed=unnamed, people=not for_signatories) for fiche in fiches]
        by_axis: dict[int, list[FicheEntry]] = {}
        for fiche, row in zip(fiches, printed, strict=True):
            by_axis.setdefault(fiche.thematic_axis_id, []).append(
                FicheEntry(anchor=row.anchor, number=row.number, title=row.title)
            )
        return _contract(
            contract,
            signatories=[
                SignatoryLine(
                    order=position,
                    name=_organization(s.organization),
                    signed_on=format_date(s.signed_on),
                )
                for position, s in enumerate(signatories, start=1)
            ],
            thematic_axes=[
                _axis(a, by_axis.get(a.pk, []), unnamed=unnamed)
                for a in axes
                if a.kind == AxisKind.THEMATIC
            ],
            transversal_axes=[
                _axis(a, [], unnamed=unnamed) for a in axes if a.kind == AxisKind.TRANSVERSAL
            ],
            fiches=printed,
            unnamed=unnamed,
            for_signatories=for_signatories,
        )


def fiche_print(
    *, fiche: FicheAction, for_signatories: bool = False
) -> tuple[ContractPrint, FichePrint]:
    """One fiche-action for print, with the few facts of its contract the page header shows;
    for signatories, with structures in place of persons (one query more)."""
    fiche = fiches_for_print().select_related("contract__territory").get(pk=fiche.pk)
    unnamed = (
        unnamed_for_signatories(territory_id=fiche.contract.territory_id)
        if for_signatories
        else _as_typed
    )
    with translation.override(LANG):
        row = _fiche(fiche, unnamed=unnamed, people=not for_signatories)
        contract = _contract(
            fiche.contract, fiches=[row], unnamed=unnamed, for_signatories=for_signatories
        )
        return contract, row


# Documents ------------------------------------------------------------------------------------


def contract_pdf(*, contract: Contract, for_signatories: bool = False) -> bytes:
    """The whole contract, joined from parts: the front matter (cover, signatories, contents,
    axes) and each fiche-action, rendered apart and kept (cls_platform.pdf.parts), so that a
    fiche that did not change since the last print is not laid out again. Signatories' parts
    are kept under their own keys."""
    printed = contract_book(contract=contract, for_signatories=for_signatories, join=True)
    return printed.pdf or assemble(printed.parts, numbers=printed.numbers)


def contract_book(
    *,
    contract: Contract,
    for_signatories: bool = False,
    parallel: bool = True,
    join: bool = False,
    refresh: bool = False,
) -> Book:
    """The printed contract's parts, front matter first, and its page numbers: read from the
    cache where kept, the others rendered and kept. The background warming (`warm_contract_pdf`)
    runs this very code after a change, so that the print that follows finds every part under
    the same keys; a print with a cold cache renders what is missing itself, as before, and never
    waits for a worker.

    The front matter (cover, signatories, contents) is laid out beside the fiches with a mark
    where each page of its contents goes (`_with_marks`), and the pages written over the marks
    once the fiches are made (cls_platform.pdf.parts.book); the axes, which follow it, are a part
    of their own."""
    printed = contract_print(contract=contract, for_signatories=for_signatories)
    title = f"{printed.title} ({printed.period})"

    def front_matter(contract: ContractPrint) -> str:
        return render_html(
            template="pdf/contract.html", context={"contract": contract}, title=title
        )

    marked = _with_marks(printed)

    def numbers(chapters: Sequence[Part], front_pages: int) -> dict[str, str]:
        paged = _with_pages(printed, chapters, front_pages)
        return dict(zip(_page_fields(marked), _page_fields(paged), strict=True))

    axes = render_html(
        template="pdf/contract_axes.html", context={"contract": printed}, title=title
    )
    return book(
        [
            axes,
            *(
                render_html(
                    template="pdf/contract_fiche.html",
                    context={"contract": printed, "fiche": fiche, "first": position == 0},
                    title=title,
                )
                for position, fiche in enumerate(printed.fiches)
            ),
        ],
        Front(
            marked=front_matter(marked),
            numbers=numbers,
            html=lambda chapters, front_pages: front_matter(
                _with_pages(printed, chapters, front_pages)
            ),
        ),
        audience=SIGNATORIES if for_signatories else "",
        parallel=parallel,
        join=join,
        refresh=refresh,
    )


def warm_contract_pdf(*, contract: Contract, parallel: bool = False) -> list[int]:
    """Render and keep, for both audiences, every part the contract's print needs that the cache
    lacks (a changed fiche, the front matter when its contents changed), and keep what it finds
    as long again: what a worker runs after a change (actions/tasks.py, in its own process only)
    and `manage.py warm_pdfs`, and what the sweep runs again once the cache was emptied or the
    print layout changed (the contract is marked warm for the current `layout_generation`).
    Returns the pages of each audience's print."""
    pages = [
        contract_book(
            contract=contract, for_signatories=for_signatories, parallel=parallel, refresh=True
        ).pages
        for for_signatories in (False, True)
    ]
    caches[CACHE_ALIAS].set(warmed_key(contract_layout(), contract.pk), True)
    return pages


# The code that writes the contract's printed HTML, besides its templates: a deploy that changes
# any of it makes new parts, and the sweep warms every contract again.
LAYOUT_SOURCES = (
    "actions/pdf.py",
    "cls_platform/pdf/rendering.py",
    "cls_platform/templatetags/people.py",
    "locale/fr/LC_MESSAGES/django.mo",
)


def contract_layout() -> str:
    """The generation of the contract's print layout (cls_platform.pdf.parts.layout_generation)."""
    return layout_generation(*LAYOUT_SOURCES)


def _page_fields(printed: ContractPrint) -> list[str]:
    """The pages a printed contract's contents give, always in the same order."""
    axes = [*printed.thematic_axes, *printed.transversal_axes]
    return [
        printed.axes_page,
        printed.fiches_page,
        *(axis.page for axis in axes),
        *(entry.page for axis in axes for entry in axis.fiches),
    ]


def _with_marks(printed: ContractPrint) -> ContractPrint:
    """The contract with a mark (cls_platform.pdf.numbers.mark) for each page of its contents:
    its front matter is laid out before the fiches' lengths are known, and the numbers written
    over the marks once they are (cls_platform.pdf.parts.book)."""
    marks = map(mark, itertools.count())

    def entries(axis: AxisPrint) -> AxisPrint:
        return replace(
            axis, page=next(marks), fiches=[replace(e, page=next(marks)) for e in axis.fiches]
        )

    return replace(
        printed,
        axes_page=next(marks),
        fiches_page=next(marks),
        thematic_axes=[entries(a) for a in printed.thematic_axes],
        transversal_axes=[entries(a) for a in printed.transversal_axes],
    )


def _with_pages(
    printed: ContractPrint, chapters: Sequence[Part], front_pages: int
) -> ContractPrint:
    """The contract with the pages of its contents, after `front_pages` pages of front matter:
    the axes' (the first chapter) and each axis's, where that chapter names it; each fiche's
    first page, each fiche taking the pages of the chapter that follows in order."""
    axes, *fiches = chapters
    first = front_pages + 1
    named = destination_pages(axes)
    # each fiche starts where the one before ends (the first after the axes)
    ends = accumulate([first + axes.pages, *(f.pages for f in fiches)])
    starts = dict(zip((f.anchor for f in printed.fiches), ends, strict=False))

    def entries(axis: AxisPrint) -> AxisPrint:
        return replace(
            axis,
            page=str(first + named.get(axis.anchor, 0)),
            fiches=[replace(e, page=str(starts[e.anchor])) for e in axis.fiches],
        )

    return replace(
        printed,
        thematic_axes=[entries(a) for a in printed.thematic_axes],
        transversal_axes=[entries(a) for a in printed.transversal_axes],
        axes_page=str(first),
        # with no fiche, the page that says so, at the end of the axes
        fiches_page=str(first + (axes.pages if fiches else named.get(FICHES_ANCHOR, 0))),
    )


def fiche_action_pdf(*, fiche: FicheAction, for_signatories: bool = False) -> bytes:
    """One fiche-action, rendered at each request (a few pages: no cache)."""
    contract, printed = fiche_print(fiche=fiche, for_signatories=for_signatories)
    return render_pdf(
        template="pdf/fiche_action.html",
        context={"contract": contract, "fiche": printed},
        title=f"Fiche-action {printed.number} : {printed.title}",
    )


# Plain values ---------------------------------------------------------------------------------


def natural_key(number: str) -> tuple[object, ...]:
    """ "1.10" after "1.9"; split parts alternate text and digits, so tuples always compare."""
    return tuple(int(p) if p.isdigit() else p for p in re.split(r"(\d+)", number))


def _contract(
    contract: Contract,
    *,
    signatories: list[SignatoryLine] | None = None,
    thematic_axes: list[AxisPrint] | None = None,
    transversal_axes: list[AxisPrint] | None = None,
    fiches: list[FichePrint],
    unnamed: Unnamed = _as_typed,
    for_signatories: bool = False,
) -> ContractPrint:
    return ContractPrint(
        title=contract.title,
        territory=contract.territory.name,
        kind=contract.get_kind_display(),
        period=f"{contract.start_year}\u2013{contract.end_year}",
        status=contract.get_status_display(),
        signed_on=""
        if contract.status == ContractStatus.DRAFT
        else format_date(contract.signed_on),
        description=unnamed(contract.description),
        signatories=signatories or [],
        thematic_axes=thematic_axes or [],
        transversal_axes=transversal_axes or [],
        fiches=fiches,
        edited_on=format_date(timezone.localdate()),
        for_signatories=for_signatories,
    )


def _anchor(prefix: str, value: object) -> str:
    return f"{prefix}-{re.sub(r'[^0-9A-Za-z]+', '-', str(value)).strip('-') or 'x'}"


def _lines(text: str, unnamed: Unnamed = _as_typed) -> list[str]:
    return [unnamed(line.strip(" \t-•*")) for line in text.splitlines() if line.strip(" \t-•*")]


def _organization(organization: Organization | None) -> str:
    if organization is None:
        return ""
    if organization.acronym and organization.acronym.lower() != organization.name.lower():
        return f"{organization.name} ({organization.acronym})"
    return organization.name


def _person(contact: Contact | None, *, with_organization: bool = False) -> str:
    """Name and job title only: a printed contract travels, e-mails and phones stay inside."""
    if contact is None:
        return ""
    if contact.anonymized_at:
        return gettext("Personne effacée de l'annuaire")
    text = contact.full_name or gettext("Contact sans nom")
    if contact.job_title:
        text = f"{text}, {contact.job_title}"
    if with_organization and contact.organization_id:
        text = f"{text} ({_organization(contact.organization)})"
    return text


def _axis_label(axis: Axis) -> str:
    return axis.label


def _axis(axis: Axis, fiches: list[FicheEntry], *, unnamed: Unnamed = _as_typed) -> AxisPrint:
    return AxisPrint(
        anchor=_anchor("axe" if axis.kind == AxisKind.THEMATIC else "axe-transversal", axis.number),
        label=_axis_label(axis),
        title=axis.plain_title,
        description=unnamed(axis.description),
        objectives=_lines(axis.objectives, unnamed),
        fiches=fiches,
    )


def _indicator(indicator: Indicator, unnamed: Unnamed = _as_typed) -> IndicatorLine:
    values = list(indicator.values.all())  # prefetched, ordered by date
    latest = max(values, key=lambda v: (v.measured_on, v.pk)) if values else None
    return IndicatorLine(
        title=indicator.title,
        kind=indicator.get_kind_display(),
        unit=indicator.unit,
        baseline=format_number(indicator.baseline),
        target=format_number(indicator.target),
        latest_value=format_number(latest.value) if latest else "",
        latest_on=format_date(latest.measured_on) if latest else "",
        source=unnamed(indicator.source),
        frequency=indicator.frequency,
    )


def _copilot(contact: Contact, *, people: bool) -> str:
    if people:
        return _person(contact, with_organization=True)
    return professional_of(contact.organization.name if contact.organization_id else None)


def _fiche(fiche: FicheAction, *, unnamed: Unnamed = _as_typed, people: bool = True) -> FichePrint:
    """A fiche's printed values; without `people` (signatories), no person is named."""
    funding = list(fiche.funding_lines.all())
    secured = sum((f.amount for f in funding if f.status == FundingStatus.SECURED), Decimal(0))
    requested = sum((f.amount for f in funding if f.status != FundingStatus.SECURED), Decimal(0))
    qpvs = [q.name for q in fiche.qpvs.all()]
    return FichePrint(
        anchor=_anchor("fiche", fiche.number),
        number=fiche.number,
        title=fiche.title,
        thematic_axis=f"{_axis_label(fiche.thematic_axis)} : {fiche.thematic_axis.title}",
        transversal_axes=[f"{_axis_label(a)} : {a.title}" for a in fiche.transversal_axes.all()],
        status=fiche.get_status_display(),
        status_key=fiche.status,
        progress=fiche.progress,
        start_on=format_date(fiche.start_date),
        end_on=format_date(fiche.end_date),
        calendar=unnamed(fiche.calendar),
        context=unnamed(fiche.context),
        general_objective=unnamed(fiche.general_objective),
        operational_objectives=_lines(fiche.operational_objectives, unnamed),
        description=unnamed(fiche.description),
        publics=[p.name for p in fiche.publics.all()],
        publics_detail=unnamed(fiche.publics_detail),
        territory_scope=fiche.get_territory_scope_display(),
        qpvs=qpvs if fiche.territory_scope == TerritoryScope.QPV or qpvs else [],
        pilot_organization=_organization(fiche.pilot_organization),
        pilot_contact=_person(fiche.pilot_contact) if people else "",
        copilots=[_copilot(c, people=people) for c in fiche.copilots.all()],
        partners=[
            PartnerLine(
                name=_organization(p.organization),
                role=unnamed(p.role),
                level=f"{p.level.rank}. {p.level.label}" if p.level else "",
            )
            for p in fiche.partnerships.all()
        ],
        budget_total=format_amount(fiche.budget_total),
        funding_lines=[
            FundingLineRow(
                funder=f.funder,
                year=str(f.year) if f.year else "",
                amount=format_amount(f.amount),
                status=f.get_status_display(),
                is_secured=f.status == FundingStatus.SECURED,
            )
            for f in funding
        ],
        funding_total=format_amount(secured + requested) if funding else "",
        funding_secured=format_amount(secured) if funding else "",
        funding_requested=format_amount(requested) if funding else "",
        ottawa_areas=[a.name for a in fiche.ottawa_areas.all()],
        participation=fiche.get_participation_display(),
        indicators=[_indicator(i, unnamed) for i in fiche.indicators.all()],
        shows_people=people,
    )
