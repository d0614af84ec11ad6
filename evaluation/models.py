"""The evaluation's stored records: partner surveys (evaluation.surveys) and the interviews of a
mid-term review (evaluation.interviews). Dashboards and group health are computed, not stored."""

from __future__ import annotations

from .interviews.models import Interview
from .surveys.models import (
    Answer,
    Choice,
    Question,
    QuestionKind,
    Questionnaire,
    Section,
    Survey,
    SurveyAudience,
    SurveyInvitation,
)

__all__ = [
    "Answer",
    "Choice",
    "Interview",
    "Question",
    "QuestionKind",
    "Questionnaire",
    "Section",
    "Survey",
    "SurveyAudience",
    "SurveyInvitation",
]
