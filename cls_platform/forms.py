"""Form helpers shared by the apps."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import models

# What an <input type="date"> reads and sends, whatever the page's language (RFC 3339 full-date).
ISO_DATE = "%Y-%m-%d"


class IsoDateInput(forms.DateInput):
    """The browser's date picker: its value must be ISO ("2026-12-02"); a French "02/12/2026"
    is rejected by browsers, which then show an empty field and post nothing."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None, format: str | None = None) -> None:
        super().__init__(attrs=attrs, format=format or ISO_DATE)


def https_urls(field: models.Field, **kwargs: Any) -> Any:
    """ModelForm `formfield_callback`: web addresses typed without a scheme are https."""
    if isinstance(field, models.URLField):
        kwargs.setdefault("assume_scheme", "https")
    return field.formfield(**kwargs)


def add_service_errors(form: Any, exc: ValidationError) -> None:
    """Show a service's refusal on the form: next to the field it names when the form has that
    field, above the form otherwise (Django raises on an error for a field it does not know)."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)
