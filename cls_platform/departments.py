"""The 101 French departments: code, name and region, for the territories' department code.

A territory records its department by code (as INSEE writes it: "01" to "95", "2A" and "2B" for
Corsica, "971" to "976" overseas); pages and exports show the name beside it, and a search for
"Val-de-Marne" or "marne" finds the territories of the matching codes. Regions are those since
2016.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

ARA = "Auvergne-Rhône-Alpes"
BFC = "Bourgogne-Franche-Comté"
BRE = "Bretagne"
CVL = "Centre-Val de Loire"
COR = "Corse"
GES = "Grand Est"
HDF = "Hauts-de-France"
IDF = "Île-de-France"
NOR = "Normandie"
NAQ = "Nouvelle-Aquitaine"
OCC = "Occitanie"
PDL = "Pays de la Loire"
PAC = "Provence-Alpes-Côte d'Azur"


@dataclass(frozen=True)
class Department:
    code: str
    name: str
    region: str

    @property
    def label(self) -> str:
        """ "95 · Val-d'Oise": what a select or a table cell shows."""
        return f"{self.code} · {self.name}"


_TABLE = [
    ("01", "Ain", ARA),
    ("02", "Aisne", HDF),
    ("03", "Allier", ARA),
    ("04", "Alpes-de-Haute-Provence", PAC),
    ("05", "Hautes-Alpes", PAC),
    ("06", "Alpes-Maritimes", PAC),
    ("07", "Ardèche", ARA),
    ("08", "Ardennes", GES),
    ("09", "Ariège", OCC),
    ("10", "Aube", GES),
    ("11", "Aude", OCC),
    ("12", "Aveyron", OCC),
    ("13", "Bouches-du-Rhône", PAC),
    ("14", "Calvados", NOR),
    ("15", "Cantal", ARA),
    ("16", "Charente", NAQ),
    ("17", "Charente-Maritime", NAQ),
    ("18", "Cher", CVL),
    ("19", "Corrèze", NAQ),
    ("2A", "Corse-du-Sud", COR),
    ("2B", "Haute-Corse", COR),
    ("21", "Côte-d'Or", BFC),
    ("22", "Côtes-d'Armor", BRE),
    ("23", "Creuse", NAQ),
    ("24", "Dordogne", NAQ),
    ("25", "Doubs", BFC),
    ("26", "Drôme", ARA),
    ("27", "Eure", NOR),
    ("28", "Eure-et-Loir", CVL),
    ("29", "Finistère", BRE),
    ("30", "Gard", OCC),
    ("31", "Haute-Garonne", OCC),
    ("32", "Gers", OCC),
    ("33", "Gironde", NAQ),
    ("34", "Hérault", OCC),
    ("35", "Ille-et-Vilaine", BRE),
    ("36", "Indre", CVL),
    ("37", "Indre-et-Loire", CVL),
    ("38", "Isère", ARA),
    ("39", "Jura", BFC),
    ("40", "Landes", NAQ),
    ("41", "Loir-et-Cher", CVL),
    ("42", "Loire", ARA),
    ("43", "Haute-Loire", ARA),
    ("44", "Loire-Atlantique", PDL),
    ("45", "Loiret", CVL),
    ("46", "Lot", OCC),
    ("47", "Lot-et-Garonne", NAQ),
    ("48", "Lozère", OCC),
    ("49", "Maine-et-Loire", PDL),
    ("50", "Manche", NOR),
    ("51", "Marne", GES),
    ("52", "Haute-Marne", GES),
    ("53", "Mayenne", PDL),
    ("54", "Meurthe-et-Moselle", GES),
    ("55", "Meuse", GES),
    ("56", "Morbihan", BRE),
    ("57", "Moselle", GES),
    ("58", "Nièvre", BFC),
    ("59", "Nord", HDF),
    ("60", "Oise", HDF),
    ("61", "Orne", NOR),
    ("62", "Pas-de-Calais", HDF),
    ("63", "Puy-de-Dôme", ARA),
    ("64", "Pyrénées-Atlantiques", NAQ),
    ("65", "Hautes-Pyrénées", OCC),
    ("66", "Pyrénées-Orientales", OCC),
    ("67", "Bas-Rhin", GES),
    ("68", "Haut-Rhin", GES),
    ("69", "Rhône", ARA),
    ("70", "Haute-Saône", BFC),
    ("71", "Saône-et-Loire", BFC),
    ("72", "Sarthe", PDL),
    ("73", "Savoie", ARA),
    ("74", "Haute-Savoie", ARA),
    ("75", "Paris", IDF),
    ("76", "Seine-Maritime", NOR),
    ("77", "Seine-et-Marne", IDF),
    ("78", "Yvelines", IDF),
    ("79", "Deux-Sèvres", NAQ),
    ("80", "Somme", HDF),
    ("81", "Tarn", OCC),
    ("82", "Tarn-et-Garonne", OCC),
    ("83", "Var", PAC),
    ("84", "Vaucluse", PAC),
    ("85", "Vendée", PDL),
    ("86", "Vienne", NAQ),
    ("87", "Haute-Vienne", NAQ),
    ("88", "Vosges", GES),
    ("89", "Yonne", BFC),
    ("90", "Territoire de Belfort", BFC),
    ("91", "Essonne", IDF),
    ("92", "Hauts-de-Seine", IDF),
    ("93", "Seine-Saint-Denis", IDF),
    ("94", "Val-de-Marne", IDF),
    ("95", "Val-d'Oise", IDF),
    ("971", "Guadeloupe", "Guadeloupe"),
    ("972", "Martinique", "Martinique"),
    ("973", "Guyane", "Guyane"),
    ("974", "La Réunion", "La Réunion"),
    ("976", "Mayotte", "Mayotte"),
]

# In INSEE's order (Corsica between 19 and 21), which is also the order of every list.
DEPARTMENTS: dict[str, Department] = {code: Department(code, n, r) for code, n, r in _TABLE}
ORDER = {code: index for index, code in enumerate(DEPARTMENTS)}

# A commune's INSEE code: its department's code, then the commune's number (3 digits, or 2
# overseas where the department takes 3).
INSEE_PATTERN = re.compile(r"^(?:\d{5}|2[AB]\d{3})$")


def department(code: str | None) -> Department | None:
    return DEPARTMENTS.get((code or "").strip().upper())


def department_name(code: str | None) -> str:
    """The department's name, "" for an empty or unknown code."""
    found = department(code)
    return found.name if found else ""


def department_label(code: str | None) -> str:
    """ "95 · Val-d'Oise"; an unknown code as it is (kept visible rather than hidden)."""
    found = department(code)
    return found.label if found else (code or "")


def sort_key(code: str | None) -> tuple[int, str]:
    """INSEE's order, unknown codes after the known ones."""
    code = (code or "").strip().upper()
    return (ORDER.get(code, len(ORDER)), code)


def fold(text: str) -> str:
    """Lower case without accents, apostrophes and hyphens as spaces: "Val-d'Oise" and
    "val d oise" fold alike."""
    text = unicodedata.normalize("NFKD", text.casefold())
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(re.sub(r"[-'’]", " ", text).split())


def codes_matching(text: str) -> list[str]:
    """The codes of the departments whose code is `text` or whose name contains it, whatever
    its accents and capitals: "94" → ["94"], "marne" → ["51", "52", "77", "94"]."""
    wanted = fold(text)
    if not wanted:
        return []
    return [
        d.code
        for d in DEPARTMENTS.values()
        if d.code.casefold() == wanted or wanted in fold(d.name)
    ]


def validate_department_code(value: str) -> None:
    if value and value.upper() not in DEPARTMENTS:
        raise ValidationError(
            _(
                "« %(value)s » n'est pas un code de département : deux caractères de 01 à 95, "
                "2A ou 2B pour la Corse, trois chiffres de 971 à 976 pour l'outre-mer."
            ),
            code="invalid_department",
            params={"value": value},
        )


def validate_insee_code(value: str) -> None:
    if value and not INSEE_PATTERN.match(value.upper()):
        raise ValidationError(
            _(
                "« %(value)s » n'est pas un code INSEE de commune : cinq caractères, par exemple "
                "95127 pour Cergy ou 2A004 pour Ajaccio."
            ),
            code="invalid_insee",
            params={"value": value},
        )
