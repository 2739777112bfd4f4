import datetime

import pytest
from django.db import IntegrityError, transaction

from districts.models import Overlap


def test_area_is_computed_from_the_metric_boundary(make_district):
    district = make_district("A")
    assert district.area_km2 == pytest.approx(1.0)


def test_a_code_is_unique_per_level_and_validity(make_district):
    make_district("A")
    with pytest.raises(IntegrityError), transaction.atomic():
        make_district("A", x=5000)


def test_the_same_code_may_have_a_later_version(make_district):
    make_district("A", valid_to=datetime.date(2020, 1, 1))
    later = make_district("A", valid_from=datetime.date(2020, 1, 1))
    assert later.pk


def test_validity_must_end_after_it_starts(make_district):
    with pytest.raises(IntegrityError), transaction.atomic():
        make_district("A", valid_from=datetime.date(2020, 1, 1), valid_to=datetime.date(2019, 1, 1))


@pytest.mark.parametrize("share", [0.0, 1.5, -0.2])
def test_an_overlap_share_lies_in_zero_to_one(make_district, share):
    a, b = make_district("A"), make_district("B", x=1000)
    with pytest.raises(IntegrityError), transaction.atomic():
        Overlap.objects.create(source=a, target=b, area_km2=1, area_share=share)


def test_a_district_does_not_overlap_itself(make_district):
    a = make_district("A")
    with pytest.raises(IntegrityError), transaction.atomic():
        Overlap.objects.create(source=a, target=a, area_km2=1, area_share=1)
