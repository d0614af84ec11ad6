"""The Ottawa matrix of a contract: its fiches-actions by Ottawa Charter action area (rows) and
by target public (columns), as the narratives' summary diagram draws it.

A fiche-action may name several areas and several publics: it then counts once in each cell it
falls in, and once only in each total (the totals count distinct fiches, not the sum of cells).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from actions.models import Contract, FicheAction, OttawaArea, Public


@dataclass(frozen=True)
class MatrixCell:
    area: OttawaArea | None  # None: the fiches that name no area
    public: Public | None  # None: the fiches that name no public
    count: int


@dataclass(frozen=True)
class MatrixRow:
    area: OttawaArea | None
    cells: list[MatrixCell]
    total: int


@dataclass(frozen=True)
class OttawaMatrix:
    contract: Contract
    columns: list[Public | None]  # the publics, then None when some fiches name no public
    rows: list[MatrixRow]  # one per area, then the fiches with none if there are any
    public_totals: list[MatrixCell]  # one per public, then "no public" if any fiche has none
    total: int  # distinct fiches of the contract
    without_public: int
    without_area: int


def ottawa_matrix(*, contract: Contract) -> OttawaMatrix:
    """Three queries: the areas, the publics and one row per (fiche, area, public) triple."""
    areas = list(OttawaArea.objects.order_by("order", "name"))
    publics = list(Public.objects.order_by("order", "name"))
    # The join of both many-to-many relations: a fiche without area or without public still
    # gives one row, with None on that side (LEFT OUTER JOIN).
    triples = (
        FicheAction.objects.filter(contract=contract)
        .order_by()
        .values_list("pk", "ottawa_areas", "publics")
    )
    cells: dict[tuple[int | None, int | None], set[int]] = defaultdict(set)
    by_area: dict[int | None, set[int]] = defaultdict(set)
    by_public: dict[int | None, set[int]] = defaultdict(set)
    fiches: set[int] = set()
    for fiche, area, public in triples:
        fiches.add(fiche)
        cells[area, public].add(fiche)
        by_area[area].add(fiche)
        by_public[public].add(fiche)

    without_public = len(by_public.get(None, ()))
    without_area = len(by_area.get(None, ()))
    columns: list[Public | None] = [*publics, None] if without_public else list(publics)
    row_keys: list[OttawaArea | None] = [*areas, None] if without_area else list(areas)

    def key(obj: OttawaArea | Public | None) -> int | None:
        return obj.pk if obj is not None else None

    rows = [
        MatrixRow(
            area=area,
            cells=[
                MatrixCell(
                    area=area, public=public, count=len(cells.get((key(area), key(public)), ()))
                )
                for public in columns
            ],
            total=len(by_area.get(key(area), ())),
        )
        for area in row_keys
    ]
    public_totals = [
        MatrixCell(area=None, public=public, count=len(by_public.get(key(public), ())))
        for public in columns
    ]
    return OttawaMatrix(
        contract=contract,
        columns=columns,
        rows=rows,
        public_totals=public_totals,
        total=len(fiches),
        without_public=without_public,
        without_area=without_area,
    )
