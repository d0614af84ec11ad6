from __future__ import annotations

from importlib import import_module

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ClsPlatformConfig(AppConfig):
    name = "cls_platform"
    verbose_name = _("Plateforme")

    def import_models(self) -> None:
        super().import_models()
        # The audit trail's entry (AUDITLOG_LOGENTRY_MODEL) lives beside the code that writes
        # it, in cls_platform/audit.py: imported with the models so that it is one of them.
        import_module(f"{self.name}.audit")

    def ready(self) -> None:
        from . import audit

        # The followed models, by label, and the sign-in signals (cls_platform/audit.py).
        audit.connect()
