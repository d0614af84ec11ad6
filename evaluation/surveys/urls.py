"""Addresses of the surveys, under /t/<territory>/ (included by evaluation/urls.py)."""

from __future__ import annotations

from django.urls import path

from . import questionnaire_views as q
from . import views

urlpatterns = [
    path("questionnaires/", q.QuestionnaireListView.as_view(), name="questionnaire_list"),
    path(
        "questionnaires/propose/",
        q.QuestionnaireDefaultView.as_view(),
        name="questionnaire_create_default",
    ),
    path("questionnaires/nouveau/", q.QuestionnaireFormView.as_view(), name="questionnaire_create"),
    path(
        "questionnaires/<int:pk>/", q.QuestionnaireDetailView.as_view(), name="questionnaire_detail"
    ),
    path(
        "questionnaires/<int:pk>/modifier/",
        q.QuestionnaireFormView.as_view(),
        name="questionnaire_edit",
    ),
    path(
        "questionnaires/<int:pk>/parties/ajouter/",
        q.SectionCreateView.as_view(),
        name="section_create",
    ),
    path("questionnaires/parties/<int:pk>/", q.SectionFormView.as_view(), name="section_edit"),
    path(
        "questionnaires/parties/<int:pk>/supprimer/",
        q.SectionDeleteView.as_view(),
        name="section_delete",
    ),
    path(
        "questionnaires/parties/<int:pk>/questions/ajouter/",
        q.QuestionCreateView.as_view(),
        name="question_create",
    ),
    path("questionnaires/questions/<int:pk>/", q.QuestionFormView.as_view(), name="question_edit"),
    path(
        "questionnaires/questions/<int:pk>/supprimer/",
        q.QuestionDeleteView.as_view(),
        name="question_delete",
    ),
    path(
        "questionnaires/questions/<int:pk>/deplacer/",
        q.QuestionMoveView.as_view(),
        name="question_move",
    ),
    path("enquetes/", views.SurveyListView.as_view(), name="survey_list"),
    path("enquetes/nouvelle/", views.SurveyFormView.as_view(), name="survey_create"),
    path("enquetes/<int:pk>/", views.SurveyDetailView.as_view(), name="survey_detail"),
    path("enquetes/<int:pk>/modifier/", views.SurveyFormView.as_view(), name="survey_edit"),
    path("enquetes/<int:pk>/envoyer/", views.SurveySendView.as_view(), name="survey_send"),
    path("enquetes/<int:pk>/relancer/", views.SurveyRemindView.as_view(), name="survey_remind"),
    path("enquetes/<int:pk>/resultats/", views.SurveyResultsView.as_view(), name="survey_results"),
    path("repondre/<str:token>/", views.survey_answer, name="survey_answer"),
]
