from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

from . import audit_views, statement, views

urlpatterns = [
    path("", views.home, name="home"),
    path("connexion/", views.LoginView.as_view(), name="login"),
    path("deconnexion/", views.LogoutView.as_view(), name="logout"),
    path("healthz", views.healthz, name="healthz"),
    path("accessibilite/", statement.accessibility_statement, name="accessibility_statement"),
    path("t/<slug:territory>/journal/", audit_views.AuditTrailView.as_view(), name="audit_trail"),
    path(
        "t/<slug:territory>/registre-des-traitements/",
        statement.ProcessingRegisterView.as_view(),
        name="processing_register",
    ),
    path(
        "t/<slug:territory>/registre-des-traitements.pdf",
        statement.ProcessingRegisterPdfView.as_view(),
        name="processing_register_pdf",
    ),
    path("contrats/", include("evaluation.portfolio.urls")),
    path("donnees-ouvertes/", include("evaluation.opendata.public_urls")),
    path("offre-de-sante/", include("evaluation.public_directory.public_urls")),
    path("t/<slug:territory>/", include("evaluation.urls")),
    path("t/<slug:territory>/annuaire/", include("partners.urls")),
    path("t/<slug:territory>/", include("actions.urls")),
    path("t/<slug:territory>/", include("workgroups.urls")),
    path("partenaire/", include("partners.link_urls")),
    path("reunion/", include("workgroups.link_urls")),
    path("admin/", admin.site.urls),
]

handler403 = "django.views.defaults.permission_denied"
handler404 = "django.views.defaults.page_not_found"
