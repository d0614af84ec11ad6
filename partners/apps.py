from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartnersConfig(AppConfig):
    name = "partners"
    verbose_name = _("Annuaire des partenaires")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from .reference import restore_after_flush

        post_migrate.connect(
            restore_after_flush, sender=self, dispatch_uid=f"{self.name}.reference"
        )
        from . import receivers  # noqa: F401  (connects the signal handlers)
        from .emails import register_composers

        register_composers()
