"""The partnership network: which structures work with which.

Two structures are linked when people of both were present at the same held meeting of a group
(co-attendance), or when both take part in the same fiche-action, as its pilot structure or as
partners (co-partnership). A link says how many meetings and fiches they share and, where the
fiches record it, the level of collaboration (Bilodeau's scale): on one fiche, the lower of the
two partners' levels (the pilot structure takes its partner's); over all their fiches, the
highest of those.

Large meetings link everyone present to everyone else: a work group of 35 structures that met
once makes 595 links. The drawing and the table therefore keep the links of shared fiches and
those of structures present together at a minimum number of meetings; by default the smallest
minimum that keeps the drawing readable (at most MAX_SHOWN_LINKS links), which the page says and
lets the coordinator change. The page's figures count every link.

Centrality is networkx's betweenness, on the links shown: the share of the shortest paths
between two other structures that go through a structure, i.e. how much it connects partners
who do not work together directly. It shows the coordination's "mise en réseau".

Everything here is about structures: no person is named, so signatories read it as well.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import combinations

import networkx as nx
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from actions.models import ActionPartner, Contract, FicheAction
from cls_platform.access import scoped
from cls_platform.models import Access
from partners.models import Organization
from workgroups.models import Attendance, Invitation, Meeting, MeetingStatus

from .drawing import Drawing, EdgeSpec, NodeSpec, draw

KIND_LABELS = {
    "internal": _("Service de la collectivité"),
    "health": _("Secteur de la santé"),
    "other": _("Autre secteur"),
}

# A fiche's pilot structure that is not also listed as a partner: its side of a link takes the
# level its partner recorded.
PILOT = object()


@dataclass(frozen=True)
class Level:
    rank: int
    label: str


@dataclass(frozen=True)
class Structure:
    pk: int
    name: str
    is_internal: bool
    is_health: bool
    archived: bool

    @property
    def kind(self) -> str:
        if self.is_internal:
            return "internal"
        return "health" if self.is_health else "other"

    @property
    def kind_label(self) -> str:
        return str(KIND_LABELS[self.kind])


@dataclass
class Link:
    meetings: set[int] = field(default_factory=set)
    fiches: set[int] = field(default_factory=set)
    level: Level | None = None

    @property
    def weight(self) -> int:
        return len(self.meetings) + len(self.fiches)


@dataclass(frozen=True)
class Partner:
    """One structure as another sees it: what they share."""

    structure: Structure
    meetings: int
    fiches: int
    level: Level | None


@dataclass(frozen=True)
class NetworkNode:
    number: int  # its rank, shared by the table and the drawing
    structure: Structure
    centrality: float  # betweenness, 0 to 1
    partners: list[Partner]

    @property
    def links(self) -> int:
        return len(self.partners)

    @property
    def centrality_percent(self) -> int:
        return round(self.centrality * 100)


@dataclass(frozen=True)
class PartnershipNetwork:
    nodes: list[NetworkNode]  # the structures with at least one link shown
    min_meetings: int  # a link by meetings only is shown from this many shared meetings
    shown_link_count: int
    # Every link, whatever the minimum:
    linked_count: int  # structures with at least one link
    link_count: int
    fiche_link_count: int  # links through at least one shared fiche-action
    intersectoral_link_count: int  # between a health structure and one of another sector
    unlinked_count: int  # active structures of the territory with no link at all
    density_percent: int
    drawing: Drawing

    @property
    def hidden_structure_count(self) -> int:
        return self.linked_count - len(self.nodes)


MAX_SHOWN_LINKS = 300
MEETING_MINIMUMS = (1, 2, 3, 4, 5, 6, 8, 10, 12, 15, 20)


# --- Reading who met whom -------------------------------------------------------------------


def _present_by_meeting(meetings: QuerySet[Meeting]) -> dict[int, set[int]]:
    """The structures present at each meeting (one query)."""
    rows = (
        Invitation.objects.filter(
            meeting__in=meetings,
            attendance=Attendance.PRESENT,
            contact__organization__isnull=False,
        )
        .order_by()
        .values_list("meeting_id", "contact__organization_id")
        .distinct()
    )
    present: dict[int, set[int]] = defaultdict(set)
    for meeting, organization in rows:
        present[meeting].add(organization)
    return present


def _participants_by_fiche(fiches: QuerySet[FicheAction]) -> dict[int, dict[int, object]]:
    """The structures of each fiche with their recorded level (two queries)."""
    participants: dict[int, dict[int, object]] = defaultdict(dict)
    rows = (
        ActionPartner.objects.filter(fiche__in=fiches)
        .order_by()
        .values_list("fiche_id", "organization_id", "level__rank", "level__label")
    )
    for fiche, organization, rank, label in rows:
        participants[fiche][organization] = Level(rank, label) if rank is not None else None
    pilots = fiches.filter(pilot_organization__isnull=False).order_by()
    for fiche, organization in pilots.values_list("pk", "pilot_organization_id"):
        participants[fiche].setdefault(organization, PILOT)
    return participants


def _shared_level(one: object, other: object) -> Level | None:
    sides = [side for side in (one, other) if side is not PILOT]
    if not sides or None in sides:
        return None
    return min(sides, key=lambda level: level.rank)  # type: ignore[union-attr]


def _pairs(members: Iterable[int], focus: int | None) -> Iterable[tuple[int, int]]:
    members = sorted(members)
    if focus is None:
        return combinations(members, 2)
    if focus not in members:
        return ()
    return (tuple(sorted((focus, other))) for other in members if other != focus)


def collect_links(
    *, meetings: QuerySet[Meeting], fiches: QuerySet[FicheAction], focus: int | None = None
) -> dict[tuple[int, int], Link]:
    """Links between structures, keyed by (smaller pk, larger pk); with `focus`, only the links
    of that structure. Three queries."""
    links: dict[tuple[int, int], Link] = defaultdict(Link)
    for meeting, present in _present_by_meeting(meetings).items():
        for pair in _pairs(present, focus):
            links[pair].meetings.add(meeting)
    for fiche, participants in _participants_by_fiche(fiches).items():
        for a, b in _pairs(participants, focus):
            link = links[a, b]
            link.fiches.add(fiche)
            level = _shared_level(participants[a], participants[b])
            if level is not None and (link.level is None or level.rank > link.level.rank):
                link.level = level
    return links


def _structures(queryset: QuerySet[Organization]) -> dict[int, Structure]:
    health = Organization.sectors.through.objects.filter(
        organization_id=OuterRef("pk"), sector__is_health=True
    )
    rows = (
        queryset.annotate(is_health=Exists(health))
        .order_by()
        .values_list("pk", "name", "acronym", "is_internal", "is_health", "archived_at")
    )
    return {
        pk: Structure(
            pk=pk,
            name=f"{name} ({acronym})" if acronym else name,
            is_internal=internal,
            is_health=is_health,
            archived=archived_at is not None,
        )
        for pk, name, acronym, internal, is_health, archived_at in rows
    }


def _held_meetings(access: Access) -> QuerySet[Meeting]:
    return scoped(Meeting.objects.filter(status=MeetingStatus.HELD), access)


def _partner(structure: Structure, link: Link) -> Partner:
    return Partner(
        structure=structure,
        meetings=len(link.meetings),
        fiches=len(link.fiches),
        level=link.level,
    )


def _strongest_first(partner: Partner) -> tuple[int, int, str]:
    return (-(partner.meetings + partner.fiches), -partner.fiches, partner.structure.name.lower())


# --- The network of a territory -------------------------------------------------------------


def _shown(link: Link, min_meetings: int) -> bool:
    return bool(link.fiches) or len(link.meetings) >= min_meetings


def readable_minimum(links: Iterable[Link]) -> int:
    """The smallest number of shared meetings from which at most MAX_SHOWN_LINKS are shown."""
    links = list(links)
    for minimum in MEETING_MINIMUMS:
        if sum(1 for link in links if _shown(link, minimum)) <= MAX_SHOWN_LINKS:
            return minimum
    return MEETING_MINIMUMS[-1]


def partnership_network(
    *, access: Access, contract: Contract | None = None, min_meetings: int | None = None
) -> PartnershipNetwork:
    """The territory's network (or one contract's: its groups' meetings, its fiches), in four
    queries whatever its size. `min_meetings` None: the readable minimum."""
    meetings = _held_meetings(access)
    fiches = scoped(FicheAction.objects.all(), access)
    if contract is not None:
        meetings = meetings.filter(group__contract=contract)
        fiches = fiches.filter(contract=contract)
    structures = _structures(scoped(Organization.objects.all(), access))
    links = {
        pair: link
        for pair, link in collect_links(meetings=meetings, fiches=fiches).items()
        if pair[0] in structures and pair[1] in structures
    }
    if min_meetings is None:
        min_meetings = readable_minimum(links.values())
    shown = {pair: link for pair, link in links.items() if _shown(link, min_meetings)}
    linked = {pk for pair in links for pk in pair}

    graph = nx.Graph()
    graph.add_edges_from(shown)
    centrality = nx.betweenness_centrality(graph) if graph.number_of_nodes() > 2 else {}
    partners: dict[int, list[Partner]] = defaultdict(list)
    for (a, b), link in shown.items():
        partners[a].append(_partner(structures[b], link))
        partners[b].append(_partner(structures[a], link))
    ranked = sorted(
        graph.nodes,
        key=lambda pk: (-centrality.get(pk, 0.0), -len(partners[pk]), structures[pk].name.lower()),
    )
    nodes = [
        NetworkNode(
            number=number,
            structure=structures[pk],
            centrality=centrality.get(pk, 0.0),
            partners=sorted(partners[pk], key=_strongest_first),
        )
        for number, pk in enumerate(ranked, start=1)
    ]
    possible = len(linked) * (len(linked) - 1) // 2
    return PartnershipNetwork(
        nodes=nodes,
        min_meetings=min_meetings,
        shown_link_count=len(shown),
        linked_count=len(linked),
        link_count=len(links),
        fiche_link_count=sum(1 for link in links.values() if link.fiches),
        intersectoral_link_count=sum(
            1 for a, b in links if structures[a].is_health != structures[b].is_health
        ),
        unlinked_count=sum(
            1 for pk, s in structures.items() if not s.archived and pk not in linked
        ),
        density_percent=round(100 * len(links) / possible) if possible else 0,
        drawing=_drawing(nodes, shown),
    )


def _drawing(nodes: list[NetworkNode], links: dict[tuple[int, int], Link]) -> Drawing:
    return draw(
        [
            NodeSpec(
                key=node.structure.pk,
                number=node.number,
                name=node.structure.name,
                kind=node.structure.kind,
                links=node.links,
            )
            for node in nodes
        ],
        [
            EdgeSpec(a=a, b=b, weight=link.weight, with_fiches=bool(link.fiches))
            for (a, b), link in sorted(links.items())
        ],
    )


# --- One structure's partners ---------------------------------------------------------------


def structures_working_with(organization: Organization, *, access: Access) -> list[Partner]:
    """The structures `organization` works with, strongest link first: for its page in the
    directory. Four queries whatever the number of meetings, fiches and partners."""
    meetings = _held_meetings(access).filter(
        pk__in=Invitation.objects.filter(
            attendance=Attendance.PRESENT, contact__organization=organization
        ).values("meeting_id")
    )
    fiches = scoped(FicheAction.objects.all(), access).filter(
        Q(pk__in=ActionPartner.objects.filter(organization=organization).values("fiche_id"))
        | Q(pilot_organization=organization)
    )
    links = collect_links(meetings=meetings, fiches=fiches, focus=organization.pk)
    others = {b if a == organization.pk else a: link for (a, b), link in links.items()}
    structures = _structures(scoped(Organization.objects.filter(pk__in=list(others)), access))
    partners = [_partner(structures[pk], link) for pk, link in others.items() if pk in structures]
    return sorted(partners, key=_strongest_first)
