"""The CSV files of the open data: flat views of the JSON document (export.py), one per kind of
record, linked by their identifiers (contratId, ficheActionId, indicateurId).

UTF-8, comma-separated, one header line; empty cell for a missing value; several values in one
cell (publics, axes of the Ottawa Charter...) separated by ";"; booleans written true / false;
dates ISO 8601; decimal point.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

from cls_platform.spreadsheets import csv_cell

LIST_SEPARATOR = ";"
Row = dict[str, Any]


@dataclass(frozen=True)
class Table:
    slug: str
    title: Any
    description: Any
    columns: tuple[str, ...]
    rows: Callable[[dict[str, Any]], Iterator[Row]]

    @property
    def filename(self) -> str:
        return f"{self.slug}.csv"


def contract_rows(document: dict[str, Any]) -> Iterator[Row]:
    territory = document["collectivite"]
    for contract in document["contrats"]:
        yield {
            "collectivite": territory["nom"],
            "codeInsee": territory["codeInsee"],
            **{
                k: v
                for k, v in contract.items()
                if k not in ("signataires", "axes", "fichesActions")
            },
            "nombreAxes": len(contract["axes"]),
            "nombreFichesActions": len(contract["fichesActions"]),
        }


def signatory_rows(document: dict[str, Any]) -> Iterator[Row]:
    for contract in document["contrats"]:
        for signatory in contract["signataires"]:
            yield {"contratId": contract["id"], **signatory}


def axis_rows(document: dict[str, Any]) -> Iterator[Row]:
    for contract in document["contrats"]:
        for axis in contract["axes"]:
            yield {"contratId": contract["id"], **axis}


def fiche_rows(document: dict[str, Any]) -> Iterator[Row]:
    for contract in document["contrats"]:
        for fiche in contract["fichesActions"]:
            carrier = fiche["porteur"] or {}
            yield {
                "contratId": contract["id"],
                **{k: v for k, v in fiche.items() if k not in ("porteur", "qpv", "indicateurs")},
                "qpv": [qpv["nom"] for qpv in fiche["qpv"]],
                "porteurNom": carrier.get("nom"),
                "porteurSigle": carrier.get("sigle"),
                "porteurType": carrier.get("type"),
                "porteurTypeLibelle": carrier.get("typeLibelle"),
                "nombreIndicateurs": len(fiche["indicateurs"]),
            }


def indicators_of(document: dict[str, Any]) -> Iterator[tuple[dict, dict, dict]]:
    for contract in document["contrats"]:
        for fiche in contract["fichesActions"]:
            for indicator in fiche["indicateurs"]:
                yield contract, fiche, indicator


def indicator_rows(document: dict[str, Any]) -> Iterator[Row]:
    for contract, fiche, indicator in indicators_of(document):
        yield {
            "contratId": contract["id"],
            "ficheActionId": fiche["id"],
            "ficheActionNumero": fiche["numero"],
            **{k: v for k, v in indicator.items() if k != "mesures"},
            "nombreMesures": len(indicator["mesures"]),
        }


def measurement_rows(document: dict[str, Any]) -> Iterator[Row]:
    for contract, fiche, indicator in indicators_of(document):
        for measurement in indicator["mesures"]:
            yield {
                "contratId": contract["id"],
                "ficheActionId": fiche["id"],
                "indicateurId": indicator["id"],
                **measurement,
            }


TABLES: dict[str, Table] = {
    table.slug: table
    for table in (
        Table(
            "contrats",
            _("Contrats"),
            _("Les contrats publiés : dispositif, période, état, dates de signature et de clôture."),
            (
                "collectivite", "codeInsee", "id", "dispositif", "dispositifLibelle", "titre",
                "anneeDebut", "anneeFin", "statut", "statutLibelle", "dateSignature",
                "dateCloture", "contratPrecedentId", "datePublication", "dateMiseAJour",
                "nombreAxes", "nombreFichesActions",
            ),
            contract_rows,
        ),
        Table(
            "signataires",
            _("Signataires"),
            _("Les structures signataires de chaque contrat, dans l'ordre de signature."),
            ("contratId", "ordre", "nom", "sigle", "type", "typeLibelle", "dateSignature"),
            signatory_rows,
        ),
        Table(
            "axes",
            _("Axes"),
            _("Les axes thématiques et transversaux de chaque contrat."),
            ("contratId", "id", "type", "numero", "libelle", "titre"),
            axis_rows,
        ),
        Table(
            "fiches-actions",
            _("Fiches-actions"),
            _(
                "Les actions de chaque contrat : axe, état et phase, dates, publics, axes de la "
                "Charte d'Ottawa, quartiers, structure porteuse et budget."
            ),
            (
                "contratId", "id", "numero", "nom", "axeThematiqueId", "axeThematiqueNumero",
                "axesTransversauxNumeros", "statut", "statutLibelle", "phase", "phaseStatut",
                "enRetard", "avancement", "dateDebutPrevisionnelle", "dateFinPrevisionnelle",
                "publics", "axesOttawa", "territoireIntervention", "qpv",
                "participationHabitants", "porteurNom", "porteurSigle", "porteurType",
                "porteurTypeLibelle", "budgetPrevisionnel", "financementsAcquis",
                "financementsDemandes", "dateMiseAJour", "nombreIndicateurs",
            ),
            fiche_rows,
        ),
        Table(
            "indicateurs",
            _("Indicateurs"),
            _("Les indicateurs des fiches-actions, avec leur valeur de départ et leur cible."),
            (
                "contratId", "ficheActionId", "ficheActionNumero", "id", "type", "typeLibelle",
                "nom", "unite", "valeurInitiale", "cible", "source", "frequence",
                "nombreMesures",
            ),
            indicator_rows,
        ),
        Table(
            "mesures",
            _("Mesures des indicateurs"),
            _("Les valeurs mesurées de chaque indicateur, datées."),
            ("contratId", "ficheActionId", "indicateurId", "date", "valeur"),
            measurement_rows,
        ),
    )
}  # fmt: skip


def cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return csv_cell(LIST_SEPARATOR.join(cell(item) for item in value))
    # A title typed as "=HYPERLINK(...)" stays text in the spreadsheet that opens the file;
    # numbers (a negative value) are not texts and stay as they are.
    return str(csv_cell(value))


def table_csv(table: Table, document: dict[str, Any]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(table.columns)
    for row in table.rows(document):
        writer.writerow([cell(row[column]) for column in table.columns])
    return out.getvalue()
