"""The page numbers of a document joined from parts (cls_platform.pdf.parts): "page 12 / 128"
on every page but the cover, drawn over the joined pages as pagination artifacts.

They come from a sample: two pages laid out by WeasyPrint as the numbered pages of
`pdf/page_numbers.html` are, the second showing `SAMPLE` where its number would be. Each page's
number is then written in the sample's glyphs, right-aligned where the sample's text ends (`drawn`):
10 ms for 128 pages, where laying every page out took 0.43 s. Should a sample not be drawn as
expected (one glyph per character, unkerned), the parts module lays every page out instead.
"""

from __future__ import annotations

import io
from collections.abc import Callable

import pikepdf

from cls_platform.pdf.rendering import render_html

# Page numbers are artifacts for assistive technologies (ISO 14289-1, 7.8): marked as such.
ARTIFACT = b"/Artifact <</Type /Pagination /Subtype /Footer>> BDC"
# Every character of "page n / total": the text of the sample page the numbers are drawn from.
SAMPLE = "page 0123456789 /"


def numbers_html(total: int, *, sample: str = "") -> str:
    """`total` empty pages numbered "page n / total" where the contract's pages are, but for the
    first (the cover): what `assemble` stamps on the joined document. With `sample`, the second
    page shows that text instead (`drawn`)."""
    return render_html(
        template="pdf/page_numbers.html",
        context={"pages": range(total), "sample": sample},
        title="Pagination",
    )


def drawn(sample: bytes, total: int) -> bytes | None:
    """`total` pages numbered as `numbers_html(total)` numbers them, made from the sample's
    second page (`SAMPLE` where its number would be) without laying each out: WeasyPrint spends
    3 ms a page on the margin boxes of empty pages, half a second for a contract, after its
    last fiche. Each page repeats the sample's drawing with its own text in the sample's glyphs
    (two-byte codes of a CID font, Identity-H, one per character; the adjustments WeasyPrint
    writes between them are rounding remainders of a thousandth of an em at most, left out),
    right-aligned where the sample's text ends. None if the sample is not drawn that way."""
    with pikepdf.open(io.BytesIO(sample)) as pdf:
        if len(pdf.pages) != 2:
            return None
        _cover, numbered = pdf.pages
        drawing = list(pikepdf.parse_content_stream(numbered))
        where = {str(operator): n for n, (_operands, operator) in enumerate(drawing)}
        shown = [str(operator) for _operands, operator in drawing].count("TJ")
        if shown != 1 or not {"Tm", "Tf"} <= where.keys():
            return None
        (glyphs,) = drawing[where["TJ"]].operands
        font_name, size = drawing[where["Tf"]].operands
        shown_bytes = b"".join(bytes(g) for g in glyphs if isinstance(g, pikepdf.String))
        if any(abs(float(g)) > 1 for g in glyphs if not isinstance(g, pikepdf.String)):
            return None  # kerned
        codes = [shown_bytes[i : i + 2] for i in range(0, len(shown_bytes), 2)]
        if len(shown_bytes) != 2 * len(SAMPLE):
            return None  # not one two-byte code per character
        code_of = dict(zip(SAMPLE, codes, strict=True))
        if len(set(code_of.values())) != len(code_of):
            return None
        widths = cid_widths(numbered.Resources.Font[font_name].DescendantFonts[0])

        def width(text: str) -> float:
            return sum(widths(code_of[char]) for char in text) * float(size) / 1000

        matrix = [float(x) for x in drawing[where["Tm"]].operands]
        scale = matrix[0]
        end = matrix[4] + scale * width(SAMPLE)
        resources = pdf.make_indirect(numbered.Resources)
        for number in range(2, total + 1):
            text = f"page {number} / {total}"
            if not set(text) <= code_of.keys():
                return None
            matrix[4] = end - scale * width(text)
            drawing[where["Tm"]] = pikepdf.ContentStreamInstruction(matrix, pikepdf.Operator("Tm"))
            drawing[where["TJ"]] = pikepdf.ContentStreamInstruction(
                [pikepdf.Array([pikepdf.String(b"".join(code_of[char] for char in text))])],
                pikepdf.Operator("TJ"),
            )
            contents = pdf.make_stream(pikepdf.unparse_content_stream(drawing))
            page = pikepdf.Dictionary(
                Type=pikepdf.Name.Page,
                MediaBox=numbered.MediaBox,
                Resources=resources,
                Contents=contents,
            )
            pdf.pages.append(pikepdf.Page(page))
        del pdf.pages[1]  # the sample
        buffer = io.BytesIO()
        pdf.save(buffer)
        return buffer.getvalue()


def cid_widths(font: pikepdf.Dictionary) -> Callable[[bytes], float]:
    """A CID font's glyph widths (thousandths of its size), from its /W and /DW entries."""
    default = float(font.get("/DW", 1000))
    known: dict[int, float] = {}
    entries = list(font.get("/W", ()))
    i = 0
    while i < len(entries):
        first = int(entries[i])
        if isinstance(entries[i + 1], pikepdf.Array):  # c [w1 w2 ...]
            for offset, w in enumerate(entries[i + 1]):
                known[first + offset] = float(w)
            i += 2
        else:  # c_first c_last w
            for cid in range(first, int(entries[i + 1]) + 1):
                known[cid] = float(entries[i + 2])
            i += 3
    return lambda code: known.get(int.from_bytes(code, "big"), default)


def stamp(out: pikepdf.Pdf, numbers: bytes) -> None:
    """Each page of `numbers` (as many as `out` has) drawn over `out`'s page, as an artifact."""
    stamps = pikepdf.open(io.BytesIO(numbers))
    if len(stamps.pages) != len(out.pages):
        raise ValueError(
            f"{len(stamps.pages)} pages de numéros pour un document de {len(out.pages)} pages."
        )
    for page, stamp in zip(out.pages, stamps.pages, strict=True):
        if not any(str(op) in ("Tj", "TJ") for _, op in pikepdf.parse_content_stream(stamp)):
            continue  # an unnumbered page (the cover)
        form = out.copy_foreign(stamp.as_form_xobject())
        name = page.add_resource(form, pikepdf.Name.XObject, prefix="Num")
        # The page's own drawing is wrapped in q … Q, so that the stamp starts from the default
        # graphics state whatever the page leaves behind.
        page.contents_add(out.make_stream(b"q\n"), prepend=True)
        page.contents_add(
            out.make_stream(b"Q\n" + ARTIFACT + b" q " + name.unparse() + b" Do Q EMC\n")
        )
