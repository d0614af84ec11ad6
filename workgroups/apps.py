from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkgroupsConfig(AppConfig):
    name = "workgroups"
    verbose_name = _("Groupes de travail et réunions")

    def ready(self) -> None:
        from . import receivers  # noqa: F401  (connects the signal handlers)
        from .emails import register_composers

        register_composers()
