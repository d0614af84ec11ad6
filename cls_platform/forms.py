"""Form helpers shared by the apps."""

from __future__ import annotations

from typing import Any

from django.db import models


def https_urls(field: models.Field, **kwargs: Any) -> Any:
    """ModelForm `formfield_callback`: web addresses typed without a scheme are https."""
    if isinstance(field, models.URLField):
        kwargs.setdefault("assume_scheme", "https")
    return field.formfield(**kwargs)
