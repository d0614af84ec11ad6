"""The bilan PDF of a contract, under /t/<territory>/ (included by evaluation/urls.py, in the
"evaluation" namespace): `?bilan=2025` for an annual bilan, `?bilan=mi-parcours`."""

from __future__ import annotations

from django.urls import path

from . import bilan

urlpatterns = [
    path(
        "contrats/<int:pk>/bilan.pdf",
        bilan.ContractBilanView.as_view(),
        name="contract_bilan",
    ),
]
