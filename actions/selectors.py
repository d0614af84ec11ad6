"""Reads of contracts and fiches-actions, each in a fixed number of queries."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from html import escape
from typing import Any, NamedTuple

from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    Count,
    DateField,
    DateTimeField,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
    Window,
)
from django.db.models.functions import Cast, Coalesce
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from cls_platform.access import scoped
from cls_platform.models import Access
from partners.selectors import pk_urls

from .models import (
    ActionPartner,
    ActionStatus,
    Axis,
    AxisKind,
    Contract,
    ContractEventKind,
    FicheAction,
    Indicator,
    IndicatorValue,
)

# Most recent first, as the lists say: the latest start, then the latest end (a renewal that
# overlaps), then by kind and title so that two contracts of one period keep a stable order.
CONTRACT_ORDER = ("-start_year", "-end_year", "kind", "title", "pk")


def contract_list(*, access: Access) -> QuerySet[Contract]:
    # Explicit: Django drops Meta.ordering from a query that groups rows to count them.
    return (
        scoped(Contract.objects.all(), access)
        .annotate(
            action_count=Count("fiches_actions", distinct=True),
            axis_count=Count("axes", distinct=True),
        )
        .order_by(*CONTRACT_ORDER)
    )


class FicheItem(NamedTuple):
    """A fiche as the contract's page lists it under its axis: plain values (a contract has
    dozens of fiches, each a line), not model instances."""

    pk: int
    number: str
    title: str
    status: str
    status_label: str
    late: bool
    pilot: str  # its pilot structure's name, or ""


class AmendmentItem(NamedTuple):
    number: int
    adopted_on: dt.date
    note: str
    changes: str


class EventItem(NamedTuple):
    created_at: dt.datetime
    kind_label: str
    detail: str


def contract_detail(*, contract: Contract) -> dict[str, Any]:
    """What the contract's page shows below its title, in two queries: its axes with their
    fiches (one row per fiche, joined), then its signatories, amendments and steps together."""
    # How many fiches each transversal axis concerns: counted per row by the index of the
    # relation, rather than by grouping the joined fiches.
    concerned = (
        FicheAction.transversal_axes.through.objects.filter(axis_id=OuterRef("pk"))
        .order_by()
        .values("axis_id")
        .annotate(n=Count("*"))
        .values("n")
    )
    rows = (
        contract.axes.annotate(transversal_count=Coalesce(Subquery(concerned), 0))
        .order_by("kind", "number", "fiches_actions__number")
        .values_list(
            "pk",
            "kind",
            "number",
            "title",
            "description",
            "objectives",
            "transversal_count",
            "fiches_actions__pk",
            "fiches_actions__number",
            "fiches_actions__title",
            "fiches_actions__status",
            "fiches_actions__end_date",
            "fiches_actions__pilot_organization__name",
        )
    )
    today = timezone.localdate()
    labels = {value: str(label) for value, label in ActionStatus.choices}
    finished = (ActionStatus.DONE, ActionStatus.ABANDONED)
    axes: dict[int, Axis] = {}
    status_counts = dict.fromkeys(labels, 0)
    late_count = total = 0
    for row in rows:
        axis = axes.get(row[0])
        if axis is None:
            axis = axes[row[0]] = Axis(
                pk=row[0],
                contract_id=contract.pk,
                kind=row[1],
                number=row[2],
                title=row[3],
                description=row[4],
                objectives=row[5],
            )
            axis.transversal_count, axis.fiches = row[6], []
        pk, number, title, status, end_date, pilot = row[7:]
        if pk is None:  # an axis without fiches
            continue
        late = bool(end_date and end_date < today and status not in finished)  # as is_late
        axis.fiches.append(FicheItem(pk, number, title, status, labels[status], late, pilot or ""))
        status_counts[status] += 1
        late_count += late
        total += 1
    for axis in axes.values():
        axis.action_count = len(axis.fiches)
    return {
        "thematic_axes": [a for a in axes.values() if a.kind == AxisKind.THEMATIC],
        "transversal_axes": [a for a in axes.values() if a.kind == AxisKind.TRANSVERSAL],
        **contract_records(contract),
        "status_counts": [(label, status_counts[value], value) for value, label in labels.items()],
        "late_count": late_count,
        "action_total": total,
    }


def contract_records(contract: Contract) -> dict[str, list]:
    """The names of the contract's signatories (in their order), its amendments (by number)
    and its steps (by date): one query of the three tables, columns in common."""
    # Typed: PostgreSQL would take a bare NULL in two of the three for text.
    no_day, no_moment = Cast(Value(None), DateField()), Cast(Value(None), DateTimeField())
    signatories = contract.signatories.values_list(
        Value("signatory"), "pk", "order", no_day, no_moment, "organization__name", Value("")
    )
    amendments = contract.amendments.values_list(
        Value("amendment"), "pk", "number", "adopted_on", no_moment, "note", "changes"
    )
    events = contract.events.values_list(
        Value("event"),
        "pk",
        Cast(Value(None), IntegerField()),
        no_day,
        "created_at",
        "kind",
        "detail",
    )
    found: dict[str, list[tuple]] = {"signatory": [], "amendment": [], "event": []}
    for source, *row in signatories.order_by().union(
        amendments.order_by(), events.order_by(), all=True
    ):
        found[source].append(row)
    kinds = dict(ContractEventKind.choices)
    return {
        "signatories": [
            name
            for _pk, _order, _d, _m, name, _x in sorted(
                found["signatory"], key=lambda row: (row[1], row[0])
            )
        ],
        "amendments": [
            AmendmentItem(number, day, note, changes)
            for _pk, number, day, _m, note, changes in sorted(
                found["amendment"], key=lambda row: row[1]
            )
        ],
        "events": [
            EventItem(moment, str(kinds.get(kind, kind)), detail)
            for _pk, _n, _d, moment, kind, detail in sorted(
                found["event"], key=lambda row: (row[3], row[0])
            )
        ],
    }


def with_late_flag(queryset: QuerySet[FicheAction]) -> QuerySet[FicheAction]:
    today = timezone.localdate()
    return queryset.annotate(
        late=Case(
            When(
                Q(end_date__lt=today) & ~Q(status__in=[ActionStatus.DONE, ActionStatus.ABANDONED]),
                then=Value(True),
            ),
            default=Value(False),
            output_field=BooleanField(),
        )
    )


def fiche_list(*, access: Access) -> QuerySet[FicheAction]:
    return with_late_flag(
        scoped(FicheAction.objects.all(), access).select_related(
            "contract", "thematic_axis", "pilot_organization"
        )
    ).order_by("-contract__start_year", "contract_id", "number")


# One row of the fiches-actions list, as fiche_list.html wrote it with the template language
# (same markup and spacing); the page inserts them all at once.
FICHE_ROW = (
    '\n        <tr>\n          <th scope="row"><a href="{url}">{number} {title}</a>\n'
    '            <br><span class="muted">{contract}</span></th>\n'
    "          <td>{axis}</td>\n"
    "          <td>{pilot}</td>\n"
    '          <td><span class="badge badge--{status}">{status_label}</span> {progress} %</td>\n'
    "          <td>{deadline}{late}</td>\n"
    "        </tr>\n      "
)


# What a row of the list shows, read as plain values (fiche_list's queryset, `late` included).
FICHE_ROW_VALUES = (
    "pk",
    "number",
    "title",
    "contract__title",
    "thematic_axis_id",
    "thematic_axis__number",
    "thematic_axis__title",
    "pilot_organization__name",
    "status",
    "progress",
    "end_date",
    "late",  # with_late_flag
)


def fiche_page_rows(
    *, fiches: QuerySet[FicheAction], bottom: int, top: int
) -> tuple[list[tuple], int] | None:
    """The rows `fiches[bottom:top]` (FICHE_ROW_VALUES) and how many fiches the whole list
    holds, in one query (COUNT(*) OVER (): the count a paginator asks first comes with the
    page). None where the window would not count the list's fiches (a DISTINCT list, whose
    duplicates it counts) or the database has no window functions."""
    if fiches.query.distinct or not connection.features.supports_over_clause:
        return None
    rows = list(
        fiches.annotate(listed=Window(Count("*"))).values_list(*FICHE_ROW_VALUES, "listed")[
            bottom:top
        ]
    )
    return [row[:-1] for row in rows], rows[0][-1] if rows else 0


def fiche_table_rows(
    *,
    fiches: QuerySet[FicheAction] | None = None,
    rows: list[tuple] | None = None,
    territory_slug: str,
) -> SafeString:
    """The <tr>s of `fiches` (a page of `fiche_list`) or of its `rows` read already
    (fiche_page_rows), written in Python from one query's plain values. For fifty rows, this
    saves some 19,000 calls over the template language, 9,000 over format_html (Django's lazy
    escaping per value), and 10,000 more by reading values, not model instances. Every value a
    person typed, and every label, is escaped; the rest are numbers and dates."""
    if rows is None:
        rows = fiches.values_list(*FICHE_ROW_VALUES)
    link = pk_urls("actions:fiche_detail", territory=territory_slug)
    # Each label translated once (get_status_display builds the choices' dictionary per call).
    statuses = {value: escape(str(label)) for value, label in ActionStatus.choices}
    late_badge = (
        f'\n            <br><span class="badge badge--postponed">{escape(_("en retard"))}</span>'
    )
    axes: dict[int, str] = {}  # a page has a few axes: each one's title worked out once
    contracts: dict[str, str] = {}  # and a contract or two
    written = []
    for (
        pk,
        number,
        title,
        contract,
        axis_id,
        axis_number,
        axis_title,
        pilot,
        status,
        progress,
        end_date,
        late,
    ) in rows:
        axis = axes.get(axis_id)
        if axis is None:
            plain = Axis(number=axis_number, title=axis_title).plain_title
            axis = axes[axis_id] = f"{axis_number}. {escape(plain)}"
        contract_shown = contracts.get(contract)
        if contract_shown is None:
            contract_shown = contracts[contract] = escape(contract)
        written.append(
            FICHE_ROW.format(
                url=escape(link(pk)),
                number=escape(number),
                title=escape(title),
                contract=contract_shown,
                axis=axis,
                pilot=escape(pilot) if pilot else "—",
                status=escape(status),
                status_label=statuses.get(status) or escape(status),
                progress=progress,
                deadline=f"{end_date:%d/%m/%Y}" if end_date else "—",
                late=late_badge if late else "",
            )
        )
    return mark_safe("".join(written))  # every value above escaped


@dataclass(frozen=True)
class Trend:
    """An indicator's measurements against its target, for a table and a small chart."""

    indicator: Indicator
    values: list[IndicatorValue]
    latest: IndicatorValue | None
    reached: int | None  # % of the way from baseline to target

    @property
    def points(self) -> str:
        """SVG polyline points (100 x 30 box) of the values, target as the top line."""
        if not self.values:
            return ""
        numbers = [float(v.value) for v in self.values]
        extremes = numbers + [
            float(x) for x in (self.indicator.target, self.indicator.baseline) if x is not None
        ]
        low, high = min(extremes), max(extremes)
        span = (high - low) or 1.0
        step = 100 / max(len(numbers) - 1, 1)
        return " ".join(
            f"{i * step:.1f},{30 - (n - low) / span * 30:.1f}" for i, n in enumerate(numbers)
        )

    @property
    def target_y(self) -> str:
        target = self.indicator.target
        if target is None or not self.values:
            return ""
        numbers = [float(v.value) for v in self.values]
        extremes = numbers + [float(x) for x in (target, self.indicator.baseline) if x is not None]
        low, high = min(extremes), max(extremes)
        return f"{30 - (float(target) - low) / ((high - low) or 1.0) * 30:.1f}"


def progress_towards(indicator: Indicator, latest: IndicatorValue | None) -> int | None:
    if latest is None or indicator.target is None:
        return None
    baseline = indicator.baseline if indicator.baseline is not None else Decimal(0)
    if indicator.target == baseline:
        return 100 if latest.value == indicator.target else 0
    share = (latest.value - baseline) / (indicator.target - baseline) * 100
    return max(0, min(round(share), 999))


def indicator_trends(fiche: FicheAction) -> list[Trend]:
    indicators = fiche.indicators.prefetch_related(
        Prefetch("values", queryset=IndicatorValue.objects.order_by("measured_on"))
    )
    trends = []
    for indicator in indicators:
        values = list(indicator.values.all())
        latest = values[-1] if values else None
        trends.append(Trend(indicator, values, latest, progress_towards(indicator, latest)))
    return trends


def indicator_values(*, indicator: Indicator) -> list[IndicatorValue]:
    """Its measurements, newest first, as the pages that correct them list them."""
    return list(indicator.values.order_by("-measured_on", "-id"))


@dataclass(frozen=True)
class TimelineEntry:
    when: dt.date
    kind: str  # update | status | value | meeting
    title: str
    text: str = ""
    pk: int | None = None  # the update or measurement, for its correction links
    note: str = ""  # what the meeting said, when an update was posted from it
    edited: bool = False
    indicator_pk: int | None = None


def fiche_timeline(fiche: FicheAction) -> list[TimelineEntry]:
    """Updates, status changes, indicator values and meetings, newest first (4 queries).

    An update posted from a meeting and that meeting's link tell one story: it appears once,
    as the update naming its meeting, with what the meeting said when that differs."""
    # Meetings belong to the workgroups app: reached through the link it declares.
    links = list(fiche.meeting_links.select_related("meeting__group"))
    by_update = {link.update_id: link for link in links if link.update_id}
    entries: list[TimelineEntry] = []
    for update in fiche.updates.all():
        link = by_update.get(update.pk)
        title = _("Actualité")
        note = ""
        if link is not None:
            starts = timezone.localtime(link.meeting.starts_at)
            title = _("Actualité · réunion %(group)s du %(date)s") % {
                "group": link.meeting.group.name,
                "date": f"{starts:%d/%m/%Y}",
            }
            if link.note.strip() and link.note.strip() != update.text.strip():
                note = link.note
        entries.append(
            TimelineEntry(
                update.happened_on,
                "update",
                title,
                update.text,
                pk=update.pk,
                note=note,
                edited=update.edited_at is not None,
            )
        )
    for change in fiche.status_changes.all():
        entries.append(
            TimelineEntry(
                timezone.localtime(change.changed_at).date(),
                "status",
                f"{change.get_old_status_display()} → {change.get_new_status_display()}",
                _("Avancement : %(progress)s %%") % {"progress": change.progress},
            )
        )
    for value in IndicatorValue.objects.filter(indicator__fiche=fiche).select_related("indicator"):
        unit = f" {value.indicator.unit}" if value.indicator.unit else ""
        entries.append(
            TimelineEntry(
                value.measured_on,
                "value",
                value.indicator.title,
                f"{value.value.normalize():f}{unit}"
                + (f" · {value.comment}" if value.comment else ""),
                pk=value.pk,
                indicator_pk=value.indicator_id,
            )
        )
    for link in links:
        if link.update_id:
            continue  # told by its update above
        meeting = link.meeting
        entries.append(
            TimelineEntry(
                timezone.localtime(meeting.starts_at).date(),
                "meeting",
                _("Réunion : %(group)s") % {"group": meeting.group.name},
                link.note,
            )
        )
    return sorted(entries, key=lambda e: (e.when, e.kind, e.pk or 0), reverse=True)


def fiche_detail(*, fiche: FicheAction) -> dict[str, Any]:
    return {
        "partnerships": list(
            ActionPartner.objects.filter(fiche=fiche)
            .select_related("organization", "level")
            .order_by("organization__name")
        ),
        "funding_lines": list(fiche.funding_lines.all()),
        "funding_total": sum((f.amount for f in fiche.funding_lines.all()), Decimal(0)),
        "trends": indicator_trends(fiche),
        "timeline": fiche_timeline(fiche),
        "transversal": list(fiche.transversal_axes.order_by("number")),
        "publics": list(fiche.publics.all()),
        "qpvs": list(fiche.qpvs.all()),
        "ottawa": list(fiche.ottawa_areas.all()),
        "copilots": list(fiche.copilots.select_related("organization")),
        "successors": list(fiche.successors.select_related("contract")),
    }


def meetings_for(fiche: FicheAction) -> QuerySet[Any]:
    """The meetings where this action may have been discussed: those of its contract's groups,
    newest first. Meetings belong to the workgroups app, reached through the territory's
    reverse relation, never through an import."""
    return (
        fiche.territory.meetings.filter(group__contract_id=fiche.contract_id)
        .select_related("group")
        .order_by("-starts_at")
    )
