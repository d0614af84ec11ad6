"""Reading the spreadsheets coordinators keep (CSV or XLSX) into a table of text cells.

Reading is forgiving (comma or semicolon, UTF-8 with or without BOM or Windows-1252, the common
French headers, a title line above the headers) and bounded: a file past the limits below is
refused whole, with the limit it crossed, from the upload page and from
`manage.py import_partners` alike. What the cells mean is partners/importing.py's business.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from cls_platform.spreadsheets import (
    FORMULA_STARTS,
    MAX_XLSX_UNCOMPRESSED,
    ArchiveTooLarge,
    SpreadsheetRefused,
    TooManyColumns,
    TooManyRows,
    xlsx_rows,
)

COLUMNS: dict[str, list[str]] = {
    "last_name": ["nom", "nom de famille", "nom usuel", "last name", "nom de naissance"],
    "first_name": ["prenom", "first name", "prenom usuel"],
    "full_name": [
        "nom prenom",
        "nom et prenom",
        "prenom nom",
        "prenom et nom",
        "nom complet",
        "contact",
        "personne",
        "interlocuteur",
    ],
    "organization": [
        "structure",
        "organisme",
        "organisation",
        "etablissement",
        "employeur",
        "partenaire",
        "institution",
        "nom de la structure",
        "structure partenaire",
    ],
    "job_title": ["fonction", "poste", "titre", "role", "qualite", "profession", "metier"],
    "email": [
        "courriel",
        "mail",
        "e mail",
        "email",
        "adresse mail",
        "adresse e mail",
        "adresse email",
        "adresse electronique",
        "adresse courriel",
        "mel",
        "courriel professionnel",
    ],
    "phone": [
        "telephone",
        "tel",
        "portable",
        "telephone portable",
        "numero de telephone",
        "mobile",
        "telephone fixe",
        "tel portable",
    ],
    "sectors": ["secteur", "secteurs", "secteur d activite", "domaine", "thematique"],
}
# Column headers of the export, in order: an export re-imports as it is.
EXPORT_HEADERS = ["Nom", "Prénom", "Structure", "Fonction", "Courriel", "Téléphone", "Secteur"]


class ImportFileError(Exception):
    """The file cannot be read at all; nothing is imported."""


def fold(text: str) -> str:
    """Lower case, no accents, punctuation as spaces: how headers and names are compared.

    Punctuation becomes a space before accents go, so that "d’action" (typographic apostrophe)
    and "d'action" fold alike.
    """
    kept = []
    for char in unicodedata.normalize("NFKD", str(text)):
        if unicodedata.combining(char):
            continue
        kept.append(char if char.isalnum() else " ")
    plain = "".join(kept).encode("ascii", "ignore").decode().lower()
    return " ".join(plain.split())


ALIASES = {fold(alias): key for key, aliases in COLUMNS.items() for alias in aliases}


# --- reading --------------------------------------------------------------------------------


# Rows as read, each with the number of the line (CSV) or row (XLSX) where it starts, as the
# coordinator sees it in a text editor or in Excel.
NumberedRows = list[tuple[int, list[str]]]


# What one import reads at most, whatever the file's size on disk (a small .xlsx can expand to
# gigabytes, a CSV line can be a megabyte): beyond, the file is refused whole with the limit it
# crossed, from the upload page and from `manage.py import_partners` alike.
MAX_DATA_ROWS = 20_000
MAX_COLUMNS = 60
MAX_LINE_CHARS = 20_000  # a CSV line; the longest a directory needs is a few hundred
MAX_FILE_BYTES = 50 * 1024 * 1024  # the command reads files the upload page (5 MB) never sees
HEADER_SEARCH_ROWS = 10  # the header is looked for in the first rows (a title may come first)


def french_int(number: int) -> str:
    return f"{number:,}".replace(",", "\u202f")


def too_many_rows_message() -> str:
    return _(
        "Le fichier dépasse %(limit)s lignes : découpez-le en plusieurs fichiers de %(limit)s "
        "lignes au plus."
    ) % {"limit": french_int(MAX_DATA_ROWS)}


def too_many_columns_message(column: int, row: int) -> str:
    return _(
        "Le fichier dépasse %(limit)s colonnes (une valeur en colonne %(column)s, ligne "
        "%(row)s) : gardez les colonnes de l'annuaire (Nom, Prénom, Structure, Fonction, "
        "Courriel, Téléphone, Secteur) et supprimez les autres."
    ) % {"limit": MAX_COLUMNS, "column": column, "row": row}


def read_rows(content: bytes, file_name: str) -> NumberedRows:
    if len(content) > MAX_FILE_BYTES:
        raise ImportFileError(
            _("Le fichier dépasse %(size)s Mo : découpez-le en plusieurs fichiers.")
            % {"size": MAX_FILE_BYTES // (1024 * 1024)}
        )
    if content[:4] == b"PK\x03\x04" or file_name.lower().endswith(".xlsx"):
        return read_xlsx(content)
    return read_csv(content)


def read_xlsx(content: bytes) -> NumberedRows:
    """The first sheet, read within the limits (see cls_platform.spreadsheets)."""
    try:
        rows = xlsx_rows(
            content, max_rows=MAX_DATA_ROWS + HEADER_SEARCH_ROWS, max_columns=MAX_COLUMNS
        )
    except ArchiveTooLarge as exc:
        raise ImportFileError(
            _(
                "Ce fichier Excel se décompresse en plus de %(limit)s Mo, ou contient des "
                "données anormalement répétitives : il n'est pas lu. Enregistrez-le à nouveau "
                "depuis votre tableur, ou déposez-le en CSV."
            )
            % {"limit": MAX_XLSX_UNCOMPRESSED // (1024 * 1024)}
        ) from exc
    except TooManyRows as exc:
        raise ImportFileError(too_many_rows_message()) from exc
    except TooManyColumns as exc:
        raise ImportFileError(too_many_columns_message(exc.column, exc.row)) from exc
    except SpreadsheetRefused as exc:
        raise ImportFileError(
            _("Ce fichier Excel ne peut pas être lu (format .xlsx attendu).")
        ) from exc
    return [(number, [cell_text(value) for value in row]) for number, row in rows]


def cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


class UnreadableCsv(Exception):
    def __init__(self, line: int) -> None:
        super().__init__(line)
        self.line = line


class CsvTooLarge(Exception):
    """More rows holding a value than an import reads: the file is refused whatever the
    delimiter."""


def csv_text(cell: str) -> str:
    """A cell as typed: our exports put an apostrophe before a text that starts like a
    formula (see cls_platform.spreadsheets), which an export re-imported must not keep."""
    cell = cell.strip()
    if cell[:1] == "'" and cell[1:2] and cell[1:].startswith(FORMULA_STARTS):
        return cell[1:].strip()
    return cell


def parse_csv(text: str, delimiter: str) -> NumberedRows:
    """Rows with the physical line each starts on: a quoted cell may span several lines."""
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    rows: NumberedRows = []
    start = 1
    filled = 0
    try:
        for cells in reader:
            row = [csv_text(cell) for cell in cells]
            if any(row):
                filled += 1
                if filled > MAX_DATA_ROWS + HEADER_SEARCH_ROWS:
                    raise CsvTooLarge
            rows.append((start, row))
            start = reader.line_num + 1
    except csv.Error:
        # A cell over csv's limit (128 Ko), a quote never closed, a stray NUL...
        raise UnreadableCsv(reader.line_num or start) from None
    return rows


def read_csv(content: bytes) -> NumberedRows:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = content.decode("cp1252", errors="replace")
    if "\x00" in text:
        raise ImportFileError(_("Ce fichier n'est pas un tableau CSV ou XLSX lisible."))
    # Old Excel for Mac ends lines with a bare CR, which the csv module refuses.
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    too_long = re.search(f"[^\\n]{{{MAX_LINE_CHARS + 1}}}", text)
    if too_long:
        line = text.count("\n", 0, too_long.start()) + 1
        raise ImportFileError(
            _(
                "Ce fichier CSV ne peut pas être lu : la ligne %(line)s dépasse %(limit)s "
                "caractères. Vérifiez qu'aucun guillemet n'est resté ouvert, ou déposez le "
                "fichier en .xlsx."
            )
            % {"line": line, "limit": french_int(MAX_LINE_CHARS)}
        )
    first = next((line for line in text.split("\n") if line.strip()), "")
    # The first line may be a title above the headers: try each delimiter, the likeliest first,
    # and keep the one under which a header row appears.
    candidates = sorted([";", ",", "\t"], key=first.count, reverse=True)
    fallback: NumberedRows | None = None
    failure: UnreadableCsv | None = None
    for delimiter in candidates:
        try:
            rows = parse_csv(text, delimiter)
        except UnreadableCsv as exc:
            failure = failure or exc
            continue
        except CsvTooLarge:
            raise ImportFileError(too_many_rows_message()) from None
        if fallback is None:
            fallback = rows
        if header_position(rows) is not None:
            return check_columns(rows)
    if failure is not None:
        raise ImportFileError(
            _(
                "Ce fichier CSV ne peut pas être lu à partir de la ligne %(line)s : une cellule "
                "dépasse 128 Ko ou un guillemet n'est pas refermé. Enregistrez-le à nouveau "
                "depuis votre tableur au format CSV, ou déposez-le en .xlsx."
            )
            % {"line": failure.line}
        )
    return check_columns(fallback or [])


def check_columns(rows: NumberedRows) -> NumberedRows:
    for number, row in rows:
        if len(row) > MAX_COLUMNS:
            beyond = [i for i, cell in enumerate(row[MAX_COLUMNS:], start=MAX_COLUMNS + 1) if cell]
            if beyond:
                raise ImportFileError(too_many_columns_message(beyond[0], number))
    return rows


def header_position(rows: NumberedRows) -> tuple[int, dict[int, str]] | None:
    """The index of the first row (among the first ten) that names an e-mail column, and its
    mapping of column positions to fields; None if there is none."""
    for index, (_number, row) in enumerate(rows[:HEADER_SEARCH_ROWS]):
        mapping: dict[int, str] = {}
        for position, header in enumerate(row):
            key = ALIASES.get(fold(header))
            if key and key not in mapping.values():
                mapping[position] = key
        if "email" in mapping.values():
            return index, mapping
    return None


def find_header(rows: NumberedRows) -> tuple[int, dict[int, str]]:
    found = header_position(rows)
    if found is None:
        raise ImportFileError(
            _(
                "Aucune colonne d'adresses e-mail trouvée : nommez-la « Courriel », « Mail » ou "
                "« E-mail »."
            )
        )
    return found


@dataclass
class Table:
    """The rows under the header, each with its line number, and what each column holds."""

    columns: dict[str, str]  # the header as written -> the directory's field
    mapping: dict[int, str]  # the position of a column -> the directory's field
    rows: NumberedRows


def read_table(content: bytes, file_name: str) -> Table:
    """The file's table, read once and within the limits; ImportFileError (in French) when the
    file cannot be read, holds no column of addresses, or is too large."""
    rows = read_rows(content, file_name)
    if not rows:
        raise ImportFileError(_("Le fichier est vide."))
    header_index, mapping = find_header(rows)
    data = rows[header_index + 1 :]
    while data and not any(data[-1][1]):
        data.pop()
    if len(data) > MAX_DATA_ROWS:
        raise ImportFileError(too_many_rows_message())
    header = rows[header_index][1]
    return Table(
        columns={header[pos]: key for pos, key in mapping.items()}, mapping=mapping, rows=data
    )
