"""The table of all one's contracts, side by side (an ARS delegation's view of its department), and
its exports. Any signed-in user: the rows come from their own accesses only."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from cls_platform.access import authenticated_view
from cls_platform.collector import cyclic_gc_paused

from .exports import portfolio_csv, portfolio_xlsx
from .rows import contract_table_rows
from .table import PortfolioTable

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@authenticated_view
@require_GET
def contract_table(request: HttpRequest) -> HttpResponse:
    with cyclic_gc_paused():
        table = PortfolioTable(request.GET, user=request.user)
        if table.several_territories:  # the navigation's question answered (no query)
            request._several_territories = True  # type: ignore[attr-defined]
        page = table.page(request.GET.get("page"))
        row_lines = contract_table_rows(page.object_list)
        response = render(
            request,
            "evaluation/portfolio/contract_table.html",
            {
                "table": table,
                "rows": page.object_list,
                "row_lines": row_lines,
                "page_obj": page,
                "paginator": page.paginator,
                "is_paginated": page.has_other_pages(),
                "query": table.query(page=None).removeprefix("?"),
            },
        )
        # The page is written. Django's template context is a reference cycle (each of its
        # dicts points back to it) that only the collector frees, and it holds the table: let
        # go of the rows (a thousand, their groups and figures) here, so that they are freed
        # now and the collector, once resumed, does not walk them (that pass cost a fifteenth
        # of the page).
        table.rows = page.object_list = page.paginator.object_list = []
    return response


@authenticated_view
@require_GET
def contract_export(request: HttpRequest, format: str) -> HttpResponse:
    with cyclic_gc_paused():
        table = PortfolioTable(request.GET, user=request.user)
        rows = table.all_rows()
    arguments: dict[str, Any] = {"absolute": request.build_absolute_uri}
    if format == "xlsx":  # the URL admits csv and xlsx only
        response = HttpResponse(portfolio_xlsx(rows, **arguments), content_type=XLSX_TYPE)
    else:
        response = HttpResponse(
            portfolio_csv(rows, **arguments), content_type="text/csv; charset=utf-8"
        )
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="contrats-{stamp}.{format}"'
    return response
