"""The printed contract and fiches-actions, read back with poppler as a reader would see them."""

from __future__ import annotations

import datetime as dt
import gc
import io
import re
import subprocess
import zlib
from dataclasses import dataclass
from decimal import Decimal

import pikepdf
import pydyf
import pytest
from django.core.cache import caches
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from weasyprint import Document

from actions.models import (
    ActionPartner,
    ActionStatus,
    AxisKind,
    CollaborationLevel,
    Contract,
    ContractStatus,
    FicheAction,
    FundingLine,
    FundingStatus,
    Indicator,
    IndicatorKind,
    IndicatorValue,
    OttawaArea,
    Participation,
    Public,
    Signatory,
    TerritoryScope,
)
from actions.pdf import contract_pdf, contract_print, fiche_action_pdf
from cls_platform.pdf import parts as pdfparts
from cls_platform.pdf.rendering import (
    LOCAL_ORIGIN,
    LocalFetcher,
    ResourceRefused,
    format_amount,
    format_date,
    format_number,
    render_pdf,
    static_stylesheet,
)
from partners.models import Qpv
from tests.factories import (
    AxisFactory,
    ContactFactory,
    ContractFactory,
    FicheActionFactory,
    OrganizationFactory,
    TerritoryFactory,
)

NBSP = "\xa0"


# Data --------------------------------------------------------------------------------------


def level(rank: int, label: str) -> CollaborationLevel:
    return CollaborationLevel.objects.get_or_create(rank=rank, defaults={"label": label})[0]


def rich_fiche(contract: Contract, axis, number: str, title: str, *, transversal=()) -> FicheAction:
    """A fiche as a coordinator fills it in: partners, funding, indicators with measurements."""
    territory = contract.territory
    pilot = ContactFactory(
        territory=territory, first_name="Nadia", job_title="Chargée de prévention"
    )
    fiche = FicheActionFactory(
        contract=contract,
        territory=territory,
        thematic_axis=axis,
        number=number,
        title=title,
        status=ActionStatus.IN_PROGRESS,
        progress=40,
        start_date=dt.date(2024, 1, 15),
        end_date=dt.date(2026, 6, 30),
        pilot_organization=pilot.organization,
        pilot_contact=pilot,
        context="Les habitants des quartiers prioritaires renoncent plus souvent aux soins.",
        general_objective="Réduire le renoncement aux soins.",
        operational_objectives="Informer les habitants de leurs droits\nAccompagner vers un médecin traitant\nFormer les professionnels de l'accueil",
        description="Permanences d'accès aux droits et accompagnement physique vers les soins.",
        territory_scope=TerritoryScope.QPV,
        participation=Participation.CONSULTATION,
        calendar="2024 : lancement. 2025 : déploiement dans les deux QPV.",
        budget_total=Decimal("12500.00"),
        publics_detail="Familles monoparentales en priorité",
    )
    fiche.transversal_axes.set(transversal)
    fiche.copilots.set([ContactFactory(territory=territory, first_name="Louis")])
    fiche.publics.set(Public.objects.filter(slug__in=["familles", "precarite"])[:2])
    fiche.ottawa_areas.set(OttawaArea.objects.order_by("order")[:2])
    fiche.qpvs.set(Qpv.objects.filter(territory=territory))
    for rank, label, role in [
        (4, "Action en partenariat", "Co-anime les permanences"),
        (3, "Coopération", "Met à disposition un local"),
        (1, "Échange d'informations", "Oriente les habitants"),
    ]:
        ActionPartner.objects.create(
            fiche=fiche,
            organization=OrganizationFactory(territory=territory),
            role=role,
            level=level(rank, label),
        )
    FundingLine.objects.create(
        fiche=fiche,
        funder="ARS Île-de-France",
        amount=Decimal("12500"),
        status=FundingStatus.SECURED,
        year=2024,
    )
    FundingLine.objects.create(
        fiche=fiche,
        funder="Politique de la ville",
        amount=Decimal("3250.50"),
        status=FundingStatus.REQUESTED,
        year=2025,
    )
    for order, (kind, title, unit, baseline, target, values) in enumerate(
        [
            (IndicatorKind.PROCESS, "Permanences tenues", "permanences", 0, 40, [12, 27]),
            (IndicatorKind.RESULT, "Habitants accompagnés", "personnes", 0, 1500, [420, 1250]),
            (
                IndicatorKind.IMPACT,
                "Taux de renoncement",
                "%",
                Decimal("32.5"),
                20,
                [Decimal("28.4")],
            ),
        ]
    ):
        indicator = Indicator.objects.create(
            fiche=fiche,
            kind=kind,
            title=title,
            unit=unit,
            baseline=baseline,
            target=target,
            order=order,
        )
        for i, value in enumerate(values):
            IndicatorValue.objects.create(
                indicator=indicator,
                measured_on=dt.date(2024, 6 + 6 * i, 30 if i == 0 else 31),
                value=value,
            )
    return fiche


@dataclass
class Built:
    contract: Contract
    fiches: list[FicheAction]


def build_contract(n_actions: int = 5) -> Built:
    territory = TerritoryFactory(name="Cergy-sur-Oise", slug="cergy-pdf")
    Qpv.objects.create(territory=territory, name="Axe Majeur-Horloge")
    Qpv.objects.create(territory=territory, name="Sébille")
    contract = ContractFactory(
        territory=territory, title="Contrat local de santé de Cergy", start_year=2023, end_year=2028
    )
    for order, name in [
        (2, "Préfecture du Val-d'Oise"),
        (0, "Ville de Cergy"),
        (1, "Agence régionale de santé"),
    ]:
        Signatory.objects.create(
            contract=contract,
            organization=OrganizationFactory(territory=territory, name=name),
            order=order,
            signed_on=dt.date(2023, 9, 21),
        )
    axes = [
        AxisFactory(
            contract=contract,
            number=1,
            title="Accès aux droits et aux soins",
            description="Lever les freins à l'accès aux soins.",
            objectives="Réduire le renoncement\nAméliorer l'offre de premier recours",
        ),
        AxisFactory(contract=contract, number=2, title="Santé mentale et bien-être"),
    ]
    transversal = [
        AxisFactory(
            contract=contract,
            kind=AxisKind.TRANSVERSAL,
            number=1,
            title="Coordination et animation",
        ),
        AxisFactory(
            contract=contract,
            kind=AxisKind.TRANSVERSAL,
            number=2,
            title="Participation des habitants",
        ),
    ]
    fiches = add_fiches(contract, axes, transversal, n_actions)
    return Built(contract=contract, fiches=fiches)


def add_fiches(contract, axes, transversal, n: int, start: int = 0) -> list[FicheAction]:
    fiches = []
    for i in range(start, start + n):
        axis = axes[i % len(axes)]
        fiches.append(
            rich_fiche(
                contract,
                axis,
                f"{axis.number}.{i // len(axes) + 1}",
                f"Action numéro {i + 1} pour l'égalité d'accès à la santé",
                transversal=transversal[: 1 + i % 2],
            )
        )
    return fiches


# Reading PDFs back -----------------------------------------------------------------------------


def pdf_pages(pdf: bytes) -> list[str]:
    text = subprocess.run(
        ["pdftotext", "-layout", "-enc", "UTF-8", "-", "-"],
        input=pdf,
        capture_output=True,
        check=True,
    ).stdout.decode()
    pages = text.replace(NBSP, " ").split("\f")
    return pages[:-1] if pages and not pages[-1].strip() else pages


def pdf_info(pdf: bytes) -> dict[str, str]:
    out = subprocess.run(
        ["pdfinfo", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()
    return dict(
        (key.strip(), value.strip())
        for key, _, value in (line.partition(":") for line in out.splitlines())
    )


def pdf_catalog_language(pdf: bytes) -> str | None:
    """/Lang of the catalog, which WeasyPrint writes inside a compressed object stream."""
    chunks = [pdf]
    for found in re.finditer(rb"stream\r?\n", pdf):
        try:
            chunks.append(zlib.decompressobj().decompress(pdf[found.end() :]))
        except zlib.error:
            continue
    for chunk in chunks:
        if lang := re.search(rb"/Lang\s*\((.*?)\)", chunk):
            return lang[1].decode()
    return None


def pdf_structure(pdf: bytes) -> list[str]:
    """Structure tags of a tagged PDF, as poppler reads them (H1, Table, TH, Link...)."""
    out = subprocess.run(
        ["pdfinfo", "-struct", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()
    return [line.split()[0].rstrip(":") for line in out.splitlines() if line.strip()]


def squash(text: str) -> str:
    return " ".join(text.split())


def page_of(pages: list[str], needle: str) -> int:
    """1-based number of the first page whose text contains `needle` (spaces squashed)."""
    for number, page in enumerate(pages, start=1):
        if needle in squash(page):
            return number
    raise AssertionError(f"{needle!r} absent du PDF")


@dataclass
class Printed:
    pdf: bytes
    pages: list[str]
    text: str
    numbers: list[str]
    titles: list[str]


ACTIONS = 60  # the size of a real contract: the 60-action PDF, read back whole


@pytest.fixture(scope="module")
def printed_contract(django_db_setup, django_db_blocker) -> Printed:
    """Render once for the module, in a transaction rolled back before the tests read it; the
    parts kept from earlier prints are set aside, so that this one makes every part."""
    with django_db_blocker.unblock(), transaction.atomic():
        built = build_contract(ACTIONS)
        caches["pdf"].clear()
        pdf = contract_pdf(contract=built.contract)
        numbers = [f.number for f in built.fiches]
        titles = [f.title for f in built.fiches]
        transaction.set_rollback(True)
    pages = pdf_pages(pdf)
    return Printed(pdf, pages, squash(" ".join(pages)), numbers, titles)


@pytest.fixture(scope="module")
def printed_fiche(django_db_setup, django_db_blocker) -> Printed:
    with django_db_blocker.unblock(), transaction.atomic():
        built = build_contract(1)
        pdf = fiche_action_pdf(fiche=built.fiches[0])
        transaction.set_rollback(True)
    pages = pdf_pages(pdf)
    return Printed(pdf, pages, squash(" ".join(pages)), ["1.1"], [built.fiches[0].title])


# The contract ---------------------------------------------------------------------------------


def test_contract_pdf_prints_every_action_number_and_title(printed_contract):
    for number, title in zip(printed_contract.numbers, printed_contract.titles, strict=True):
        assert f"Fiche-action {number} {title}" in printed_contract.text


def test_contract_cover_shows_territory_title_period_status_and_signature(printed_contract):
    cover = squash(printed_contract.pages[0])
    assert "Cergy-sur-Oise" in cover
    assert "Contrat local de santé (CLS)" in cover
    assert "Contrat local de santé de Cergy" in cover
    assert "2023–2028" in cover
    assert "Signé" in cover and "21 septembre 2023" in cover


def test_contract_lists_signatories_in_their_order(printed_contract):
    page = squash(
        printed_contract.pages[page_of(printed_contract.pages, "Structure signataire") - 1]
    )
    positions = [
        page.index(name)
        for name in ["Ville de Cergy", "Agence régionale de santé", "Préfecture du Val-d'Oise"]
    ]
    assert positions == sorted(positions)


def test_table_of_contents_lists_axes_and_actions_with_their_page(printed_contract):
    pages = printed_contract.pages
    # from "Sommaire" to the page before the axes, which follow the contents
    toc = squash(
        " ".join(pages[page_of(pages, "Sommaire") - 1 : page_of(pages, "Axes thématiques") - 1])
    )
    assert "Axe 1 : Accès aux droits et aux soins" in toc
    assert "Axe 2 : Santé mentale et bien-être" in toc
    assert "Axe transversal 1 : Coordination et animation" in toc
    for number, title in zip(printed_contract.numbers, printed_contract.titles, strict=True):
        found = re.search(rf"{re.escape(number)} {re.escape(title)}[ .]*?(\d+)(?!\d)", toc)
        assert found, f"{number} absent du sommaire"
        assert int(found[1]) == page_of(pages, f"Fiche-action {number} {title}")


def test_axes_are_printed_with_description_and_objectives(printed_contract):
    text = printed_contract.text
    assert "Lever les freins à l'accès aux soins." in text
    assert "Améliorer l'offre de premier recours" in text
    assert text.index("Axes thématiques") < text.index("Axes transversaux")


def test_each_action_starts_a_new_page(printed_contract):
    starts = [
        page_of(printed_contract.pages, f"Fiche-action {n} {t}")
        for n, t in zip(printed_contract.numbers, printed_contract.titles, strict=True)
    ]
    assert len(set(starts)) == len(starts)
    for number, start in zip(printed_contract.numbers, starts, strict=True):
        # the running header names the action on its first page
        header = printed_contract.pages[start - 1].strip().splitlines()[0]
        assert squash(header).endswith(f"Fiche-action {number}")


def test_contract_pages_carry_running_header_and_page_numbers(printed_contract):
    pages = printed_contract.pages
    total = len(pages)
    assert total > 1
    assert int(pdf_info(printed_contract.pdf)["Pages"]) == total
    for number, page in enumerate(pages[1:], start=2):  # the cover has neither
        assert f"page {number} / {total}" in squash(page)
        assert "Contrat local de santé de Cergy · 2023–2028" in squash(page)


def test_contract_pdf_is_tagged_in_french_with_its_title(printed_contract):
    info = pdf_info(printed_contract.pdf)
    assert info["Title"] == "Contrat local de santé de Cergy (2023–2028)"
    # the front matter's description of the document, though it is joined before the others
    assert info["Author"] == "Cergy-sur-Oise"
    assert info["Subject"].startswith("Contrat local de santé")
    assert info["Tagged"] == "yes"
    assert pdf_catalog_language(printed_contract.pdf) == "fr"
    xmp = subprocess.run(
        ["pdfinfo", "-meta", "-"], input=printed_contract.pdf, capture_output=True, check=True
    ).stdout.decode()
    assert 'pdfuaid:part="1"' in xmp  # declares PDF/UA-1
    assert "Cergy" in xmp
    structure = pdf_structure(printed_contract.pdf)
    assert structure.count("H1") == 1  # the contract's title, on the cover
    assert structure.count("H2") >= 3 + len(printed_contract.numbers)  # front matter and fiches
    for tag in ("Table", "TH", "TD", "L", "LI", "Link"):
        assert tag in structure


def table_headers(pdf: bytes) -> list[pikepdf.Dictionary]:
    """The /TH elements of a tagged PDF's structure tree."""
    found: list[pikepdf.Dictionary] = []

    def walk(element: pikepdf.Object) -> None:
        kids = element.get("/K")
        if kids is None:
            return
        for kid in list(kids) if isinstance(kids, pikepdf.Array) else [kids]:
            if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
                if kid.S == "/TH":
                    found.append(kid)
                walk(kid)

    with open_pdf(pdf) as document:
        walk(document.Root.StructTreeRoot)
        return [pikepdf.Dictionary(h.get("/A", {})) for h in found]


def test_every_header_cell_of_the_print_layouts_declares_its_scope(printed_contract):
    """The HTML says scope="col" or "row" on every <th> of every print layout."""
    from django.conf import settings

    for layout in (settings.BASE_DIR / "templates" / "pdf").glob("*.html"):
        for cell in re.findall(r"<th\b[^>]*>", layout.read_text(encoding="utf-8")):
            assert re.search(r'scope="(col|row)"', cell), f"{layout.name} : {cell}"


def test_the_printed_contract_carries_the_scope_of_every_header_cell(printed_contract):
    """PDF/UA-1 asks /Scope of every /TH: WeasyPrint 70 writes none, each part of the contract
    gets them once written (cls_platform.pdf.rendering.scope_table_headers), and the joined
    document keeps them: columns for the tables' heads, rows for the facts of each fiche."""
    headers = table_headers(printed_contract.pdf)
    assert len(headers) > 100
    assert all("/Scope" in a and a.get("/O") == "/Table" for a in headers)
    assert {str(a.Scope) for a in headers} == {"/Column", "/Row"}


def test_the_printed_fiche_carries_the_scope_of_every_header_cell(printed_fiche):
    headers = table_headers(printed_fiche.pdf)
    assert headers and all("/Scope" in a for a in headers)


def test_scoping_keeps_the_attributes_of_other_owners():
    """A header cell whose /A already holds a Layout attribute object keeps it beside the
    Table one that gets the scope; a second pass adds nothing."""
    from cls_platform.pdf.rendering import scope_table_headers, write_pdf

    html = (
        '<html lang="fr"><head><title>t</title></head><body><table><tbody>'
        '<tr><th scope="row">x</th><td>1</td></tr></tbody></table></body></html>'
    )
    with open_pdf(write_pdf(html)) as document:
        (cell,) = header_elements(document)
        cell.A = pikepdf.Array([pikepdf.Dictionary(O=pikepdf.Name.Layout, Placement="/Block")])
        out = io.BytesIO()
        document.save(out)

    def owners(pdf: bytes) -> dict[str, dict[str, str]]:
        with open_pdf(pdf) as document:
            (cell,) = header_elements(document)
            return {str(a.O): {str(k): str(v) for k, v in a.items()} for a in cell.A}

    once = scope_table_headers(out.getvalue())
    assert owners(once) == {
        "/Layout": {"/O": "/Layout", "/Placement": "/Block"},
        "/Table": {"/O": "/Table", "/Scope": "/Row"},
    }
    assert owners(scope_table_headers(once)) == owners(once)


def header_elements(document: pikepdf.Pdf) -> list[pikepdf.Dictionary]:
    found = []
    stack = [document.Root.StructTreeRoot]
    while stack:
        kids = stack.pop().get("/K")
        for kid in list(kids) if isinstance(kids, pikepdf.Array) else [kids]:
            if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
                if kid.S == "/TH":
                    found.append(kid)
                stack.append(kid)
    return found


# The contract joined from its parts -----------------------------------------------------------


def open_pdf(pdf: bytes) -> pikepdf.Pdf:
    return pikepdf.open(io.BytesIO(pdf))


def anchor(number: str) -> str:
    return "fiche-" + number.replace(".", "-")


def test_contents_give_each_axis_the_page_it_is_printed_on_and_lead_there(printed_contract):
    """The axes are laid out apart from the contents, beside the fiches: the page the contents
    give the axes and each axis is the page their heading is printed on, where its link lands."""
    pages = printed_contract.pages
    axes_page = page_of(pages, "Axes thématiques")
    toc = squash(" ".join(pages[page_of(pages, "Sommaire") - 1 : axes_page - 1]))
    pdf = open_pdf(printed_contract.pdf)
    page_number = {page.obj.objgen: n for n, page in enumerate(pdf.pages, start=1)}
    names = pdf.Root.Names.Dests.Names
    destinations = {
        str(names[i]): page_number[names[i + 1][0].objgen] for i in range(0, len(names), 2)
    }
    found = re.search(r"Les axes du contrat[ .]*?(\d+)(?!\d)", toc)
    assert found and int(found[1]) == axes_page == destinations["axes"]
    for label, title, name in (
        ("Axe 1", "Accès aux droits et aux soins", "axe-1"),
        ("Axe 2", "Santé mentale et bien-être", "axe-2"),
        ("Axe transversal 1", "Coordination et animation", "axe-transversal-1"),
    ):
        found = re.search(rf"{label} : {re.escape(title)}[ .]*?(\d+)(?!\d)", toc)
        assert found, f"{label} absent du sommaire"
        printed_on = page_of(pages, f"{label} {title}")
        assert printed_on >= axes_page
        assert int(found[1]) == printed_on == destinations[name], label


def test_contents_links_and_bookmarks_lead_to_each_action(printed_contract):
    """A reader clicks an entry of the contents, an action of an axis, or a bookmark, and lands
    on the action's first page."""
    pages = printed_contract.pages
    pdf = open_pdf(printed_contract.pdf)
    page_number = {page.obj.objgen: n for n, page in enumerate(pdf.pages, start=1)}
    names = pdf.Root.Names.Dests.Names
    destinations = {
        str(names[i]): page_number[names[i + 1][0].objgen] for i in range(0, len(names), 2)
    }
    links = {
        str(annotation.Dest)
        for page in pdf.pages[: page_of(pages, "Fiche-action 1.1") - 1]
        for annotation in page.obj.get("/Annots", ())
        if annotation.Subtype == pikepdf.Name.Link
    }
    with pdf.open_outline() as outline:
        (top,) = outline.root
        assert str(top.title) == "Contrat local de santé de Cergy"
        bookmarks = {
            squash(str(item.title)): page_number[item.destination[0].objgen]
            for item in top.children
        }
    for number, title in zip(printed_contract.numbers, printed_contract.titles, strict=True):
        start = page_of(pages, f"Fiche-action {number} {title}")
        assert anchor(number) in links, number
        assert destinations[anchor(number)] == start, number
        assert bookmarks[f"Fiche-action {number} : {title}"] == start, number
    assert destinations["fiches-actions"] == page_of(pages, "Fiche-action 1.1")
    assert bookmarks["Signataires"] == page_of(pages, "Structure signataire")


def test_every_page_leads_assistive_technologies_to_its_structure(printed_contract):
    """The parent tree, as a PDF/UA checker reads it: each marked content of each page belongs
    to a structure element of that page, each link annotation to its Link element, under keys
    given once; the page numbers drawn afterwards are artifacts, outside the structure."""
    pdf = open_pdf(printed_contract.pdf)
    nums = pdf.Root.StructTreeRoot.ParentTree.Nums
    keys = [int(nums[i]) for i in range(0, len(nums), 2)]
    assert keys == sorted(set(keys))
    entries = dict(zip(keys, (nums[i + 1] for i in range(0, len(nums), 2)), strict=True))
    assert int(pdf.Root.StructTreeRoot.ParentTreeNextKey) == max(keys) + 1
    marked = 0
    for page in pdf.pages:
        elements = entries[int(page.obj.StructParents)]
        for operands, operator in pikepdf.parse_content_stream(page):
            if str(operator) == "BDC" and "/MCID" in operands[1]:
                element = elements[int(operands[1].MCID)]
                assert element.Pg.objgen == page.obj.objgen
                marked += 1
        for annotation in page.obj.get("/Annots", ()):
            element = entries[int(annotation.StructParent)]
            # the element holding the link's object reference is its Link, or within it
            assert pikepdf.Name.Link in (element.S, element.P.S)
            assert any(
                isinstance(kid, pikepdf.Dictionary)
                and kid.get("/Obj") is not None
                and kid.Obj.objgen == annotation.objgen
                for kid in element.K
            )
    assert marked > 50 * len(pdf.pages)
    structure_text = subprocess.run(
        ["pdfinfo", "-struct-text", "-"],
        input=printed_contract.pdf,
        capture_output=True,
        check=True,
    ).stdout.decode()
    assert "Fiche-action 2.30" in structure_text
    assert f"/ {len(pdf.pages)}" not in structure_text
    stamped = []
    for page in pdf.pages:
        page.contents_coalesce()
        stamped.append(b"/Artifact <</Type /Pagination" in page.obj.Contents.read_bytes())
    assert stamped == [False] + [True] * (len(pdf.pages) - 1)  # all but the cover


@pytest.fixture
def made(monkeypatch) -> dict[str, list[str]]:
    """What WeasyPrint lays out and writes, in this process, from an empty cache."""
    calls: dict[str, list[str]] = {"written": []}
    real = pdfparts.write_pdf_pages

    def spy(html, **options):
        calls["written"].append(html)
        return real(html, **options)

    monkeypatch.setattr(pdfparts, "write_pdf_pages", spy)
    caches["pdf"].clear()
    return calls


@pytest.mark.django_db
def test_a_reprint_lays_out_again_only_what_changed(made):
    built = build_contract(3)
    first = pdf_pages(contract_pdf(contract=built.contract))
    # three fiches, the axes, the page numbers' sample, and the front matter once, with marks
    # where its contents' numbers go (written over once the fiches are made)
    assert len(made["written"]) == 3 + 1 + 1 + 1
    made["written"].clear()

    assert pdf_pages(contract_pdf(contract=built.contract)) == first
    assert made == {"written": []}

    fiche = built.fiches[1]
    fiche.title = "Une maison de santé pluriprofessionnelle au cœur du quartier"
    fiche.save()
    pages = pdf_pages(contract_pdf(contract=built.contract))
    # that fiche, and the axes and the front matter whose lists name it
    assert len(made["written"]) == 3
    assert all(fiche.title in html for html in made["written"])
    start = page_of(pages, f"Fiche-action {fiche.number} {fiche.title}")
    toc = squash(pages[page_of(pages, "Sommaire") - 1])
    assert re.search(rf"{re.escape(fiche.number)} {re.escape(fiche.title)} {start}(?!\d)", toc)
    assert "Action numéro 2 pour" not in squash(" ".join(pages))
    assert len(pages) == len(first)


@pytest.mark.django_db
def test_parts_made_in_several_processes_print_the_same(made, settings, monkeypatch):
    built = build_contract(4)
    settings.PDF_PROCESSES = 1
    alone = pdf_pages(contract_pdf(contract=built.contract))
    caches["pdf"].clear()
    settings.PDF_PROCESSES = 2
    monkeypatch.setattr(pdfparts, "PARTS_PER_PROCESS", 2)
    pools = []
    real = pdfparts._pool

    def spy(processes):
        pools.append(processes)
        return real(processes)

    monkeypatch.setattr(pdfparts, "_pool", spy)
    made["written"].clear()
    assert pdf_pages(contract_pdf(contract=built.contract)) == alone
    assert pools == [2]
    assert made["written"] == []  # every part made in the pool's processes


@pytest.mark.django_db
def test_a_process_that_may_not_start_others_renders_the_parts_itself(made, settings, monkeypatch):
    """A Celery prefork child is a daemon process: it may not start a pool."""
    built = build_contract(4)
    settings.PDF_PROCESSES = 2
    monkeypatch.setattr(pdfparts, "PARTS_PER_PROCESS", 1)

    class Refused:
        def submit(self, *args, **kwargs):
            raise AssertionError("daemonic processes are not allowed to have children")

        def shutdown(self, **kwargs):
            pass

    monkeypatch.setattr(pdfparts, "_pool", lambda processes: Refused())
    pages = pdf_pages(contract_pdf(contract=built.contract))
    for fiche in built.fiches:
        assert page_of(pages, f"Fiche-action {fiche.number} {fiche.title}")
    assert len(made["written"]) == 4 + 1 + 1 + 1  # fiches, axes, front matter, numbers


# One fiche-action -----------------------------------------------------------------------------


def test_fiche_pdf_shows_indicators_with_target_and_latest_value(printed_fiche):
    text = printed_fiche.text
    # title, kind, unit, baseline, target, latest value (then its date), in French formats
    assert "Permanences tenues Processus permanences 0 40 27" in text
    assert "Habitants accompagnés Résultat personnes 0 1 500 1 250" in text
    assert "Taux de renoncement Impact % 32,5 20 28,4" in text
    assert "au 31 décembre 2024" in text
    assert "au 30 juin 2024" in text


def test_fiche_pdf_shows_funding_lines_in_euros(printed_fiche):
    text = printed_fiche.text
    assert "ARS Île-de-France 2024 12 500,00 € Acquis" in text
    assert "Politique de la ville 2025 3 250,50 € Demandé" in text
    assert "Total 15 750,50 €" in text
    assert "Budget total 12 500,00 €" in text


def test_fiche_pdf_shows_partners_with_role_and_collaboration_level(printed_fiche):
    text = printed_fiche.text
    assert "Co-anime les permanences 4. Action en partenariat" in text
    assert "Met à disposition un local 3. Coopération" in text
    assert "1. Échange d'informations" in text


def test_fiche_pdf_shows_the_whole_fiche(printed_fiche):
    text = printed_fiche.text
    for expected in [
        "Fiche-action 1.1",
        "Axe 1 : Accès aux droits et aux soins",
        "Axe transversal 1 : Coordination et animation",
        "En cours · avancement 40 %",
        "du 15 janvier 2024 au 30 juin 2026",
        "Nadia",
        "Chargée de prévention",
        "Louis",
        "Quartiers prioritaires (QPV) : Axe Majeur-Horloge, Sébille",
        "Familles monoparentales en priorité",
        "Consultation",
        "Élaborer une politique publique saine",
        "Réduire le renoncement aux soins.",
        "Informer les habitants de leurs droits",
        "Accompagner vers un médecin traitant",
        "2024 : lancement.",
    ]:
        assert expected in text, expected
    assert "@partenaire.fr" not in text  # a printed fiche travels: no e-mail addresses


def test_fiche_pdf_numbers_its_pages_and_names_itself(printed_fiche):
    total = int(pdf_info(printed_fiche.pdf)["Pages"])
    assert total == len(printed_fiche.pages)
    assert f"page 1 / {total}" in squash(printed_fiche.pages[0])
    info = pdf_info(printed_fiche.pdf)
    assert info["Title"].startswith("Fiche-action 1.1 : Action numéro 1")
    assert info["Tagged"] == "yes"
    assert pdf_catalog_language(printed_fiche.pdf) == "fr"


@pytest.mark.django_db
def test_a_draft_contract_without_axes_or_actions_still_prints():
    contract = ContractFactory(
        title="CLS en préparation", status=ContractStatus.DRAFT, signed_on=None
    )
    pdf = contract_pdf(contract=contract)
    pages = pdf_pages(pdf)
    text = squash(" ".join(pages))
    assert "En préparation" in text
    assert "Signé le" not in text
    assert "Aucune fiche-action." in text
    assert "Aucun signataire renseigné." in text
    # the contents' entry for the fiches leads to the page that says there is none, after the
    # axes (a part of their own), not to the contents themselves
    says_none = page_of(pages, "Aucune fiche-action.")
    assert says_none > page_of(pages, "Sommaire")
    toc = squash(pages[page_of(pages, "Sommaire") - 1])
    found = re.search(r"Les fiches-actions[ .]*?(\d+)(?!\d)", toc)
    assert found and int(found[1]) == says_none
    document = open_pdf(pdf)
    number = {page.obj.objgen: n for n, page in enumerate(document.pages, start=1)}
    names = document.Root.Names.Dests.Names
    destinations = {str(names[i]): number[names[i + 1][0].objgen] for i in range(0, len(names), 2)}
    assert destinations["fiches-actions"] == says_none


# Shared plumbing ------------------------------------------------------------------------------


def test_fetcher_serves_static_files_from_disk_and_refuses_the_network():
    fetcher = LocalFetcher(base_url=LOCAL_ORIGIN)
    response = fetcher.fetch(f"{LOCAL_ORIGIN}static/css/print.css")
    assert b"@page" in response.read()
    assert response.content_type == "text/css"
    for url in [
        "https://example.org/logo.png",
        "http://169.254.169.254/latest/meta-data/",
        "file:///etc/passwd",
        f"{LOCAL_ORIGIN}static/../../../etc/passwd",
        f"{LOCAL_ORIGIN}static/css/absent.css",
        f"{LOCAL_ORIGIN}admin/",
    ]:
        with pytest.raises(ResourceRefused):
            fetcher.fetch(url)


def test_stylesheets_are_parsed_once_per_base_url():
    first = static_stylesheet(
        "css/print.css", base_url=LOCAL_ORIGIN, fetcher=LocalFetcher(base_url=LOCAL_ORIGIN)
    )
    again = static_stylesheet(
        "css/print.css", base_url=LOCAL_ORIGIN, fetcher=LocalFetcher(base_url=LOCAL_ORIGIN)
    )
    assert again is first
    site = "https://trame.example/"
    elsewhere = static_stylesheet(
        "css/print.css", base_url=site, fetcher=LocalFetcher(base_url=site)
    )
    assert elsewhere is not first  # its url()s resolve against another address


def test_render_pauses_the_cyclic_collector_and_always_resumes_it(monkeypatch):
    assert gc.isenabled()
    pdf = render_pdf(template="pdf/base.html", context={}, title="Essai")
    assert pdf.startswith(b"%PDF") and gc.isenabled()

    during = []

    def failing_write(self, *args, **options):
        during.append(gc.isenabled())
        raise RuntimeError("panne au milieu du rendu")

    monkeypatch.setattr(Document, "write_pdf", failing_write)
    with pytest.raises(RuntimeError):
        render_pdf(template="pdf/base.html", context={}, title="Essai")
    assert during == [False]
    assert gc.isenabled()


def test_page_references_are_those_of_every_page_added_so_far():
    """pydyf's page references, read once per tag by WeasyPrint, are built once per page count."""
    pdf = pydyf.PDF()
    for _ in range(3):
        pdf.add_page(pydyf.Dictionary({"Type": "/Page"}))
    references = pdf.page_references
    assert references is pdf.page_references
    assert references == tuple(f"{n} 0 R".encode() for n in pdf.pages["Kids"][::3])
    pdf.add_page(pydyf.Dictionary({"Type": "/Page"}))
    assert len(pdf.page_references) == 4
    assert pdf.page_references[-1] == f"{pdf.pages['Kids'][-3]} 0 R".encode()


def test_french_formats_for_print():
    assert format_amount(Decimal("12500")) == f"12{NBSP}500,00{NBSP}€"
    assert format_number(Decimal("1250.00")) == f"1{NBSP}250"
    assert format_number(Decimal("32.50")) == "32,5"
    assert format_date(dt.date(2024, 3, 1)) == f"1er{NBSP}mars{NBSP}2024"
    assert format_date(dt.date(2023, 9, 21)) == f"21{NBSP}septembre{NBSP}2023"


# Queries --------------------------------------------------------------------------------------


def count_queries(render) -> int:
    with CaptureQueriesContext(connection) as ctx:
        render()
    return len(ctx.captured_queries)


@pytest.mark.django_db
def test_contract_pdf_queries_do_not_grow_with_the_actions():
    """The selector is where the queries are: the templates receive plain values, so the full
    render issues exactly the selector's queries (checked at 5 actions). Counting the selector
    at 30 actions spares a 6-second render of 30 fiches."""
    built = build_contract(5)
    contract = built.contract
    axes = list(contract.axes.filter(kind=AxisKind.THEMATIC).order_by("number"))
    transversal = list(contract.axes.filter(kind=AxisKind.TRANSVERSAL).order_by("number"))
    whole_render = count_queries(lambda: contract_pdf(contract=contract))
    small = count_queries(lambda: contract_print(contract=contract))
    add_fiches(contract, axes, transversal, 25, start=5)
    assert contract.fiches_actions.count() == 30
    large = count_queries(lambda: contract_print(contract=contract))
    assert small == large == whole_render
    assert large <= 15


@pytest.mark.django_db
def test_fiche_pdf_queries_are_fixed():
    built = build_contract(1)
    plain = FicheActionFactory(contract=built.contract, thematic_axis=built.fiches[0].thematic_axis)
    rich = count_queries(lambda: fiche_action_pdf(fiche=built.fiches[0]))
    bare = count_queries(lambda: fiche_action_pdf(fiche=plain))
    assert rich <= 12
    assert bare <= rich


def test_the_parts_cache_culls_now_and_then_not_at_every_write(tmp_path, monkeypatch):
    """Listing a folder of tens of thousands of parts at every write cost more than the write."""
    from cls_platform.pdf.cache import PartsCache

    cache = PartsCache(str(tmp_path), {"OPTIONS": {"MAX_ENTRIES": 10, "CULL_FREQUENCY": 2}})
    monkeypatch.setattr(PartsCache, "CULL_EVERY", 5)
    listings = []
    real = PartsCache._list_cache_files

    def counted(self):
        listings.append(1)
        return real(self)

    monkeypatch.setattr(PartsCache, "_list_cache_files", counted)
    for n in range(40):
        cache.set(f"part:{n}", b"%PDF")
    assert len(listings) == 40 // 5
    assert len(list(tmp_path.glob("*.djcache"))) <= 10 + 5


def test_a_document_of_one_part_is_joined_whole():
    """`assemble` of a front matter alone (no chapter): its pages, places and bookmarks kept."""
    html = (
        '<html lang="fr"><head><title>Seule partie</title></head><body>'
        '<h1>Titre</h1><p id="ici">Texte</p><p style="break-before: page">Suite</p></body></html>'
    )
    pdf, pages = pdfparts.write_pdf_pages(html)
    joined = open_pdf(pdfparts.assemble([pdfparts.Part(pdf=pdf, pages=pages)]))
    assert len(joined.pages) == pages == 2
    names = joined.Root.Names.Dests.Names
    assert [str(names[i]) for i in range(0, len(names), 2)] == ["ici"]
    with joined.open_outline() as outline:
        assert [str(item.title) for item in outline.root] == ["Titre"]
