"""Public pages, at /donnees-ouvertes/ (included by cls_platform/urls.py): no account needed."""

from __future__ import annotations

from django.urls import path, register_converter

from . import views
from .tables import TABLES


class TableName:
    """The CSV files of the open data; any other name is a missing page (404)."""

    regex = "|".join(TABLES)
    examples = tuple(TABLES)

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(TableName, "opendata_table")

app_name = "opendata"

urlpatterns = [
    path("schema.json", views.schema, name="schema"),
    path("<slug:territory>/", views.territory_page, name="territory"),
    path("<slug:territory>/contrats.json", views.document_json, name="document"),
    path("<slug:territory>/<opendata_table:table>.csv", views.table_file, name="table"),
]
