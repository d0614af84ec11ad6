"""The collaboration scale partners are rated with, saved whole."""

from __future__ import annotations

from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ..models import ActionPartner, CollaborationLevel


@transaction.atomic
def collaboration_scale_save(
    *, levels: Sequence[CollaborationLevel], removed: Sequence[CollaborationLevel] = ()
) -> list[CollaborationLevel]:
    """Save the whole scale at once: edited and new levels, the removed ones gone. Ranks may be
    swapped freely; a level partners are rated with cannot be removed."""
    kept = [level for level in levels if level not in removed]
    if not kept:
        raise ValidationError(_("L'échelle doit garder au moins un niveau."))
    ranks = [level.rank for level in kept]
    if len(set(ranks)) != len(ranks):
        raise ValidationError(
            _("Deux niveaux ont le même rang : chaque rang n'est utilisé qu'une fois.")
        )
    for level in kept:
        if not (level.label or "").strip():
            raise ValidationError(_("Chaque niveau a un libellé."))
    removed = [level for level in removed if level.pk]
    listed = [level.pk for level in [*levels, *removed] if level.pk]
    # A level added meanwhile (another tab, another coordinator) keeps its rank.
    others = set(CollaborationLevel.objects.exclude(pk__in=listed).values_list("rank", flat=True))
    if others & set(ranks):
        raise ValidationError(
            _("Le rang %(rank)s vient d'être pris par un autre niveau : rechargez la page.")
            % {"rank": min(others & set(ranks))}
        )
    in_use = sorted(
        ActionPartner.objects.filter(level__in=removed)
        .values_list("level__label", flat=True)
        .distinct()
    )
    if in_use:
        raise ValidationError(
            _(
                "Le niveau « %(label)s » qualifie déjà des partenariats de fiches-actions : "
                "renommez-le plutôt que de le supprimer."
            )
            % {"label": in_use[0]}
        )
    CollaborationLevel.objects.filter(pk__in=[level.pk for level in removed]).delete()
    existing = [level for level in kept if level.pk]
    # Through ranks nobody uses, as rank is unique at every step of a swap.
    offset = 1 + max([*ranks, *CollaborationLevel.objects.values_list("rank", flat=True), 0])
    final = {level.pk: level.rank for level in existing}
    for level in existing:
        level.rank = offset + level.rank
    CollaborationLevel.objects.bulk_update(existing, ["rank"])
    for level in existing:
        level.rank = final[level.pk]
        level.label = level.label.strip()
    CollaborationLevel.objects.bulk_update(existing, ["rank", "label", "description"])
    for level in kept:
        if not level.pk:
            level.label = level.label.strip()
            level.save()
    return sorted(kept, key=lambda level: level.rank)
