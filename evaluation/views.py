"""Dashboards: the territory's home page. A signatory's leads with the progress of the signed
contracts, each opening its progress page (evaluation/progress)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django.views.generic import TemplateView

from actions.models import READABLE_BY_VIEWERS, Contract
from actions.progress import ContractFigures, figures_from, figures_statements
from cls_platform.access import TerritoryMixin
from workgroups import group_rows
from workgroups.health_sql import results

from . import dashboard_rows
from .selectors import territory_overview


@dataclass(frozen=True)
class ContractProgressLink:
    contract: Contract
    figures: ContractFigures


def progress_links(contracts: list[Contract]) -> list[ContractProgressLink]:
    """The signed (and closed) contracts in figures: one round trip whatever their number
    (two statements, `health_sql.results`)."""
    signed = [c for c in contracts if c.status in READABLE_BY_VIEWERS]
    today = timezone.localdate()
    statements = figures_statements(signed, today=today)
    figures = figures_from(signed, results(statements) if statements else [], today=today)
    return [ContractProgressLink(contract=c, figures=figures[c.pk]) for c in signed]


class DashboardView(TerritoryMixin, TemplateView):
    template_name = "evaluation/dashboard.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        overview = territory_overview(access=self.access)
        context["overview"] = overview
        slug = self.territory.slug
        context["heading"] = dashboard_rows.heading(self.territory.name)
        if self.access.is_viewer:  # the only dashboard that shows the contracts' progress
            links = progress_links(overview.contracts)
            context["progress_links"] = links
            context["progress_cards"] = dashboard_rows.progress_cards(links, slug)
        # Two lists of the page written in Python (workgroups/group_rows.py).
        context["unwell_items"] = group_rows.unwell_items(overview.unwell, slug, self.access)
        context["next_meeting_items"] = group_rows.next_meeting_items(overview.next_meetings, slug)
        # And the rest of its own (evaluation/dashboard_rows.py).
        context["stats"] = dashboard_rows.stats(overview, slug)
        context["contract_rows"] = dashboard_rows.contract_rows(overview.contracts, slug)
        context["status_items"] = dashboard_rows.status_items(overview.actions_by_status)
        context["health_items"] = dashboard_rows.health_items(overview.health_counts)
        context["survey_items"] = dashboard_rows.survey_items(overview.open_surveys, slug)
        context["ottawa_items"] = dashboard_rows.ottawa_items(overview.contracts, slug)
        return context
