"""Dashboards: the territory's home page (and, later, the signatories' progress views)."""

from __future__ import annotations

from typing import Any

from django.views.generic import TemplateView

from cls_platform.access import TerritoryMixin

from .selectors import territory_overview


class DashboardView(TerritoryMixin, TemplateView):
    template_name = "evaluation/dashboard.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["overview"] = territory_overview(access=self.access)
        return context
