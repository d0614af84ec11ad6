"""Where each structure of the partnership network sits on the page, computed on the server so
that the drawing prints and needs no script.

networkx's own layouts need numpy, which the project does not ship; this one is plain
arithmetic and deterministic. The structure that connects the others most sits in the centre,
the next ones on rings around it, outwards in the order of the table (rank numbers are shared by
the drawing and the table). On each ring, a structure is turned towards the structures it works
with that are already placed (their mean angle), so that links stay short and few cross.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass

HEIGHT = 800
# Wider than high: the names written beside the outer ring need room on both sides.
WIDTH = 1100
MARGIN = 50
LABELLED = 5  # the most central structures are named on the drawing; all are numbered
LABEL_LENGTH = 28


@dataclass(frozen=True)
class DrawnNode:
    number: int
    x: float
    y: float
    r: float
    kind: str
    title: str
    label: str
    label_x: float
    label_y: float
    label_anchor: str


@dataclass(frozen=True)
class DrawnEdge:
    x1: float
    y1: float
    x2: float
    y2: float
    width: float
    with_fiches: bool


@dataclass(frozen=True)
class Drawing:
    width: int
    height: int
    nodes: list[DrawnNode]
    edges: list[DrawnEdge]


@dataclass(frozen=True)
class NodeSpec:
    """What the drawing needs of one structure."""

    key: Hashable
    number: int
    name: str
    kind: str
    links: int


@dataclass(frozen=True)
class EdgeSpec:
    a: Hashable
    b: Hashable
    weight: int
    with_fiches: bool


def ring_sizes(count: int) -> list[int]:
    """One structure in the centre, then rings of 8, 16, 24... (as many as needed): the gap
    between neighbours on a ring is then the same on every ring."""
    sizes: list[int] = []
    ring = 0
    while count > 0:
        size = min(count, 1 if ring == 0 else 8 * ring)
        sizes.append(size)
        count -= size
        ring += 1
    return sizes


def _circular_mean(angles: Iterable[float]) -> float | None:
    angles = list(angles)
    if not angles:
        return None
    return math.atan2(sum(map(math.sin, angles)), sum(map(math.cos, angles)))


def ring_layout(
    order: Sequence[Hashable], neighbours: Callable[[Hashable], Iterable[Hashable]]
) -> dict[Hashable, tuple[float, float, float | None]]:
    """Unit positions (x, y in [-1, 1]) and the angle of each node (None for the centre)."""
    sizes = ring_sizes(len(order))
    rings = len(sizes) - 1
    placed: dict[Hashable, tuple[float, float, float | None]] = {}
    start = 0
    for index, size in enumerate(sizes):
        members = list(order[start : start + size])
        start += size
        if index == 0:
            placed[members[0]] = (0.0, 0.0, None)
            continue
        radius = index / rings
        wanted = {
            node: _circular_mean(
                placed[other][2]
                for other in neighbours(node)
                if other in placed and placed[other][2] is not None
            )
            for node in members
        }
        # Those drawn towards a placed partner first, by that angle; the others keep their rank.
        aimed = sorted((n for n in members if wanted[n] is not None), key=lambda n: wanted[n])
        members = aimed + [n for n in members if wanted[n] is None]
        step = 2 * math.pi / size
        offset = _circular_mean(wanted[n] - i * step for i, n in enumerate(aimed)) or 0.0
        for i, node in enumerate(members):
            angle = offset + i * step
            placed[node] = (radius * math.cos(angle), radius * math.sin(angle), angle)
    return placed


def _short(name: str) -> str:
    return name if len(name) <= LABEL_LENGTH else name[: LABEL_LENGTH - 1].rstrip() + "…"


def draw(nodes: Sequence[NodeSpec], edges: Sequence[EdgeSpec]) -> Drawing:
    """Positions, sizes and labels in the SVG's coordinates (WIDTH by HEIGHT)."""
    if not nodes:
        return Drawing(width=WIDTH, height=HEIGHT, nodes=[], edges=[])
    adjacency: dict[Hashable, list[Hashable]] = {node.key: [] for node in nodes}
    for edge in edges:
        adjacency[edge.a].append(edge.b)
        adjacency[edge.b].append(edge.a)
    layout = ring_layout([node.key for node in nodes], adjacency.__getitem__)
    rings = max(len(ring_sizes(len(nodes))) - 1, 1)
    reach = HEIGHT / 2 - MARGIN
    # Neighbours on a ring are 2πR / (8 rings) apart: circles stay apart at that width.
    largest = min(22.0, math.pi * reach / (8 * rings) * 0.9)
    smallest = min(11.0, largest)
    most_links = max(node.links for node in nodes) or 1
    heaviest = max((edge.weight for edge in edges), default=1) or 1

    def point(key: Hashable) -> tuple[float, float]:
        ux, uy, _angle = layout[key]
        return round(WIDTH / 2 + reach * ux, 1), round(HEIGHT / 2 + reach * uy, 1)

    drawn_nodes = []
    for node in nodes:
        x, y = point(node.key)
        r = round(smallest + (largest - smallest) * math.sqrt(node.links / most_links), 1)
        angle = layout[node.key][2]
        if angle is None:
            label_x, label_y, anchor = x, y + r + 14, "middle"
        else:
            label_x = x + (r + 4) * math.cos(angle)
            label_y = y + (r + 4) * math.sin(angle) + 4
            anchor = "start" if math.cos(angle) >= 0 else "end"
        drawn_nodes.append(
            DrawnNode(
                number=node.number,
                x=x,
                y=y,
                r=r,
                kind=node.kind,
                title=node.name,
                label=_short(node.name) if node.number <= LABELLED else "",
                label_x=round(label_x, 1),
                label_y=round(label_y, 1),
                label_anchor=anchor,
            )
        )
    drawn_edges = []
    for edge in edges:
        (x1, y1), (x2, y2) = point(edge.a), point(edge.b)
        drawn_edges.append(
            DrawnEdge(
                x1=x1,
                y1=y1,
                x2=x2,
                y2=y2,
                width=round(1 + 3 * math.sqrt(edge.weight / heaviest), 1),
                with_fiches=edge.with_fiches,
            )
        )
    return Drawing(width=WIDTH, height=HEIGHT, nodes=drawn_nodes, edges=drawn_edges)
