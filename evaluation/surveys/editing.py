"""The shape of the evaluation's forms: the objects the URL names are looked up once the access
is known, and one service saves; its refusal shows on the form, next to the field it names."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Model, QuerySet
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.views.generic import FormView

from cls_platform.forms import add_service_errors


class ServiceFormView(FormView):
    def load(self) -> None:
        """Look up what the URL names (after the access check of the territory's mixin)."""

    def save(self, form: Form) -> HttpResponse:
        """Call the service with the form's data; answer with where to go next."""
        raise NotImplementedError

    def named(self, queryset: QuerySet[Any]) -> Model | None:
        """The object of `queryset` the URL's `pk` names (404 if none), or None without one."""
        if "pk" not in self.kwargs:
            return None
        return get_object_or_404(queryset, pk=self.kwargs["pk"])

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.load()
        return super().get(request, *args, **kwargs)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.load()
        return super().post(request, *args, **kwargs)

    def form_valid(self, form: Form) -> HttpResponse:
        try:
            return self.save(form)
        except ValidationError as exc:
            add_service_errors(form, exc)
            return self.form_invalid(form)
