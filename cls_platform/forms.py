"""Form helpers shared by the apps."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models


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
