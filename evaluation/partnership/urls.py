"""Included by evaluation/urls.py: the names live in the `evaluation` namespace."""

from __future__ import annotations

from django.urls import path

from . import views

urlpatterns = [
    path(
        "contrats/<int:pk>/charte-ottawa/",
        views.OttawaMatrixView.as_view(),
        name="ottawa_matrix",
    ),
    path("reseau-partenarial/", views.PartnershipNetworkView.as_view(), name="partnership_network"),
]
