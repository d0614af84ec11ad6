from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationConfig(AppConfig):
    name = "evaluation"
    verbose_name = _("Évaluation et tableaux de bord")

    def ready(self) -> None:
        from .surveys.emails import register_composers

        register_composers()
