"""Writes of the interviews of a mid-term review."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from cls_platform.models import Territory, User

from .models import Interview

NOTES = ("missions", "territory_actions", "needs", "collaboration", "follow_up")


@transaction.atomic
def interview_save(
    *,
    territory: Territory,
    data: dict[str, Any],
    interview: Interview | None = None,
    by: User | None = None,
) -> Interview:
    """Record an interview (or correct one). The person is someone of the directory or a name
    typed; the axis and the group belong to the contract; the structure defaults to the
    person's."""
    contract, contact = data["contract"], data.get("contact")
    axis, group = data.get("axis"), data.get("group")
    organization = data.get("organization")
    errors: dict[str, str] = {}
    if contract.territory_id != territory.pk:
        errors["contract"] = _("Ce contrat n'appartient pas au territoire.")
    if contact is not None and contact.territory_id != territory.pk:
        errors["contact"] = _("Cette personne n'appartient pas au territoire.")
    if organization is not None and organization.territory_id != territory.pk:
        errors["organization"] = _("Cette structure n'appartient pas au territoire.")
    if contact is None and not data.get("interviewee", "").strip():
        errors["contact"] = _(
            "Indiquez la personne rencontrée : choisissez-la dans l'annuaire ou écrivez son nom."
        )
    if axis is not None and axis.contract_id != contract.pk:
        errors["axis"] = _("Choisissez un axe de ce contrat.")
    if group is not None and group.contract_id != contract.pk:
        errors["group"] = _("Choisissez un groupe de ce contrat.")
    if errors:
        raise ValidationError(errors)
    interview = interview or Interview(territory=territory, conducted_by=by)
    interview.contract, interview.contact, interview.axis, interview.group = (
        contract,
        contact,
        axis,
        group,
    )
    interview.held_on = data["held_on"]
    interview.interviewee = data.get("interviewee", "").strip()
    if organization is None and contact is not None:
        organization = contact.organization
    interview.organization = organization
    for name in NOTES:
        setattr(interview, name, data.get(name, "").strip())
    interview.save()
    return interview


@transaction.atomic
def interview_delete(*, interview: Interview) -> None:
    interview.delete()
