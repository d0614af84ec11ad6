"""Import of the spreadsheets coordinators keep (CSV or XLSX) into the directory.

Reading is forgiving (comma or semicolon, UTF-8 with or without BOM or Windows-1252, the common
French headers, a title line above the headers); writing is strict: every row is created,
updated, merged into an earlier row of the same person, or rejected with its line number and
reason, and the whole import happens in one transaction, so a failure changes nothing.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cls_platform.models import Access, Territory
from cls_platform.spreadsheets import (
    FORMULA_STARTS,
    MAX_XLSX_UNCOMPRESSED,
    ArchiveTooLarge,
    SpreadsheetRefused,
    TooManyColumns,
    TooManyRows,
    xlsx_rows,
)

from .models import (
    Contact,
    ContactSource,
    Organization,
    Sector,
    SuppressedAddress,
    email_hash,
    normalize_email,
)
from .services import access_link_contacts

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
MAX_LENGTHS = {
    "first_name": 100,
    "last_name": 100,
    "job_title": 200,
    "phone": 30,
    "organization": 250,
}
LABELS = {
    "first_name": "Prénom",
    "last_name": "Nom",
    "job_title": "Fonction",
    "phone": "Téléphone",
    "organization": "Structure",
}


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


@dataclass
class Line:
    number: int
    outcome: str  # created | updated | unchanged | merged | rejected
    email: str = ""
    detail: str = ""


@dataclass
class ImportReport:
    file_name: str
    dry_run: bool
    lines: list[Line] = field(default_factory=list)
    organizations_created: list[str] = field(default_factory=list)
    columns: dict[str, str] = field(default_factory=dict)

    def count(self, outcome: str) -> int:
        return sum(1 for line in self.lines if line.outcome == outcome)

    @property
    def summary(self) -> dict[str, int]:
        return {
            outcome: self.count(outcome)
            for outcome in ("created", "updated", "unchanged", "merged", "rejected")
        }

    def as_dict(self) -> dict[str, Any]:
        return {
            "file_name": self.file_name,
            "dry_run": self.dry_run,
            "summary": self.summary,
            "organizations_created": self.organizations_created,
            "columns": self.columns,
            "lines": [line.__dict__ for line in self.lines],
        }

    def as_text(self) -> str:
        """The report as the command prints it: counts as "label : n", which needs no plural."""
        verb = _("Simulation") if self.dry_run else _("Import")
        s = self.summary
        counts = [
            (_("créés"), s["created"]),
            (_("mis à jour"), s["updated"]),
            (_("inchangés"), s["unchanged"]),
            (_("fusionnés"), s["merged"]),
            (_("rejetés"), s["rejected"]),
            (_("structures créées"), len(self.organizations_created)),
        ]
        out = [
            _("%(verb)s de %(file)s : %(counts)s.")
            % {
                "verb": verb,
                "file": self.file_name,
                "counts": " ; ".join(f"{label} : {n}" for label, n in counts),
            }
        ]
        labels = {
            "created": _("créé"),
            "updated": _("mis à jour"),
            "unchanged": _("inchangé"),
            "merged": _("fusionné"),
            "rejected": _("REJETÉ"),
        }
        for line in self.lines:
            detail = f" : {line.detail}" if line.detail else ""
            out.append(
                _("ligne %(number)s · %(outcome)s · %(email)s")
                % {"number": line.number, "outcome": labels[line.outcome], "email": line.email}
                + detail
            )
        return "\n".join(out)


# --- reading --------------------------------------------------------------------------------


# Rows as read, each with the number of the line (CSV) or row (XLSX) where it starts, as the
# coordinator sees it in a text editor or in Excel.
NumberedRows = list[tuple[int, list[str]]]
MAX_EMAIL_LENGTH = 254  # what the directory's address field holds (RFC 5321 path limit)


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
    for index, (_number, row) in enumerate(rows[:10]):
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


# --- cleaning -------------------------------------------------------------------------------


def tidy_name(value: str) -> str:
    value = " ".join(value.split())
    return value.title() if value.isupper() and len(value) > 1 else value


def split_full_name(value: str) -> tuple[str, str]:
    """'DUPONT Marie' or 'Marie Dupont' -> ('Marie', 'Dupont')."""
    words = value.split()
    upper = [w for w in words if w.isupper() and len(w) > 1]
    if upper and len(upper) < len(words):
        return (" ".join(w for w in words if w not in upper), tidy_name(" ".join(upper)))
    if len(words) == 1:
        return "", tidy_name(words[0])
    return words[0], tidy_name(" ".join(words[1:]))


def tidy_phone(value: str) -> str:
    digits = re.sub(r"\D", "", value)
    if len(digits) == 9 and not value.strip().startswith("+"):
        digits = "0" + digits  # Excel drops the leading zero of French numbers
    if len(digits) == 10 and digits.startswith("0"):
        return " ".join(digits[i : i + 2] for i in range(0, 10, 2))
    return " ".join(value.split())


@dataclass
class Record:
    number: int
    email: str
    values: dict[str, str]
    sectors: list[str]
    notes: list[str] = field(default_factory=list)


def clean_row(number: int, row: list[str], mapping: dict[int, str]) -> Record | Line:
    raw = {key: (row[pos] if pos < len(row) else "") for pos, key in mapping.items()}
    if not any(cell.strip() for cell in row):
        return Line(number, "rejected", detail="ligne vide")
    email_cell = raw.get("email", "").strip()
    email_cell = re.sub(r"^mailto:", "", email_cell, flags=re.I)
    match = re.search(r"<([^>]+)>", email_cell)
    if match:
        email_cell = match.group(1)
    if not email_cell:
        return Line(number, "rejected", detail="adresse e-mail manquante")
    if len(re.findall(r"@", email_cell)) > 1:
        return Line(
            number,
            "rejected",
            email_cell,
            "plusieurs adresses dans la même cellule : gardez-en une",
        )
    email = normalize_email(email_cell)
    if len(email) > MAX_EMAIL_LENGTH:
        return Line(
            number,
            "rejected",
            email_cell[:60] + "…",
            f"adresse e-mail trop longue : {len(email)} caractères, {MAX_EMAIL_LENGTH} au plus",
        )
    try:
        validate_email(email)
    except ValidationError:
        return Line(number, "rejected", email_cell, f"adresse e-mail invalide : « {email_cell} »")
    values: dict[str, str] = {}
    first, last = raw.get("first_name", ""), raw.get("last_name", "")
    if not first and not last and raw.get("full_name"):
        first, last = split_full_name(raw["full_name"])
    values["first_name"] = tidy_name(first)
    values["last_name"] = tidy_name(last)
    values["job_title"] = " ".join(raw.get("job_title", "").split())
    values["phone"] = tidy_phone(raw.get("phone", ""))
    values["organization"] = " ".join(raw.get("organization", "").split())
    for key, limit in MAX_LENGTHS.items():
        if len(values[key]) > limit:
            return Line(
                number,
                "rejected",
                email,
                f"« {LABELS[key]} » dépasse {limit} caractères",
            )
    sectors = [s.strip() for s in re.split(r"[,;/]", raw.get("sectors", "")) if s.strip()]
    return Record(number, email, values, sectors)


def merge(primary: Record, later: Record) -> None:
    """A later row of the same person fills what the first one left empty."""
    for key, value in later.values.items():
        if value and not primary.values.get(key):
            primary.values[key] = value
    for sector in later.sectors:
        if sector not in primary.sectors:
            primary.sectors.append(sector)


# --- writing --------------------------------------------------------------------------------


class Importer:
    def __init__(self, territory: Territory, file_name: str) -> None:
        self.territory = territory
        self.file_name = file_name
        self.now = timezone.now()
        self.sectors = {fold(s.name): s for s in Sector.objects.all()}
        self.sectors.update({fold(s.slug): s for s in self.sectors.values()})
        self.organizations: dict[str, Organization] = {}
        for org in Organization.objects.filter(territory=territory):
            self.organizations.setdefault(fold(org.name), org)
            if org.acronym:
                self.organizations.setdefault(fold(org.acronym), org)

    def sector_objects(self, names: Iterable[str], notes: list[str]) -> list[Sector]:
        found = []
        for name in names:
            sector = self.sectors.get(fold(name))
            if sector is None:
                # Match "Santé" to "Santé" and "Logement" to "Logement et habitat".
                sector = next(
                    (s for k, s in self.sectors.items() if k.startswith(fold(name))), None
                )
            if sector is None:
                notes.append(f"secteur inconnu ignoré : « {name} »")
            elif sector not in found:
                found.append(sector)
        return found

    def organization_for(
        self, name: str, record: Record, report: ImportReport
    ) -> Organization | None:
        if not name:
            return None
        org = self.organizations.get(fold(name))
        if org is None:
            org = Organization.objects.create(territory=self.territory, name=name)
            org.sectors.set(self.sector_objects(record.sectors, record.notes))
            self.organizations[fold(name)] = org
            report.organizations_created.append(name)
        return org

    def run(self, rows: NumberedRows, *, dry_run: bool) -> ImportReport:
        report = ImportReport(file_name=self.file_name, dry_run=dry_run)
        header_index, mapping = find_header(rows)
        data = rows[header_index + 1 :]
        while data and not any(data[-1][1]):
            data.pop()
        if len(data) > MAX_DATA_ROWS:
            raise ImportFileError(too_many_rows_message())
        header = rows[header_index][1]
        report.columns = {header[pos]: key for pos, key in mapping.items()}
        records: dict[str, Record] = {}
        ordered: list[Line | Record] = []
        for number, row in data:
            cleaned = clean_row(number, row, mapping)
            if isinstance(cleaned, Record) and cleaned.email in records:
                first = records[cleaned.email]
                merge(first, cleaned)
                ordered.append(
                    Line(
                        cleaned.number,
                        "merged",
                        cleaned.email,
                        f"fusionnée avec la ligne {first.number}",
                    )
                )
                continue
            if isinstance(cleaned, Record):
                records[cleaned.email] = cleaned
            ordered.append(cleaned)
        # Trailing empty rows of a spreadsheet are not worth a rejection line each.
        while ordered and isinstance(ordered[-1], Line) and ordered[-1].detail == "ligne vide":
            ordered.pop()
        suppressed = set(
            SuppressedAddress.objects.filter(
                territory=self.territory, email_sha256__in=[email_hash(e) for e in records]
            ).values_list("email_sha256", flat=True)
        )
        existing = {
            normalize_email(c.email): c
            for c in Contact.objects.filter(territory=self.territory, email__in=list(records))
        }
        with transaction.atomic():
            for item in ordered:
                if isinstance(item, Line):
                    report.lines.append(item)
                else:
                    report.lines.append(self.apply(item, existing, suppressed, report))
            if dry_run:
                transaction.set_rollback(True)
            else:
                # An imported co-pilot is recognised when they sign in, as a typed one is.
                for access in Access.objects.filter(territory=self.territory).select_related(
                    "user"
                ):
                    access_link_contacts(access=access)
        return report

    def apply(
        self,
        record: Record,
        existing: dict[str, Contact],
        suppressed: set[str],
        report: ImportReport,
    ) -> Line:
        if email_hash(record.email) in suppressed:
            return Line(
                record.number,
                "rejected",
                record.email,
                "personne effacée à sa demande (RGPD) : son adresse ne peut pas être réimportée",
            )
        values = record.values
        contact = existing.get(record.email)
        org = self.organization_for(values["organization"], record, report)
        if contact is None:
            contact = Contact.objects.create(
                territory=self.territory,
                email=record.email,
                first_name=values["first_name"],
                last_name=values["last_name"],
                job_title=values["job_title"],
                phone=values["phone"],
                organization=org,
                source=ContactSource.IMPORT,
                source_detail=f"{self.file_name}, ligne {record.number}"[:250],
                last_activity_at=self.now,
            )
            existing[record.email] = contact
            return Line(record.number, "created", record.email, "; ".join(record.notes))
        changed = []
        for key in ("first_name", "last_name", "job_title", "phone"):
            if values[key] and getattr(contact, key) != values[key]:
                setattr(contact, key, values[key])
                changed.append(LABELS[key].lower())
        if org is not None and contact.organization_id != org.pk:
            contact.organization = org
            changed.append("structure")
        if not changed:
            return Line(record.number, "unchanged", record.email, "; ".join(record.notes))
        contact.save()
        detail = "modifié : " + ", ".join(changed)
        return Line(record.number, "updated", record.email, "; ".join([detail, *record.notes]))


def import_partners(
    *, territory: Territory, content: bytes, file_name: str, dry_run: bool = False
) -> ImportReport:
    rows = read_rows(content, file_name)
    if not rows:
        raise ImportFileError(_("Le fichier est vide."))
    return Importer(territory, file_name).run(rows, dry_run=dry_run)
