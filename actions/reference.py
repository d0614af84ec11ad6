"""Reference data of the contracts: publics, Ottawa Charter areas, collaboration scale."""

from __future__ import annotations

from typing import Any

PUBLICS = [
    ("tout-public", "Tout public"),
    ("petite-enfance", "Petite enfance (0-6 ans)"),
    ("enfants", "Enfants"),
    ("jeunes", "Adolescents et jeunes adultes"),
    ("etudiants", "Étudiants"),
    ("familles", "Parents et familles"),
    ("femmes", "Femmes"),
    ("personnes-agees", "Personnes âgées"),
    ("handicap", "Personnes en situation de handicap"),
    ("precarite", "Personnes en situation de précarité"),
    ("habitants-qpv", "Habitants des quartiers prioritaires"),
    ("professionnels", "Professionnels"),
    ("aidants", "Aidants"),
]

OTTAWA = [
    ("politiques", "Élaborer une politique publique saine"),
    ("milieux", "Créer des milieux favorables"),
    ("communautaire", "Renforcer l'action communautaire"),
    ("aptitudes", "Acquérir des aptitudes individuelles"),
    ("services", "Réorienter les services de santé"),
]

# Bilodeau, Parent, Potvin (2019): four levels of intersectoral collaboration.
LEVELS = [
    (1, "Échange d'informations", "Les structures se tiennent informées de leurs actions."),
    (2, "Coordination", "Les structures ajustent leurs actions pour qu'elles se complètent."),
    (3, "Coopération", "Les structures mettent des ressources en commun pour une action."),
    (
        4,
        "Action en partenariat",
        "Les structures conçoivent, décident et mènent l'action ensemble.",
    ),
]


def ensure_reference_data(public: Any, ottawa: Any, level: Any) -> None:
    """Create what is missing; never overwrite labels an administrator edited."""
    have = set(public.objects.values_list("slug", flat=True))
    public.objects.bulk_create(
        [public(slug=s, name=n, order=i) for i, (s, n) in enumerate(PUBLICS) if s not in have],
        ignore_conflicts=True,
    )
    have = set(ottawa.objects.values_list("slug", flat=True))
    ottawa.objects.bulk_create(
        [ottawa(slug=s, name=n, order=i) for i, (s, n) in enumerate(OTTAWA) if s not in have],
        ignore_conflicts=True,
    )
    if not level.objects.exists():  # a region may have replaced the whole scale
        level.objects.bulk_create([level(rank=r, label=lab, description=d) for r, lab, d in LEVELS])


def restore_after_flush(sender: Any, **kwargs: Any) -> None:
    """post_migrate: also after a test database flush, which empties reference tables."""
    from .models import CollaborationLevel, OttawaArea, Public

    ensure_reference_data(Public, OttawaArea, CollaborationLevel)
