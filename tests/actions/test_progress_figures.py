"""actions/progress.py: the figures that the progress page, the ARS table and the bilan share.

Counted against the database (each status and each rule counted again here with plain
queries), the standing rules at their edges, and two queries whatever the number of
contracts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from actions.models import ActionStatus, FicheAction, Indicator, IndicatorValue
from actions.progress import (
    Standing,
    axis_figures,
    contract_figures,
    elapsed_share,
    format_value,
    percent,
    reached_share,
    readings,
    standing,
    trend,
)
from tests.factories import AxisFactory, ContractFactory, FicheActionFactory

pytestmark = pytest.mark.django_db

# A CLS 2023-2028: on this day, 2 years of 6 have passed (to within a day).
TODAY = dt.date(2025, 1, 1)
PAST, FUTURE = dt.date(2024, 6, 30), dt.date(2026, 6, 30)


def indicator(fiche, *, baseline=None, target=None, values=()) -> Indicator:
    made = Indicator.objects.create(
        fiche=fiche,
        title=f"Indicateur {Indicator.objects.count() + 1}",
        baseline=None if baseline is None else Decimal(baseline),
        target=None if target is None else Decimal(target),
    )
    for day, value in values:
        IndicatorValue.objects.create(indicator=made, measured_on=day, value=Decimal(value))
    return made


def a_contract(territory=None, *, fiches=()) -> object:
    """A 2023-2028 contract with one fiche per (status, end date) of `fiches`."""
    contract = ContractFactory(**({"territory": territory} if territory else {}))
    axis = AxisFactory(contract=contract)
    for status, end in fiches:
        FicheActionFactory(contract=contract, thematic_axis=axis, status=status, end_date=end)
    return contract


MIXED = [
    (ActionStatus.PLANNED, PAST),  # late
    (ActionStatus.PLANNED, FUTURE),
    (ActionStatus.IN_PROGRESS, PAST),  # late
    (ActionStatus.IN_PROGRESS, None),
    (ActionStatus.IN_PROGRESS, TODAY),  # ends today: not late yet
    (ActionStatus.POSTPONED, PAST),  # late: postponed is not closed
    (ActionStatus.DONE, PAST),
    (ActionStatus.DONE, FUTURE),
    (ActionStatus.ABANDONED, PAST),
]


def test_fiches_by_status_and_late_are_those_of_the_database(territory):
    contract = a_contract(territory, fiches=MIXED)
    a_contract(territory, fiches=[(ActionStatus.PLANNED, PAST)] * 3)  # another contract's
    figures = contract_figures([contract], today=TODAY)[contract.pk]

    fiches = FicheAction.objects.filter(contract=contract)
    assert figures.fiches == fiches.count() == 9
    for status in ActionStatus.values:
        assert figures.count(status) == fiches.filter(status=status).count(), status
    assert figures.done == 2 and figures.in_progress == 3
    late_by_hand = [
        f
        for f in fiches
        if f.end_date and f.end_date < TODAY and f.status not in ("done", "abandoned")
    ]
    assert figures.late == len(late_by_hand) == 3
    assert figures.done_share == 22  # 2 of 9 = 22.2 %
    assert figures.late_share == 33


def test_a_contract_without_fiches_reads_zero_everywhere(territory):
    contract = a_contract(territory)
    figures = contract_figures([contract], today=TODAY)[contract.pk]
    assert (figures.fiches, figures.late, figures.indicators) == (0, 0, 0)
    assert figures.done_share == 0 and figures.on_track == 0 and figures.measurable == 0


def test_no_contract_costs_no_query():
    with CaptureQueriesContext(connection) as ctx:
        assert contract_figures([]) == {}
    assert len(ctx.captured_queries) == 0


def test_shares_round_half_up_as_a_reader_counts():
    assert percent(1, 8) == 13  # 12.5 %: round() would say 12
    assert percent(5, 8) == 63  # 62.5 %: round() would say 62
    assert percent(1, 3) == 33
    assert percent(2, 3) == 67
    assert percent(0, 0) == 0
    assert percent(7, 7) == 100


def test_indicator_standings_are_counted_per_contract(territory):
    contract = a_contract(territory, fiches=[(ActionStatus.IN_PROGRESS, FUTURE)])
    fiche = contract.fiches_actions.get()
    early, late = dt.date(2023, 6, 1), dt.date(2024, 12, 1)
    indicator(fiche, baseline=0, target=10, values=[(early, 2), (late, 10)])  # reached
    indicator(fiche, baseline=0, target=10, values=[(late, 5)])  # 50 % ≥ 33 %: on track
    indicator(fiche, baseline=0, target=10, values=[(late, 3)])  # 30 % < 33 %: behind
    indicator(fiche, baseline=0, target=10)  # unmeasured
    indicator(fiche, values=[(late, 7)])  # no target
    other = a_contract(territory, fiches=[(ActionStatus.PLANNED, FUTURE)])
    indicator(other.fiches_actions.get(), target=1, values=[(late, 1)])

    figures = contract_figures([contract, other], today=TODAY)
    mine = figures[contract.pk]
    assert mine.indicators == 5
    assert mine.by_standing == {
        Standing.REACHED: 1,
        Standing.ON_TRACK: 1,
        Standing.BEHIND: 1,
        Standing.UNMEASURED: 1,
        Standing.NO_TARGET: 1,
    }
    assert mine.on_track == 2 and mine.measurable == 4
    assert figures[other.pk].by_standing == {Standing.REACHED: 1}


def test_the_latest_measurement_is_the_latest_date_not_the_latest_typed(territory):
    contract = a_contract(territory, fiches=[(ActionStatus.IN_PROGRESS, FUTURE)])
    fiche = contract.fiches_actions.get()
    made = indicator(fiche, baseline=0, target=100)
    # Typed in this order: a correction of an old measurement comes last.
    IndicatorValue.objects.create(indicator=made, measured_on=dt.date(2024, 11, 1), value=60)
    IndicatorValue.objects.create(indicator=made, measured_on=dt.date(2024, 3, 1), value=80)
    IndicatorValue.objects.create(indicator=made, measured_on=dt.date(2023, 9, 1), value=20)

    (reading,) = readings(Indicator.objects.filter(pk=made.pk), contract=contract, today=TODAY)
    assert reading.latest_value == Decimal(60)
    assert reading.latest_on == dt.date(2024, 11, 1)
    assert reading.previous_value == Decimal(80)
    assert reading.trend == "down" and reading.trend_label == "en baisse"
    assert reading.standing == Standing.ON_TRACK  # 60 % of the way after a third of the time
    assert reading.standing_label == "en bonne voie"
    assert reading.reached_percent == 60
    assert contract_figures([contract], today=TODAY)[contract.pk].by_standing == {
        Standing.ON_TRACK: 1
    }


@pytest.mark.parametrize(
    ("first", "second", "expected"), [(10, 100, "reached"), (100, 10, "other")]
)
def test_two_measurements_on_the_same_day_the_one_typed_last_counts(
    territory, first, second, expected
):
    """The progress page (readings) and the figures of the dashboard, the ARS table and the bilan
    (contract_figures, written in SQL) break a tie of dates the same way: the latest typed."""
    contract = a_contract(territory, fiches=[(ActionStatus.IN_PROGRESS, FUTURE)])
    made = indicator(contract.fiches_actions.get(), baseline=0, target=100)
    for value in (first, second):
        IndicatorValue.objects.create(indicator=made, measured_on=dt.date(2024, 11, 1), value=value)

    (reading,) = readings(Indicator.objects.filter(pk=made.pk), contract=contract, today=TODAY)
    assert reading.latest_value == Decimal(second)
    assert (reading.standing == Standing.REACHED) == (expected == "reached")
    by_standing = contract_figures([contract], today=TODAY)[contract.pk].by_standing
    assert by_standing == {reading.standing: 1}


def test_a_single_measurement_has_no_trend(territory):
    contract = a_contract(territory, fiches=[(ActionStatus.IN_PROGRESS, FUTURE)])
    made = indicator(contract.fiches_actions.get(), target=4, values=[(PAST, 1)])
    (reading,) = readings(Indicator.objects.filter(pk=made.pk), contract=contract, today=TODAY)
    assert reading.previous_value is None
    assert reading.trend == "" and reading.trend_label == ""


@pytest.mark.parametrize(
    ("latest", "previous", "expected"),
    [(5, 4, "up"), (4, 5, "down"), (4, 4, "flat"), (4, None, ""), (None, None, "")],
)
def test_trend_between_the_two_latest_measurements(latest, previous, expected):
    as_decimal = [None if v is None else Decimal(v) for v in (latest, previous)]
    assert trend(*as_decimal) == expected


# --- The standing rules at their edges ------------------------------------------------------


def test_elapsed_share_runs_from_the_first_of_january_to_the_thirty_first_of_december():
    contract = ContractFactory.build(start_year=2023, end_year=2028)
    assert elapsed_share(contract, today=dt.date(2022, 12, 31)) == 0
    assert elapsed_share(contract, today=dt.date(2023, 1, 1)) == 0
    assert elapsed_share(contract, today=dt.date(2028, 12, 31)) == 1
    assert elapsed_share(contract, today=dt.date(2031, 5, 1)) == 1
    middle = elapsed_share(contract, today=dt.date(2026, 1, 1))
    assert Decimal("0.49") < middle < Decimal("0.51")


def test_a_one_year_contract_is_half_gone_at_midsummer():
    contract = ContractFactory.build(start_year=2025, end_year=2025)
    assert Decimal("0.49") < elapsed_share(contract, today=dt.date(2025, 7, 2)) < Decimal("0.51")


HALF = Decimal("0.5")


@pytest.mark.parametrize(
    ("baseline", "target", "latest", "elapsed", "expected"),
    [
        # No target: nothing to be on track for, measured or not.
        (None, None, 3, HALF, Standing.NO_TARGET),
        (0, None, None, HALF, Standing.NO_TARGET),
        # A target, nothing measured.
        (0, 10, None, HALF, Standing.UNMEASURED),
        # Exactly as far as the time gone: on track; a hair less: behind.
        (0, 10, 5, HALF, Standing.ON_TRACK),
        (0, 10, Decimal("4.99"), HALF, Standing.BEHIND),
        # Exactly the target: reached, even on the first day; beyond it too.
        (0, 10, 10, Decimal(0), Standing.REACHED),
        (0, 10, 12, Decimal(1), Standing.REACHED),
        # No baseline recorded: counted from 0.
        (None, 10, 5, HALF, Standing.ON_TRACK),
        (None, 10, 4, HALF, Standing.BEHIND),
        # A target below the baseline (waiting times, smokers...): reached by going down.
        (40, 20, 30, HALF, Standing.ON_TRACK),
        (40, 20, 35, HALF, Standing.BEHIND),
        (40, 20, 18, HALF, Standing.REACHED),
        # Gone the wrong way: behind, even on the first day.
        (10, 20, 8, Decimal(0), Standing.BEHIND),
        # Nothing gone yet, nothing moved: on track on the first day.
        (10, 20, 10, Decimal(0), Standing.ON_TRACK),
        # The period over and the target not reached: behind.
        (0, 10, Decimal("9.9"), Decimal(1), Standing.BEHIND),
        # Target equal to the baseline (keep a level): reached only when it is held.
        (5, 5, 5, HALF, Standing.REACHED),
        (5, 5, 4, HALF, Standing.BEHIND),
    ],
)
def test_standing_at_its_edges(baseline, target, latest, elapsed, expected):
    def d(value):
        return None if value is None else Decimal(value)

    assert standing(baseline=d(baseline), target=d(target), latest=d(latest), elapsed=elapsed) == (
        expected
    )


def test_reached_share_is_unknown_without_target_or_value():
    assert reached_share(Decimal(0), None, Decimal(3)) is None
    assert reached_share(Decimal(0), Decimal(3), None) is None
    assert reached_share(Decimal(40), Decimal(20), Decimal(30)) == HALF


# --- Per axis -------------------------------------------------------------------------------


def test_axis_figures_add_up_to_the_contracts(territory):
    contract = a_contract(territory, fiches=MIXED)
    second = AxisFactory(contract=contract)
    FicheActionFactory(
        contract=contract, thematic_axis=second, status=ActionStatus.DONE, end_date=PAST
    )
    late_fiche = FicheActionFactory(
        contract=contract, thematic_axis=second, status=ActionStatus.PLANNED, end_date=PAST
    )
    indicator(late_fiche, target=3, values=[(PAST, 3)])
    read = readings(
        Indicator.objects.filter(fiche__contract=contract).select_related("fiche"),
        contract=contract,
        today=TODAY,
    )
    by_axis = axis_figures(contract, readings=read, today=TODAY)
    whole = contract_figures([contract], today=TODAY)[contract.pk]

    assert by_axis[second.pk].fiches == 2
    assert by_axis[second.pk].done == 1 and by_axis[second.pk].late == 1
    assert by_axis[second.pk].by_standing == {Standing.REACHED: 1}
    assert sum(f.fiches for f in by_axis.values()) == whole.fiches
    assert sum(f.late for f in by_axis.values()) == whole.late
    assert sum(f.done for f in by_axis.values()) == whole.done
    assert sum(f.indicators for f in by_axis.values()) == whole.indicators


# --- Two queries, for one contract as for twenty --------------------------------------------


def with_indicators(territory, fiches: int = 3):
    contract = a_contract(territory, fiches=MIXED[:fiches])
    for fiche in contract.fiches_actions.all():
        indicator(fiche, baseline=0, target=10, values=[(PAST, 4), (TODAY, 6)])
        indicator(fiche)
    return contract


@pytest.mark.parametrize("size", [1, 20])
def test_two_queries_whatever_the_number_of_contracts(territory, size):
    contracts = [with_indicators(territory) for _ in range(size)]
    with CaptureQueriesContext(connection) as ctx:
        figures = contract_figures(contracts, today=TODAY)
    assert len(ctx.captured_queries) == 2
    assert len(figures) == size
    assert all(f.fiches == 3 and f.indicators == 6 for f in figures.values())


def test_readings_and_axis_figures_take_one_query_each(territory):
    contract = with_indicators(territory, fiches=9)
    indicators = Indicator.objects.filter(fiche__contract=contract).select_related("fiche")
    with CaptureQueriesContext(connection) as ctx:
        read = readings(indicators, contract=contract, today=TODAY)
        axis_figures(contract, readings=read, today=TODAY)
    assert len(ctx.captured_queries) == 2
    assert len(read) == 18


def test_values_read_as_a_french_reader_writes_them():
    assert format_value(Decimal("2.50"), "%") == "2,5 %"
    assert format_value(Decimal("6.10"), "pour 10 000") == "6,1 pour 10 000"
    assert format_value(Decimal("12.00"), "médecins") == "12 médecins"
    assert (
        format_value(Decimal("1200.00")) == "1\u202f200"
        or format_value(Decimal("1200.00")).replace("\xa0", " ").replace("\u202f", " ") == "1 200"
    )
    assert format_value(Decimal("0.25")) == "0,25"
    assert format_value(None, "%") == ""
