from __future__ import annotations

from django.urls import path

from . import views

app_name = "actions"

urlpatterns = [
    path("contrats/", views.ContractListView.as_view(), name="contract_list"),
    path("contrats/nouveau/", views.ContractCreateView.as_view(), name="contract_create"),
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
    path("contrats/<int:pk>/axes/nouveau/", views.AxisCreateView.as_view(), name="axis_create"),
    path(
        "contrats/<int:pk>/fiches/nouvelle/", views.FicheCreateView.as_view(), name="fiche_create"
    ),
    path("axes/<int:pk>/modifier/", views.AxisUpdateView.as_view(), name="axis_update"),
    path("axes/<int:pk>/deplacer/", views.AxisMoveView.as_view(), name="axis_move"),
    path("fiches/", views.FicheListView.as_view(), name="fiche_list"),
    path("fiches/export.<str:format>", views.FicheExportView.as_view(), name="fiche_export"),
    path("fiches/<int:pk>/", views.FicheDetailView.as_view(), name="fiche_detail"),
    path("fiches/<int:pk>/modifier/", views.FicheUpdateView.as_view(), name="fiche_update"),
    path("fiches/<int:pk>/etat/", views.FicheStatusView.as_view(), name="fiche_status"),
    path(
        "fiches/<int:pk>/actualites/", views.FicheUpdatePostView.as_view(), name="fiche_update_post"
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
        "indicateurs/<int:pk>/mesures/", views.IndicatorValueView.as_view(), name="indicator_value"
    ),
]
