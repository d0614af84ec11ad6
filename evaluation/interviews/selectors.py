"""Reads of the interviews: the list grouped by axis or by group, in one query."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from cls_platform.access import scoped
from cls_platform.models import Access

from .models import Interview

BY_AXIS, BY_GROUP = "axe", "groupe"


def interview_list(
    *, access: Access, filters: dict[str, object] | None = None
) -> QuerySet[Interview]:
    """The territory's interviews, latest first; `filters` by contract, axis or group ids."""
    interviews = scoped(Interview.objects.all(), access).select_related(
        "contract", "contact", "organization", "axis", "group__axis", "conducted_by"
    )
    for name, value in (filters or {}).items():
        if value:
            interviews = interviews.filter(**{f"{name}_id": value})
    return interviews


@dataclass(frozen=True)
class Heading:
    """One heading of the list: an axis or a group, and its interviews."""

    title: str
    interviews: list[Interview]


def grouped(interviews: list[Interview], by: str) -> list[Heading]:
    """Under their axis (their own, or their group's), or under their group."""
    buckets: dict[tuple, Heading] = {}
    for interview in interviews:
        if by == BY_GROUP:
            group = interview.group
            key = (0, group.name.casefold(), group.pk) if group else (1, "", 0)
            title = group.name if group else _("Sans groupe de travail")
        else:
            axis = interview.axis_of_record
            key = (0, axis.contract_id, axis.kind, axis.number) if axis else (1, 0, "", 0)
            title = str(axis) if axis else _("Sans axe")
        buckets.setdefault(key, Heading(title, []))
        buckets[key].interviews.append(interview)
    return [buckets[key] for key in sorted(buckets)]
