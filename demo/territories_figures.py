"""What an ARS delegation compares its contracts by, for the demo's two territories: INSEE code,
department and population (the table of all the contracts, /contrats/).

Populations: INSEE, recensement de la population 2022 (populations légales in force on
1 January 2025), population municipale. Idempotent: `seed_demo` calls `seed_territory_figures`
after the territories are created.
"""

from __future__ import annotations

from cls_platform.models import Territory

FIGURES = {
    "cergy": {
        "insee_code": "95127",
        "department_code": "95",
        "population": 69_965,
        "population_year": 2022,
    },
    "vitry-sur-seine": {
        "insee_code": "94081",
        "department_code": "94",
        "population": 95_282,
        "population_year": 2022,
    },
}


def seed_territory_figures(territories: dict[str, Territory] | None = None) -> None:
    """Record the figures on the demo's territories (by slug; those missing are skipped)."""
    if territories is None:
        territories = {t.slug: t for t in Territory.objects.filter(slug__in=FIGURES)}
    for slug, figures in FIGURES.items():
        territory = territories.get(slug)
        if territory is None:
            continue
        changed = [name for name, value in figures.items() if getattr(territory, name) != value]
        for name in changed:
            setattr(territory, name, figures[name])
        if changed:
            territory.full_clean()
            territory.save(update_fields=changed)
