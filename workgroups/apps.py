from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkgroupsConfig(AppConfig):
    name = "workgroups"
    verbose_name = _("Groupes de travail et réunions")

    def ready(self) -> None:
        from partners.views import register_self_service_section

        from . import receivers  # noqa: F401  (connects the signal handlers)
        from .emails import register_composers
        from .views.feeds import self_service_feeds

        register_composers()
        # The partner's own page (partners) shows the groups' calendar feeds: partners does not
        # import workgroups, workgroups adds its section.
        register_self_service_section(self_service_feeds)
