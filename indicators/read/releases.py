"""What the published releases hold: the releases behind a year's values, the keys a release
delivered, which release each public value comes from, and the coverage per theme."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, Exists, Max, Min, OuterRef
from django.db.models.functions import Coalesce

from districts.models import Level

from ..models import Indicator, Observation, Release


def published_releases(*, indicators: Iterable[Indicator], year: int) -> list[Release]:
    """The published releases holding values of these indicators for the year, newest first."""
    return list(
        Release.objects.filter(
            status=Release.Status.PUBLISHED,
            observations__indicator__in=list(indicators),
            observations__year=year,
        )
        .distinct()
        .order_by("-published_at", "-id")
    )


def replacing_releases(*, release: Release, theme_id: int | None = None) -> list[Release]:
    """The published releases whose values are public now for the keys ``release`` delivered
    (of one theme with ``theme_id``), newest first; empty when none of those values is public."""
    delivered = Observation.objects.filter(
        release=release,
        indicator_id=OuterRef("indicator_id"),
        district_id=OuterRef("district_id"),
        year=OuterRef("year"),
    )
    public = Observation.objects.published().filter(Exists(delivered))
    if theme_id is not None:
        public = public.filter(indicator__theme_id=theme_id)
    current = public.latest_per_key().values("release_id")
    return list(Release.objects.filter(pk__in=current).order_by("-published_at", "-pk"))


def release_contents(*, release) -> list[tuple[int, int, int]]:
    """(indicator id, district id, year) of every value a release delivered: keys, no values."""
    return list(
        Observation.objects.filter(release=release)
        .order_by()
        .values_list("indicator_id", "district_id", "year")
    )


def value_releases(
    *, indicator_ids: Iterable[int], years: Iterable[int]
) -> dict[tuple[int, int, int], int]:
    """(indicator id, district id, year) → the published release whose value is public now."""
    rows = (
        Observation.objects.published()
        .filter(indicator_id__in=list(indicator_ids), year__in=list(years))
        .latest_per_key()
        .values_list("indicator_id", "district_id", "year", "release_id")
    )
    return {(i, d, y): r for i, d, y, r in rows}


@dataclass(frozen=True)
class Coverage:
    """How many values of a theme a published release holds, and for which years."""

    release_id: int
    theme_id: int
    values: int
    first_year: int
    last_year: int


def published_coverage(*, release_ids: Iterable[int] | None = None) -> list[Coverage]:
    """Per published release and theme: the number of values and the span of years."""
    observations = Observation.objects.published()
    if release_ids is not None:
        observations = observations.filter(release_id__in=list(release_ids))
    rows = (
        observations.order_by()
        .values("release_id", "indicator__theme_id")
        .annotate(n=Count("id"), first=Min("year"), last=Max("year"))
        .values_list("release_id", "indicator__theme_id", "n", "first", "last")
    )
    return [Coverage(*row) for row in rows]


@dataclass(frozen=True)
class ReleaseSummary:
    """A published release with what it holds, per theme."""

    release: Release
    coverage: list[Coverage]

    @property
    def values(self) -> int:
        return sum(c.values for c in self.coverage)


def published_release_page(*, offset: int, limit: int) -> tuple[int, list[ReleaseSummary]]:
    """Published releases, newest first: the total count and one page with their coverage."""
    releases = Release.objects.filter(status=Release.Status.PUBLISHED).order_by(
        "-published_at", "-pk"
    )
    page = list(releases[offset : offset + limit])
    by_release = defaultdict(list)
    for c in published_coverage(release_ids=[r.pk for r in page]):
        by_release[c.release_id].append(c)
    return releases.count(), [ReleaseSummary(r, by_release[r.pk]) for r in page]


@dataclass(frozen=True)
class ReleaseChange:
    """What a release that was published (and may since be withdrawn) delivered."""

    release: Release
    indicators: list[Indicator]
    first_year: int | None
    last_year: int | None
    areas: list[tuple[Level, int]]  # per level, coarsest first: how many areas got values


def release_changes(*, theme_id: int | None = None, limit: int = 50) -> list[ReleaseChange]:
    """Releases ever published, the most recently published or withdrawn first, each with the
    indicators, years and areas it delivered (of one theme with ``theme_id``; releases without
    values of it are left out)."""
    delivered = Observation.objects.order_by()
    if theme_id is not None:
        delivered = delivered.filter(indicator__theme_id=theme_id)
    releases = list(
        Release.objects.filter(
            status__in=[Release.Status.PUBLISHED, Release.Status.WITHDRAWN],
            published_at__isnull=False,
        )
        .filter(Exists(delivered.filter(release_id=OuterRef("pk"))))
        .order_by(Coalesce("withdrawn_at", "published_at").desc(), "-pk")[:limit]
    )
    delivered = delivered.filter(release__in=releases)
    spans = delivered.values("release_id", "indicator_id").annotate(
        first=Min("year"), last=Max("year")
    )
    counts = delivered.values("release_id", "district__level_id").annotate(
        n=Count("district_id", distinct=True)
    )
    indicators = Indicator.objects.in_bulk({row["indicator_id"] for row in spans})
    levels = Level.objects.in_bulk({row["district__level_id"] for row in counts})
    by_release = defaultdict(list)
    for row in spans:
        by_release[row["release_id"]].append(row)
    areas = defaultdict(list)
    for row in counts:
        areas[row["release_id"]].append((levels[row["district__level_id"]], row["n"]))
    changes = []
    for release in releases:
        rows = by_release[release.pk]
        changes.append(
            ReleaseChange(
                release,
                sorted(
                    (indicators[row["indicator_id"]] for row in rows),
                    key=lambda i: (i.theme_id, i.order, i.slug),
                ),
                min((row["first"] for row in rows), default=None),
                max((row["last"] for row in rows), default=None),
                sorted(areas[release.pk], key=lambda pair: pair[0].rank),
            )
        )
    return changes
