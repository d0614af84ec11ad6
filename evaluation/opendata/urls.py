"""Included by evaluation/urls.py: pages under /t/<territory>/, in the `evaluation` namespace."""

from __future__ import annotations

from django.urls import path

from . import views

urlpatterns = [
    path("donnees-ouvertes/", views.OpenDataManageView.as_view(), name="opendata_manage"),
    path(
        "donnees-ouvertes/<int:pk>/publier/",
        views.ContractPublicationView.as_view(publish=True),
        name="opendata_publish",
    ),
    path(
        "donnees-ouvertes/<int:pk>/retirer/",
        views.ContractPublicationView.as_view(publish=False),
        name="opendata_unpublish",
    ),
]
