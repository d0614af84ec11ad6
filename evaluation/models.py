"""The evaluation's stored records: partner surveys (evaluation.surveys), the interviews of a
mid-term review (evaluation.interviews) and the COPIL decisions followed up
(evaluation.progress). Dashboards and group health are computed, not stored."""

from __future__ import annotations

from .interviews.models import Interview
from .progress.models import CopilDecision, CopilDecisionChange
from .public_directory.models import PublicDirectory, PublicListing  # noqa: F401
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
    "CopilDecision",
    "CopilDecisionChange",
    "Interview",
    "Question",
    "QuestionKind",
    "Questionnaire",
    "Section",
    "Survey",
    "SurveyAudience",
    "SurveyInvitation",
]
