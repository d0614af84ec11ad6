"""The contract's print on its fast paths (cls_platform.pdf.parts.book): the front matter laid
out once, beside the fiches, its contents' numbers written over marks once the fiches are made
(and laid out with them should the marks not be found); the page numbers drawn from a sample;
the contents always give each fiche's real page."""

from __future__ import annotations

import io
import logging
import re
import subprocess

import pikepdf
import pytest
from django.core.cache import caches

import actions.pdf as actions_pdf
from actions.pdf import contract_pdf
from cls_platform.pdf import numbers
from cls_platform.pdf import parts as pdfparts
from tests.actions.test_pdf import build_contract, page_of, pdf_pages, squash

pytestmark = pytest.mark.django_db

LONG = "\n\n".join(
    f"Étape {n} : les permanences se tiennent chaque semaine dans les centres sociaux, avec "
    "les partenaires de l'accès aux droits, et un accompagnement physique vers les soins."
    for n in range(1, 25)
)


@pytest.fixture
def laid_out(monkeypatch) -> list[str]:
    """The HTML of every part WeasyPrint lays out and writes from now on, from an empty
    cache."""
    written: list[str] = []
    write = pdfparts.write_pdf_pages

    def spy(html, **options):
        written.append(html)
        return write(html, **options)

    monkeypatch.setattr(pdfparts, "write_pdf_pages", spy)
    caches["pdf"].clear()
    return written


def contents_agree_with_pages(pages: list[str], built) -> None:
    toc = squash(pages[page_of(pages, "Sommaire") - 1])
    for fiche in built.fiches:
        start = page_of(pages, f"Fiche-action {fiche.number} {fiche.title}")
        assert re.search(rf"{re.escape(fiche.number)} {re.escape(fiche.title)} {start}(?!\d)", toc)


def test_a_first_print_lays_each_part_out_once(laid_out):
    built = build_contract(3)
    printed = contract_pdf(contract=built.contract)
    pages = pdf_pages(printed)
    # the fiches, the axes, the front matter (with marks), the page numbers' sample
    assert len(laid_out) == 3 + 1 + 1 + 1
    assert sum(numbers.mark(0) in html for html in laid_out) == 1  # the front matter
    contents_agree_with_pages(pages, built)
    assert numbers.DIGITS not in squash(" ".join(pages))
    # as assistive technologies read it, through the structure tree: numbers, no mark
    structure = subprocess.run(
        ["pdfinfo", "-struct-text", "-"], input=printed, capture_output=True, check=True
    ).stdout.decode()
    assert "Sommaire" in structure and numbers.DIGITS not in structure
    start = page_of(pages, f"Fiche-action {built.fiches[-1].number} {built.fiches[-1].title}")
    # the next text after the entry's title, in its link, is its page
    after = structure.split(f'{built.fiches[-1].title}"', 1)[1]
    assert re.search(r'"([^"]*)"', after).group(1) == str(start)


def test_a_fiche_grown_by_pages_moves_the_contents_numbers_without_a_new_layout(laid_out):
    """The front matter is laid out again only when its text changes: a fiche that grows by a
    page or two changes the numbers of the fiches after it, written over the same layout."""
    built = build_contract(3)
    before = pdf_pages(contract_pdf(contract=built.contract))
    fiche = built.fiches[0]
    fiche.description = LONG
    fiche.save()
    laid_out.clear()

    pages = pdf_pages(contract_pdf(contract=built.contract))
    assert len(laid_out) == 1 and "Étape 24 : les permanences" in laid_out[0]  # that fiche alone
    assert len(pages) > len(before)
    contents_agree_with_pages(pages, built)


def test_the_signatories_print_has_its_own_front_matter_with_the_right_pages(laid_out):
    """Their front matter, with the same pages, is never the coordination's: the names its
    description gives are their structures in theirs."""
    built = build_contract(3)
    pilot = built.fiches[0].pilot_contact
    name = f"{pilot.first_name} {pilot.last_name}"
    built.contract.description = f"Contrat suivi par {name} pour la ville."
    built.contract.save()
    coordination = pdf_pages(contract_pdf(contract=built.contract))
    laid_out.clear()

    pages = pdf_pages(contract_pdf(contract=built.contract, for_signatories=True))
    # their fiches, axes and front matter; the numbers' sample kept
    assert len(laid_out) == 3 + 1 + 1
    contents_agree_with_pages(pages, built)
    front = squash(" ".join(pages[: page_of(pages, "Sommaire")]))
    assert f"Contrat suivi par {name}" in squash(" ".join(coordination))
    assert name not in front
    assert f"un·e professionnel·le de {pilot.organization.name}" in front


def text_runs(pdf: bytes) -> list[list[tuple[list[float], bytes]]]:
    """Each page's text runs: text matrix and glyph codes."""
    runs = []
    with pikepdf.open(io.BytesIO(pdf)) as document:
        for page in document.pages:
            matrix, shown = [], []
            for operands, operator in pikepdf.parse_content_stream(page):
                if str(operator) == "Tm":
                    matrix = [float(x) for x in operands]
                elif str(operator) == "TJ":
                    codes = b"".join(bytes(g) for g in operands[0] if isinstance(g, pikepdf.String))
                    shown.append((matrix, codes))
            runs.append(shown)
    return runs


@pytest.mark.parametrize("for_signatories", [False, True])
def test_the_contents_numbers_are_written_where_and_as_weasyprint_lays_them_out(
    monkeypatch, for_signatories
):
    """The front matter with its numbers written over its marks draws every text where, and in
    the glyphs, WeasyPrint's layout of the same front matter with its numbers puts it, a fiche
    of several pages included."""
    built = build_contract(4)
    built.fiches[1].description = LONG
    built.fiches[1].save()
    fronts = []
    real_book = actions_pdf.book

    def spy(chapters, front, **options):
        fronts.append(front)
        return real_book(chapters, front, **options)

    monkeypatch.setattr(actions_pdf, "book", spy)
    printed = actions_pdf.contract_book(contract=built.contract, for_signatories=for_signatories)
    (front,) = fronts
    chapters = printed.parts[1:]
    marked, front_pages = pdfparts.write_pdf_pages(front.marked)
    marks = {m: n for m, n in front.numbers(chapters, front_pages).items() if m in front.marked}
    assert len(marks) >= 4 + 2  # the fiches', the axes', the two parts'
    written = numbers.filled(marked, marks)
    assert written is not None
    reference, reference_pages = pdfparts.write_pdf_pages(front.html(chapters, front_pages))
    assert reference_pages == front_pages
    ours, theirs = text_runs(written), text_runs(reference)
    assert [len(page) for page in ours] == [len(page) for page in theirs]
    for page, expected in zip(ours, theirs, strict=True):
        for (matrix, codes), (expected_matrix, expected_codes) in zip(page, expected, strict=True):
            assert codes == expected_codes
            # within 0.05 of a CSS pixel (a hundredth of a millimetre): the PDF gives glyph
            # widths to a thousandth of an em, Pango to a thousandth of a pixel
            assert matrix == pytest.approx(expected_matrix, abs=0.05)
    assert squash(" ".join(pdf_pages(written))) == squash(" ".join(pdf_pages(reference)))


def test_marks_found_twice_or_not_at_all_are_not_written():
    html = (
        '<html lang="fr"><head><title>Repères</title></head><body>'
        f"<p>{numbers.mark(0)}</p><p>{numbers.mark(1)}</p><p>{numbers.mark(1)}</p></body></html>"
    )
    pdf, _pages = pdfparts.write_pdf_pages(html)
    assert numbers.filled(pdf, {numbers.mark(0): "12"}) is not None
    assert numbers.filled(pdf, {numbers.mark(1): "12"}) is None  # twice
    assert numbers.filled(pdf, {numbers.mark(0): "12", numbers.mark(2): "13"}) is None  # absent
    assert numbers.filled(pdf, {numbers.mark(0): "1 2"}) is None  # a glyph the mark lacks


def unreadable(pdf, marks):
    raise IndexError("list index out of range")  # a font's widths not as expected


@pytest.mark.parametrize("filled", [lambda pdf, marks: None, unreadable])
def test_marks_not_written_fall_back_to_laying_the_numbers_out(
    laid_out, monkeypatch, caplog, filled
):
    """Should the marks not be found or read as expected (another renderer, another font), the
    front matter is laid out with its numbers, as before, and kept: the contents still give the
    right pages, and a reprint lays nothing out."""
    built = build_contract(3)
    monkeypatch.setattr(pdfparts, "filled", filled)
    with caplog.at_level(logging.WARNING, logger="cls_platform.pdf.parts"):
        pages = pdf_pages(contract_pdf(contract=built.contract))
    assert "numéros de page introuvables" in caplog.text
    assert len(laid_out) == 3 + 1 + 1 + 1 + 1  # the front matter twice: marked, then numbered
    contents_agree_with_pages(pages, built)
    assert numbers.DIGITS not in squash(" ".join(pages))
    laid_out.clear()
    assert pdf_pages(contract_pdf(contract=built.contract)) == pages
    assert laid_out == []


# Page numbers drawn, not laid out -------------------------------------------------------------


def drawn_text(page: pikepdf.Page) -> tuple[list[float], bytes]:
    """The text matrix and glyph codes of a numbers page's one text."""
    matrix, codes = [], b""
    for operands, operator in pikepdf.parse_content_stream(page):
        if str(operator) == "Tm":
            matrix = [float(x) for x in operands]
        elif str(operator) == "TJ":
            codes += b"".join(bytes(g) for g in operands[0] if isinstance(g, pikepdf.String))
    return matrix, codes


def sample() -> bytes:
    html = numbers.numbers_html(2, sample=numbers.SAMPLE)
    return pdfparts.write_pdf_pages(html, tagged=False)[0]


@pytest.mark.parametrize("total", [2, 13, 104])
def test_page_numbers_are_drawn_where_and_as_weasyprint_lays_them_out(total):
    """The contract's page numbers come from one sample page, not from laying out a page per
    page: each reads "page n / total", in the same glyphs, at the same place (within a
    hundredth of a point) as WeasyPrint's layout of every page puts it; the cover has none."""
    drawn = numbers.drawn(sample(), total)
    assert drawn is not None
    laid_out, _pages = pdfparts.write_pdf_pages(numbers.numbers_html(total), tagged=False)
    texts = pdf_pages(drawn)
    assert len(texts) == total and texts[0].strip() == ""
    for number, text in enumerate(texts[1:], start=2):
        assert squash(text) == f"page {number} / {total}"
    with pikepdf.open(io.BytesIO(drawn)) as ours, pikepdf.open(io.BytesIO(laid_out)) as theirs:
        for page, reference in zip(ours.pages, theirs.pages, strict=True):
            (matrix, codes), (expected_matrix, expected_codes) = (
                drawn_text(page),
                drawn_text(reference),
            )
            assert codes == expected_codes
            assert matrix == pytest.approx(expected_matrix, abs=0.02)


def test_a_sample_not_drawn_as_expected_falls_back_to_laying_out_every_page(caplog):
    """Should the sample not show one glyph per character (another font, kerning, ligatures),
    the numbers are laid out page by page, as before, and still read right."""
    unexpected = numbers.numbers_html(2)  # "page 2 / 2": not the sample's text
    pdf, pages = pdfparts.write_pdf_pages(unexpected, tagged=False)
    odd = pdfparts.Part(pdf=pdf, pages=pages)
    assert numbers.drawn(odd.pdf, 5) is None
    with pdfparts._Renderer(1) as renderer:
        laid_out = pdfparts._numbers(renderer, pdfparts._Task(odd), 5, "sel").result()
    assert [squash(t) for t in pdf_pages(laid_out.pdf)] == [
        "",
        *(f"page {n} / 5" for n in range(2, 6)),
    ]
    assert "Impossible de dessiner les numéros de page" in caplog.text
