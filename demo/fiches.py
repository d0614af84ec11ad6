"""One fiche-action as a coordinator writes it (`A`), and the rules that derive the rest.

A fiche is written once as compact data: what a coordinator types that is specific to the action
(constat, objectives, pilot, partners and their collaboration level, publics, main indicators...).
The rest follows deterministic rules: calendar text, progress, funding lines, dated indicator
measurements, news, status history and Cergy's transversal axes. Nothing is random, so two runs
give the same demo.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from actions.models import (
    ActionStatus,
    ActionUpdate,
    FicheAction,
    FundingLine,
    FundingStatus,
    Indicator,
    IndicatorKind,
    IndicatorValue,
    Participation,
    StatusChange,
)
from cls_platform.models import Territory, User
from demo.common import MONTHS, PARIS, enumerate_fr, vary
from partners.models import Organization

S = ActionStatus
P = Participation

# The demo's "today" for measurements, news and status changes: fixed, so that the demo does not
# depend on the day it is loaded (meetings, seeded by the groups, are relative to the real day).
AS_OF = dt.date(2026, 10, 1)


@dataclass
class A:
    """One fiche-action as a coordinator would write it.

    Structures are short aliases (see `ALIASES`); `partners` are (alias, collaboration rank 1-4)
    or (alias, rank, role); `publics` and `ottawa` are slugs of the reference data separated by
    spaces; `qpv` is "" (whole territory), "all" or QPV aliases; `indicators` are
    (kind, title, unit, baseline, target[, source]); `note` explains a delay, a postponement or an
    abandonment; `news` are dated actualités ("2024-03-19", text); `previous` is the number of the
    same action in the contract before.
    """

    title: str
    status: str
    start: str  # "2021-03"
    end: str  # "2022-12" (last month)
    pilot: str
    copilots: str
    partners: list[tuple]
    publics: str
    ottawa: str
    participation: str
    budget: int
    context: str
    objective: str
    ops: tuple[str, ...]
    how: str
    indicators: list[tuple]
    qpv: str = ""
    note: str = ""
    news: list[tuple[str, str]] = field(default_factory=list)
    previous: str = ""
    from_diagnosis: bool = True  # False for an action born later (e.g. in a work group)


ROLES = {
    4: [
        "Co-construit l'action et l'anime avec le pilote",
        "Conçoit et met en œuvre l'action avec le pilote",
        "Co-anime les séances et participe aux décisions",
    ],
    3: [
        "Met à disposition des intervenants",
        "Prête ses locaux et mobilise ses équipes",
        "Apporte son expertise et ses outils",
    ],
    2: [
        "Oriente ses publics vers l'action",
        "Relaie l'action auprès de ses usagers",
        "Ajuste son offre et son calendrier à l'action",
    ],
    1: [
        "Est tenu informé de l'avancement",
        "Reçoit les comptes-rendus et relaie l'information",
        "Partage ses données et ses actualités",
    ],
}

RHYTHMS = [
    "Point d'étape en groupe de travail deux fois par an.",
    "Suivi trimestriel par le comité technique de l'action.",
    "Séances mensuelles hors vacances scolaires, bilan intermédiaire chaque année.",
]

LAUNCHES = [
    "Réunion de lancement avec {p1} et {p2} : calendrier, répartition des rôles et indicateurs de suivi validés.",
    "Premier comité technique de l'action : {p1} et {p2} confirment leur participation ; le calendrier est arrêté.",
    "Lancement de l'action présenté en groupe de travail ; {p1} et {p2} rejoignent le comité de suivi.",
]

SOURCES = {
    IndicatorKind.PROCESS: ("Tableau de bord du CLS (service santé)", "Semestrielle"),
    IndicatorKind.RESULT: ("Feuilles d'émargement et bilans des séances", "Annuelle"),
    IndicatorKind.IMPACT: ("Données de l'Assurance maladie et de l'ORS Île-de-France", "Annuelle"),
}

SCOPE_SENTENCES = [
    "Les habitants {of} sont les plus concernés.",
    "Le constat est plus marqué {inside}, où l'action se concentre.",
]


def month_start(text: str) -> dt.date:
    year, month = map(int, text.split("-"))
    return dt.date(year, month, 1)


def month_end(text: str) -> dt.date:
    start = month_start(text)
    following = dt.date(start.year + start.month // 12, start.month % 12 + 1, 1)
    return following - dt.timedelta(days=1)


def between(a: dt.date, b: dt.date, fraction: float) -> dt.date:
    return a + dt.timedelta(days=round((b - a).days * fraction))


def at_ten(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(10, 0), tzinfo=PARIS)


def month_year(day: dt.date) -> str:
    return f"{MONTHS[day.month - 1]} {day.year}"


def french_number(value: Decimal | float | int) -> str:
    number = Decimal(value)
    if number == number.to_integral_value():
        return f"{int(number):,}".replace(",", "\u202f")
    return f"{number:.1f}".replace(".", ",")


def short_name(org: Organization) -> str:
    return org.acronym or org.name


@dataclass
class Plan:
    """What the rules derive from one `A` within its contract."""

    number: str
    spec: A
    axis_number: int
    start: dt.date
    end: dt.date
    as_of: dt.date  # the contract's "now": measurements and news stop there
    progress: int
    turn: dt.date  # when the status last changed (postponed, abandoned, reprogrammed)

    @property
    def late(self) -> bool:
        return self.end < self.as_of and self.spec.status in (S.IN_PROGRESS, S.POSTPONED, S.PLANNED)

    @property
    def observed_until(self) -> dt.date:
        if self.spec.status == S.DONE:
            return min(self.end, self.as_of)
        if self.spec.status == S.ABANDONED:
            return self.turn
        return min(self.end, self.as_of) if self.spec.status == S.IN_PROGRESS else self.as_of


def plan(number: str, spec: A, axis_number: int, contract_end: int) -> Plan:
    start, end = month_start(spec.start), month_end(spec.end)
    as_of = min(AS_OF, dt.date(contract_end + 1, 6, 30))
    key = spec.title
    status = spec.status
    if status == S.DONE:
        progress = 100
    elif status == S.PLANNED:
        progress = 0
    elif status == S.ABANDONED:
        progress = 10
    elif status == S.POSTPONED:
        progress = 15 + 5 * vary(key, 3)
    elif end < as_of:  # in progress and late
        progress = 55 + 5 * vary(key, 4)
    else:
        elapsed = (as_of - start).days / max((end - start).days, 1)
        progress = max(15, min(85, round(elapsed * 20) * 5))
    # A postponement or an abandonment happens about half-way through what was observed.
    turn = between(start, min(end, as_of), 0.55 if status != S.PLANNED else 0.3)
    return Plan(number, spec, axis_number, start, end, as_of, progress, turn)


def calendar_text(p: Plan) -> str:
    lines = [
        f"{month_year(p.start).capitalize()} : lancement avec les partenaires.",
        RHYTHMS[vary(p.spec.title, len(RHYTHMS))],
        f"{month_year(p.end).capitalize()} : bilan et évaluation en groupe de travail.",
    ]
    if p.spec.status == S.POSTPONED:
        lines.append(f"Action reportée en {month_year(p.turn)}.")
    if p.spec.status == S.PLANNED and p.spec.note:
        lines.append(f"Reprogrammée en {month_year(p.turn)}.")
    return "\n".join(lines)


def measure_dates(p: Plan, count: int) -> list[dt.date]:
    first, last = p.start + dt.timedelta(days=60), p.observed_until
    candidates = [
        dt.date(year, month, day)
        for year in range(p.start.year, last.year + 1)
        for month, day in ((6, 30), (12, 31))
    ]
    candidates = [d for d in candidates if first <= d <= last]
    if len(candidates) < 2:
        candidates = sorted({between(p.start, last, 0.5), last})
    return candidates[-count:]


def trajectory(p: Plan, t: float, rate: bool) -> float:
    """Share of the way from baseline to target at time t (0..1) of the observed period."""
    status = p.spec.status
    if status == S.DONE:
        return (0.9 + 0.05 * vary(p.spec.title, 5)) * t**0.8
    if status == S.PLANNED:
        return 0.0
    if status == S.ABANDONED:
        return 0.1 * min(t / 0.5, 1)
    if status == S.POSTPONED:
        # Stalls after the postponement; a rate slips back, a count just stops.
        reached = 0.3 * min(t / 0.5, 1)
        return reached - (0.15 * max(t - 0.5, 0) / 0.5 if rate else 0)
    if p.late:
        reached = p.progress / 100 * min(t / 0.6, 1)
        return reached - (0.1 * max(t - 0.6, 0) / 0.4 if rate else 0)
    return p.progress / 100 * t


def indicator_rows(p: Plan, fiche: FicheAction) -> list[tuple[Indicator, list[IndicatorValue]]]:
    rows = []
    for order, spec in enumerate(p.spec.indicators):
        kind, title, unit, baseline, target, *rest = spec
        default_source, frequency = SOURCES[kind]
        baseline, target = Decimal(str(baseline)), Decimal(str(target))
        indicator = Indicator(
            fiche=fiche,
            kind=kind,
            title=title,
            unit=unit,
            baseline=baseline,
            target=target,
            source=rest[0] if rest else default_source,
            frequency=frequency,
            order=order,
        )
        rate = unit == "%" or kind == IndicatorKind.IMPACT
        dates = measure_dates(p, 2 + vary(f"{p.number}{title}", 4))
        span = max((p.observed_until - p.start).days, 1)
        values = []
        for index, day in enumerate(dates):
            share = trajectory(p, (day - p.start).days / span, rate)
            raw = baseline + (target - baseline) * Decimal(str(round(share, 4)))
            value = raw.quantize(Decimal("0.1") if rate else Decimal("1"))
            comment = ""
            if index == len(dates) - 1:
                comment = {
                    S.DONE: "Bilan final de l'action",
                    S.POSTPONED: "Pas d'évolution depuis le report de l'action",
                    S.ABANDONED: "Dernière mesure avant l'abandon",
                    S.PLANNED: "Mesure de référence",
                }.get(p.spec.status, "Retard sur la cible" if p.late else "")
            values.append(IndicatorValue(measured_on=day, value=value, comment=comment))
        rows.append((indicator, values))
    return rows


def funding_rows(
    p: Plan, fiche: FicheAction, territory: Territory, involved: set[str], department: str
) -> list[FundingLine]:
    budget = p.spec.budget
    city = f"Ville de {territory.name}"
    status = p.spec.status
    secured = FundingStatus.SECURED
    asked = FundingStatus.REQUESTED
    if budget <= 6_000:  # small actions run on the partners' own means and a city line
        shares = [(city, Decimal("1"), secured)]
    else:
        ars_status = asked if status in (S.PLANNED, S.POSTPONED) else secured
        shares = [
            ("ARS Île-de-France (fonds d'intervention régional)", Decimal("0.45"), ars_status)
        ]
        third = None
        if p.spec.qpv:
            third = (f"Préfecture {department} (crédits politique de la ville)", Decimal("0.25"))
        elif "cpam" in involved:
            third = (f"CPAM {department} (fonds national de prévention)", Decimal("0.2"))
        elif "cd" in involved or "pmi" in involved:
            third = (f"Conseil départemental {department}", Decimal("0.2"))
        coverage = Decimal("1") if vary(p.number + "cov", 3) == 0 else Decimal("0.9")
        if third:
            third_status = secured if status == S.DONE or vary(p.number, 2) else asked
            if status in (S.PLANNED, S.POSTPONED):
                third_status = asked
            shares.append((third[0], third[1], third_status))
        rest = coverage - sum(share for _, share, _ in shares)
        shares.append((city, rest, secured))
    return [
        FundingLine(
            fiche=fiche,
            funder=funder,
            amount=Decimal(int(budget * share) // 100 * 100),
            status=state,
            year=p.start.year,
        )
        for funder, share, state in shares
    ]


def history_rows(p: Plan, fiche: FicheAction, author: User | None) -> list[StatusChange]:
    status = p.spec.status
    steps: list[tuple[dt.date, str, str, int]] = []
    if status == S.PLANNED:
        steps += [(p.start, S.PLANNED, S.POSTPONED, 0), (p.turn, S.POSTPONED, S.PLANNED, 0)]
    else:
        steps.append((p.start, S.PLANNED, S.IN_PROGRESS, 10))
    if status == S.IN_PROGRESS and p.progress > 10:
        steps.append(
            (between(p.start, min(p.end, p.as_of), 0.6), S.IN_PROGRESS, S.IN_PROGRESS, p.progress)
        )
    elif status == S.DONE:
        steps.append((min(p.end, p.as_of), S.IN_PROGRESS, S.DONE, 100))
    elif status == S.POSTPONED:
        steps.append((p.turn, S.IN_PROGRESS, S.POSTPONED, p.progress))
    elif status == S.ABANDONED:
        steps.append((between(p.start, p.turn, 0.5), S.IN_PROGRESS, S.POSTPONED, 10))
        steps.append((p.turn, S.POSTPONED, S.ABANDONED, 10))
    return [
        StatusChange(
            fiche=fiche,
            changed_at=at_ten(day),
            old_status=old,
            new_status=new,
            progress=progress,
            author=author,
        )
        for day, old, new, progress in steps
    ]


def update_rows(
    p: Plan,
    fiche: FicheAction,
    partner_names: list[str],
    first_values: list[tuple[Indicator, list[IndicatorValue]]],
    author: User | None,
) -> list[ActionUpdate]:
    spec = p.spec
    names = [*partner_names, "les services de la Ville"]
    launch_text = LAUNCHES[vary(spec.title, len(LAUNCHES))].format(p1=names[0], p2=names[1])
    candidates = [(dt.date.fromisoformat(day), text) for day, text in spec.news]
    final = {
        S.DONE: "Action réalisée : le bilan est présenté en groupe de travail et envoyé à tous les partenaires avec le compte-rendu.",
        S.POSTPONED: f"Action reportée. {spec.note}",
        S.ABANDONED: f"Action abandonnée. {spec.note}",
        S.PLANNED: spec.note or "Action reprogrammée.",
    }.get(spec.status)
    if spec.status == S.IN_PROGRESS and spec.note:
        final = f"Retard sur le calendrier. {spec.note}" if p.late else spec.note
    if final:
        when = {
            S.DONE: min(p.end, p.as_of),
            S.IN_PROGRESS: min(p.end + dt.timedelta(days=30), p.as_of),
        }
        candidates.append((when.get(spec.status, p.turn), final.strip()))
    indicator, values = first_values[0] if first_values else (None, [])
    if indicator is not None and len(values) >= 2 and spec.status in (S.IN_PROGRESS, S.DONE):
        value = values[-2]
        unit = f" {indicator.unit}" if indicator.unit else ""
        candidates.append(
            (
                value.measured_on + dt.timedelta(days=14),
                f"Point d'étape en groupe de travail : {french_number(value.value)}{unit} au "
                f"{value.measured_on:%d/%m/%Y} pour « {indicator.title} » "
                f"(cible : {french_number(indicator.target)}{unit}).",
            )
        )
    candidates.append((p.start + dt.timedelta(days=20), launch_text))
    chosen = sorted(candidates[:3])
    return [
        ActionUpdate(fiche=fiche, happened_on=day, text=text, author=author) for day, text in chosen
    ]


def transversal_numbers(
    spec: A, involved_orgs: list[Organization], health: Organization
) -> list[int]:
    """Which of Cergy's four transversal axes (methods) an action applies."""
    numbers = []
    if any(rank >= 3 for _, rank, *_ in spec.partners):
        numbers.append(1)  # coordination des acteurs et travail en réseau
    if "services" in spec.ottawa.split() or spec.qpv:
        numbers.append(2)  # visibilité et lisibilité de l'offre
    if spec.participation in (P.CONCERTATION, P.CO_CONSTRUCTION, P.EMPOWERMENT):
        numbers.append(3)  # mobilisation des habitants
    if "politiques" in spec.ottawa.split() or any(
        o.is_internal and o.pk != health.pk and "santé" not in o.name.lower() for o in involved_orgs
    ):
        numbers.append(4)  # politique de santé intégrée
    return numbers or [1]


def context_text(spec: A, diagnosis: str, qpv_names: list[str]) -> str:
    parts = [spec.context]
    if qpv_names:
        names = enumerate_fr([f"« {name} »" for name in qpv_names])
        if len(qpv_names) > 1:
            of, inside = (
                f"des quartiers prioritaires {names}",
                f"dans les quartiers prioritaires {names}",
            )
        else:
            of, inside = f"du quartier prioritaire {names}", f"dans le quartier prioritaire {names}"
        sentence = SCOPE_SENTENCES[vary(spec.title, len(SCOPE_SENTENCES))]
        parts.append(sentence.format(of=of, inside=inside))
    if diagnosis and spec.from_diagnosis:
        parts.append(diagnosis)
    return " ".join(parts)


def description_text(spec: A, partner_names: list[str]) -> str:
    return f"{spec.how} Partenaires associés : {enumerate_fr(partner_names)}."
