"""Import of the spreadsheets coordinators keep (CSV or XLSX) into the directory, in one place.

A file is read and cleaned once (`stage_file`) into a staged result: the rows to write, in the
file's order, and the lines already decided (rejected, or merged into an earlier row of the same
person). The upload page keeps that staged result, signed, on its `PartnerImport` row and shows
the preview it gives (`partner_import_stage`); the confirmation writes the very same rows
(`partner_import_confirm`) without reading the file again, and refuses, in French, a staging
that was altered, has expired, or would no longer give what the preview showed (the directory
changed in between). `manage.py import_partners` stages and writes in one go (`import_partners`).

Writing is strict: every row is created, updated, merged into an earlier row of the same person,
or rejected with its line number and reason, and the whole import happens in one transaction,
so a failure changes nothing.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cls_platform.models import Access, Territory, User

from .import_reading import ImportFileError, fold, read_table
from .models import (
    Contact,
    ContactSource,
    Organization,
    PartnerImport,
    Sector,
    SuppressedAddress,
    email_hash,
    normalize_email,
)
from .services import access_link_contacts, pending_import_days

MAX_EMAIL_LENGTH = 254  # what the directory's address field holds (RFC 5321 path limit)

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
    """A row to write: one person, cleaned, with the sectors their structure may take."""

    number: int
    email: str
    values: dict[str, str]
    sectors: list[str]


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


# --- the staged result ----------------------------------------------------------------------

STAGING_SALT = "trame.partners.import-staging"
# Bumped whenever Record or Line change shape: a staging of the previous shape is refused.
STAGING_VERSION = 1


class StagingRefused(ImportFileError):
    """The staged result cannot be written: altered, expired, or no longer what the preview
    showed. Nothing is imported; the message (in French) says so."""


def staging_refused() -> StagingRefused:
    return StagingRefused(
        _("Cet aperçu n'est plus valable : rien n'a été importé. Déposez le fichier à nouveau.")
    )


@dataclass
class StagedImport:
    """A file read and cleaned once: the rows to write and the lines already decided (rejected,
    merged), in the file's order. The preview and the confirmation both write these."""

    file_name: str
    columns: dict[str, str]
    items: list[Record | Line]

    def records(self) -> list[Record]:
        return [item for item in self.items if isinstance(item, Record)]

    def signed(self, *, territory: Territory) -> bytes:
        """The staged result as kept between the preview and the confirmation: signed for
        this territory, so that a staging altered or moved since is refused, never written."""
        payload = {
            "version": STAGING_VERSION,
            "territory": territory.pk,
            "file_name": self.file_name,
            "columns": self.columns,
            "items": [
                ["line" if isinstance(item, Line) else "record", asdict(item)]
                for item in self.items
            ],
        }
        return signing.dumps(payload, salt=STAGING_SALT, compress=True).encode("ascii")

    @classmethod
    def from_signed(cls, data: bytes, *, territory: Territory) -> StagedImport:
        """The staged result `signed` kept, or StagingRefused if it was altered, made for
        another territory or another shape, or is older than an upload is kept."""
        try:
            payload = signing.loads(
                bytes(data).decode("ascii"),
                salt=STAGING_SALT,
                max_age=dt.timedelta(days=pending_import_days()),
            )
            if payload["version"] != STAGING_VERSION or payload["territory"] != territory.pk:
                raise staging_refused()
            items: list[Record | Line] = [
                Line(**fields) if kind == "line" else Record(**fields)
                for kind, fields in payload["items"]
            ]
            return cls(file_name=payload["file_name"], columns=payload["columns"], items=items)
        except (signing.BadSignature, UnicodeDecodeError, KeyError, TypeError, ValueError):
            raise staging_refused() from None


def stage_file(content: bytes, file_name: str) -> StagedImport:
    """Read and clean the file once (ImportFileError, in French, if it cannot be)."""
    table = read_table(content, file_name)
    records: dict[str, Record] = {}
    items: list[Record | Line] = []
    for number, row in table.rows:
        cleaned = clean_row(number, row, table.mapping)
        if isinstance(cleaned, Record) and cleaned.email in records:
            first = records[cleaned.email]
            merge(first, cleaned)
            items.append(
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
        items.append(cleaned)
    # Trailing empty rows of a spreadsheet are not worth a rejection line each.
    while items and isinstance(items[-1], Line) and items[-1].detail == "ligne vide":
        items.pop()
    return StagedImport(file_name=file_name, columns=table.columns, items=items)


def stale_message(preview: dict[str, Any], report: ImportReport) -> str:
    """Why the rows just written differ from what the preview showed ("" when they do not):
    the directory changed in between (someone added a person the file creates...)."""
    written = report.as_dict()
    shown = preview.get("lines", [])
    for index in range(max(len(shown), len(written["lines"]))):
        before = shown[index] if index < len(shown) else None
        after = written["lines"][index] if index < len(written["lines"]) else None
        if before != after:
            return _(
                "L'annuaire a changé depuis cet aperçu (ligne %(line)s du fichier) : rien n'a "
                "été importé. Déposez le fichier à nouveau pour voir ce qui sera importé."
            ) % {"line": (after or before or {}).get("number", "?")}
    if preview.get("organizations_created") != written["organizations_created"]:
        return _(
            "L'annuaire a changé depuis cet aperçu (ses structures) : rien n'a été importé. "
            "Déposez le fichier à nouveau pour voir ce qui sera importé."
        )
    return ""


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
        self, name: str, record: Record, notes: list[str], report: ImportReport
    ) -> Organization | None:
        if not name:
            return None
        org = self.organizations.get(fold(name))
        if org is None:
            org = Organization.objects.create(territory=self.territory, name=name)
            org.sectors.set(self.sector_objects(record.sectors, notes))
            self.organizations[fold(name)] = org
            report.organizations_created.append(name)
        return org

    def run(self, staged: StagedImport, *, dry_run: bool) -> ImportReport:
        report = ImportReport(file_name=self.file_name, dry_run=dry_run, columns=staged.columns)
        emails = [record.email for record in staged.records()]
        suppressed = set(
            SuppressedAddress.objects.filter(
                territory=self.territory, email_sha256__in=[email_hash(e) for e in emails]
            ).values_list("email_sha256", flat=True)
        )
        existing = {
            normalize_email(c.email): c
            for c in Contact.objects.filter(territory=self.territory, email__in=emails)
        }
        with transaction.atomic():
            for item in staged.items:
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
        notes: list[str] = []
        contact = existing.get(record.email)
        org = self.organization_for(values["organization"], record, notes, report)
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
            return Line(record.number, "created", record.email, "; ".join(notes))
        changed = []
        for key in ("first_name", "last_name", "job_title", "phone"):
            if values[key] and getattr(contact, key) != values[key]:
                setattr(contact, key, values[key])
                changed.append(LABELS[key].lower())
        if org is not None and contact.organization_id != org.pk:
            contact.organization = org
            changed.append("structure")
        if not changed:
            return Line(record.number, "unchanged", record.email, "; ".join(notes))
        contact.save()
        detail = "modifié : " + ", ".join(changed)
        return Line(record.number, "updated", record.email, "; ".join([detail, *notes]))


def import_partners(
    *, territory: Territory, content: bytes, file_name: str, dry_run: bool = False
) -> ImportReport:
    """Read, clean and write a file in one go (`manage.py import_partners`)."""
    staged = stage_file(content, file_name)
    return Importer(territory, file_name).run(staged, dry_run=dry_run)


# --- the upload page's services -------------------------------------------------------------


@transaction.atomic
def partner_import_stage(
    *, territory: Territory, content: bytes, file_name: str, uploaded_by: User | None
) -> PartnerImport:
    """Read and clean the file once, and keep that staged result with the preview it gives;
    nothing of the directory changes. ImportFileError (in French) if the file cannot be read."""
    staged = stage_file(content, file_name)
    preview = Importer(territory, file_name).run(staged, dry_run=True)
    return PartnerImport.objects.create(
        territory=territory,
        file_name=file_name,
        content=staged.signed(territory=territory),
        uploaded_by=uploaded_by,
        report=preview.as_dict(),
    )


@transaction.atomic
def partner_import_confirm(*, partner_import: PartnerImport) -> bool:
    """Write the rows the preview showed, as staged (the file is not read again). Returns False
    when the import was already confirmed (two clicks); StagingRefused, and nothing written, when
    the staging was altered or expired, or the directory changed since the preview."""
    locked = PartnerImport.objects.select_for_update().get(pk=partner_import.pk)
    if locked.applied_at is not None:
        return False
    staged = StagedImport.from_signed(bytes(locked.content), territory=locked.territory)
    report = Importer(locked.territory, staged.file_name).run(staged, dry_run=False)
    stale = stale_message(locked.report or {}, report)
    if stale:
        raise StagingRefused(stale)  # leaving the atomic block undoes every row written above
    locked.report = report.as_dict()
    locked.applied_at = timezone.now()
    locked.content = b""  # personal data is kept no longer than needed
    locked.save()
    return True
