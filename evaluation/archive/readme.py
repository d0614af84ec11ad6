"""The README of a territory's archive (French, plain text): what each file holds, each column,
the formats, and what is not in the archive. Written from the same table list as the files, so
that the two never disagree."""

from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING

from django.db import models
from django.utils import formats

from .tables import (
    CHOICE_LABEL,
    FILE,
    LABEL,
    LABELS,
    PERSON,
    RICH_HTML,
    RICH_TEXT,
    ROW_ID,
    ROW_IDS,
    TABLES,
    Column,
    left_out,
)

if TYPE_CHECKING:
    from .building import ArchiveSummary

WIDTH = 78


def plural(count: int, singular: str, several: str) -> str:
    """French: 0 and 1 take the singular."""
    return f"{count} {singular if count <= 1 else several}"


def kind_of(column: Column) -> str:
    """The column's type, as the README names it."""
    if column.kind == ROW_ID:
        return ""
    if column.kind == ROW_IDS:
        return "séparés par «\u00a0|\u00a0» (liste en JSON)"
    if column.kind == LABELS:
        return "libellés séparés par «\u00a0|\u00a0» (liste en JSON)"
    if column.kind in (LABEL, PERSON, CHOICE_LABEL):
        return "texte"
    if column.kind in (FILE, RICH_HTML, RICH_TEXT):
        return "son chemin dans l'archive, vide s'il n'y en a pas"
    model_field = column.field
    if isinstance(model_field, models.DateTimeField):
        return "date et heure ISO 8601, heure de Paris"
    if isinstance(model_field, models.DateField):
        return "date AAAA-MM-JJ"
    if isinstance(model_field, models.BooleanField):
        return "oui/non (true/false en JSON)"
    if isinstance(model_field, models.DecimalField):
        return "nombre décimal écrit avec un point (texte en JSON, pour garder chaque chiffre)"
    if isinstance(model_field, models.IntegerField | models.AutoField | models.BigAutoField):
        return "nombre entier"
    if isinstance(model_field, models.JSONField):
        return "JSON"
    if isinstance(model_field, models.UUIDField):
        return "identifiant UUID"
    return "texte"


def describe(column: Column) -> str:
    kind = kind_of(column)
    text = f"{column.description} ; {kind}" if kind else column.description
    if column.kind == "value" and column.field.choices:
        codes = " ; ".join(f"{code} = {label}" for code, label in column.field.flatchoices)
        text += f". Codes : {codes}"
    return text


def wrapped(text: str, indent: str = "", hang: str = "  ") -> list[str]:
    """Lines of at most WIDTH characters; those after the first start with `indent + hang`."""
    return textwrap.wrap(
        text,
        width=WIDTH,
        initial_indent=indent,
        subsequent_indent=indent + hang,
        break_long_words=False,
        break_on_hyphens=False,
    ) or [indent]


def paragraph(text: str) -> list[str]:
    return wrapped(text, hang="")


def heading(title: str) -> list[str]:
    return ["", title, "-" * len(title), ""]


def readme_text(summary: ArchiveSummary) -> str:
    territory = summary.territory
    made_at = formats.date_format(summary.made_at, "j F Y à H:i")
    rows = {item.table.path: item.rows for item in summary.tables}
    title = f"Archive des données du Contrat local de santé de {territory.name}"
    lines = [title, "=" * len(title), ""]
    lines += paragraph(
        f"Produite par Trame le {made_at}"
        + (f", à la demande de {summary.made_by}" if summary.made_by else "")
        + ". Elle contient toutes les données du territoire dans Trame : l'annuaire, les "
        "contrats, leurs axes et fiches-actions, les indicateurs et leurs mesures, les groupes, "
        "les réunions, les invitations et les présences, les comptes-rendus et leurs documents, "
        "les questionnaires et leurs réponses, les entretiens. Chaque table est donnée deux "
        "fois, en CSV (pour un tableur) et en JSON (pour un programme), avec les mêmes colonnes."
    )
    lines.append("")
    lines += paragraph(
        "Elle contient des données personnelles (noms, adresses e-mail, téléphones, réponses) : "
        "gardez-la en lieu sûr, ne la transmettez qu'à qui en a besoin, effacez-la quand elle "
        "ne sert plus."
    )

    lines += heading("Contenu")
    lines.append("- README.txt : ce fichier.")
    for table in TABLES:
        count = plural(rows.get(table.path, 0), "ligne", "lignes")
        lines += wrapped(
            f"- {table.path}.csv et {table.path}.json : {table.model._meta.verbose_name_plural} "
            f"({count}). "
            f"{table.description}"
        )
    lines += wrapped(
        "- reunions/comptes-rendus/<id>.html et <id>.txt : le compte-rendu de la réunion <id> "
        f"(voir reunions/reunions.csv), en HTML et en texte "
        f"({plural(summary.reports, 'compte-rendu', 'comptes-rendus')})."
    )
    lines += wrapped(
        "- documents/<table>/<id>/<fichier> : les fichiers déposés (PDF signé des contrats, "
        "PDF des comptes-rendus, documents des réunions), rangés par table et par ligne "
        f"({plural(summary.documents, 'fichier', 'fichiers')})."
    )

    lines += heading("Format des fichiers")
    for rule in (
        "CSV : UTF-8 avec BOM, séparateur point-virgule, une ligne d'en-tête avec le nom des "
        "colonnes ; un tableur français l'ouvre d'un double clic.",
        "JSON : un tableau d'objets, un objet par ligne de la table, avec les mêmes clés que "
        "les colonnes du CSV ; null quand il n'y a rien.",
        "Dates : AAAA-MM-JJ ; dates et heures : ISO 8601 à l'heure de Paris, avec le décalage "
        "(par exemple 2026-03-12T14:00:00+01:00).",
        "Oui/non : «\u00a0oui\u00a0» ou «\u00a0non\u00a0» en CSV, true ou false en JSON.",
        "Plusieurs valeurs dans une colonne : séparées par «\u00a0|\u00a0» en CSV, une liste en JSON.",
        "Identifiants : «\u00a0id\u00a0» identifie chaque ligne de sa table ; une colonne «\u00a0x_id\u00a0» donne "
        "l'id d'une ligne d'une autre table, nommée dans la description de la colonne.",
        "Cellule qui commence par =, +, -, @ : précédée d'une apostrophe en CSV, pour qu'aucun "
        "tableur ne l'exécute comme une formule ; le JSON garde la valeur exacte.",
        "Une personne effacée à sa demande garde sa ligne dans annuaire/contacts, sans nom ni "
        "coordonnées : ses invitations et ses réponses restent comptées, sans nom.",
    ):
        lines += wrapped(f"- {rule}")

    lines += heading("Colonnes, fichier par fichier")
    for table in TABLES:
        lines += wrapped(f"{table.path}.csv et .json ({table.title})")
        for column in table.columns:
            lines += wrapped(f"{column.key} : {describe(column)}", indent="  ", hang="    ")
        lines.append("")

    lines += heading("Ce qui n'est pas dans l'archive")
    for data, reason in left_out():
        lines += wrapped(f"- {data} : {reason}.")

    if summary.missing:
        lines += heading("Documents absents")
        lines += paragraph(
            "Ces fichiers sont nommés dans les données mais n'ont pas été trouvés dans le "
            "dossier des fichiers de l'instance ; leur colonne est vide :"
        )
        for where, name in summary.missing:
            lines += wrapped(f"- {where} : {name}")
    return "\n".join(lines).rstrip() + "\n"
