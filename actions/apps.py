from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActionsConfig(AppConfig):
    name = "actions"
    verbose_name = _("Contrats et fiches-actions")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from . import signals
        from .reference import restore_after_flush

        signals.connect()

        post_migrate.connect(
            restore_after_flush, sender=self, dispatch_uid=f"{self.name}.reference"
        )
