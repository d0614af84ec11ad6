"""Writes of the COPIL decisions: record one, correct or follow it up, delete a mistake."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from actions.models import FIRST_YEAR, LAST_YEAR, Contract
from cls_platform.models import User
from workgroups.models import GroupKind, MeetingStatus

from .models import OPEN_STATUSES, CopilDecision, CopilDecisionChange, DecisionStatus

FIELDS = ("kind", "what", "meeting", "organization", "who_label", "due_on", "status")


def _check(contract: Contract, data: dict[str, Any]) -> None:
    errors: dict[str, str] = {}
    if not (data.get("what") or "").strip():
        errors["what"] = _("Indiquez la décision ou la recommandation.")
    organization, label = data.get("organization"), (data.get("who_label") or "").strip()
    if organization is not None and organization.territory_id != contract.territory_id:
        errors["organization"] = _("Cette structure n'appartient pas au territoire.")
    elif organization is None and not label:
        errors["who_label"] = _(
            "Indiquez qui la porte : une structure de l'annuaire, ou un libellé comme "
            "« Coordination CLS » ou « Tous les signataires »."
        )
    meeting = data.get("meeting")
    if meeting is not None and (
        meeting.group.contract_id != contract.pk
        or meeting.group.kind != GroupKind.COPIL
        or meeting.status == MeetingStatus.CANCELLED
    ):
        errors["meeting"] = _("Choisissez une réunion du comité de pilotage de ce contrat.")
    due_on: dt.date | None = data.get("due_on")
    if due_on is not None:
        if not FIRST_YEAR <= due_on.year <= LAST_YEAR:
            errors["due_on"] = _("Indiquez une échéance entre 2000 et 2100.")
        elif meeting is not None and "meeting" not in errors:
            held_on = timezone.localdate(meeting.starts_at)
            if due_on < held_on:
                errors["due_on"] = _(
                    "L'échéance (%(due)s) précède la réunion qui a pris la décision (%(day)s)."
                ) % {"due": due_on.strftime("%d/%m/%Y"), "day": held_on.strftime("%d/%m/%Y")}
    if data.get("status") not in DecisionStatus.values:
        errors["status"] = _("Choisissez un état de la liste.")
    if errors:
        raise ValidationError(errors)


def _follow(
    decision: CopilDecision, old_status: str, note: str, by: User | None, today: dt.date
) -> None:
    """Keep the change of state (or the comment) and the day it was closed."""
    if decision.status == old_status and not note:
        return
    if decision.status != old_status:
        decision.closed_on = None if decision.status in OPEN_STATUSES else today
        decision.save(update_fields=["closed_on", "updated_at"])
    CopilDecisionChange.objects.create(
        decision=decision,
        old_status=old_status,
        new_status=decision.status,
        note=note[:500],
        author=by if by is not None and by.is_authenticated else None,
    )


@transaction.atomic
def decision_create(
    *,
    contract: Contract,
    data: dict[str, Any],
    note: str = "",
    by: User | None = None,
    today: dt.date | None = None,
) -> CopilDecision:
    """Record a decision of the contract's steering committee, at the end of its list unless
    `data["order"]` says where."""
    _check(contract, data)
    order = data.get("order")
    if order is None:
        last = contract.copil_decisions.aggregate(last=Max("order"))["last"]
        order = 0 if last is None else last + 1
    decision = CopilDecision(contract=contract, order=order)
    for name in FIELDS:
        setattr(decision, name, data.get(name))
    decision.what = decision.what.strip()
    decision.who_label = (decision.who_label or "").strip()
    decision.save()
    _follow(decision, "", note.strip(), by, today or timezone.localdate())
    return decision


@transaction.atomic
def decision_update(
    *,
    decision: CopilDecision,
    data: dict[str, Any],
    note: str = "",
    by: User | None = None,
    today: dt.date | None = None,
) -> CopilDecision:
    """Correct a decision or follow it up: a change of state (or a comment) is kept in its
    history; closing it (faite, abandonnée) records the day."""
    _check(decision.contract, data)
    old_status = decision.status
    for name in FIELDS:
        setattr(decision, name, data.get(name))
    if data.get("order") is not None:
        decision.order = data["order"]
    decision.what = decision.what.strip()
    decision.who_label = (decision.who_label or "").strip()
    decision.save()
    _follow(decision, old_status, note.strip(), by, today or timezone.localdate())
    return decision


@transaction.atomic
def decision_delete(*, decision: CopilDecision) -> None:
    """A decision recorded by mistake (one that was not carried out is "abandonnée")."""
    decision.delete()
