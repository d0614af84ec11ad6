from __future__ import annotations

from django.urls import path, register_converter

from . import retention_views, search, views


class SpreadsheetFormat:
    """The formats the directory exports to; any other suffix is a missing page (404)."""

    regex = "csv|xlsx"
    examples = ("csv", "xlsx")

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(SpreadsheetFormat, "spreadsheet")

app_name = "partners"

urlpatterns = [
    path("structures/", views.OrganizationListView.as_view(), name="organization_list"),
    path(
        "structures/nouvelle/", views.OrganizationCreateView.as_view(), name="organization_create"
    ),
    path(
        "structures/<int:pk>/", views.OrganizationDetailView.as_view(), name="organization_detail"
    ),
    path(
        "structures/<int:pk>/modifier/",
        views.OrganizationUpdateView.as_view(),
        name="organization_update",
    ),
    path("contacts/", views.ContactListView.as_view(), name="contact_list"),
    path("contacts/nouveau/", views.ContactCreateView.as_view(), name="contact_create"),
    path("contacts/a-revoir/", views.ReviewListView.as_view(), name="contact_review"),
    path("contacts/<int:pk>/", views.ContactDetailView.as_view(), name="contact_detail"),
    path("contacts/<int:pk>/modifier/", views.ContactUpdateView.as_view(), name="contact_update"),
    path(
        "contacts/<int:pk>/depart/", views.ContactDepartureView.as_view(), name="contact_departure"
    ),
    path(
        "contacts/<int:pk>/demander-confirmation/",
        views.ContactConfirmationRequestView.as_view(),
        name="contact_request_confirmation",
    ),
    path(
        "contacts/<int:pk>/donnees/", views.ContactPersonalDataView.as_view(), name="contact_data"
    ),
    path("contacts/<int:pk>/effacer/", views.ContactEraseView.as_view(), name="contact_erase"),
    path("export.<spreadsheet:format>", views.DirectoryExportView.as_view(), name="export"),
    path("import/", views.ImportUploadView.as_view(), name="import_upload"),
    path("import/<int:pk>/", views.ImportDetailView.as_view(), name="import_detail"),
    path("departs/", views.HandOverListView.as_view(), name="handover_list"),
    path("departs/<int:pk>/", views.HandOverDecisionView.as_view(), name="handover_decide"),
    # JSON for the pickers of the forms (partners/search.py); never an address or a phone.
    path("recherche/contacts/", search.contact_search, name="contact_search"),
    path("recherche/structures/", search.organization_search, name="organization_search"),
    path(
        "recherche/structures/filtre/",
        search.organization_filter_search,
        name="organization_filter_search",
    ),
    # Contacts kept no longer than needed (partners/retention.py): the review and its erasure.
    path("contacts/revue/", retention_views.ReviewView.as_view(), name="retention_review"),
    path(
        "contacts/revue/effacer/",
        retention_views.ReviewEraseView.as_view(),
        name="retention_erase",
    ),
]
