"""Dashboards: the territory's home page. A signatory's leads with the progress of the signed
contracts, each opening its progress page (evaluation/progress)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.views.generic import TemplateView

from actions.models import READABLE_BY_VIEWERS, Contract
from actions.progress import ContractFigures, contract_figures
from cls_platform.access import TerritoryMixin
from workgroups import group_rows

from . import dashboard_rows
from .selectors import territory_overview


@dataclass(frozen=True)
class ContractProgressLink:
    contract: Contract
    figures: ContractFigures


class DashboardView(TerritoryMixin, TemplateView):
    template_name = "evaluation/dashboard.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        overview = territory_overview(access=self.access)
        # The signed (and closed) contracts in figures: two queries whatever their number.
        signed = [c for c in overview.contracts if c.status in READABLE_BY_VIEWERS]
        figures = contract_figures(signed)
        context["overview"] = overview
        context["progress_links"] = [
            ContractProgressLink(contract=c, figures=figures[c.pk]) for c in signed
        ]
        # Two lists of the page written in Python (workgroups/group_rows.py).
        slug = self.territory.slug
        context["unwell_items"] = group_rows.unwell_items(overview.unwell, slug, self.access)
        context["next_meeting_items"] = group_rows.next_meeting_items(overview.next_meetings, slug)
        # And three of its own (evaluation/dashboard_rows.py).
        context["contract_rows"] = dashboard_rows.contract_rows(overview.contracts, slug)
        context["status_items"] = dashboard_rows.status_items(overview.actions_by_status)
        context["health_items"] = dashboard_rows.health_items(overview.health_counts)
        return context
