from __future__ import annotations

from django.urls import path

from . import views

app_name = "actions"

urlpatterns = [
    path("contrats/", views.ContractListView.as_view(), name="contract_list"),
    path("contrats/nouveau/", views.ContractCreateView.as_view(), name="contract_create"),
    path(
        "contrats/echelle-de-collaboration/",
        views.CollaborationScaleView.as_view(),
        name="collaboration_scale",
    ),
    path("contrats/<int:pk>/", views.ContractDetailView.as_view(), name="contract_detail"),
    path("contrats/<int:pk>/modifier/", views.ContractUpdateView.as_view(), name="contract_update"),
    path("contrats/<int:pk>/signer/", views.ContractSignView.as_view(), name="contract_sign"),
    path("contrats/<int:pk>/clore/", views.ContractCloseView.as_view(), name="contract_close"),
    path("contrats/<int:pk>/renouveler/", views.ContractRenewView.as_view(), name="contract_renew"),
    path("contrats/<int:pk>/pdf/", views.ContractPdfView.as_view(), name="contract_pdf"),
    path(
        "contrats/<int:pk>/contrat-signe.pdf",
        views.ContractDocumentView.as_view(),
        name="contract_document",
    ),
    path(
        "contrats/<int:pk>/contrat-signe/deposer/",
        views.ContractDocumentUploadView.as_view(),
        name="contract_document_upload",
    ),
    path("contrats/<int:pk>/axes/nouveau/", views.AxisCreateView.as_view(), name="axis_create"),
    path(
        "contrats/<int:pk>/fiches/nouvelle/", views.FicheCreateView.as_view(), name="fiche_create"
    ),
    path("axes/<int:pk>/modifier/", views.AxisUpdateView.as_view(), name="axis_update"),
    path("axes/<int:pk>/deplacer/", views.AxisMoveView.as_view(), name="axis_move"),
    path("fiches/", views.FicheListView.as_view(), name="fiche_list"),
    # Two literal addresses: any other extension is a 404, not a CSV under a misleading name.
    path(
        "fiches/export.csv",
        views.FicheExportView.as_view(),
        {"format": "csv"},
        name="fiche_export_csv",
    ),
    path(
        "fiches/export.xlsx",
        views.FicheExportView.as_view(),
        {"format": "xlsx"},
        name="fiche_export_xlsx",
    ),
    path("fiches/<int:pk>/", views.FicheDetailView.as_view(), name="fiche_detail"),
    path("fiches/<int:pk>/modifier/", views.FicheUpdateView.as_view(), name="fiche_update"),
    path("fiches/<int:pk>/etat/", views.FicheStatusView.as_view(), name="fiche_status"),
    path(
        "fiches/<int:pk>/actualites/", views.FicheUpdatePostView.as_view(), name="fiche_update_post"
    ),
    path(
        "fiches/<int:pk>/actualites/corriger/",
        views.ActionUpdateCorrectionsView.as_view(),
        name="update_corrections",
    ),
    path("fiches/<int:pk>/pdf/", views.FichePdfView.as_view(), name="fiche_pdf"),
    path(
        "fiches/<int:pk>/indicateurs/nouveau/",
        views.IndicatorCreateView.as_view(),
        name="indicator_create",
    ),
    path(
        "indicateurs/<int:pk>/modifier/",
        views.IndicatorUpdateView.as_view(),
        name="indicator_update",
    ),
    path(
        "indicateurs/<int:pk>/supprimer/",
        views.IndicatorDeleteView.as_view(),
        name="indicator_delete",
    ),
    path(
        "indicateurs/<int:pk>/mesures/", views.IndicatorValueView.as_view(), name="indicator_value"
    ),
    path(
        "indicateurs/<int:pk>/mesures/corriger/",
        views.IndicatorValueCorrectionsView.as_view(),
        name="indicator_value_corrections",
    ),
]
