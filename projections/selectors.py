"""Reading register data for the model: one query per table into the model's arrays."""

import pandas as pd
from django.db import connection

from projections.register import Register, register_from_frames

QUERIES = {
    "cells": """
        SELECT c.year, d.code, c.sex, c.age, c.population, c.deaths, c.moves_in, c.moves_out
        FROM projections_registercell c JOIN districts_district d ON d.id = c.district_id
        JOIN districts_level l ON l.id = d.level_id WHERE l.slug = %s""",
    "births": """
        SELECT b.year, d.code, b.mother_age, b.sex, b.births
        FROM projections_registerbirths b JOIN districts_district d ON d.id = b.district_id
        JOIN districts_level l ON l.id = d.level_id WHERE l.slug = %s""",
    "within": """
        SELECT m.year, o.code AS from_code, t.code AS to_code, m.sex, m.age, m.moves
        FROM projections_registermove m JOIN districts_district o ON o.id = m.origin_id
        JOIN districts_district t ON t.id = m.destination_id
        JOIN districts_level l ON l.id = o.level_id WHERE l.slug = %s""",
}


def register_of(*, level: str = "statistischer-bezirk") -> Register | None:
    """The stored register of a level as arrays, or None where it holds no population."""
    frames = {}
    with connection.cursor() as cursor:
        for kind, query in QUERIES.items():
            cursor.execute(query, [level])
            columns = [column.name for column in cursor.description]
            frames[kind] = pd.DataFrame(cursor.fetchall(), columns=columns)
    if frames["cells"].empty:
        return None
    return register_from_frames(frames["cells"], frames["births"], frames["within"])
