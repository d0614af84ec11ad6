"""Tables written for the people who open them (CSV for Excel in French, and XLSX), and XLSX
files read within bounds.

Cells hold what partners typed (a job title through their self-service link...): a text that
starts like a formula must never run as one when a coordinator opens the file (CSV/formula
injection). Both writers neutralise such texts here, once for every export.

An uploaded XLSX is a zip: a few hundred kilobytes can expand to gigabytes of XML, and openpyxl
reads what the XML holds, however much (a 614 KB file once took 400 s and 1.5 GB). The reader
below checks the archive's central directory before inflating anything, then reads the first
sheet as a stream (expat, no tree) that keeps only the values within the row and column limits
and stops at the first value beyond them.
"""

from __future__ import annotations

import csv
import io
import posixpath
import re
import zipfile
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from xml.etree import ElementTree
from xml.parsers import expat

# What spreadsheet programs read as the start of a formula (OWASP "CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def looks_like_formula(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def csv_cell(value: Any) -> Any:
    """A leading apostrophe makes Excel and LibreOffice show the text as it is."""
    return f"'{value}" if looks_like_formula(value) else value


def csv_bytes(rows: Iterable[list[Any]]) -> bytes:
    """Semicolons and a BOM: what a French Excel opens correctly with a double click."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    for row in rows:
        writer.writerow([csv_cell(value) for value in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def xlsx_bytes(rows: Iterable[list[Any]], *, title: str) -> bytes:
    """One sheet, bold header row frozen at the top; texts stay texts."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title[:31]
    for number, row in enumerate(rows, 1):
        sheet.append(row)
        # Cell by cell (sheet[sheet.max_row] scans the whole sheet: quadratic in the rows).
        for column in range(1, len(row) + 1):
            cell = sheet.cell(row=number, column=column)
            if isinstance(cell.value, str):
                # openpyxl stores "=..." as a formula: force a string, and keep it one when
                # someone edits the cell in Excel (quote prefix).
                cell.data_type = "s"
                if looks_like_formula(cell.value):
                    cell.quotePrefix = True
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- reading an XLSX within bounds ----------------------------------------------------------


class SpreadsheetRefused(ValueError):
    """The file is not read: it cannot be, or reading it would cost more than the limits."""


class UnreadableSpreadsheet(SpreadsheetRefused):
    """Not an XLSX workbook that can be read (corrupt, encrypted, another format)."""


class ArchiveTooLarge(SpreadsheetRefused):
    """Its parts expand to more than `limit` bytes in all, or one part expands more than the
    allowed ratio of its compressed size (what a zip bomb looks like)."""

    def __init__(self, *, size: int, limit: int, ratio: int = 0) -> None:
        super().__init__(f"{size} bytes uncompressed (limit {limit}), ratio {ratio}")
        self.size, self.limit, self.ratio = size, limit, ratio


class TooManyRows(SpreadsheetRefused):
    """A value stands below row `limit` (in row `row` of the sheet)."""

    def __init__(self, *, row: int, limit: int) -> None:
        super().__init__(f"a value in row {row}, beyond row {limit}")
        self.row, self.limit = row, limit


class TooManyColumns(SpreadsheetRefused):
    """A value stands right of column `limit` (in column `column`, row `row`)."""

    def __init__(self, *, column: int, row: int, limit: int) -> None:
        super().__init__(f"a value in column {column} of row {row}, beyond column {limit}")
        self.column, self.row, self.limit = column, row, limit


MAX_XLSX_UNCOMPRESSED = 50 * 1024 * 1024
MAX_XLSX_RATIO = 100
# A part smaller than this cannot hurt whatever its ratio (an empty sheet compresses 200:1).
RATIO_FLOOR = 1024 * 1024
MAX_XLSX_PARTS = 1000
EXCEL_MAX_COLUMNS = 16_384  # column XFD: a row with more cells is no sheet Excel wrote
SCAN_CHUNK = 1024 * 1024

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
CELL_REFERENCE = re.compile(r"([A-Za-z]{1,3})(\d+)")
# Element names as expat reports them with namespace_separator="}": openpyxl reads only these.
ROW_TAG, CELL_TAG, VALUE_TAG, INLINE_TAG, TEXT_TAG, PHONETIC_TAG, STRING_ITEM_TAG = (
    f"{MAIN_NS}}}{tag}" for tag in ("row", "c", "v", "is", "t", "rPh", "si")
)


def check_xlsx_archive(
    archive: zipfile.ZipFile,
    *,
    max_uncompressed: int = MAX_XLSX_UNCOMPRESSED,
    max_ratio: int = MAX_XLSX_RATIO,
) -> None:
    """Refuse from the central directory alone, before a byte is inflated. The sizes it declares
    bind: zipfile never inflates a part beyond its declared size."""
    parts = archive.infolist()
    if len(parts) > MAX_XLSX_PARTS:
        raise UnreadableSpreadsheet(f"{len(parts)} parts")
    total = sum(part.file_size for part in parts)
    if total > max_uncompressed:
        raise ArchiveTooLarge(size=total, limit=max_uncompressed)
    for part in parts:
        if part.file_size > RATIO_FLOOR and part.file_size > max_ratio * max(part.compress_size, 1):
            raise ArchiveTooLarge(
                size=total,
                limit=max_uncompressed,
                ratio=part.file_size // max(part.compress_size, 1),
            )


def small_xml(archive: zipfile.ZipFile, name: str) -> ElementTree.Element:
    """A small part of the package (its size is already bounded), without any DTD."""
    data = archive.read(name)
    if b"<!DOCTYPE" in data.upper():
        raise UnreadableSpreadsheet(f"DTD in {name}")
    return ElementTree.fromstring(data)


def relationships(archive: zipfile.ZipFile, part: str) -> dict[str, tuple[str, str]]:
    """The relationships of a part: id -> (type, path inside the package)."""
    folder, name = posixpath.split(part)
    rels = small_xml(archive, posixpath.join(folder, "_rels", f"{name}.rels"))
    found = {}
    for rel in rels.iter(f"{{{PACKAGE_REL_NS}}}Relationship"):
        target = rel.get("Target", "")
        path = target.lstrip("/") if target.startswith("/") else posixpath.join(folder, target)
        found[rel.get("Id", "")] = (rel.get("Type", ""), posixpath.normpath(path))
    return found


def workbook_parts(archive: zipfile.ZipFile) -> tuple[str, dict[str, tuple[str, str]]]:
    """The workbook's part and its relationships (sheets, shared strings, styles...)."""
    package = relationships(archive, "")
    workbook_part = next(
        (path for kind, path in package.values() if kind.endswith("/officeDocument")), None
    )
    if workbook_part is None:
        raise UnreadableSpreadsheet("no workbook")
    return workbook_part, relationships(archive, workbook_part)


def first_sheet_path(
    archive: zipfile.ZipFile, workbook_part: str, parts: dict[str, tuple[str, str]]
) -> str:
    """The part of the workbook's first worksheet, as openpyxl's `worksheets[0]` finds it
    (chart sheets are not worksheets)."""
    workbook = small_xml(archive, workbook_part)
    for sheet in workbook.iter(f"{{{MAIN_NS}}}sheet"):
        kind, path = parts.get(sheet.get(f"{{{REL_NS}}}id", ""), ("", ""))
        if kind.endswith("/worksheet"):
            return path
    raise UnreadableSpreadsheet("no worksheet")


def column_number(letters: str) -> int:
    number = 0
    for letter in letters.upper():
        number = number * 26 + ord(letter) - 64
    return number


def expat_parser(start: Any, end: Any = None) -> Any:
    """An expat parser for a part of the package: namespaced names, and no DTD (a worksheet
    never has one; refusing it rules out entity expansion)."""

    def no_dtd(*args: Any) -> None:
        raise UnreadableSpreadsheet("DTD in a part of the workbook")

    parser = expat.ParserCreate(namespace_separator="}")
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.StartDoctypeDeclHandler = no_dtd
    parser.StartElementHandler = start
    if end is not None:
        parser.EndElementHandler = end
    return parser


def feed(parser: Any, stream: Any) -> None:
    try:
        while chunk := stream.read(SCAN_CHUNK):
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except expat.ExpatError as exc:
        raise UnreadableSpreadsheet(str(exc)) from exc


def read_shared_strings(stream: Any) -> list[str]:
    """The workbook's shared strings: the text of each <si>, rich-text runs joined, phonetic
    guides (<rPh>) left out, as openpyxl reads them."""
    strings: list[str] = []
    parts: list[str] = []
    phonetic = 0

    def text(data: str) -> None:
        parts.append(data)

    def start(name: str, attrs: dict[str, str]) -> None:
        nonlocal phonetic
        if name == TEXT_TAG and not phonetic:
            parser.CharacterDataHandler = text
        elif name == PHONETIC_TAG:
            phonetic += 1

    def end(name: str) -> None:
        nonlocal phonetic
        if name == TEXT_TAG:
            parser.CharacterDataHandler = None
        elif name == PHONETIC_TAG:
            phonetic -= 1
        elif name == STRING_ITEM_TAG:
            strings.append("".join(parts))
            parts.clear()

    parser = expat_parser(start, end)
    feed(parser, stream)
    return strings


def cell_value(kind: str | None, text: str, strings: list[str]) -> Any:
    """A cell's value as openpyxl's data_only reading gives it (a date stays its serial number:
    styles are not read)."""
    if kind == "s":
        try:
            return strings[int(text)]
        except (ValueError, IndexError):
            raise UnreadableSpreadsheet(f"shared string {text!r}") from None
    if kind == "b":
        return text.strip() == "1"
    if kind in (None, "n"):
        try:
            return float(text) if any(c in text for c in ".eE") else int(text)
        except ValueError:
            return text
    return text  # inlineStr, str (a formula's text), e (#N/A...), d (ISO date)


@dataclass
class SheetScan:
    """What one streaming pass over a sheet's XML kept: the values within the limits."""

    values: dict[int, dict[int, Any]]  # row -> column -> value
    last_row: int = 0  # the last row that holds a value


def scan_sheet(
    stream: Any, *, max_rows: int, max_columns: int, strings: list[str] | None = None
) -> SheetScan:
    """Read the sheet's XML once with expat (no tree, nothing kept beyond the values within
    the limits) and stop at the first value beyond them. A cell holds a value when it has a <v>
    (or an inline <is>) child.

    openpyxl cannot be bounded this way: even in read-only mode it parses a whole sheet to find
    its size when the file carries no <dimension>. Here only start tags are handled until a
    value begins, and a cell's column is worked out only when it holds one: this pass costs a
    few seconds for the largest sheet the archive limits let through.
    """
    strings = strings or []
    scan = SheetScan(values={})
    row = cells = since = 0
    reference: str | None = None  # the last cell reference of the row ("C12"), if any
    kind: str | None = None  # the current cell's type (t attribute)
    counted = False  # the current cell's value has begun
    inline = 0  # inside an inline string (<is>), and how deep in phonetic guides
    phonetic = 0
    column = 0
    parts: list[str] = []

    def text(data: str) -> None:
        parts.append(data)

    def start(name: str, attrs: dict[str, str]) -> None:
        nonlocal row, cells, since, reference, kind, counted, inline, phonetic, column
        if name == CELL_TAG:
            cells += 1
            if cells > EXCEL_MAX_COLUMNS:
                raise UnreadableSpreadsheet(f"{cells} cells in row {row}")
            counted, kind = False, attrs.get("t")
            if "r" in attrs:
                reference, since = attrs["r"], 0
            else:
                since += 1
        elif name in (VALUE_TAG, INLINE_TAG):
            if counted:
                return
            counted = True
            if row > max_rows:
                raise TooManyRows(row=row, limit=max_rows)
            match = CELL_REFERENCE.fullmatch(reference) if reference else None
            column = (column_number(match.group(1)) if match else 0) + since
            if column > max_columns:
                raise TooManyColumns(column=column, row=row, limit=max_columns)
            scan.last_row = max(scan.last_row, row)
            parts.clear()
            parser.EndElementHandler = end
            if name == VALUE_TAG:
                parser.CharacterDataHandler = text
            else:
                inline, phonetic = 1, 0
        elif inline:
            if name == TEXT_TAG and not phonetic:
                parser.CharacterDataHandler = text
            elif name == PHONETIC_TAG:
                phonetic += 1
        elif name == ROW_TAG:
            number = attrs.get("r", "")
            row = int(number) if number.isdigit() else row + 1
            cells = since = 0
            reference = None

    def end(name: str) -> None:
        nonlocal inline, phonetic
        if name == TEXT_TAG:
            parser.CharacterDataHandler = None
            return
        if name == PHONETIC_TAG:
            phonetic -= 1
            return
        if name not in (VALUE_TAG, INLINE_TAG):
            return
        parser.CharacterDataHandler = parser.EndElementHandler = None
        inline = 0
        value = "".join(parts)
        if name == VALUE_TAG:
            value = cell_value(kind, value, strings)
        scan.values.setdefault(row, {})[column] = value

    parser = expat_parser(start)
    feed(parser, stream)
    return scan


def xlsx_rows(
    content: bytes,
    *,
    max_rows: int,
    max_columns: int,
    max_uncompressed: int = MAX_XLSX_UNCOMPRESSED,
    max_ratio: int = MAX_XLSX_RATIO,
) -> list[tuple[int, list[Any]]]:
    """The first sheet's rows (number, values) up to its last value, at most `max_columns`
    wide; a row without values is an empty list, so that numbers stay those Excel shows.

    Raises a SpreadsheetRefused when the archive or the sheet goes beyond the limits (a value
    below row `max_rows` or right of column `max_columns`), at the first sign of it: the
    central directory is checked before anything is inflated, and the sheet is read as a
    stream that stops there.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            check_xlsx_archive(archive, max_uncompressed=max_uncompressed, max_ratio=max_ratio)
            workbook_part, parts = workbook_parts(archive)
            strings: list[str] = []
            strings_part = next(
                (path for kind, path in parts.values() if kind.endswith("/sharedStrings")), None
            )
            if strings_part is not None:
                with archive.open(strings_part) as stream:
                    strings = read_shared_strings(stream)
            with archive.open(first_sheet_path(archive, workbook_part, parts)) as stream:
                scan = scan_sheet(
                    stream, max_rows=max_rows, max_columns=max_columns, strings=strings
                )
    except SpreadsheetRefused:
        raise
    except (zipfile.BadZipFile, zlib.error, KeyError, EOFError, OSError, ValueError) as exc:
        raise UnreadableSpreadsheet(str(exc)) from exc
    except (NotImplementedError, RuntimeError, ElementTree.ParseError) as exc:
        raise UnreadableSpreadsheet(str(exc)) from exc  # unknown compression, encrypted...
    rows = []
    for number in range(1, scan.last_row + 1):
        cells = scan.values.get(number, {})
        values: list[Any] = [None] * max(cells, default=0)
        for column, value in cells.items():
            values[column - 1] = value
        rows.append((number, values))
    return rows
