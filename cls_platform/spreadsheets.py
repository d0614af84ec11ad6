"""Tables written for the people who open them: CSV for Excel in French, and XLSX."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import Any


def csv_bytes(rows: Iterable[list[Any]]) -> bytes:
    """Semicolons and a BOM: what a French Excel opens correctly with a double click."""
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=";").writerows(rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def xlsx_bytes(rows: Iterable[list[Any]], *, title: str) -> bytes:
    """One sheet, bold header row frozen at the top."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title[:31]
    for row in rows:
        sheet.append(row)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
