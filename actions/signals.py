"""A contract's `indicators_version` moved on whenever one of its indicators or their measures is
written or deleted, whatever writes it (the services, the admin, a fiche deleted with its
indicators): the indicators' standings kept for the day (actions.progress.kept_standings) are
kept under it, so that a change is read on the next page, in every process."""

from __future__ import annotations

from typing import Any

from django.db.models import F
from django.db.models.signals import post_delete, post_save

from .models import Contract, Indicator, IndicatorValue


def indicator_changed(sender: type, instance: Indicator, **kwargs: Any) -> None:
    Contract.objects.filter(fiches_actions__pk=instance.fiche_id).update(
        indicators_version=F("indicators_version") + 1
    )


def measure_changed(sender: type, instance: IndicatorValue, **kwargs: Any) -> None:
    Contract.objects.filter(fiches_actions__indicators__pk=instance.indicator_id).update(
        indicators_version=F("indicators_version") + 1
    )


def connect() -> None:
    for signal in (post_save, post_delete):
        signal.connect(indicator_changed, sender=Indicator, dispatch_uid="indicator_changed")
        signal.connect(measure_changed, sender=IndicatorValue, dispatch_uid="measure_changed")
