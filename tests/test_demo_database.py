"""The tests' database holds the demo data as ``make run`` loads it (tests/template_db.py).

``make setup-test`` runs this file first, which builds the template database before the
suite starts; the suite then clones it."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from districts.models import District
from indicators.models import Observation, Release
from projections.models import ProjectionRun, RegisterCell
from reports.models import Report
from tests.template_db import TEST_TRAJECTORIES

pytestmark = pytest.mark.django_db


def test_the_test_database_holds_every_part_of_the_demo_data():
    assert set(District.objects.values_list("level__slug", flat=True)) == {
        "stadt", "stadtbezirk", "statistischer-bezirk"
    }  # fmt: skip
    release = Release.objects.get(status=Release.Status.PUBLISHED, title__startswith="Demodaten")
    assert Observation.objects.filter(release=release).exists()
    assert RegisterCell.objects.filter(year=2024).exists()
    run = ProjectionRun.objects.get(status=ProjectionRun.Status.PUBLISHED)
    assert (run.is_demo, run.trajectories) == (True, TEST_TRAJECTORIES)
    assert Report.objects.exists()


def test_too_few_simulations_are_refused_before_anything_is_loaded():
    runs = ProjectionRun.objects.count()
    with pytest.raises(CommandError, match="--trajectories 5: mindestens 10 Simulationen"):
        call_command("load_demo_data", trajectories=5)
    assert ProjectionRun.objects.count() == runs
