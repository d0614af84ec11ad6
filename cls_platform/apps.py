from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ClsPlatformConfig(AppConfig):
    name = "cls_platform"
    verbose_name = _("Plateforme")
