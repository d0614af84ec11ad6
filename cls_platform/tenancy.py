"""Base pieces for the records that belong to a territory."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class TerritoryOwned(models.Model):
    """A record that belongs to exactly one territory (the tenant).

    `territory_parent` names the field whose territory this record inherits (a fiche-action takes
    its contract's); a mismatch between the two is refused, never silently "fixed".
    """

    territory_parent: str | None = None

    class Meta:
        abstract = True

    def save(self, *args: object, **kwargs: object) -> None:
        self.inherit_territory()
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def inherit_territory(self) -> None:
        if not self.territory_parent:
            return
        parent = getattr(self, self.territory_parent, None)
        if parent is None:
            return
        if self.territory_id is None:
            self.territory_id = parent.territory_id
        elif self.territory_id != parent.territory_id:
            raise ValidationError(
                _("Cet élément et %(parent)s appartiennent à deux territoires différents.")
                % {"parent": parent}
            )
