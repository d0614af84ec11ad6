"""Pages of the groups: their list, a group's page, its form and its members."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.backends.utils import csrf_input
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.generic import CreateView, DetailView, ListView, UpdateView

from cls_platform.access import can_edit
from cls_platform.forms import add_service_errors
from cls_platform.templatetags.people import shows_people
from partners.search import contact_label

from .. import group_page, group_rows, selectors, services
from ..forms import ADD_ANOTHER_PILOT, CopilotGroupForm, MembershipForm, WorkGroupForm
from ..models import WorkGroup
from .base import GroupsMixin, posted_id


class GroupListView(GroupsMixin, ListView):
    template_name = "workgroups/workgroup_list.html"
    context_object_name = "groups"

    def get_queryset(self):
        return selectors.group_list(access=self.access)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(can_coordinate=self.access.is_coordinator, **kwargs)
        # The rows written in Python (workgroups/group_rows.py).
        context["group_rows"] = group_rows.group_list_rows(
            context["groups"], self.territory.slug, self.access
        )
        return context


class GroupDetailView(GroupsMixin, DetailView):
    model = WorkGroup
    template_name = "workgroups/workgroup_detail.html"
    context_object_name = "group"

    def get_queryset(self):
        return self.groups().select_related("contract", "axis")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        editable = can_edit(self.access, self.object)
        detail = selectors.group_detail(group=self.object)
        slug = self.territory.slug
        context = super().get_context_data(
            **detail,
            meeting_rows=group_rows.meeting_rows(detail["meetings"], slug),
            attendance_bars=group_rows.attendance_bars(detail["attendance"], detail["max_present"]),
            fiche_items=group_rows.fiche_items(detail["fiches"], slug),
            structure_items=group_rows.structure_items(detail["structures"]),
            sector_items=group_rows.sector_items(detail["sectors"]),
            can_edit_group=editable,
            show_drifters=self.access.is_coordinator,  # people: viewers read only the count
            **kwargs,
        )
        # The health figures, pilots and members written in Python (workgroups/group_page.py).
        people = shows_people(self.access)
        context["health_figures"] = group_page.health_figures(
            detail["health"], show_drifters=context["show_drifters"]
        )
        context["pilot_items"] = group_page.pilot_items(
            detail["pilots"], people=people, sectors=detail["pilot_sectors"]
        )
        if people:
            context["member_items"] = group_page.member_items(
                detail["memberships"],
                can_edit=editable,
                action=reverse(
                    "workgroups:group_membership", kwargs={"territory": slug, "pk": self.object.pk}
                ),
                csrf_input=csrf_input(self.request) if editable else "",
            )
        if editable:
            # Bound when a member's addition comes back with an error; else the empty form,
            # its HTML kept per territory.
            context["membership_form_html"] = group_page.form_html(
                context.get("membership_form"),
                empty=lambda: MembershipForm(access=self.access),
                territory_slug=slug,
            )
        return context


class GroupFormMixin(GroupsMixin):
    model = WorkGroup
    template_name = "workgroups/workgroup_form.html"

    def get_queryset(self):
        return self.groups()

    def get_form_class(self) -> type:
        # A co-pilot's form has no field for who pilots the group, its contract, its state nor
        # its invitation rule: whatever is posted for them is ignored (and the service refuses).
        return WorkGroupForm if self.access.is_coordinator else CopilotGroupForm

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "access": self.access}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(add_another_pilot=ADD_ANOTHER_PILOT, **kwargs)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if ADD_ANOTHER_PILOT not in request.POST or not self.access.is_coordinator:
            return super().post(request, *args, **kwargs)
        # "Ajouter un autre pilote" (without JavaScript): the form again, nothing saved, the
        # person typed now ticked in the list of pilots, the picker empty for the next one.
        self.object = self.get_object() if isinstance(self, UpdateView) else None
        form, added = self.get_form().with_pilot_added()
        if added is not None:
            messages.info(
                request,
                _(
                    "%(name)s rejoint la liste des pilotes, pas encore enregistrée : ajoutez-en "
                    "un autre, ou enregistrez le groupe."
                )
                % {"name": contact_label(added)},
            )
        return self.render_to_response(self.get_context_data(form=form))

    def form_valid(self, form: WorkGroupForm | CopilotGroupForm) -> HttpResponse:
        group = form.instance  # cleaned, not saved: the service saves it
        if group.contract.territory_id != self.territory.pk:
            raise Http404
        try:
            services.group_save(group=group, pilots=form.pilots(), access=self.access)
        except ValidationError as exc:
            add_service_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("Groupe « %(name)s » enregistré.") % {"name": group.name})
        return redirect("workgroups:group_detail", territory=self.territory.slug, pk=group.pk)


class GroupCreateView(GroupFormMixin, CreateView):
    coordinator_only = True


class GroupUpdateView(GroupFormMixin, UpdateView):
    write = True


class GroupMembershipView(GroupDetailView):
    """Add a member or subscriber (the picker), or remove one. A name that matches several
    people brings the group's page back with them to choose from.

    "Retirer" asks first, as on the invitation list: a page names the person and the group and
    takes a second press (confirm=1); no script needed, and a slip removes nobody."""

    write = True
    http_method_names = ["post"]

    def get_queryset(self):
        return self.groups()

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        group = self.object = self.get_object()
        if request.POST.get("remove"):
            membership = get_object_or_404(
                group.memberships.select_related("contact__organization"),
                contact_id=posted_id(request, "remove"),
            )
            contact = membership.contact
            if request.POST.get("confirm") != "1":
                return render(
                    request,
                    "workgroups/membership_remove_confirm.html",
                    {
                        "territory": self.territory,
                        "access": self.access,
                        "group": group,
                        "membership": membership,
                    },
                )
            services.membership_set(group=group, contact=contact, kind=None)
            messages.success(
                request, _("%(name)s ne fait plus partie du groupe.") % {"name": contact}
            )
            return redirect("workgroups:group_detail", territory=self.territory.slug, pk=group.pk)
        form = MembershipForm(request.POST, access=self.access)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(membership_form=form))
        services.membership_set(
            group=group, contact=form.cleaned_data["contact"], kind=form.cleaned_data["kind"]
        )
        messages.success(
            request, _("%(name)s est ajouté·e au groupe.") % {"name": form.cleaned_data["contact"]}
        )
        return redirect("workgroups:group_detail", territory=self.territory.slug, pk=group.pk)
