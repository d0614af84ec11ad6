"""Tables written for the people who open them: CSV for Excel in French, and XLSX.

Cells hold what partners typed (a job title through their self-service link...): a text that
starts like a formula must never run as one when a coordinator opens the file (CSV/formula
injection). Both writers neutralise such texts here, once for every export.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import Any

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
    for row in rows:
        sheet.append(row)
        for cell in sheet[sheet.max_row]:
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
