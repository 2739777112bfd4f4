"""The change signal: the apps announce a committed change of the published data; core itself
imports none of them, they name their tables."""

import pytest
from django.db import transaction

from core.datastate import announce_change, published_data_changed, tracked_models
from core.models import PendingChange
from districts.models import District, Level, Overlap
from facilities.models import Facility, FacilityType, FacilityUpload
from indicators.models import Identity, Indicator, Observation, Release, Theme
from projections.models import ProjectionRun


@pytest.fixture
def heard():
    calls = []

    def receiver(sender, *, wholesale, **kwargs):
        calls.append((sender, wholesale))

    published_data_changed.connect(receiver, dispatch_uid="test-heard")
    yield calls
    published_data_changed.disconnect(dispatch_uid="test-heard")


def test_the_apps_name_every_table_of_the_data_state():
    assert set(tracked_models()) == {
        District, Level, Overlap, Release, Indicator, Indicator.components.through, Identity,
        Theme, Facility, FacilityType, FacilityUpload, ProjectionRun,
    }  # fmt: skip
    assert Observation not in tracked_models()


@pytest.mark.django_db(transaction=True)
def test_a_saved_tracked_row_is_announced_once_committed(heard):
    with transaction.atomic():
        Release.objects.create(title="Neu")
        assert heard == []
    assert heard == [(Release, False)]


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_change_is_not_announced(heard):
    with pytest.raises(RuntimeError), transaction.atomic():
        Release.objects.create(title="Neu")
        raise RuntimeError
    assert heard == []


@pytest.mark.django_db(transaction=True)
def test_a_row_outside_the_data_state_is_not_announced(heard, admin_user):
    PendingChange.objects.create(kind="x", target="x", summary="x", requested_by=admin_user)
    assert heard == []


@pytest.mark.django_db(transaction=True)
def test_a_failing_receiver_does_not_undo_the_change_nor_silence_the_others(heard):
    def failing(sender, **kwargs):
        raise RuntimeError("broken")

    published_data_changed.connect(failing, dispatch_uid="test-failing")
    try:
        announce_change(sender=Release, wholesale=True)
    finally:
        published_data_changed.disconnect(dispatch_uid="test-failing")
    assert heard == [(Release, True)]
