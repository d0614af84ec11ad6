"""What every page of contracts and fiches-actions shares: the territory's scope, the objects
the URL names, a PDF answer, and the pages that correct records one by one."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from cls_platform.access import TerritoryMixin, require_edit, scoped
from cls_platform.forms import add_service_errors

from ..models import Contract, FicheAction


def pdf_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


class ActionsMixin(TerritoryMixin):
    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["can_coordinate"] = self.access.is_coordinator
        return context

    def contracts(self):
        return scoped(Contract.objects.all(), self.access)

    def fiches(self):
        return scoped(FicheAction.objects.all(), self.access)

    def named_contract(self) -> Contract:
        """The contract of the territory the URL names."""
        if not hasattr(self, "_contract"):
            self._contract = get_object_or_404(self.contracts(), pk=self.kwargs["pk"])
        return self._contract

    def editable_fiche(self) -> FicheAction:
        """The fiche-action the URL names, if the user may edit it (its pilots may)."""
        if not hasattr(self, "_fiche"):
            fiche = get_object_or_404(self.fiches(), pk=self.kwargs["pk"])
            require_edit(self.access, fiche)
            self._fiche = fiche
        return self._fiche


class CorrectionsMixin(ActionsMixin):
    """A page listing the records of one parent (an indicator's measurements, a fiche's updates),
    each in its own small form: a POST names the record it corrects or deletes, which is looked
    up inside the parent, itself inside what the user may edit. A deletion is asked to confirm
    first (RGAA 11.12): the record's "Supprimer" leads to a page saying what goes, whose button
    posts the deletion."""

    write = True
    record_field = ""  # the POST field naming the record
    saved_message = ""
    deleted_message = ""
    missing_message = ""
    confirm_heading = ""  # the confirmation page's title, a question
    confirm_button = ""
    confirm_consequence = ""  # what else changes once the record is gone

    def get_parent(self) -> Any:
        raise NotImplementedError

    def records(self) -> list[Any]:
        raise NotImplementedError

    def make_form(self, record: Any, data: Any = None) -> Any:
        raise NotImplementedError

    def save(self, record: Any, form: Any) -> None:
        raise NotImplementedError

    def delete(self, record: Any) -> None:
        raise NotImplementedError

    def fiche_of(self, parent: Any) -> FicheAction:
        raise NotImplementedError

    def describe(self, record: Any) -> str:
        """The record, named on its confirmation page."""
        raise NotImplementedError

    def confirm_delete(self, record: Any) -> HttpResponse:
        return render(
            self.request,
            "actions/record_delete_confirm.html",
            {
                "territory": self.territory,
                "heading": self.confirm_heading,
                "what": self.describe(record),
                "consequence": self.confirm_consequence,
                "button": self.confirm_button,
                "cancel": f"{self.request.path}#{self.record_field}-{record.pk}",
                "name": self.record_field,
                "record": record,
            },
        )

    def render_page(self, bound: Any = None) -> HttpResponse:
        parent = self.get_parent()
        rows = [
            (
                record,
                bound
                if bound is not None and bound.record.pk == record.pk
                else self.make_form(record),
            )
            for record in self.records()
        ]
        context = self.get_context_data(parent=parent, fiche=self.fiche_of(parent), rows=rows)
        return self.render_to_response(context)

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self.render_page()

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        parent = self.get_parent()
        by_pk = {str(record.pk): record for record in self.records()}
        record = by_pk.get(request.POST.get(self.record_field, ""))
        back = redirect(request.path)
        if record is None:  # a second click on "Supprimer", another tab...
            messages.error(request, self.missing_message)
            return back
        if "supprimer" in request.POST:
            if "confirme" not in request.POST:
                return self.confirm_delete(record)
            self.delete(record)
            messages.success(request, self.deleted_message)
            return back
        form = self.make_form(record, request.POST)
        if form.is_valid():
            try:
                self.save(record, form)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, self.saved_message)
                return redirect(
                    "actions:fiche_detail",
                    territory=self.territory.slug,
                    pk=self.fiche_of(parent).pk,
                )
        return self.render_page(bound=form)
