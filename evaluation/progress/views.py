"""The progress page of a contract (signatories, coordinators, co-pilots) and the forms of the
COPIL decisions (coordinators)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.generic import DetailView, View

from actions.models import Contract
from cls_platform.access import TerritoryMixin, scoped

from ..surveys.editing import ServiceFormView
from . import bilan, selectors, services
from .forms import DecisionForm
from .models import CopilDecision


class ContractProgressView(TerritoryMixin, DetailView):
    """One page per contract for a reader with five minutes: what moved, what is late, who
    meets, what partners say, what the COPIL decided and what comes next."""

    model = Contract
    template_name = "evaluation/progress/contract_progress.html"
    context_object_name = "contract"

    def get_queryset(self):
        return scoped(Contract.objects.all(), self.access)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(
            progress=selectors.contract_progress(contract=self.object, access=self.access),
            bilan_choices=bilan.bilan_choices(self.object),
            can_coordinate=self.access.is_coordinator,
            **kwargs,
        )


def progress_url(territory: str, contract_id: int, anchor: str = "decisions") -> str:
    url = reverse(
        "evaluation:contract_progress", kwargs={"territory": territory, "pk": contract_id}
    )
    return f"{url}#{anchor}"


class DecisionFormView(TerritoryMixin, ServiceFormView):
    """A new decision of a contract's COPIL (`pk` names the contract), or one to correct or
    follow up (`pk` names the decision)."""

    template_name = "evaluation/progress/decision_form.html"
    form_class = DecisionForm
    coordinator_only = True
    write = True
    decision: CopilDecision | None = None

    def load(self) -> None:
        raise NotImplementedError

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "access": self.access, "contract": self.contract}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        history = []
        if self.decision is not None:
            history = list(self.decision.changes.select_related("author"))
        return super().get_context_data(
            contract=self.contract,
            decision=self.decision,
            history=history,
            back=progress_url(self.territory.slug, self.contract.pk),
            **kwargs,
        )


class DecisionCreateView(DecisionFormView):
    url_model = Contract  # the URL names the contract

    def load(self) -> None:
        self.contract = get_object_or_404(
            scoped(Contract.objects.all(), self.access), pk=self.kwargs["pk"]
        )

    def get_initial(self) -> dict[str, Any]:
        # "Ajouter une décision de ce COPIL", from the meeting's page.
        meeting = self.request.GET.get("reunion", "")
        return {"meeting": int(meeting)} if meeting.isascii() and meeting.isdigit() else {}

    def save(self, form: DecisionForm) -> HttpResponse:
        data = {**form.cleaned_data}
        note = data.pop("note", "")
        services.decision_create(contract=self.contract, data=data, note=note, by=self.request.user)
        messages.success(self.request, _("La décision est enregistrée."))
        return redirect(progress_url(self.territory.slug, self.contract.pk))


def decisions_of(access) -> Any:
    return scoped(CopilDecision.objects.all(), access).select_related("contract")


class DecisionUpdateView(DecisionFormView):
    model = CopilDecision

    def load(self) -> None:
        self.decision = get_object_or_404(decisions_of(self.access), pk=self.kwargs["pk"])
        self.contract = self.decision.contract

    def get_initial(self) -> dict[str, Any]:
        return DecisionForm.initial_of(self.decision)

    def save(self, form: DecisionForm) -> HttpResponse:
        data = {**form.cleaned_data}
        note = data.pop("note", "")
        services.decision_update(decision=self.decision, data=data, note=note, by=self.request.user)
        messages.success(self.request, _("La décision est mise à jour."))
        return redirect(progress_url(self.territory.slug, self.contract.pk))


class DecisionDeleteView(TerritoryMixin, View):
    """GET asks to confirm (RGAA 11.12: no deletion in one click); POST deletes."""

    model = CopilDecision
    coordinator_only = True
    http_method_names = ["get", "post"]

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        decision = get_object_or_404(decisions_of(self.access), pk=kwargs["pk"])
        steps = decision.changes.count()
        consequence = _(
            "Elle disparaît de la page d'avancement du contrat. Pour une décision saisie par "
            "erreur : une décision qui ne sera pas menée à bien se marque « Abandonnée » et "
            "reste dans le suivi."
        )
        if steps:
            consequence += " " + ngettext(
                "L'étape de son suivi sera supprimée avec elle.",
                "Les %(count)s étapes de son suivi seront supprimées avec elle.",
                steps,
            ) % {"count": steps}
        return render(
            request,
            "evaluation/delete_confirm.html",
            {
                "territory": self.territory,
                "heading": _("Supprimer cette décision ?"),
                "what": _("Décision du COPIL de « %(contract)s » : %(what)s")
                % {"contract": decision.contract.title, "what": decision.what},
                "consequence": consequence,
                "button": _("Supprimer la décision"),
                "cancel": reverse(
                    "evaluation:decision_update",
                    kwargs={"territory": self.territory.slug, "pk": decision.pk},
                ),
            },
        )

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        decision = get_object_or_404(decisions_of(self.access), pk=kwargs["pk"])
        contract_id = decision.contract_id
        services.decision_delete(decision=decision)
        messages.success(request, _("La décision est supprimée."))
        return redirect(progress_url(self.territory.slug, contract_id))
