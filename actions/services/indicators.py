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
from .pdf_warm import warm_fiche_after_commit


@transaction.atomic
def indicator_save(*, indicator: Indicator) -> Indicator:
    if indicator.pk is None and indicator.order == 0:
        indicator.order = (indicator.fiche.indicators.aggregate(n=Max("order"))["n"] or 0) + 1
    indicator.save()
    warm_fiche_after_commit(fiche_id=indicator.fiche_id)
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
    warm_fiche_after_commit(fiche_id=indicator.fiche_id)
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
    warm_fiche_after_commit(indicator_id=value.indicator_id)
    return value


@transaction.atomic
def indicator_value_delete(*, value: IndicatorValue) -> None:
    warm_fiche_after_commit(indicator_id=value.indicator_id)
    value.delete()


@transaction.atomic
def indicator_delete(*, indicator: Indicator) -> int:
    """Delete an indicator and its measurements; returns how many measurements went with it."""
    count = indicator.values.count()
    warm_fiche_after_commit(fiche_id=indicator.fiche_id)
    indicator.delete()
    return count
