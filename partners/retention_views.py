"""The review of contacts kept too long (partners/retention.py): the list, the coordinator's
decisions (keep, ask the person, erase), and the confirmation an erasure needs.

Coordinators only: the page lists people with their mailing state, and each decision speaks for
the territory (403 to co-pilots and signatories, 404 to another territory)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.generic import ListView, TemplateView

from . import retention
from .models import Contact
from .views import DirectoryMixin, query_without_page

KEEP, ASK, ERASE = "garder", "demander", "effacer"
ACTIONS = (KEEP, ASK, ERASE)
SCOPE_CHECKED, SCOPE_PAGE = "cochees", "page"
# The largest id the databases store: a longer one is no contact, not a 500.
MAX_ID = 2**63 - 1


def ids_of(values: list[str]) -> list[int] | None:
    """Contact ids as posted, or None if one is not an id (a tampered form)."""
    ids = []
    for value in values:
        if not value.isdigit() or int(value) > MAX_ID:
            return None
        ids.append(int(value))
    return list(dict.fromkeys(ids))


@method_decorator(never_cache, name="dispatch")
class ReviewMixin(DirectoryMixin):
    coordinator_only = True

    def asked_filter(self) -> str:
        value = self.request.GET.get("etat", "")
        return value if value in dict(retention.FILTERS) else retention.FILTER_ALL

    def to_review(self) -> QuerySet[Contact]:
        return retention.contacts_to_review(access=self.access, asked=self.asked_filter())

    def review_url(self) -> str:
        url = reverse("partners:retention_review", kwargs={"territory": self.territory.slug})
        query = self.request.GET.urlencode()
        return f"{url}?{query}" if query else url

    def still_to_review(self, ids: list[int]) -> list[Contact]:
        """The contacts named that are still to review: one who answered or was erased in the
        meantime is left alone."""
        return list(
            retention.contacts_to_review(access=self.access).filter(pk__in=ids).order_by("pk")
        )

    def say_gone(self, asked: int, found: int) -> None:
        gone = asked - found
        if gone:
            messages.info(
                self.request,
                ngettext(
                    "%(n)s personne n'est plus à revoir (une interaction ou un effacement "
                    "entre-temps) : rien n'a été fait pour elle.",
                    "%(n)s personnes ne sont plus à revoir (une interaction ou un effacement "
                    "entre-temps) : rien n'a été fait pour elles.",
                    gone,
                )
                % {"n": gone},
            )


class ReviewView(ReviewMixin, ListView):
    """Contacts with no interaction of their own for CONTACT_REVIEW_MONTHS months."""

    template_name = "partners/retention/review.html"
    paginate_by = retention.REVIEW_PAGE_SIZE
    context_object_name = "contacts"

    def get_queryset(self) -> QuerySet[Contact]:
        return self.to_review()

    def paginate_queryset(self, queryset: Any, page_size: int) -> tuple[Any, ...]:
        # A page past the end (the last rows were just erased) shows the last page, not a 404.
        paginator = Paginator(queryset, page_size)
        page = paginator.get_page(self.request.GET.get("page"))
        return paginator, page, page.object_list, page.has_other_pages()

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        contacts = retention.with_sources(context["contacts"])
        requests = retention.latest_requests(contacts)
        context.update(
            review_months=retention.review_months(),
            filters=retention.FILTERS,
            asked_filter=self.asked_filter(),
            query=query_without_page(self.request),
            rows=[
                {
                    "contact": c,
                    # Coordinators only: a person known by their address alone is named by it.
                    "name": c.full_name or c.email,
                    "interaction": retention.last_interaction_label(c),
                    "request": requests.get(c.pk),
                    "unreachable": retention.unreachable_reason(c),
                }
                for c in contacts
            ],
            actions={"keep": KEEP, "ask": ASK, "erase": ERASE},
            scopes={"checked": SCOPE_CHECKED, "page": SCOPE_PAGE},
            chosen=set(kwargs.get("chosen", ())),
            scope=kwargs.get("scope", SCOPE_CHECKED),
        )
        return context

    def refuse(self, error: str, *, chosen: list[str], scope: str) -> HttpResponse:
        """The page again, with the message and what was ticked: nothing is lost."""
        self.object_list = self.get_queryset()
        return self.render_to_response(
            self.get_context_data(error=error, chosen=chosen, scope=scope)
        )

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        chosen = request.POST.getlist("contact")
        scope = request.POST.get("portee", SCOPE_CHECKED)
        action, _sep, row = request.POST.get("ligne", "").partition(":")
        if row:
            values = [row]
        else:
            action = request.POST.get("action", "")
            if scope == SCOPE_PAGE:
                values = request.POST.getlist("page_contact")
            elif scope == SCOPE_CHECKED:
                values = chosen
            else:
                return self.refuse(
                    _("Choisissez à qui s'applique la décision."),
                    chosen=chosen,
                    scope=SCOPE_CHECKED,
                )
        if action not in ACTIONS:
            return self.refuse(
                _("Choisissez une décision : garder, demander ou effacer."),
                chosen=chosen,
                scope=scope,
            )
        ids = ids_of(values)
        if ids is None:
            return self.refuse(
                _("La sélection n'a pas pu être lue : cochez à nouveau les personnes."),
                chosen=[],
                scope=scope,
            )
        if not ids:
            return self.refuse(
                _("Cochez au moins une personne, ou choisissez « toute la page »."),
                chosen=chosen,
                scope=scope,
            )
        if action == ERASE:
            query = QueryDict(mutable=True)
            query.setlist("contact", [str(pk) for pk in ids])
            if self.request.GET.get("etat"):
                query["etat"] = self.request.GET["etat"]
            url = reverse("partners:retention_erase", kwargs={"territory": self.territory.slug})
            return redirect(f"{url}?{query.urlencode()}")
        contacts = self.still_to_review(ids)
        self.say_gone(len(ids), len(contacts))
        if action == KEEP:
            self.keep(contacts)
        else:
            self.ask(contacts)
        return redirect(self.review_url())

    def keep(self, contacts: list[Contact]) -> None:
        kept = retention.contacts_keep(contacts=contacts, user=self.request.user)
        if kept:
            messages.success(
                self.request,
                ngettext(
                    "%(n)s personne est gardée : son délai repart d'aujourd'hui.",
                    "%(n)s personnes sont gardées : leur délai repart d'aujourd'hui.",
                    kept,
                )
                % {"n": kept},
            )

    def ask(self, contacts: list[Contact]) -> None:
        outcome = retention.contacts_ask(contacts=contacts)
        if outcome.queued:
            n = len(outcome.queued)
            messages.success(
                self.request,
                ngettext(
                    "%(n)s personne va recevoir un lien pour confirmer ses coordonnées ; "
                    "si elle confirme, elle quitte cette liste.",
                    "%(n)s personnes vont recevoir un lien pour confirmer leurs coordonnées ; "
                    "celles qui confirment quittent cette liste.",
                    n,
                )
                % {"n": n},
            )
        if outcome.pending:
            n = len(outcome.pending)
            messages.info(
                self.request,
                ngettext(
                    "%(n)s personne a déjà une demande en attente d'envoi : rien n'est ajouté.",
                    "%(n)s personnes ont déjà une demande en attente d'envoi : rien n'est ajouté.",
                    n,
                )
                % {"n": n},
            )
        for contact, reason in outcome.refused:
            messages.error(
                self.request,
                _("%(name)s n'a pas été sollicité·e : %(reason)s Gardez ou effacez cette fiche.")
                % {"name": contact, "reason": reason},
            )


class ReviewEraseView(ReviewMixin, TemplateView):
    """The confirmation an erasure needs: who will be erased, what stays, then the erasure."""

    template_name = "partners/retention/erase.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ids = ids_of(self.request.GET.getlist("contact")) or []
        contacts = retention.with_sources(self.still_to_review(ids))
        return super().get_context_data(
            contacts=contacts,
            gone=len(ids) - len(contacts),
            review_months=retention.review_months(),
            back_url=self.back_url(),
            **kwargs,
        )

    def back_url(self) -> str:
        url = reverse("partners:retention_review", kwargs={"territory": self.territory.slug})
        etat = self.request.GET.get("etat")
        return f"{url}?etat={etat}" if etat in dict(retention.FILTERS) and etat else url

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        ids = ids_of(request.POST.getlist("contact"))
        if not ids:
            messages.error(
                request,
                _("Aucune personne n'a été effacée : la sélection était vide ou illisible."),
            )
            return redirect(self.back_url())
        contacts = self.still_to_review(ids)
        self.say_gone(len(ids), len(contacts))
        erased = retention.contacts_erase(contacts=contacts)
        if erased:
            messages.success(
                request,
                ngettext(
                    "%(n)s personne a été effacée ; les chiffres (invitations, présences) restent, "
                    "sans nom.",
                    "%(n)s personnes ont été effacées ; les chiffres (invitations, présences) "
                    "restent, sans nom.",
                    erased,
                )
                % {"n": erased},
            )
        return redirect(self.back_url())
