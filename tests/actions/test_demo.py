"""The demo contracts (demo/cergy and demo/vitry, through seed_demo): complete and believable, as a
coordinator or a signatory would notice on the pages: every fiche filled in, indicators with
measurements, the stalled Vitry groups late or postponed, Cergy's amendment and renewal history."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count, Q, Sum

from actions.models import (
    ActionStatus,
    AxisKind,
    Contract,
    ContractKind,
    ContractStatus,
    FicheAction,
    IndicatorValue,
    TerritoryScope,
)
from cls_platform.models import Territory

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """Seeded once for the module, inside a transaction rolled back at its end."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo", stdout=io.StringIO())
        yield
        transaction.set_rollback(True)


@pytest.fixture
def demo(seeded, db):
    return None


def current(slug: str) -> Contract:
    return Contract.objects.get(
        territory__slug=slug, kind=ContractKind.CLS, status=ContractStatus.SIGNED
    )


def signed_fiches():
    return FicheAction.objects.filter(
        contract__kind=ContractKind.CLS, contract__status=ContractStatus.SIGNED
    )


@pytest.mark.parametrize(
    ("slug", "period", "thematic", "transversal", "fiches"),
    [("cergy", "2020-2022", 6, 4, (28, 34)), ("vitry-sur-seine", "2023-2028", 7, 0, (32, 38))],
)
def test_each_territory_has_its_signed_contract_with_axes_and_fiches(
    demo, slug, period, thematic, transversal, fiches
):
    contract = current(slug)
    assert contract.period == period
    assert contract.description
    assert contract.axes.filter(kind=AxisKind.THEMATIC).count() == thematic
    assert contract.axes.filter(kind=AxisKind.TRANSVERSAL).count() == transversal
    low, high = fiches
    assert low <= contract.fiches_actions.count() <= high
    for axis in contract.axes.all():
        assert axis.description and axis.objectives, axis
    assert (
        not contract.axes.filter(kind=AxisKind.THEMATIC)
        .annotate(n=Count("fiches_actions"))
        .filter(n=0)
    ), "every thematic axis holds fiches"


def test_cergy_transversal_axes_are_described_as_in_the_narrative(demo):
    axes = {a.title: a for a in current("cergy").axes.filter(kind=AxisKind.TRANSVERSAL)}
    assert "limiter les ruptures dans les parcours" in (
        axes["Coordination des acteurs et travail en réseau"].description
    )
    assert "PRS2" in axes["Mobilisation des habitants"].description
    assert (
        not signed_fiches()
        .filter(contract__territory__slug="cergy")
        .filter(transversal_axes__isnull=True)
    ), "every Cergy action applies at least one transversal method"


def test_every_fiche_is_filled_in(demo):
    fiches = list(
        signed_fiches()
        .select_related("pilot_contact", "pilot_organization")
        .annotate(
            publics_n=Count("publics", distinct=True),
            ottawa_n=Count("ottawa_areas", distinct=True),
            copilots_n=Count("copilots", distinct=True),
            updates_n=Count("updates", distinct=True),
        )
    )
    assert len(fiches) > 60
    for fiche in fiches:
        assert fiche.context and fiche.general_objective and fiche.description, fiche
        assert 2 <= len(fiche.operational_objectives.splitlines()) <= 4, fiche
        assert fiche.calendar and fiche.start_date and fiche.end_date, fiche
        assert fiche.publics_n >= 1 and 1 <= fiche.ottawa_n <= 3, fiche
        assert 1 <= fiche.copilots_n <= 2, fiche
        assert fiche.updates_n >= 1, fiche  # meetings may add more (workgroups)
        assert fiche.pilot_organization and fiche.pilot_contact, fiche
        assert fiche.pilot_contact.organization_id == fiche.pilot_organization_id, fiche
        assert fiche.pilot_contact.left_at is None, "a pilot still works there"


def test_every_fiche_has_partners_with_a_collaboration_level(demo):
    for fiche in signed_fiches().prefetch_related("partnerships"):
        partnerships = list(fiche.partnerships.all())
        assert 2 <= len(partnerships) <= 4, fiche
        for partnership in partnerships:
            assert partnership.level_id and partnership.role, partnership
            assert partnership.organization_id != fiche.pilot_organization_id
            assert partnership.organization.territory_id == fiche.territory_id


def test_funding_lines_never_exceed_the_budget(demo):
    fiches = signed_fiches().annotate(
        funded=Sum("funding_lines__amount"), lines=Count("funding_lines")
    )
    for fiche in fiches:
        assert fiche.budget_total and fiche.budget_total > 0, fiche
        assert 1 <= fiche.lines <= 3, fiche
        assert fiche.funded <= fiche.budget_total, fiche


def test_every_fiche_has_an_indicator_with_dated_values(demo):
    fiches = signed_fiches().annotate(
        indicators_n=Count("indicators", distinct=True),
        measured=Count("indicators", filter=Q(indicators__values__isnull=False), distinct=True),
    )
    for fiche in fiches:
        assert 1 <= fiche.indicators_n <= 3, fiche
        assert fiche.measured == fiche.indicators_n, "every indicator has a measurement"
    today = dt.date.today()
    for value in IndicatorValue.objects.filter(indicator__fiche__in=signed_fiches()).select_related(
        "indicator__fiche__contract"
    ):
        contract = value.indicator.fiche.contract
        assert contract.start_year <= value.measured_on.year <= contract.end_year + 1
        assert value.measured_on <= today


def test_status_history_ends_with_the_current_status(demo):
    for fiche in signed_fiches().prefetch_related("status_changes"):
        changes = sorted(fiche.status_changes.all(), key=lambda change: change.changed_at)
        assert changes, fiche
        assert changes[-1].new_status == fiche.status, fiche
        assert changes[0].old_status == ActionStatus.PLANNED, fiche
    done = signed_fiches().filter(status=ActionStatus.DONE)
    assert not done.exclude(progress=100)


def test_qpv_scoped_fiches_name_their_territory_s_qpvs(demo):
    scoped = signed_fiches().filter(territory_scope=TerritoryScope.QPV)
    assert scoped.filter(territory__slug="cergy").exists()
    assert scoped.filter(territory__slug="vitry-sur-seine").exists()
    for fiche in scoped.prefetch_related("qpvs"):
        qpvs = list(fiche.qpvs.all())
        assert qpvs, fiche
        assert {q.territory_id for q in qpvs} == {fiche.territory_id}


def test_vitry_is_late_and_postponed_where_the_groups_stalled(demo):
    fiches = list(current("vitry-sur-seine").fiches_actions.select_related("thematic_axis"))
    late = [f for f in fiches if f.is_late]
    postponed = [f for f in fiches if f.status == ActionStatus.POSTPONED]
    assert len(late) >= 3
    assert len(postponed) >= 3
    stalled = {
        "Sport-santé et nutrition",
        "Petite enfance et parentalité",
        "Violences faites aux femmes",
    }
    for title in stalled:
        assert any(f.thematic_axis.title == title for f in postponed), title
    assert any(f.status == ActionStatus.ABANDONED for f in fiches if "habitantes" in f.title)
    # The reasons are written where a coordinator reads them: the fiche's news.
    sport = next(f for f in postponed if f.thematic_axis.title == "Sport-santé et nutrition")
    assert "directeur des sports" in " ".join(u.text for u in sport.updates.all())


def test_cergy_contract_mostly_ended_and_has_an_amendment(demo):
    contract = current("cergy")
    statuses = list(contract.fiches_actions.values_list("status", flat=True))
    assert statuses.count(ActionStatus.DONE) >= len(statuses) * 2 // 3
    amendment = contract.amendments.get()
    assert amendment.number == 1
    # The amendment added the fiche-action written in a thematic work session.
    added = contract.fiches_actions.get(number="3.6")
    assert added.title in amendment.changes
    assert "nouvelle fiche-action" in " ".join(u.text for u in added.updates.all())


def test_some_cergy_fiches_renew_an_action_of_the_2011_contract(demo):
    renewed = current("cergy").fiches_actions.filter(previous__isnull=False)
    assert renewed.count() >= 2
    for fiche in renewed.select_related("previous__contract"):
        assert fiche.previous.contract.start_year == 2011
        assert fiche.previous.contract.status == ContractStatus.CLOSED
    assert current("cergy").previous.start_year == 2011


def test_running_seed_demo_again_changes_no_actions_rows(demo):
    def counts() -> dict[str, int]:
        models = list(apps.get_app_config("actions").get_models())
        through = [
            FicheAction._meta.get_field(name).remote_field.through
            for name in ("copilots", "publics", "qpvs", "ottawa_areas", "transversal_axes")
        ]
        return {m.__name__: m.objects.count() for m in [*models, *through]}

    before = counts()
    assert before["FicheAction"] > 60
    call_command("seed_demo", stdout=io.StringIO())
    assert counts() == before


def test_territories_do_not_mix(demo):
    for fiche in signed_fiches().select_related("contract", "pilot_organization"):
        assert fiche.pilot_organization.territory_id == fiche.contract.territory_id
    assert Territory.objects.filter(slug__in=["cergy", "vitry-sur-seine"]).count() == 2
