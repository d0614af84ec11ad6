from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

from . import audit_views, headers, sitemap, statement, views
from .rgaa import session as rgaa_session

urlpatterns = [
    path("", views.home, name="home"),
    path("connexion/", views.LoginView.as_view(), name="login"),
    path("deconnexion/", views.LogoutView.as_view(), name="logout"),
    path("compte/securite/", include("cls_platform.security.urls")),
    path("healthz", views.healthz, name="healthz"),
    path("csp-report/", headers.csp_report, name="csp_report"),
    path("accessibilite/", statement.accessibility_statement, name="accessibility_statement"),
    # RGAA 12.1 (a second way around the site) and 13.1 (an idle session's end pushed back).
    path("plan-du-site/", sitemap.site_map, name="site_map"),
    path("session/prolonger/", rgaa_session.keep_alive, name="session_keep_alive"),
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
