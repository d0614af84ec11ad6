"""Reference data of the directory: the sectors of public action."""

from __future__ import annotations

from typing import Any

SECTORS = [
    ("sante", "Santé", True),
    ("social", "Social", False),
    ("medico-social", "Médico-social", True),
    ("education", "Éducation", False),
    ("logement", "Logement et habitat", False),
    ("sport", "Sport", False),
    ("culture", "Culture", False),
    ("petite-enfance", "Petite enfance", False),
    ("jeunesse", "Jeunesse", False),
    ("personnes-agees", "Personnes âgées", False),
    ("handicap", "Handicap", False),
    ("emploi", "Emploi et insertion", False),
    ("environnement", "Environnement", False),
    ("transport", "Transports et mobilité", False),
    ("securite", "Sécurité et prévention de la délinquance", False),
    ("urbanisme", "Urbanisme et aménagement", False),
    ("politique-ville", "Politique de la ville", False),
    ("droits-femmes", "Droits des femmes et égalité", False),
    ("justice", "Justice et accès au droit", False),
]


def ensure_sectors(sector_model: Any) -> None:
    """Create the sectors that are missing; never overwrite what an administrator edited."""
    existing = set(sector_model.objects.values_list("slug", flat=True))
    sector_model.objects.bulk_create(
        [
            sector_model(slug=slug, name=name, is_health=health)
            for slug, name, health in SECTORS
            if slug not in existing
        ],
        ignore_conflicts=True,
    )


def restore_after_flush(sender: Any, **kwargs: Any) -> None:
    """post_migrate: also after a test database flush, which empties reference tables."""
    from .models import Sector

    ensure_sectors(Sector)
