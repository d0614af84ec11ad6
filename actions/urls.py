from __future__ import annotations

from django.urls import path

from .views import axes, contracts, fiches, indicators, scale, updates

app_name = "actions"

urlpatterns = [
    path("contrats/", contracts.ContractListView.as_view(), name="contract_list"),
    path("contrats/nouveau/", contracts.ContractCreateView.as_view(), name="contract_create"),
    path(
        "contrats/echelle-de-collaboration/",
        scale.CollaborationScaleView.as_view(),
        name="collaboration_scale",
    ),
    path("contrats/<int:pk>/", contracts.ContractDetailView.as_view(), name="contract_detail"),
    path(
        "contrats/<int:pk>/modifier/",
        contracts.ContractUpdateView.as_view(),
        name="contract_update",
    ),
    path("contrats/<int:pk>/signer/", contracts.ContractSignView.as_view(), name="contract_sign"),
    path("contrats/<int:pk>/clore/", contracts.ContractCloseView.as_view(), name="contract_close"),
    path(
        "contrats/<int:pk>/renouveler/",
        contracts.ContractRenewView.as_view(),
        name="contract_renew",
    ),
    path("contrats/<int:pk>/pdf/", contracts.ContractPdfView.as_view(), name="contract_pdf"),
    path(
        "contrats/<int:pk>/contrat-signe.pdf",
        contracts.ContractDocumentView.as_view(),
        name="contract_document",
    ),
    path(
        "contrats/<int:pk>/contrat-signe/deposer/",
        contracts.ContractDocumentUploadView.as_view(),
        name="contract_document_upload",
    ),
    path("contrats/<int:pk>/axes/nouveau/", axes.AxisCreateView.as_view(), name="axis_create"),
    path(
        "contrats/<int:pk>/fiches/nouvelle/", fiches.FicheCreateView.as_view(), name="fiche_create"
    ),
    path("axes/<int:pk>/modifier/", axes.AxisUpdateView.as_view(), name="axis_update"),
    path("axes/<int:pk>/deplacer/", axes.AxisMoveView.as_view(), name="axis_move"),
    path("fiches/", fiches.FicheListView.as_view(), name="fiche_list"),
    # Two literal addresses: any other extension is a 404, not a CSV under a misleading name.
    path(
        "fiches/export.csv",
        fiches.FicheExportView.as_view(),
        {"format": "csv"},
        name="fiche_export_csv",
    ),
    path(
        "fiches/export.xlsx",
        fiches.FicheExportView.as_view(),
        {"format": "xlsx"},
        name="fiche_export_xlsx",
    ),
    path("fiches/<int:pk>/", fiches.FicheDetailView.as_view(), name="fiche_detail"),
    path("fiches/<int:pk>/modifier/", fiches.FicheUpdateView.as_view(), name="fiche_update"),
    path("fiches/<int:pk>/etat/", fiches.FicheStatusView.as_view(), name="fiche_status"),
    path(
        "fiches/<int:pk>/actualites/",
        updates.FicheUpdatePostView.as_view(),
        name="fiche_update_post",
    ),
    path(
        "fiches/<int:pk>/actualites/corriger/",
        updates.ActionUpdateCorrectionsView.as_view(),
        name="update_corrections",
    ),
    path("fiches/<int:pk>/pdf/", fiches.FichePdfView.as_view(), name="fiche_pdf"),
    path(
        "fiches/<int:pk>/indicateurs/nouveau/",
        indicators.IndicatorCreateView.as_view(),
        name="indicator_create",
    ),
    path(
        "indicateurs/<int:pk>/modifier/",
        indicators.IndicatorUpdateView.as_view(),
        name="indicator_update",
    ),
    path(
        "indicateurs/<int:pk>/supprimer/",
        indicators.IndicatorDeleteView.as_view(),
        name="indicator_delete",
    ),
    path(
        "indicateurs/<int:pk>/mesures/",
        indicators.IndicatorValueView.as_view(),
        name="indicator_value",
    ),
    path(
        "indicateurs/<int:pk>/mesures/corriger/",
        indicators.IndicatorValueCorrectionsView.as_view(),
        name="indicator_value_corrections",
    ),
]
