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
import re
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


# The contents' page numbers ------------------------------------------------------------------

# Where a page number goes, before it is known: every digit (so that each font drawing a number
# has them all), then the mark's own number (`mark`). Its width takes no part in the layout: the
# contents' numbers are placed apart from their lines (print.css, `.toc a::after`).
DIGITS = "0123456789"


def mark(index: int) -> str:
    """The text standing for the `index`-th page number of a document laid out before its
    numbers are known (`filled`); all of one length, so that none is found inside another."""
    return f"{DIGITS}{index:05d}"


def filled(pdf: bytes, numbers: dict[str, str]) -> bytes | None:
    """The document with the text of each mark (`numbers`' keys, each drawn once, as one run of
    glyphs of a CID font) replaced by its number, in the same glyphs and marked content (its
    structure element unchanged), right-aligned where the mark ended: the contract's front
    matter is laid out once, beside its fiches, and its contents' page numbers written once the
    fiches' lengths are known. None if a mark is not found exactly once, or not drawn that way."""
    seen: dict[str, int] = {}
    with pikepdf.open(io.BytesIO(pdf)) as document:
        faces: dict[tuple[int, int], _Face | None] = {}
        for page in document.pages:
            fonts = page.Resources.get("/Font", pikepdf.Dictionary())
            drawing = list(pikepdf.parse_content_stream(page))
            changed = False
            font: pikepdf.Object | None = None
            size = 0.0
            matrix_at: int | None = None
            for n, (operands, operator) in enumerate(drawing):
                name = str(operator)
                if name == "BT":
                    matrix_at = None
                elif name == "Tf":
                    font, size = fonts.get(operands[0]), float(operands[1])
                elif name == "Tm":
                    matrix_at = n
                elif name == "TJ" and font is not None and matrix_at is not None:
                    key = font.objgen
                    if key not in faces:
                        faces[key] = _Face.read(font)
                    face = faces[key]
                    read = face.read_run(operands[0]) if face is not None else None
                    if read is None or read[0] not in numbers:
                        continue
                    text, codes, adjusted = read
                    seen[text] = seen.get(text, 0) + 1
                    number = numbers[text]
                    # the mark's own glyphs: every digit, as this font draws them here
                    code_of = dict(zip(text, codes, strict=True))
                    if not set(number) <= code_of.keys():
                        return None
                    new = [code_of[char] for char in number]
                    # the mark's advance as drawn (its rounding remainders included), less
                    # the number's
                    shift = face.width(codes) - adjusted - face.width(new)
                    matrix = [float(x) for x in drawing[matrix_at].operands]
                    matrix[4] += matrix[0] * shift * size / 1000
                    drawing[matrix_at] = pikepdf.ContentStreamInstruction(
                        matrix, pikepdf.Operator("Tm")
                    )
                    drawing[n] = pikepdf.ContentStreamInstruction(
                        [pikepdf.Array([pikepdf.String(b"".join(new))])],
                        pikepdf.Operator("TJ"),
                    )
                    matrix_at = None  # a second run after it would move with it
                    changed = True
            if changed:
                page.Contents = document.make_stream(pikepdf.unparse_content_stream(drawing))
        if seen != dict.fromkeys(numbers, 1):
            return None
        buffer = io.BytesIO()
        document.save(buffer)
        return buffer.getvalue()


class _Face:
    """A CID font (two-byte codes, Identity-H): what its glyphs read, from its ToUnicode map
    (WeasyPrint writes it as `bfchar` entries), and their widths."""

    def __init__(self, characters: dict[bytes, str], widths: Callable[[bytes], float]) -> None:
        self.characters, self.widths = characters, widths

    @classmethod
    def read(cls, font: pikepdf.Object) -> _Face | None:
        if font.get("/Subtype") != pikepdf.Name.Type0 or "/ToUnicode" not in font:
            return None
        if font.get("/Encoding") != pikepdf.Name("/Identity-H"):
            return None
        cmap = font.ToUnicode.read_bytes().decode("latin-1")
        characters = {}
        for block in re.findall(r"beginbfchar(.*?)endbfchar", cmap, re.S):
            for code, char in re.findall(r"<([0-9a-fA-F]{4})>\s*<([0-9a-fA-F]+)>", block):
                characters[bytes.fromhex(code)] = bytes.fromhex(char).decode("utf-16-be")
        return cls(characters, cid_widths(font.DescendantFonts[0]))

    def read_run(self, glyphs: pikepdf.Array) -> tuple[str, list[bytes], float] | None:
        """What a TJ's glyphs read, one character each, their codes, and the sum of the
        adjustments between them; None if kerned (adjustments beyond a thousandth of an em) or
        not one character per glyph."""
        adjustments = [float(g) for g in glyphs if not isinstance(g, pikepdf.String)]
        if any(abs(g) > 1 for g in adjustments):
            return None
        shown = b"".join(bytes(g) for g in glyphs if isinstance(g, pikepdf.String))
        codes = [shown[i : i + 2] for i in range(0, len(shown), 2)]
        chars = [self.characters.get(code, "") for code in codes]
        if len(shown) % 2 or any(len(char) != 1 for char in chars):
            return None
        return "".join(chars), codes, sum(adjustments)

    def width(self, codes: list[bytes]) -> float:
        return sum(self.widths(code) for code in codes)
