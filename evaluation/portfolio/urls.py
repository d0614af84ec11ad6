from __future__ import annotations

from django.urls import path

from . import views

# Pages across territories (included by cls_platform/urls.py at /contrats/).
app_name = "portfolio"

urlpatterns = [
    path("", views.contract_table, name="table"),
    # Two literal addresses: any other extension is a 404, not a CSV under a misleading name.
    path("export.csv", views.contract_export, {"format": "csv"}, name="export_csv"),
    path("export.xlsx", views.contract_export, {"format": "xlsx"}, name="export_xlsx"),
]
