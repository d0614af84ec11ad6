from __future__ import annotations

from django.urls import include, path

from . import views

app_name = "evaluation"

urlpatterns = [
    path("", views.DashboardView.as_view(), name="dashboard"),
    path("", include("evaluation.partnership.urls")),
    path("", include("evaluation.surveys.urls")),
    path("", include("evaluation.interviews.urls")),
    path("", include("evaluation.progress.urls")),
    path("", include("evaluation.progress.bilan_urls")),
    path("", include("evaluation.opendata.urls")),
    path("", include("evaluation.public_directory.urls")),
    path("", include("evaluation.archive.urls")),
]
