"""Population shares for the crosswalk, from population counts of a finer level.

The counts come in as a mapping district → people; where they come from (the published
observations, indicators/population.py) is no concern of the geography.
"""

from django.db import connection, transaction

from districts.models import District, Level

# A source district counts as covered by the finer level when its parts cover this much of it.
MIN_COVERAGE = 0.99


@transaction.atomic
def compute_population_shares(*, fine_level: Level, populations: dict[int, float]) -> int:
    """Set ``Overlap.population_share`` for every overlap whose source the finer level covers.

    ``populations`` maps districts of ``fine_level`` to their population (e.g. inhabitants of
    Baublöcke on one reference date). A fine district is split between the parts of a source
    in proportion to its area there. Returns the number of overlaps updated; the others keep
    their area share.
    """
    ids = [d for d in populations if District.objects.filter(pk=d, level=fine_level).exists()]
    if not ids:
        return 0
    with connection.cursor() as cursor:
        cursor.execute(
            """
            WITH fine AS (
                SELECT d.id, d.boundary, p.population
                FROM unnest(%(ids)s::bigint[], %(pops)s::float8[]) AS p(id, population)
                JOIN districts_district d ON d.id = p.id
            ),
            pairs AS (
                SELECT o.id, s.boundary AS source, ST_Intersection(s.boundary, t.boundary) AS part
                FROM districts_overlap o
                JOIN districts_district s ON s.id = o.source_id
                JOIN districts_district t ON t.id = o.target_id
                JOIN districts_level l ON l.id = s.level_id
                WHERE l.rank < %(rank)s
            )
            SELECT p.id,
                   SUM(f.population * ST_Area(ST_Intersection(f.boundary, p.part))
                       / ST_Area(f.boundary)),
                   SUM(f.population * ST_Area(ST_Intersection(f.boundary, p.source))
                       / ST_Area(f.boundary)),
                   SUM(ST_Area(ST_Intersection(f.boundary, p.source))) / ST_Area(p.source)
            FROM pairs p JOIN fine f ON ST_Intersects(f.boundary, p.source)
            GROUP BY p.id, p.source
            """,
            {"ids": ids, "pops": [float(populations[i]) for i in ids], "rank": fine_level.rank},
        )
        rows = [
            (overlap_id, in_part / in_source)
            for overlap_id, in_part, in_source, covered in cursor.fetchall()
            if covered >= MIN_COVERAGE and in_source > 0
        ]
        for overlap_id, share in rows:
            cursor.execute(
                "UPDATE districts_overlap SET population_share = %s WHERE id = %s",
                [min(1.0, max(0.0, share)), overlap_id],
            )
    return len(rows)
