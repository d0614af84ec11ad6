"""Forms of an indicator and its measurements."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from cls_platform.forms import IsoDateInput

from ..models import Indicator, IndicatorValue


class IndicatorForm(forms.ModelForm):
    class Meta:
        model = Indicator
        fields = ["kind", "title", "unit", "baseline", "target", "source", "frequency"]
        help_texts = {"frequency": _("Par exemple « annuelle » ou « à chaque session ».")}


class IndicatorValueForm(forms.ModelForm):
    class Meta:
        model = IndicatorValue
        fields = ["measured_on", "value", "comment"]
        widgets = {"measured_on": IsoDateInput}
