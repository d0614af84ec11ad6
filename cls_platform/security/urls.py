from __future__ import annotations

from django.urls import path

from . import oidc, views

app_name = "security"

urlpatterns = [
    path("", views.account, name="account"),
    path("double-authentification/activer/", views.enrol, name="enrol"),
    path("double-authentification/verifier/", views.verify, name="verify"),
    path("double-authentification/codes-de-secours/", views.recovery_codes, name="recovery_codes"),
    path(
        "double-authentification/nouveaux-codes/",
        views.new_recovery_codes,
        name="new_recovery_codes",
    ),
    path("double-authentification/desactiver/", views.remove, name="remove"),
    path("mot-de-passe/", views.PasswordChangeView.as_view(), name="password_change"),
    path("deconnexion-partout/", views.sign_out_all, name="sign_out_everywhere"),
    path("proconnect/", oidc.ProConnectStartView.as_view(), name="proconnect"),
    path("proconnect/retour/", oidc.ProConnectCallbackView.as_view(), name="proconnect_callback"),
    path(
        "proconnect/deconnexion/",
        oidc.ProConnectLogoutReturnView.as_view(),
        name="proconnect_logout",
    ),
]
