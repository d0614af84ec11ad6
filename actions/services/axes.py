"""Writes to the axes of a contract; a thematic axis's new number carries its fiches' numbers."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from cls_platform.models import User

from ..models import Axis, AxisKind, Contract, FicheAction
from .contracts import amendment_record
from .pdf_warm import warm_after_commit

Renumbering = list[tuple[FicheAction, str, str]]  # (fiche, old number, new number)


def fiche_renumbering(*, contract: Contract, moves: dict[int, tuple[int, int]]) -> Renumbering:
    """The fiches whose number follows their thematic axis ("2.3" under axis 2) and must follow
    it to its new number. `moves` maps an axis id to its (old, new) number. Numbers written
    another way ("A3") are left alone."""
    plan: Renumbering = []
    fiches = contract.fiches_actions.filter(thematic_axis_id__in=list(moves)).order_by("number")
    for fiche in fiches:
        old, new = moves[fiche.thematic_axis_id]
        prefix = f"{old}."
        if old != new and fiche.number.startswith(prefix):
            plan.append((fiche, fiche.number, f"{new}.{fiche.number[len(prefix) :]}"))
    moving = {fiche.pk for fiche, _old, _new in plan}
    taken = set(contract.fiches_actions.exclude(pk__in=moving).values_list("number", flat=True))
    max_length = FicheAction._meta.get_field("number").max_length
    for _fiche, old, new in plan:
        if new in taken:
            raise ValidationError(
                _(
                    "La fiche %(old)s devrait devenir %(new)s, mais ce numéro est déjà celui "
                    "d'une autre fiche-action : renumérotez-la d'abord."
                )
                % {"old": old, "new": new}
            )
        if len(new) > max_length:
            raise ValidationError(
                _("Le numéro %(new)s serait trop long pour la fiche %(old)s.")
                % {"old": old, "new": new}
            )
    return plan


def describe_renumbering(plan: Renumbering) -> str:
    if not plan:
        return ""
    return _("fiches renumérotées : %(list)s") % {
        "list": ", ".join(f"{old} → {new}" for _fiche, old, new in plan)
    }


def apply_renumbering(plan: Renumbering) -> None:
    if not plan:
        return
    fiches = [fiche for fiche, _old, _new in plan]
    # Through numbers nobody uses, as (contract, number) is unique at every step of a swap.
    for fiche in fiches:
        fiche.number = f"#{fiche.pk}"
    FicheAction.objects.bulk_update(fiches, ["number"])
    for fiche, _old, new in plan:
        fiche.number = new
    FicheAction.objects.bulk_update(fiches, ["number"])


@transaction.atomic
def axis_save(*, axis: Axis, amendment_note: str = "", user: User | None = None) -> Axis:
    """Create or edit an axis. Its kind is structural: an axis that carries fiches keeps it.
    A new number for a thematic axis carries its fiches' numbers along ("1.2" → "3.2")."""
    contract = axis.contract
    if axis.kind not in AxisKind.values:
        raise ValidationError({"kind": _("Choisissez un type d'axe.")})
    plan: Renumbering = []
    if axis.pk is None:
        before = None
    else:
        before = Axis.objects.get(pk=axis.pk)
        if before.kind != axis.kind and before.carries_fiches():
            raise ValidationError(
                {
                    "kind": _(
                        "Cet axe porte des fiches-actions : son type (thématique ou transversal) "
                        "ne peut pas changer. Rattachez d'abord ses fiches à un autre axe."
                    )
                }
            )
    if axis.number is None:
        if before is not None and before.kind == axis.kind:
            axis.number = before.number
        else:
            last = contract.axes.filter(kind=axis.kind).aggregate(n=Max("number"))["n"] or 0
            axis.number = last + 1
    if contract.axes.filter(kind=axis.kind, number=axis.number).exclude(pk=axis.pk).exists():
        raise ValidationError(
            {"number": _("Ce numéro est déjà pris par un autre axe de ce contrat.")}
        )
    if before is None:
        amendment_record(
            contract=contract,
            note=amendment_note,
            # str(axis) starts with "Axe 7": "Ajout de l'axe Axe 7 : ..." said it twice.
            changes=(
                _("Ajout de l'axe %(number)s : %(title)s")
                if axis.kind == AxisKind.THEMATIC
                else _("Ajout de l'axe transversal %(number)s : %(title)s")
            )
            % {"number": axis.number, "title": axis.plain_title},
            user=user,
        )
    elif (before.kind, before.title, before.number) != (axis.kind, axis.title, axis.number):
        if axis.kind == AxisKind.THEMATIC and before.kind == AxisKind.THEMATIC:
            plan = fiche_renumbering(
                contract=contract, moves={axis.pk: (before.number, axis.number)}
            )
        changes = _("« %(before)s » devient « %(after)s »") % {"before": before, "after": axis}
        if plan:
            changes = f"{changes} ; {describe_renumbering(plan)}"
        amendment_record(contract=contract, note=amendment_note, changes=changes, user=user)
    axis.save()
    apply_renumbering(plan)
    warm_after_commit(contract_id=contract.pk)
    return axis


@transaction.atomic
def axis_move(
    *, axis: Axis, direction: int, amendment_note: str = "", user: User | None = None
) -> Axis:
    """Swap an axis with its neighbour (direction -1: up, +1: down); numbers follow the order,
    and so do the numbers of the fiches under a thematic axis."""
    siblings = list(axis.contract.axes.filter(kind=axis.kind).order_by("number"))
    index = next(i for i, a in enumerate(siblings) if a.pk == axis.pk)
    other_index = index + direction
    if not 0 <= other_index < len(siblings):
        return axis
    other = siblings[other_index]
    first, second = axis.number, other.number
    plan: Renumbering = []
    if axis.kind == AxisKind.THEMATIC:
        plan = fiche_renumbering(
            contract=axis.contract, moves={axis.pk: (first, second), other.pk: (second, first)}
        )
    changes = _("Ordre des axes : %(a)s et %(b)s échangés") % {"a": axis.title, "b": other.title}
    if plan:
        changes = f"{changes} ; {describe_renumbering(plan)}"
    amendment_record(contract=axis.contract, note=amendment_note, changes=changes, user=user)
    # Through a free number, as (contract, kind, number) is unique at every step.
    free = (max(a.number for a in siblings) or 0) + 1
    Axis.objects.filter(pk=axis.pk).update(number=free)
    Axis.objects.filter(pk=other.pk).update(number=first)
    Axis.objects.filter(pk=axis.pk).update(number=second)
    apply_renumbering(plan)
    axis.refresh_from_db()
    warm_after_commit(contract_id=axis.contract_id)
    return axis
