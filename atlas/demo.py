"""Loading the generated Bottrop demo data (fixtures/bottrop/) through the regular services."""

import datetime
import os
from pathlib import Path

from django.conf import settings
from django.db import transaction

from districts.models import Level
from districts.services.boundaries import import_boundaries
from facilities.models import FacilityType
from facilities.services.import_facilities import import_facilities
from facilities.types import ensure_standard_types
from indicators.services.catalogue import import_catalogue
from indicators.services.import_values import import_values
from projections.services.import_housing import import_housing
from projections.services.import_register import import_register
from projections.services.publication import publish_run
from projections.services.runs import run_projection
from reports.services.reports import load_reports

DEMO_DIR = Path(settings.BASE_DIR) / "fixtures" / "bottrop"
# The demo boundaries stand for the whole demo time series, which starts in 2012.
DEMO_VALID_FROM = datetime.date(2000, 1, 1)
# The demo projection is published as a real run would be: 1,000 simulations (the backtest 200
# per base year), on up to two processes (each holds about 0.9 GB while it simulates). The
# tests' demo database takes fewer (``trajectories``), and the pages say so where a run has
# fewer than 1,000.
DEMO_TRAJECTORIES = 1000
DEMO_WORKERS = 2
LEVEL_FILES = ["stadt", "stadtbezirk", "statistischer-bezirk"]


@transaction.atomic
def load_demo_data(*, directory: Path = DEMO_DIR, trajectories: int = DEMO_TRAJECTORIES) -> str:
    """Boundaries of all three levels, the catalogue and every value, as one published release;
    then the demo facilities and the indicators computed from them, and the register data the
    population projection starts from, with one projection run published."""
    lines = []
    for slug in LEVEL_FILES:
        result = import_boundaries(
            path=directory / "boundaries" / f"{slug}.geojson",
            level=Level.objects.get(slug=slug),
            valid_from=DEMO_VALID_FROM,
            # The city boundary is the real one (DVG2); the finer levels are generated.
            is_demo=slug != "stadt",
        )
        lines.append(result.summary())
    themes, indicators = import_catalogue(path=directory / "catalogue.json")
    lines.append(f"{themes} Themenfelder, {indicators} Indikatoren")
    result = import_values(
        path=directory / "observations.csv",
        title="Demodaten Bottrop (synthetisch)",
        publish=True,
    )
    lines.append(result.summary())
    ensure_standard_types(FacilityType)
    lines.append(import_facilities(path=directory / "facilities.geojson", is_demo=True).summary())
    themes, indicators = import_catalogue(path=directory / "facility_catalogue.json")
    lines.append(f"{themes} Themenfeld, {indicators} Angebots-Indikatoren")
    register = directory / "register"
    result = import_register(
        cells=register / "population.csv",
        births=register / "births.csv",
        within=register / "moves_within.csv",
        is_demo=True,
    )
    lines.append(result.summary())
    housing = directory / "housing" / "wohnungsbau-demo.csv"
    lines.append(import_housing(path=housing, is_demo=True).summary())
    workers = min(len(os.sched_getaffinity(0)), DEMO_WORKERS)  # the cores this process may use
    run = run_projection(trajectories=trajectories, seed=2024, is_demo=True, workers=workers)
    publish_run(run=run)
    lines.append(f"Vorausberechnung {run} ({run.seconds} s) veröffentlicht")
    reports = load_reports(path=directory / "reports.json", is_demo=True)
    lines.append(f"{reports} Demo-Berichte")
    return "\n".join(lines)
