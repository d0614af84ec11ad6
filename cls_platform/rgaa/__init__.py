"""Trame's RGAA 4.1 audit grid, and what the accessibility statement derives from it.

The grid lists the 106 criteria of the RGAA 4.1 (référentiel général d'amélioration de
l'accessibilité, DINUM, Licence Ouverte 2.0: their questions are quoted as published), each
conform (C), non-conform (NC) or not applicable (NA) on the whole sample of pages, with what
decided it. The page /accessibilite/, its percentage and the footer's words ("Accessibilité :
partiellement conforme") are computed from it, so that they cannot disagree with it.

How it was filled (a self-evaluation, not a third-party audit): by reading the templates, the
stylesheets and the scripts page by page over the sample below, with axe-core run on those pages
in Chromium, the keyboard tests of the test suite and the Nu Html Checker. No screen reader was
used: a criterion that only a screen reader can settle is counted as non-conform until it is.
A criterion is conform only if it is on every page of the sample, and applicable as soon as it
applies to one of them (RGAA 4.1, « Taux de conformité à la norme »).

To update after a change or a new audit: edit the states and notes in grid.py, and AUDITED_ON.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal

from django.utils import timezone

from .criteria import NA, NC, STATE_LABELS, THEMES, C, Criterion, State
from .grid import GRID

__all__ = ["GRID", "NA", "NC", "STATE_LABELS", "THEMES", "C", "Criterion", "State"]

RGAA_VERSION = "4.1"
AUDITED_ON = dt.date(2026, 12, 3)
# A statement must be renewed three years after it was published; past that, the RGAA treats the
# service as having no valid audit result at all, hence "non conforme".
VALID_YEARS = 3

# The mentions the RGAA prescribes (« Mention obligatoire sur la page d'accueil »).
TOTAL = "totalement conforme"
PARTIAL = "partiellement conforme"
NONE = "non conforme"


# --- The sample and the means of the evaluation (the statement lists them) ----------------------

# Pages of the sample (RGAA 4.1, « Échantillon »). The site has no contact page (the contact is
# given below), no legal notice and no help page.
SAMPLE_PAGES: tuple[tuple[str, str], ...] = (
    ("Connexion", "/connexion/"),
    ("Déclaration d'accessibilité", "/accessibilite/"),
    ("Plan du site", "/plan-du-site/"),
    ("Tableau de bord d'un territoire", "/t/<territoire>/"),
    (
        "Annuaire : structures, contacts, fiche d'un contact, formulaire d'un contact",
        "/t/<territoire>/annuaire/…",
    ),
    ("Import d'un tableau de partenaires", "/t/<territoire>/annuaire/import/"),
    (
        "Contrat, fiche-action avec ses indicateurs, formulaire d'une fiche-action",
        "/t/<territoire>/contrats/…, /t/<territoire>/fiches/…",
    ),
    ("Groupes de travail, page d'un groupe", "/t/<territoire>/groupes/…"),
    (
        "Page d'une réunion (invités, présences) et éditeur du compte-rendu",
        "/t/<territoire>/reunions/…",
    ),
    (
        "Résultats d'une campagne d'évaluation, réseau partenarial, entretiens",
        "/t/<territoire>/enquetes/…, /t/<territoire>/reseau-partenarial/, /t/<territoire>/entretiens/",
    ),
    ("Questionnaire d'un partenaire (lien personnel)", "/t/<territoire>/repondre/…"),
    ("Page personnelle d'un partenaire : coordonnées et envois (lien personnel)", "/partenaire/…"),
    (
        "Réponse à une invitation et page d'une réunion côté partenaire (lien personnel)",
        "/reunion/…",
    ),
    ("Registre des traitements d'un territoire", "/t/<territoire>/registre-des-traitements/"),
    ("PDF d'un compte-rendu et d'un contrat", "…/compte-rendu.pdf, …/contrats/…/pdf/"),
)
TECHNOLOGIES: tuple[str, ...] = (
    "HTML5",
    "CSS",
    "JavaScript (sans bibliothèque)",
    "WAI-ARIA",
    "SVG",
    "PDF balisé (PDF/UA-1)",
)
# Browsers and assistive technologies: the RGAA asks for the combinations really used.
TEST_ENVIRONMENT = "Chromium (version de Debian), piloté par Playwright, sans lecteur d'écran."
TOOLS: tuple[str, ...] = (
    "axe-core 4.12 (règles WCAG 2.1 A et AA et bonnes pratiques), lancé dans Chromium sur chaque page de l'échantillon par la suite de tests",
    "Tests au clavier automatisés (Playwright) : lien d'évitement, ordre de tabulation, sélecteurs et éditeur",
    "Nu Html Checker (validateur HTML du W3C)",
    "Lecture des gabarits, des feuilles de styles et des scripts, critère par critère",
)
DISPROPORTIONATE_BURDEN: tuple[str, ...] = ()
EXEMPT_CONTENTS: tuple[str, ...] = (
    "Les documents joints aux réunions par les partenaires (présentations, affiches, rapports) : "
    "contenus de tiers que ni la coordination du CLS ni l'exploitant de Trame ne produisent ni ne "
    "contrôlent.",
)


# --- Results ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Results:
    """The figures of the statement: counts, percentage of criteria met, status."""

    conform: int
    non_conform: int
    not_applicable: int
    audited_on: dt.date
    valid_until: dt.date
    today: dt.date

    @property
    def total(self) -> int:
        return self.conform + self.non_conform + self.not_applicable

    @property
    def applicable(self) -> int:
        return self.conform + self.non_conform

    @property
    def rate(self) -> Decimal | None:
        """Percentage of criteria met: conform / (conform + non-conform), RGAA's formula.

        Rounded down to a tenth, so that the page never claims more than the grid supports.
        """
        if not self.applicable:
            return None
        exact = Decimal(100 * self.conform) / Decimal(self.applicable)
        return exact.quantize(Decimal("0.1"), rounding=ROUND_DOWN)

    @property
    def is_current(self) -> bool:
        return self.today <= self.valid_until

    @property
    def level(self) -> str:
        """ "total", "partial" or "none", as the RGAA defines them: partial from half of the
        applicable criteria met; none below, or without an audit still valid."""
        if not self.is_current or not self.applicable:
            return "none"
        if not self.non_conform:
            return "total"
        return "partial" if 2 * self.conform >= self.applicable else "none"

    @property
    def status(self) -> str:
        """The mention « totalement / partiellement / non conforme »."""
        return {"total": TOTAL, "partial": PARTIAL, "none": NONE}[self.level]


@dataclass(frozen=True)
class ThemeResult:
    number: int
    title: str
    conform: int
    non_conform: int
    not_applicable: int


def _years_later(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def results(
    grid: tuple[Criterion, ...] = GRID,
    *,
    audited_on: dt.date = AUDITED_ON,
    today: dt.date | None = None,
) -> Results:
    states = [criterion.state for criterion in grid]
    return Results(
        conform=states.count(C),
        non_conform=states.count(NC),
        not_applicable=states.count(NA),
        audited_on=audited_on,
        valid_until=_years_later(audited_on, VALID_YEARS),
        today=today or timezone.localdate(),
    )


def theme_results(grid: tuple[Criterion, ...] = GRID) -> list[ThemeResult]:
    found = []
    for number, title in THEMES.items():
        states = [c.state for c in grid if c.theme == number]
        found.append(
            ThemeResult(number, title, states.count(C), states.count(NC), states.count(NA))
        )
    return found


def non_conformities(grid: tuple[Criterion, ...] = GRID) -> list[Criterion]:
    return [criterion for criterion in grid if criterion.state == NC]
