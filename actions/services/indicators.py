"""Writes to the indicators of a fiche-action and their dated measurements."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import Indicator, IndicatorValue


@transaction.atomic
def indicator_save(*, indicator: Indicator) -> Indicator:
    if indicator.pk is None and indicator.order == 0:
        indicator.order = (indicator.fiche.indicators.aggregate(n=Max("order"))["n"] or 0) + 1
    indicator.save()
    return indicator


def check_not_in_future(measured_on: dt.date) -> None:
    if measured_on > timezone.localdate():
        raise ValidationError(
            {"measured_on": _("Une mesure ne peut pas être datée dans le futur.")}
        )


@transaction.atomic
def indicator_value_add(
    *, indicator: Indicator, measured_on: dt.date, value: Any, comment: str = ""
) -> IndicatorValue:
    check_not_in_future(measured_on)
    return IndicatorValue.objects.create(
        indicator=indicator, measured_on=measured_on, value=value, comment=comment
    )


@transaction.atomic
def indicator_value_edit(
    *, value: IndicatorValue, measured_on: dt.date, amount: Any, comment: str = ""
) -> IndicatorValue:
    check_not_in_future(measured_on)
    value.measured_on, value.value, value.comment = measured_on, amount, comment
    value.save(update_fields=["measured_on", "value", "comment"])
    return value


@transaction.atomic
def indicator_value_delete(*, value: IndicatorValue) -> None:
    value.delete()


@transaction.atomic
def indicator_delete(*, indicator: Indicator) -> int:
    """Delete an indicator and its measurements; returns how many measurements went with it."""
    count = indicator.values.count()
    indicator.delete()
    return count
