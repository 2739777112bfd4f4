"""The data version: counted up by the database with every change the public data show, read
in one small query per request, and the full data state computed only when it moved."""

import datetime
import importlib

import pytest
from django.db import InterfaceError, OperationalError, connection
from django.test.utils import CaptureQueriesContext

from core import datastate
from core.datastate import data_state, tracked_models
from core.models import DataVersion
from districts.models import District
from indicators.models import Indicator, Observation, Release
from projections.models import ProjectionRun

MIGRATION = importlib.import_module("atlas.migrations.0001_data_version")
# Tables added to the data state later, each with its own migration.
LATER_TABLES = (
    "indicators_identity",
    "projections_projectionrun",
    "indicators_indicator_components",
)


def version() -> tuple[int, datetime.datetime]:
    row = DataVersion.objects.get(pk=1)
    return row.version, row.changed_at


def drop_from_the_server_side() -> int:
    """Terminate the atlas's connection from another one, as a restart of PostgreSQL would."""
    pid = connection.connection.info.backend_pid
    other = connection.get_new_connection(connection.get_connection_params())
    try:
        other.autocommit = True
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    finally:
        other.close()
    return pid


def triggers_on(table: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tgname FROM pg_trigger WHERE tgrelid = %s::regclass AND NOT tgisinternal",
            [table],
        )
        return [name for (name,) in cursor.fetchall()]


@pytest.mark.django_db
def test_every_table_of_the_data_state_has_the_trigger():
    tables = {model._meta.db_table for model in tracked_models()}
    assert set(MIGRATION.TRACKED_TABLES) | set(LATER_TABLES) == tables
    for table in tables:
        assert "atlas_data_version" in triggers_on(table), table
    assert "atlas_data_version" not in triggers_on(Observation._meta.db_table)


@pytest.mark.django_db
def test_a_balance_given_another_part_alone_counts_the_version_up():
    """The parts of a balance are rows of their own: changed without saving the indicator (a
    shell, a data migration), they still change what its tables hold and withhold."""
    balance = Indicator.objects.filter(components__isnull=False).distinct().first()
    other = Indicator.objects.exclude(pk=balance.pk).exclude(composites=balance).first()
    before = version()
    balance.components.add(other)
    assert version()[0] == before[0] + 1
    balance.components.remove(other)
    assert version()[0] == before[0] + 2


@pytest.mark.django_db
def test_a_change_to_a_tracked_table_counts_the_version_up():
    before = version()
    Indicator.objects.filter(slug="einwohner").update(name_en="Inhabitants (changed)")
    after = version()
    assert after[0] == before[0] + 1
    assert after[1] > before[1]
    Release.objects.create(title="Neu")
    assert version()[0] == before[0] + 2


@pytest.mark.django_db
def test_withdrawing_the_published_projection_changes_the_data_state():
    before = data_state().key
    ProjectionRun.objects.filter(status=ProjectionRun.Status.PUBLISHED).update(
        status=ProjectionRun.Status.WITHDRAWN
    )
    assert data_state().key != before


@pytest.mark.django_db
def test_values_alone_do_not_count_it_up():
    before = version()
    Observation.objects.filter(year=2023).update(value=1)
    assert version() == before


@pytest.mark.django_db
@pytest.mark.usefixtures("plain_data_version")
def test_the_full_state_is_computed_again_only_when_the_version_moved():
    first = data_state()
    with CaptureQueriesContext(connection) as queries:
        again = data_state()
    assert again is first
    assert len(queries) == 1
    assert "atlas_dataversion" in queries[0]["sql"]

    District.objects.filter(code="11").update(name="Stadtmitte (neu)")
    with CaptureQueriesContext(connection) as queries:
        changed = data_state()
    assert len(queries) == 2
    assert changed.fingerprint != first.fingerprint


@pytest.mark.django_db
def test_without_the_row_the_state_is_computed_each_time_and_the_next_write_restores_it():
    DataVersion.objects.all().delete()
    first = data_state()
    assert data_state() is not first
    assert data_state().fingerprint == first.fingerprint
    Release.objects.create(title="Neu")
    assert DataVersion.objects.get(pk=1).version == 1


@pytest.mark.django_db(transaction=True)
def test_the_version_read_replaces_a_connection_the_database_dropped():
    data_state()
    dropped = drop_from_the_server_side()
    connection.health_check_done = False  # a new request on the kept connection

    state = data_state()

    assert state.fingerprint
    assert connection.connection.info.backend_pid != dropped


@pytest.mark.django_db(transaction=True)
def test_a_broken_connection_outside_the_health_check_still_raises(monkeypatch):
    data_state()
    drop_from_the_server_side()
    connection.health_check_done = True  # already checked in this request
    monkeypatch.setattr(datastate, "_KNOWN", {})
    with pytest.raises((InterfaceError, OperationalError)):
        data_state()
    connection.close()
