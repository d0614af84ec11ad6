"""Addresses of the progress page and the COPIL decisions, under /t/<territory>/ (included by
evaluation/urls.py, in the "evaluation" namespace)."""

from __future__ import annotations

from django.urls import path

from . import views

urlpatterns = [
    path(
        "contrats/<int:pk>/avancement/",
        views.ContractProgressView.as_view(),
        name="contract_progress",
    ),
    path(
        "contrats/<int:pk>/decisions/nouvelle/",
        views.DecisionCreateView.as_view(),
        name="decision_create",
    ),
    path(
        "decisions/<int:pk>/modifier/",
        views.DecisionUpdateView.as_view(),
        name="decision_update",
    ),
    path(
        "decisions/<int:pk>/supprimer/",
        views.DecisionDeleteView.as_view(),
        name="decision_delete",
    ),
]
