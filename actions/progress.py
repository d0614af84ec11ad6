"""A contract's progress in figures, the same for every reader.

The progress page of a signed contract, the ARS table of all the contracts of a delegation and
the bilan PDF all say how many fiches-actions are done, in progress or late, and how many
indicators are on track. They read those figures here, for any number of contracts in two
queries, so that the three never disagree.

Rules, in the words the pages use:
- a fiche-action is *en retard* when its planned end is past and it is neither done nor abandoned;
- an indicator is *atteint* when its latest measurement reaches its target (from its baseline,
  0 when none is recorded); *en bonne voie* when it has come at least as far towards the target
  as the contract's period has elapsed; *en retard* when it has come less far; *sans mesure* when
  nothing has been measured yet; *sans cible* when it has no target.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import ActionStatus, Contract, FicheAction, Indicator, IndicatorValue

CLOSED_STATUSES = (ActionStatus.DONE, ActionStatus.ABANDONED)


def late_q(prefix: str = "", *, today: dt.date | None = None) -> Q:
    """Fiches-actions whose planned end is past while they are neither done nor abandoned."""
    today = today or timezone.localdate()
    return Q(**{f"{prefix}end_date__lt": today}) & ~Q(**{f"{prefix}status__in": CLOSED_STATUSES})


class Standing:
    REACHED = "reached"
    ON_TRACK = "on_track"
    BEHIND = "behind"
    UNMEASURED = "unmeasured"
    NO_TARGET = "no_target"

    LABELS = {
        REACHED: _("atteint"),
        ON_TRACK: _("en bonne voie"),
        BEHIND: _("en retard"),
        UNMEASURED: _("sans mesure"),
        NO_TARGET: _("sans cible"),
    }


def elapsed_share(contract: Contract, *, today: dt.date | None = None) -> Decimal:
    """How much of the contract's period has passed, from 0 to 1 (1 January of the first year
    to 31 December of the last)."""
    today = today or timezone.localdate()
    start = dt.date(contract.start_year, 1, 1)
    end = dt.date(contract.end_year, 12, 31)
    if today <= start:
        return Decimal(0)
    if today >= end:
        return Decimal(1)
    return Decimal((today - start).days) / Decimal((end - start).days)


def reached_share(
    baseline: Decimal | None, target: Decimal | None, value: Decimal | None
) -> Decimal | None:
    """How far from the baseline to the target the value is (1 = reached), None if unknown."""
    if target is None or value is None:
        return None
    start = baseline if baseline is not None else Decimal(0)
    if target == start:
        return Decimal(1) if value == target else Decimal(0)
    return (value - start) / (target - start)


def standing(
    *,
    baseline: Decimal | None,
    target: Decimal | None,
    latest: Decimal | None,
    elapsed: Decimal,
) -> str:
    if target is None:
        return Standing.NO_TARGET
    share = reached_share(baseline, target, latest)
    if share is None:
        return Standing.UNMEASURED
    if share >= 1:
        return Standing.REACHED
    return Standing.ON_TRACK if share >= elapsed else Standing.BEHIND


def trend(latest: Decimal | None, previous: Decimal | None) -> str:
    """'up', 'down' or 'flat' between the two latest measurements; '' with fewer than two."""
    if latest is None or previous is None:
        return ""
    if latest > previous:
        return "up"
    return "down" if latest < previous else "flat"


@dataclass
class Reading:
    """An indicator with its latest measurement, the one before, and its standing."""

    indicator: Indicator
    latest_value: Decimal | None
    latest_on: dt.date | None
    previous_value: Decimal | None
    standing: str
    trend: str

    @property
    def standing_label(self) -> str:
        return str(Standing.LABELS[self.standing])


@dataclass
class ContractFigures:
    fiches: int = 0
    by_status: dict[str, int] = field(default_factory=dict)
    late: int = 0
    indicators: int = 0
    by_standing: dict[str, int] = field(default_factory=dict)

    def count(self, status: str) -> int:
        return self.by_status.get(status, 0)

    @property
    def done(self) -> int:
        return self.count(ActionStatus.DONE)

    @property
    def in_progress(self) -> int:
        return self.count(ActionStatus.IN_PROGRESS)

    def share(self, number: int) -> int:
        """A whole percentage of the fiches-actions (0 when there are none)."""
        return round(number * 100 / self.fiches) if self.fiches else 0

    @property
    def done_share(self) -> int:
        return self.share(self.done)

    @property
    def on_track(self) -> int:
        """Indicators reached or on track."""
        return self.by_standing.get(Standing.REACHED, 0) + self.by_standing.get(
            Standing.ON_TRACK, 0
        )

    @property
    def measurable(self) -> int:
        """Indicators with a target: those that can be on track or not."""
        return self.indicators - self.by_standing.get(Standing.NO_TARGET, 0)


def with_readings(indicators: QuerySet[Indicator]) -> QuerySet[Indicator]:
    """Annotate each indicator with its latest and previous measurements, in the same query."""
    values = IndicatorValue.objects.filter(indicator=OuterRef("pk")).order_by("-measured_on", "-pk")
    return indicators.annotate(
        latest_value=Subquery(values.values("value")[:1]),
        latest_on=Subquery(values.values("measured_on")[:1]),
        previous_value=Subquery(values.values("value")[1:2]),
    )


def readings(
    indicators: QuerySet[Indicator], *, contract: Contract, today: dt.date | None = None
) -> list[Reading]:
    """The indicators of one contract (or a part of it) with their standing: one query."""
    elapsed = elapsed_share(contract, today=today)
    return [
        Reading(
            indicator=indicator,
            latest_value=indicator.latest_value,
            latest_on=indicator.latest_on,
            previous_value=indicator.previous_value,
            standing=standing(
                baseline=indicator.baseline,
                target=indicator.target,
                latest=indicator.latest_value,
                elapsed=elapsed,
            ),
            trend=trend(indicator.latest_value, indicator.previous_value),
        )
        for indicator in with_readings(indicators)
    ]


def contract_figures(
    contracts: Iterable[Contract], *, today: dt.date | None = None
) -> dict[int, ContractFigures]:
    """Fiches by status, late fiches and indicators by standing, per contract: two queries
    whatever the number of contracts."""
    contracts = list(contracts)
    figures = {contract.pk: ContractFigures() for contract in contracts}
    if not contracts:
        return figures
    today = today or timezone.localdate()
    rows = (
        FicheAction.objects.filter(contract__in=figures.keys())
        .values("contract_id", "status")
        .annotate(total=Count("pk"), late=Count("pk", filter=late_q(today=today)))
        .order_by()
    )
    for row in rows:
        numbers = figures[row["contract_id"]]
        numbers.fiches += row["total"]
        numbers.by_status[row["status"]] = numbers.by_status.get(row["status"], 0) + row["total"]
        numbers.late += row["late"]
    elapsed = {contract.pk: elapsed_share(contract, today=today) for contract in contracts}
    indicators = with_readings(
        Indicator.objects.filter(fiche__contract__in=figures.keys()).order_by()
    ).values("fiche__contract_id", "baseline", "target", "latest_value")
    for row in indicators:
        contract_id = row["fiche__contract_id"]
        numbers = figures[contract_id]
        numbers.indicators += 1
        state = standing(
            baseline=row["baseline"],
            target=row["target"],
            latest=row["latest_value"],
            elapsed=elapsed[contract_id],
        )
        numbers.by_standing[state] = numbers.by_standing.get(state, 0) + 1
    return figures
