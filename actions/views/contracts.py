"""Pages of contracts: list, detail, creation and edits, signature, the signed PDF, closing,
renewal, the printed contract."""

from __future__ import annotations

from html import escape
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.template.defaultfilters import linebreaksbr
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.generic import CreateView, DetailView, FormView, ListView, UpdateView, View

from cls_platform.audit import AuditEvent, audit_event
from cls_platform.forms import add_service_errors
from partners.selectors import pk_urls

from .. import selectors, services
from ..forms.contracts import ContractForm, RenewForm, SignedDocumentForm, SignForm
from ..models import Axis, AxisKind, Contract, ContractStatus
from .base import ActionsMixin, pdf_response


class ContractListView(ActionsMixin, ListView):
    template_name = "actions/contract_list.html"
    context_object_name = "contracts"

    def get_queryset(self):
        return selectors.contract_list(access=self.access).select_related("previous")


class ContractDetailView(ActionsMixin, DetailView):
    model = Contract
    template_name = "actions/contract_detail.html"
    context_object_name = "contract"

    def get_queryset(self):
        return self.contracts().select_related("previous")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        detail = selectors.contract_detail(contract=self.object)
        write = AxisBlocks(
            self.request,
            slug=self.territory.slug,
            coordinate=self.access.is_coordinator,
            locked=self.object.structure_locked,
        )
        for kind, block in (
            ("thematic_axes", write.thematic),
            ("transversal_axes", write.transversal),
        ):
            axes = detail[kind]
            for index, axis in enumerate(axes):
                axis.block = block(axis, first=index == 0, last=index == len(axes) - 1)
        return super().get_context_data(**detail, **kwargs)


def move_labels(axis: Axis) -> tuple[SafeString, SafeString, SafeString]:
    """The field of the amendment that allows moving the axis, and its two buttons: the site's
    own words and the axis's number, as {% blocktranslate %} wrote them."""
    if axis.kind == AxisKind.THEMATIC:
        labels = (
            _("Avenant autorisant le déplacement de l'axe %(number)s"),
            _("Monter l'axe %(number)s"),
            _("Descendre l'axe %(number)s"),
        )
    else:
        labels = (
            _("Avenant autorisant le déplacement de l'axe transversal %(number)s"),
            _("Monter l'axe transversal %(number)s"),
            _("Descendre l'axe transversal %(number)s"),
        )
    number = {"number": int(axis.number)}
    amendment, up, down = (mark_safe(label % number) for label in labels)  # a number: safe
    return amendment, up, down


class AxisBlocks:
    """Each axis of the contract's page, written in Python as the template wrote it (its title
    and count of fiches, a coordinator's buttons, description, objectives, fiches): through
    the template language, a few translations, an included form and a dozen conditions per
    axis. Every value typed by someone is escaped; the rest are the site's own words."""

    def __init__(self, request: HttpRequest, *, slug: str, coordinate: bool, locked: bool) -> None:
        self.coordinate, self.locked = coordinate, locked
        self.fiche_lines = FicheLines(slug)
        self.update_url = pk_urls("actions:axis_update", territory=slug)
        self.move_url = pk_urls("actions:axis_move", territory=slug)
        self.csrf = (
            f'<input type="hidden" name="csrfmiddlewaretoken" value="{escape(get_token(request))}">'
            if coordinate
            else ""
        )

    def move_form(self, axis: Axis, *, first: bool, last: bool) -> str:
        """A coordinator's buttons that move an axis, with the amendment's field once the
        contract is signed (its help is the page's "avenant-deplacement-aide")."""
        amendment, up, down = move_labels(axis)
        field = (
            f'\n  <label for="avenant-axe-{axis.pk}">{amendment}</label>'
            f'\n  <input type="text" id="avenant-axe-{axis.pk}" name="amendment_note" '
            'maxlength="500" aria-describedby="avenant-deplacement-aide">'
            if self.locked
            else ""
        )
        button = (
            '<button type="submit" name="direction" value="{}" class="button button--secondary"'
        )
        return (
            f'\n<form method="post" action="{self.move_url(axis.pk)}" class="inline-form">'
            f"\n  {self.csrf}{field}"
            f"\n  {button.format('up')}{' disabled' if first else ''}>{up}</button>"
            f"\n  {button.format('down')}{' disabled' if last else ''}>{down}</button>"
            "\n</form>"
        )

    def thematic(self, axis: Axis, *, first: bool, last: bool) -> SafeString:
        number, title = int(axis.number), escape(axis.plain_title)
        if axis.action_count:
            count = ngettext("%(n)s fiche", "%(n)s fiches", axis.action_count)
            count %= {"n": axis.action_count}
        else:
            count = _("aucune fiche")
        heading = _("Axe %(number)s : %(title)s") % {"number": number, "title": title}
        parts = [f'<div class="axis">\n  <h3>{heading} <span class="muted">({count})</span></h3>']
        if self.coordinate:
            edit = _("Modifier l'axe %(number)s") % {"number": number}
            parts.append(
                '\n  <div class="inline-actions">'
                f'\n    <a href="{self.update_url(axis.pk)}">{edit}</a>'
                f"\n    {self.move_form(axis, first=first, last=last)}"
                "\n  </div>"
            )
        if axis.description:
            parts.append(f"\n  <p>{linebreaksbr(axis.description, autoescape=True)}</p>")
        if axis.objectives:
            lines = "".join(
                f"<li>{escape(line)}</li>" for line in axis.objectives.splitlines() if line.strip()
            )
            parts.append(f"\n  <h4>{_('Objectifs')}</h4>\n  <ul>{lines}</ul>")
        if axis.fiches:
            parts.append(f'\n  <ul class="fiches">\n    {self.fiche_lines(axis.fiches)}\n  </ul>')
        parts.append("\n</div>")
        return mark_safe("".join(parts))  # every value typed by someone escaped above

    def transversal(self, axis: Axis, *, first: bool, last: bool) -> SafeString:
        number = int(axis.number)
        if axis.transversal_count:
            count = ngettext(
                "%(n)s fiche concernée", "%(n)s fiches concernées", axis.transversal_count
            )
            count %= {"n": axis.transversal_count}
        else:
            count = _("aucune fiche concernée")
        parts = [
            f"<li><strong>{number}. {escape(axis.plain_title)}</strong> "
            f'<span class="muted">({count})</span>'
        ]
        if self.coordinate:
            edit = _("Modifier l'axe transversal %(number)s") % {"number": number}
            parts.append(
                f'\n    · <a href="{self.update_url(axis.pk)}">{edit}</a>'
                '\n    <div class="inline-actions">'
                f"{self.move_form(axis, first=first, last=last)}</div>"
            )
        parts.append(f"\n    <br>{escape(axis.description)}" if axis.description else "\n    ")
        if axis.objectives:
            objectives = linebreaksbr(axis.objectives, autoescape=True)
            parts.append(f'\n    <br><span class="muted">{_("Objectifs :")}</span> {objectives}')
        else:
            parts.append("\n    ")
        parts.append("</li>")
        return mark_safe("".join(parts))  # every value typed by someone escaped above


class FicheLines:
    """The <li>s of an axis's fiches on the contract's page, written in Python: through the
    template language (a {% url %}, a status label and three conditions per fiche) the dozens
    of fiches of a contract took most of the page's time. Titles and structures are escaped."""

    def __init__(self, territory: str) -> None:
        self.link = pk_urls("actions:fiche_detail", territory=territory)
        self.late = format_html(
            '\n      <span class="badge badge--postponed">{}</span>', _("en retard")
        )

    def __call__(self, fiches: list[selectors.FicheItem]) -> SafeString:
        lines = [
            '<li><a href="{}">{} {}</a>\n      <span class="badge badge--{}">{}</span>{}{}</li>'.format(
                self.link(fiche.pk),
                escape(fiche.number),
                escape(fiche.title),
                escape(fiche.status),
                escape(fiche.status_label),
                self.late if fiche.late else "",
                f'\n      <span class="muted">· {escape(fiche.pilot)}</span>'
                if fiche.pilot
                else "",
            )
            for fiche in fiches
        ]
        return mark_safe("\n".join(lines))  # every value escaped above


class ContractFormMixin(ActionsMixin):
    model = Contract
    form_class = ContractForm
    template_name = "actions/contract_form.html"
    coordinator_only = True

    def get_queryset(self):
        return self.contracts()

    def form_valid(self, form: ContractForm) -> HttpResponse:
        data = {name: form.cleaned_data[name] for name in ContractForm.Meta.fields}
        try:
            if form.instance.pk:
                self.object = services.contract_update(
                    contract=form.instance,
                    data=data,
                    amendment_note=form.cleaned_data.get("amendment_note", ""),
                    user=self.request.user,
                )
            else:
                self.object = services.contract_create(territory=self.territory, data=data)
        except ValidationError as exc:
            add_service_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("Contrat enregistré."))
        return redirect("actions:contract_detail", territory=self.territory.slug, pk=self.object.pk)


class ContractCreateView(ContractFormMixin, CreateView):
    pass


class ContractUpdateView(ContractFormMixin, UpdateView):
    pass


class ContractObjectMixin(ActionsMixin):
    """A coordinator's page about one contract of the territory."""

    model = Contract
    coordinator_only = True

    def get_contract(self) -> Contract:
        return self.named_contract()

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(contract=self.get_contract(), **kwargs)


class ContractSignView(ContractObjectMixin, FormView):
    template_name = "actions/contract_sign.html"
    form_class = SignForm

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "territory": self.territory}

    def get_initial(self) -> dict[str, Any]:
        return {"signed_on": timezone.localdate()}

    def form_valid(self, form: SignForm) -> HttpResponse:
        contract = self.get_contract()
        try:
            services.contract_sign(
                contract=contract,
                signed_on=form.cleaned_data["signed_on"],
                signatories=form.signatories(),
                document=form.cleaned_data.get("document"),
                user=self.request.user,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
            return self.form_invalid(form)
        messages.success(
            self.request, _("Le contrat est signé : sa structure est désormais protégée.")
        )
        return redirect("actions:contract_detail", territory=self.territory.slug, pk=contract.pk)


class ContractCloseView(ContractObjectMixin, View):
    """Close a signed contract. Nothing on the pages reopens one, so "Clore le contrat" asks
    first: a page names the contract and takes a second press (confirm=1); no script needed."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        contract = self.get_contract()
        if request.POST.get("confirm") != "1" and contract.status == ContractStatus.SIGNED:
            return render(
                request,
                "actions/contract_close_confirm.html",
                {"territory": self.territory, "access": self.access, "contract": contract},
            )
        try:
            services.contract_close(contract=contract, user=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Le contrat est clos."))
        return redirect("actions:contract_detail", territory=self.territory.slug, pk=contract.pk)


class SignedContractOnlyMixin(ContractObjectMixin):
    """A page about a signed (or closed) contract: a draft sends back to the contract, with why."""

    draft_message = ""

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self.refuse_draft() or super().get(request, *args, **kwargs)  # type: ignore[misc]

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self.refuse_draft() or super().post(request, *args, **kwargs)  # type: ignore[misc]

    def refuse_draft(self) -> HttpResponse | None:
        contract = self.get_contract()
        if contract.status != ContractStatus.DRAFT:
            return None
        messages.error(self.request, self.draft_message)
        return redirect("actions:contract_detail", territory=self.territory.slug, pk=contract.pk)


class ContractDocumentUploadView(SignedContractOnlyMixin, FormView):
    """Deposit or replace the signed PDF of a signed (or closed) contract."""

    template_name = "actions/contract_document_form.html"
    form_class = SignedDocumentForm
    draft_message = gettext_lazy(
        "Ce contrat est en préparation : le PDF signé se dépose avec l'enregistrement de sa "
        "signature."
    )

    def form_valid(self, form: SignedDocumentForm) -> HttpResponse:
        contract = self.get_contract()
        replacing = bool(contract.signed_document)
        try:
            services.contract_document_set(
                contract=contract, document=form.cleaned_data["document"], user=self.request.user
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("Le PDF signé est remplacé.") if replacing else _("Le PDF signé est déposé."),
        )
        return redirect("actions:contract_detail", territory=self.territory.slug, pk=contract.pk)


class ContractRenewView(SignedContractOnlyMixin, FormView):
    template_name = "actions/contract_renew.html"
    form_class = RenewForm
    draft_message = gettext_lazy(
        "Seul un contrat signé ou clos se renouvelle : celui-ci est encore en préparation."
    )

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "contract": self.get_contract()}

    def get_initial(self) -> dict[str, Any]:
        contract = self.get_contract()
        length = contract.end_year - contract.start_year
        start = contract.end_year + 1
        return {
            "title": contract.title.replace(contract.period, f"{start}-{start + length}"),
            "start_year": start,
            "end_year": start + length,
            "axes": contract.axes.all(),
            "fiches": contract.fiches_actions.exclude(status__in=["done", "abandoned"]),
        }

    def form_valid(self, form: RenewForm) -> HttpResponse:
        try:
            successor = services.contract_renew(
                contract=self.get_contract(),
                title=form.cleaned_data["title"],
                start_year=form.cleaned_data["start_year"],
                end_year=form.cleaned_data["end_year"],
                axes=list(form.cleaned_data["axes"]),
                fiches=list(form.cleaned_data["fiches"]),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("Le nouveau contrat est créé en préparation."))
        return redirect("actions:contract_detail", territory=self.territory.slug, pk=successor.pk)


class ContractPdfView(ActionsMixin, DetailView):
    model = Contract

    def get_queryset(self):
        return self.contracts()

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        from ..pdf import contract_pdf  # WeasyPrint loads when a PDF is asked for

        contract = self.get_object()
        audit_event(AuditEvent.EXPORT, target=contract, format="pdf")
        return pdf_response(
            contract_pdf(contract=contract, for_signatories=self.access.is_viewer),
            f"{self.territory.slug}-{contract.kind}-{contract.period}.pdf",
        )


class ContractDocumentView(ActionsMixin, DetailView):
    """The signed contract's PDF, served only to those who may read the contract."""

    model = Contract

    def get_queryset(self):
        return self.contracts()

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        contract = self.get_object()
        if not contract.signed_document:
            raise Http404
        return FileResponse(
            contract.signed_document.open("rb"),
            content_type="application/pdf",
            filename=f"contrat-signe-{contract.period}.pdf",
        )
