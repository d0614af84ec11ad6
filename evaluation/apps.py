from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationConfig(AppConfig):
    name = "evaluation"
    verbose_name = _("Évaluation et tableaux de bord")

    def ready(self) -> None:
        from partners.views import register_organization_section

        from .partnership.views import working_with_section
        from .public_directory.views import organization_section as public_listing_section
        from .surveys.emails import register_composers

        register_composers()
        # A structure's page (partners) lists the structures it works with: partners does not
        # import evaluation, evaluation adds its section.
        register_organization_section(working_with_section)
        # ...and, for coordinators, a link to its entry in the public directory of the offer.
        register_organization_section(public_listing_section)
