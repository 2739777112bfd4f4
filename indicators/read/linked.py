"""Indicators tied by declared identities (age bands that sum to the population, a rate
and its count): their groups are judged together by disclosure control."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from .. import suppression
from ..models import Identity, Indicator
from .memo import memoised


@dataclass(frozen=True)
class Linked:
    """The declared identities between indicators and the groups they tie together."""

    links: tuple[suppression.Link, ...] = ()
    group: dict[int, int] = field(default_factory=dict)  # indicator id → group number
    members: dict[int, tuple[int, ...]] = field(default_factory=dict)  # group → ids
    # Indicator id → (term indicator id, year): a number that is another's of a fixed year
    # (an index's denominator, the base year's inhabitants).
    base_years: dict[int, tuple[tuple[int, int], ...]] = field(default_factory=dict)


def load_links() -> Linked:
    links = identities()
    parent: dict[int, int] = {}

    def find(i: int) -> int:
        parent.setdefault(i, i)
        while parent[i] != i:
            i = parent[i]
        return i

    for link in links:
        for part_id, _, _ in link.parts:
            parent[find(part_id)] = find(link.whole[0])
    group = {i: find(i) for i in parent}
    members: dict[int, list[int]] = defaultdict(list)
    for i, g in group.items():
        members[g].append(i)
    return Linked(
        tuple(links),
        group,
        {g: tuple(sorted(m)) for g, m in members.items()},
        _base_year_ties(),
    )


def _base_year_ties() -> dict[int, tuple[tuple[int, int], ...]]:
    rows = list(Identity.objects.filter(terms_year__isnull=False))
    if not rows:
        return {}
    indicators = {i.slug: i for i in Indicator.objects.only("id", "slug", "kind")}
    ties: dict[int, set[tuple[int, int]]] = defaultdict(set)
    for identity in rows:
        for slug, _, _ in identity.parsed_terms(indicators):
            ties[identity.indicator_id].add((indicators[slug].id, identity.terms_year))
    return {i: tuple(sorted(t)) for i, t in ties.items()}


def identities() -> list[suppression.Link]:
    """The declared identities between indicators of the same year, as links of indicator
    ids (those tied to a fixed year are kept by ``_base_year_ties``)."""
    rows = list(Identity.objects.filter(terms_year__isnull=True))
    if not rows:
        return []
    # One query for the indicators of every term, not one per identity.
    indicators = {i.slug: i for i in Indicator.objects.only("id", "slug", "kind")}
    links = []
    for identity in rows:
        terms = identity.parsed_terms(indicators)
        links.append(
            suppression.Link(
                (identity.indicator_id, identity.part),
                tuple((indicators[slug].id, part, sign) for slug, part, sign in terms),
            )
        )
    return links


def with_groups(indicators: Iterable[Indicator], linked: Linked) -> list[Indicator]:
    """The indicators and every indicator linked to one of them."""
    indicators = {i.id: i for i in indicators}
    more = {
        member
        for i in indicators
        if i in linked.group
        for member in linked.members[linked.group[i]]
        if member not in indicators
    }
    if more:
        indicators.update({i: member for i, member in catalogue().items() if i in more})
    return list(indicators.values())


def catalogue() -> dict[int, Indicator]:
    """Every indicator by id, in the catalogue's order: read once per read (and data state),
    for the members, parts and base-year terms a cold read pulls in round after round."""
    return memoised(("catalogue",), Indicator.objects.in_bulk)
