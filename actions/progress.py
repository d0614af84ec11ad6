"""A contract's progress in figures, the same for every reader.

The progress page of a signed contract, the ARS table of all the contracts of a delegation and
the bilan PDF all say how many fiches-actions are done, in progress or late, and how many
indicators are on track. They read those figures here, for any number of contracts in two
queries, so that the three never disagree.

Rules, in the words the pages use:
- a fiche-action is *en retard* when its planned end is past and it is neither done nor abandoned;
- an indicator is *atteint* when its latest measurement reaches its target (from its baseline,
  0 when none is recorded; a target below the baseline is reached by going down); *en bonne
  voie* when it has come at least as far towards the target as the contract's period has
  elapsed; *en retard* when it has come less far; *sans mesure* when nothing has been measured
  yet; *sans cible* when it has no target;
- shares are whole percentages rounded half up (1 fiche of 8 is 13 %, as a reader counts).

The same figures per thematic axis come from `axis_figures` (one query); the indicators of a
contract with their latest value, its date, the value before and the standing from `readings`
(one query).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Protocol

from django.core.cache import caches
from django.db import connection
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from cls_platform.rows import placeholders

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


def format_value(value: Decimal | None, unit: str = "") -> str:
    """A measurement as a French reader writes it: "2,5 %", "12 médecins", "1 200"; "" when
    there is none. No trailing zeros: the fields keep two decimals."""
    if value is None:
        return ""
    value = value.quantize(Decimal("0.01"))
    places = 0 if value == value.to_integral_value() else len(str(value.normalize()).split(".")[1])
    text = number_format(value, decimal_pos=places, use_l10n=True, force_grouping=True)
    return f"{text} {unit}".strip() if unit else text


TREND_LABELS = {"up": _("en hausse"), "down": _("en baisse"), "flat": _("stable"), "": ""}


def percent(part: int, whole: int) -> int:
    """`part` of `whole` as a whole percentage rounded half up (0 when `whole` is 0): Python's
    round() rounds half to even, and 1 of 8 would read 12 %."""
    if not whole:
        return 0
    return (200 * part + whole) // (2 * whole)


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

    @property
    def trend_label(self) -> str:
        return str(TREND_LABELS[self.trend])

    @property
    def latest_label(self) -> str:
        return format_value(self.latest_value, self.indicator.unit)

    @property
    def baseline_label(self) -> str:
        return format_value(self.indicator.baseline, self.indicator.unit)

    @property
    def target_label(self) -> str:
        return format_value(self.indicator.target, self.indicator.unit)

    @property
    def reached_percent(self) -> int | None:
        """How far from the baseline to the target the latest value is, as a whole percentage
        (may exceed 100, or be negative when it went the wrong way); None when unknown."""
        share = reached_share(self.indicator.baseline, self.indicator.target, self.latest_value)
        if share is None:
            return None
        return int((share * 100).to_integral_value(rounding=ROUND_HALF_UP))


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
        """A whole percentage of the fiches-actions, rounded half up (0 when there are none)."""
        return percent(number, self.fiches)

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

    @property
    def late_share(self) -> int:
        return self.share(self.late)

    def standing_count(self, state: str) -> int:
        return self.by_standing.get(state, 0)

    def add_fiches(self, status: str, total: int, late: int) -> None:
        self.fiches += total
        self.by_status[status] = self.by_status.get(status, 0) + total
        self.late += late

    def add_indicator(self, state: str, count: int = 1) -> None:
        self.indicators += count
        self.by_standing[state] = self.by_standing.get(state, 0) + count

    def add(self, other: ContractFigures) -> None:
        """Add another part's figures (an axis's to its contract's)."""
        for status, count in other.by_status.items():
            self.add_fiches(status, count, 0)
        self.late += other.late
        for state, count in other.by_standing.items():
            self.add_indicator(state, count)


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


# The two statements of `contract_figures`, written out: built with the ORM, the correlated
# subquery of the latest measurement costs more to compile than the database takes to run it.
# They repeat the rules of `late_q` and `with_readings` (latest by date, then by id), which
# the figures of tests/actions/test_progress_figures.py hold them to. The fiches are counted in
# the order of their index (`fiche_counts`): PostgreSQL then reads the index alone
# (without the order, it hesitated between that and hashing the rows read from the table).
_FICHE_COUNTS = """
SELECT contract_id, status, COUNT(*),
    SUM(CASE WHEN end_date < %s AND status NOT IN ({closed}) THEN 1 ELSE 0 END)
FROM actions_ficheaction WHERE contract_id IN ({ids}) GROUP BY contract_id, status
ORDER BY contract_id, status"""
# The latest measure of the indicators with a target only: without one, an indicator's standing
# is "sans cible" whatever it measured (`standing`), and a contract's process indicators often
# have none (half of them in the scale data).
_INDICATOR_LATEST = """
SELECT f.contract_id, i.baseline, i.target,
    CASE WHEN i.target IS NOT NULL THEN (SELECT v.value FROM actions_indicatorvalue v
        WHERE v.indicator_id = i.id ORDER BY v.measured_on DESC, v.id DESC LIMIT 1) END
FROM actions_indicator i JOIN actions_ficheaction f ON f.id = i.fiche_id
WHERE f.contract_id IN ({ids})"""


def contract_figures(
    contracts: Iterable[Contract], *, today: dt.date | None = None
) -> dict[int, ContractFigures]:
    """Fiches by status, late fiches and indicators by standing, per contract: two queries
    whatever the number of contracts."""
    contracts = list(contracts)
    today = today or timezone.localdate()
    statements = figures_statements(contracts, today=today)
    rows = []
    with connection.cursor() as cursor:
        for statement, params in statements:
            cursor.execute(statement, params)
            rows.append(cursor.fetchall())
    return figures_from(contracts, rows, today=today)


def figures_statements(
    contracts: Iterable[Contract], *, today: dt.date, kept: Iterable[int] = ()
) -> list[tuple[str, list[Any]]]:
    """The two statements of `contract_figures` with their parameters, for a caller that sends
    them with others in one round trip; none without contracts. `figures_from` reads their
    rows. The indicators of the contracts in `kept` (their standings kept for the day,
    `kept_standings`) are not read."""
    ids = [contract.pk for contract in contracts]
    if not ids:
        return []
    kept = set(kept)
    reading = [pk for pk in ids if pk not in kept]
    closed = [str(status) for status in CLOSED_STATUSES]
    counts = _FICHE_COUNTS.format(closed=placeholders(closed), ids=placeholders(ids))
    latest = _INDICATOR_LATEST.format(ids=placeholders(reading))
    return [(counts, [today, *closed, *ids]), (latest, reading)]


def figures_from(
    contracts: Iterable[Contract],
    rows: list[list[tuple]],
    *,
    today: dt.date,
    kept: dict[int, dict[str, int]] | None = None,
) -> dict[int, ContractFigures]:
    """`contract_figures` from the rows of `figures_statements` (in their order), and the
    standings `kept` of the contracts whose indicators they did not read."""
    contracts = list(contracts)
    figures = {contract.pk: ContractFigures() for contract in contracts}
    if not contracts:
        return figures
    counts, latest = rows
    for contract_id, status, total, late in counts:
        figures[contract_id].add_fiches(status, total, late)
    elapsed = {contract.pk: elapsed_share(contract, today=today) for contract in contracts}
    for contract_id, baseline, target, value in latest:
        state = standing(
            baseline=baseline, target=target, latest=value, elapsed=elapsed[contract_id]
        )
        figures[contract_id].add_indicator(state)
    for contract_id, standings in (kept or {}).items():
        for state, count in standings.items():
            figures[contract_id].add_indicator(state, count)
    return figures


# The indicators' standings of a contract on a day, kept (the "figures" cache) under the
# contract's `indicators_version`, which any write to its indicators or their measures moves on
# (actions/signals.py), and its period: fifty contracts of the ARS table hold six thousand
# indicators, whose latest measures took PostgreSQL longer than the rest of the page. The
# standings change with the day (the share of the period elapsed), hence the day in the key.
STANDINGS_CACHE = "figures"


class Versioned(Protocol):
    pk: int
    start_year: int
    end_year: int
    indicators_version: int


def _standings_key(contract: Versioned, today: dt.date) -> str:
    return (
        f"standings:{contract.pk}:{contract.indicators_version}:"
        f"{contract.start_year}-{contract.end_year}:{today.isoformat()}"
    )


def kept_by_contract(contracts: Iterable[Any], key: Callable[[Any], str]) -> dict[int, Any]:
    """What the "figures" cache keeps under `key(contract)` of those of the contracts it keeps
    something of, by id (the standings here, the groups' states in evaluation.portfolio)."""
    keys = {key(contract): contract.pk for contract in contracts}
    found = caches[STANDINGS_CACHE].get_many(list(keys)) if keys else {}
    return {keys[key]: value for key, value in found.items()}


def kept_standings(contracts: Iterable[Versioned], *, today: dt.date) -> dict[int, dict[str, int]]:
    """The standings kept for `today` of those of the contracts that have them, by id."""
    return kept_by_contract(contracts, lambda contract: _standings_key(contract, today))


def keep_standings(
    contracts: Iterable[Versioned],
    figures: dict[int, ContractFigures],
    *,
    today: dt.date,
    kept: dict[int, dict[str, int]],
) -> None:
    """Keep for `today` the standings of the contracts read now (not in `kept`)."""
    new = {
        _standings_key(contract, today): dict(figures[contract.pk].by_standing)
        for contract in contracts
        if contract.pk not in kept and contract.pk in figures
    }
    if new:
        caches[STANDINGS_CACHE].set_many(new)


def axis_figures(
    contract: Contract, *, readings: Iterable[Reading] = (), today: dt.date | None = None
) -> dict[int, ContractFigures]:
    """The figures of `contract_figures` per thematic axis (by axis id), in one query: fiches by
    status and late; the indicators' standings are added from `readings` (of `readings()`,
    already read) when given, so that nothing is counted twice."""
    today = today or timezone.localdate()
    figures: dict[int, ContractFigures] = {}
    rows = (
        FicheAction.objects.filter(contract=contract)
        .values("thematic_axis_id", "status")
        .annotate(total=Count("pk"), late=Count("pk", filter=late_q(today=today)))
        .order_by()
    )
    for row in rows:
        numbers = figures.setdefault(row["thematic_axis_id"], ContractFigures())
        numbers.add_fiches(row["status"], row["total"], row["late"])
    for reading in readings:
        axis_id = reading.indicator.fiche.thematic_axis_id
        figures.setdefault(axis_id, ContractFigures()).add_indicator(reading.standing)
    return figures
