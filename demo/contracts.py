"""How a territory's demo contracts are written: contracts, axes, fiches-actions and what
hangs from them. Each territory's contracts are in `demo/<territory>/contract.py`; the rules that
derive a fiche's rows from its compact data are in `demo/fiches.py`.

Idempotent: rows are keyed on natural keys (contract and year, axis number, fiche number) and
related rows are only added to a fiche that has none of that kind yet.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import F

from actions.models import (
    ActionPartner,
    ActionUpdate,
    Axis,
    AxisKind,
    CollaborationLevel,
    Contract,
    ContractAmendment,
    ContractKind,
    FicheAction,
    FundingLine,
    Indicator,
    IndicatorValue,
    OttawaArea,
    Public,
    Signatory,
    StatusChange,
    TerritoryScope,
)
from cls_platform.models import Territory, User
from demo.accounts import coordinator
from demo.common import vary
from demo.directory import Directory
from demo.fiches import (
    ROLES,
    A,
    Plan,
    calendar_text,
    context_text,
    description_text,
    funding_rows,
    history_rows,
    indicator_rows,
    plan,
    short_name,
    transversal_numbers,
    update_rows,
)
from partners.models import Contact, Organization, Qpv


@dataclass
class AxisSpec:
    title: str
    description: str
    objectives: str
    fiches: list[A] = field(default_factory=list)


@dataclass
class ContractSpec:
    kind: str
    title: str
    start: int
    end: int
    status: str
    signed_on: dt.date | None
    description: str
    diagnosis: str = ""  # where the constats come from, added to each fiche's context
    thematic: list[AxisSpec] = field(default_factory=list)
    transversal: list[AxisSpec] = field(default_factory=list)
    signers: list[str] = field(default_factory=list)
    amendments: list[tuple[int, dt.date, str, str]] = field(default_factory=list)
    closed_on: dt.date | None = None
    current: bool = False


@dataclass
class Lookup:
    """Reference data and the territory's directory, read once."""

    territory: Territory
    organizations: dict[str, Organization]
    directory: Directory
    contacts: dict[int, Contact]  # first active contact of each structure
    qpvs: dict[str, Qpv]
    publics: dict[str, Public]
    ottawa: dict[str, OttawaArea]
    levels: dict[int, CollaborationLevel]
    author: User | None

    @classmethod
    def load(
        cls, territory: Territory, organizations: dict[str, Organization], directory: Directory
    ) -> Lookup:
        contacts: dict[int, Contact] = {}
        people = Contact.objects.filter(territory=territory)
        for contact in people.order_by(F("left_at").asc(nulls_first=True), "id"):
            # People who left come last: a structure's first active contact represents it.
            contacts.setdefault(contact.organization_id, contact)
        return cls(
            territory=territory,
            organizations=organizations,
            directory=directory,
            contacts=contacts,
            qpvs={q.name: q for q in Qpv.objects.filter(territory=territory)},
            publics={p.slug: p for p in Public.objects.all()},
            ottawa={o.slug: o for o in OttawaArea.objects.all()},
            levels={level.rank: level for level in CollaborationLevel.objects.all()},
            author=coordinator(territory),
        )

    def org(self, alias: str) -> Organization:
        return self.organizations[self.directory.aliases[alias]]

    def qpv_list(self, spec: A) -> list[Qpv]:
        if not spec.qpv:
            return []
        if spec.qpv == "all":
            return sorted(self.qpvs.values(), key=lambda q: q.name)
        return [self.qpvs[self.directory.qpv_aliases[alias]] for alias in spec.qpv.split()]


def seed_contract(spec: ContractSpec, lookup: Lookup, previous: Contract | None) -> Contract:
    contract, created = Contract.objects.get_or_create(
        territory=lookup.territory,
        kind=spec.kind,
        start_year=spec.start,
        defaults={
            "title": spec.title,
            "end_year": spec.end,
            "status": spec.status,
            "signed_on": spec.signed_on,
            "closed_on": spec.closed_on,
            "description": spec.description,
            "previous": previous,
        },
    )
    if not created and not contract.description:  # a demo loaded before contracts had a text
        contract.description = spec.description
        contract.closed_on = contract.closed_on or spec.closed_on
        if contract.previous_id is None and previous is not None:
            contract.previous = previous
        contract.save(update_fields=["description", "closed_on", "previous"])
    for order, key in enumerate(spec.signers, start=1):
        Signatory.objects.get_or_create(
            contract=contract,
            organization=lookup.organizations[key],
            defaults={"order": order, "signed_on": contract.signed_on},
        )
    for number, adopted_on, note, changes in spec.amendments:
        ContractAmendment.objects.get_or_create(
            contract=contract,
            number=number,
            defaults={
                "adopted_on": adopted_on,
                "note": note,
                "changes": changes,
                "created_by": lookup.author,
            },
        )
    if spec.thematic:
        seed_axes_and_actions(contract, spec, lookup, previous)
    return contract


def seed_axis(contract: Contract, kind: str, number: int, spec: AxisSpec) -> Axis:
    axis, created = Axis.objects.get_or_create(
        contract=contract,
        kind=kind,
        number=number,
        defaults={
            "title": spec.title,
            "description": spec.description,
            "objectives": spec.objectives,
        },
    )
    if not created and not axis.objectives:
        axis.description, axis.objectives = spec.description, spec.objectives
        axis.save(update_fields=["description", "objectives"])
    return axis


def seed_axes_and_actions(
    contract: Contract, spec: ContractSpec, lookup: Lookup, previous: Contract | None
) -> None:
    transversal = {
        number: seed_axis(contract, AxisKind.TRANSVERSAL, number, axis_spec)
        for number, axis_spec in enumerate(spec.transversal, start=1)
    }
    thematic = {
        number: seed_axis(contract, AxisKind.THEMATIC, number, axis_spec)
        for number, axis_spec in enumerate(spec.thematic, start=1)
    }
    plans = {
        f"{axis_number}.{index}": plan(f"{axis_number}.{index}", fiche, axis_number, spec.end)
        for axis_number, axis_spec in enumerate(spec.thematic, start=1)
        for index, fiche in enumerate(axis_spec.fiches, start=1)
    }
    predecessors = (
        {f.number: f for f in FicheAction.objects.filter(contract=previous)} if previous else {}
    )

    def scalars(p: Plan) -> dict[str, object]:
        a = p.spec
        pilot = lookup.org(a.pilot)
        partner_names = [short_name(lookup.org(alias)) for alias, *_ in a.partners]
        qpvs = lookup.qpv_list(a)
        before = predecessors.get(a.previous) if a.previous else None
        return {
            "title": a.title,
            "thematic_axis": thematic[p.axis_number],
            "status": a.status,
            "progress": p.progress,
            "start_date": p.start,
            "end_date": p.end,
            "pilot_organization": pilot,
            "pilot_contact": lookup.contacts.get(pilot.pk),
            "context": context_text(a, spec.diagnosis, [q.name for q in qpvs]),
            "general_objective": a.objective,
            "operational_objectives": "\n".join(a.ops),
            "description": description_text(a, partner_names),
            "publics_detail": "",
            "territory_scope": TerritoryScope.QPV if qpvs else TerritoryScope.WHOLE,
            "participation": a.participation,
            "calendar": calendar_text(p),
            "budget_total": Decimal(a.budget),
            "previous": before,
        }

    existing = {f.number: f for f in FicheAction.objects.filter(contract=contract)}
    FicheAction.objects.bulk_create(
        [
            FicheAction(
                territory_id=contract.territory_id, contract=contract, number=n, **scalars(p)
            )
            for n, p in plans.items()
            if n not in existing
        ]
    )
    fiches = {
        f.number: f for f in FicheAction.objects.filter(contract=contract) if f.number in plans
    }
    # Fiches of a demo loaded before they had a text: rewrite them from the data once.
    stale = [f for n, f in fiches.items() if n in existing and not f.context]
    for fiche in stale:
        for name, value in scalars(plans[fiche.number]).items():
            setattr(fiche, name, value)
    if stale:
        FicheAction.objects.bulk_update(stale, list(scalars(plans[stale[0].number])))

    seed_related(fiches, plans, lookup, transversal)


def ids_having(model: type, fiches: list[FicheAction]) -> set[int]:
    return set(model.objects.filter(fiche__in=fiches).values_list("fiche_id", flat=True))


def add_m2m(field_name: str, wanted: dict[int, list[int]]) -> None:
    """Add the rows of a fiche's many-to-many field when that fiche has none yet."""
    m2m = FicheAction._meta.get_field(field_name)
    through = m2m.remote_field.through
    source, target = m2m.m2m_field_name(), m2m.m2m_reverse_field_name()
    filled = set(
        through.objects.filter(**{f"{source}_id__in": list(wanted)}).values_list(
            f"{source}_id", flat=True
        )
    )
    through.objects.bulk_create(
        [
            through(**{f"{source}_id": fiche_id, f"{target}_id": target_id})
            for fiche_id, targets in wanted.items()
            if fiche_id not in filled
            for target_id in dict.fromkeys(targets)
        ],
        ignore_conflicts=True,
    )


def seed_related(
    fiches: dict[str, FicheAction],
    plans: dict[str, Plan],
    lookup: Lookup,
    transversal: dict[int, Axis],
) -> None:
    listed = list(fiches.values())
    has = {
        model: ids_having(model, listed)
        for model in (ActionPartner, FundingLine, Indicator, ActionUpdate, StatusChange)
    }
    health = lookup.organizations[lookup.territory.health_service_name]
    partners, funding, changes, updates = [], [], [], []
    indicators: list[tuple[Indicator, list[IndicatorValue]]] = []
    m2m: dict[str, dict[int, list[int]]] = {
        "copilots": {},
        "publics": {},
        "qpvs": {},
        "ottawa_areas": {},
        "transversal_axes": {},
    }
    for number, fiche in fiches.items():
        p = plans[number]
        a = p.spec
        involved = [a.pilot, *a.copilots.split(), *(alias for alias, *_ in a.partners)]
        orgs = [lookup.org(alias) for alias in involved]
        m2m["copilots"][fiche.pk] = [
            lookup.contacts[lookup.org(alias).pk].pk for alias in a.copilots.split()
        ]
        m2m["publics"][fiche.pk] = [lookup.publics[slug].pk for slug in a.publics.split()]
        m2m["qpvs"][fiche.pk] = [q.pk for q in lookup.qpv_list(a)]
        m2m["ottawa_areas"][fiche.pk] = [lookup.ottawa[slug].pk for slug in a.ottawa.split()]
        if transversal:
            m2m["transversal_axes"][fiche.pk] = [
                transversal[n].pk for n in transversal_numbers(a, orgs, health)
            ]
        if fiche.pk not in has[ActionPartner]:
            for index, (alias, rank, *role) in enumerate(a.partners):
                variants = ROLES[rank]
                partners.append(
                    ActionPartner(
                        fiche=fiche,
                        organization=lookup.org(alias),
                        role=role[0] if role else variants[vary(f"{number}{alias}{index}", 3)],
                        level=lookup.levels[rank],
                    )
                )
        if fiche.pk not in has[FundingLine]:
            funding += funding_rows(
                p, fiche, lookup.territory, set(involved), lookup.directory.department
            )
        rows = indicator_rows(p, fiche)
        if fiche.pk not in has[Indicator]:
            indicators += rows
        if fiche.pk not in has[StatusChange]:
            changes += history_rows(p, fiche, lookup.author)
        if fiche.pk not in has[ActionUpdate]:
            names = [short_name(lookup.org(alias)) for alias, *_ in a.partners]
            updates += update_rows(p, fiche, names, rows, lookup.author)
    ActionPartner.objects.bulk_create(partners)
    FundingLine.objects.bulk_create(funding)
    StatusChange.objects.bulk_create(changes)
    ActionUpdate.objects.bulk_create(updates)
    Indicator.objects.bulk_create([indicator for indicator, _ in indicators])
    values = []
    for indicator, rows in indicators:
        for value in rows:
            value.indicator = indicator
            values.append(value)
    IndicatorValue.objects.bulk_create(values)
    for field_name, wanted in m2m.items():
        if wanted:
            add_m2m(field_name, {k: v for k, v in wanted.items() if v})


def seed_contracts(
    territory: Territory,
    organizations: dict[str, Organization],
    directory: Directory,
    contracts: list[ContractSpec],
) -> Contract:
    """The territory's contracts with their history; returns the current CLS."""
    lookup = Lookup.load(territory, organizations, directory)
    previous_cls: Contract | None = None
    current: Contract | None = None
    for spec in contracts:
        is_cls = spec.kind == ContractKind.CLS
        contract = seed_contract(spec, lookup, previous_cls if is_cls else None)
        if is_cls:
            previous_cls = contract
        if spec.current:
            current = contract
    assert current is not None
    return current
