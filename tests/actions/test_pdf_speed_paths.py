"""The contract's print on its fast paths (cls_platform.pdf.parts.book): the front matter's
length counted once when nothing is kept, taken from the last print otherwise, and corrected
when the contract changed length since; the contents always give each fiche's real page."""

from __future__ import annotations

import io
import re

import pikepdf
import pytest
from django.core.cache import caches

from actions.pdf import contract_pdf
from cls_platform.pdf import numbers
from cls_platform.pdf import parts as pdfparts
from tests.actions.test_pdf import build_contract, page_of, pdf_pages, squash

pytestmark = pytest.mark.django_db


@pytest.fixture
def laid_out(monkeypatch) -> dict[str, list[str]]:
    """What WeasyPrint lays out and writes ("written") or only counts ("counted") from now on,
    from an empty cache."""
    calls: dict[str, list[str]] = {"written": [], "counted": []}
    write, count = pdfparts.write_pdf_pages, pdfparts.count_pages

    def written(html, **options):
        calls["written"].append(html)
        return write(html, **options)

    def counted(html, **options):
        calls["counted"].append(html)
        return count(html, **options)

    monkeypatch.setattr(pdfparts, "write_pdf_pages", written)
    monkeypatch.setattr(pdfparts, "count_pages", counted)
    caches["pdf"].clear()
    return calls


def contents_agree_with_pages(pages: list[str], built) -> None:
    toc = squash(pages[page_of(pages, "Sommaire") - 1])
    for fiche in built.fiches:
        start = page_of(pages, f"Fiche-action {fiche.number} {fiche.title}")
        assert re.search(rf"{re.escape(fiche.number)} {re.escape(fiche.title)} {start}(?!\d)", toc)


def test_a_first_print_counts_the_front_matter_once_and_writes_it_once(laid_out):
    built = build_contract(3)
    pages = pdf_pages(contract_pdf(contract=built.contract))
    assert len(laid_out["counted"]) == 1
    # the fiches, the axes, the front matter, the numbers
    assert len(laid_out["written"]) == 3 + 1 + 1 + 1
    contents_agree_with_pages(pages, built)


def test_a_length_kept_from_a_shorter_contract_is_corrected(laid_out):
    """The length kept is the last print's: a contract that grew a page of contents since is
    laid out again with its real length, never printed with its fiches' pages off by one."""
    built = build_contract(3)
    contract_pdf(contract=built.contract)
    name = f"contract-front-{built.contract.pk}"
    key = f"length:{pdfparts._digest(pdfparts.FORMAT, name, '')}"
    front_pages = caches["pdf"].get(key)
    caches["pdf"].set(key, front_pages - 1)
    laid_out["written"].clear()
    laid_out["counted"].clear()

    pages = pdf_pages(contract_pdf(contract=built.contract))
    assert laid_out["counted"] == []  # a length was kept: nothing counted
    assert caches["pdf"].get(key) == front_pages
    contents_agree_with_pages(pages, built)


def test_the_signatories_first_print_takes_the_length_of_the_coordinations(laid_out):
    """Both audiences' front matters are as long: the signatories' first print after the
    coordination's lays theirs out once, counted by nobody, with the right pages."""
    built = build_contract(3)
    contract_pdf(contract=built.contract)
    laid_out["written"].clear()
    laid_out["counted"].clear()

    pages = pdf_pages(contract_pdf(contract=built.contract, for_signatories=True))
    assert laid_out["counted"] == []
    # their fiches, axes and front matter; numbers kept
    assert len(laid_out["written"]) == 3 + 1 + 1
    contents_agree_with_pages(pages, built)


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
