"""The vendored NRW schedules reproduce the published NRW figures they are calibrated to."""

import numpy as np
import pytest

from projections.schedules import life_expectancy, nrw_fertility, nrw_mortality


@pytest.mark.parametrize(
    ("sex", "at_birth", "at_70"), [(0, 77 + 11 / 12, 13 + 10 / 12), (1, 82 + 5 / 12, 16 + 5 / 12)]
)
def test_the_mortality_schedule_has_the_published_life_expectancy(sex, at_birth, at_70):
    e = life_expectancy(nrw_mortality()[sex])
    assert e[0] == pytest.approx(at_birth, abs=0.01)
    assert e[70] == pytest.approx(at_70, abs=0.01)


def test_death_probabilities_rise_with_age_after_childhood():
    q = nrw_mortality()
    assert ((q > 0) & (q < 1)).all()
    assert (np.diff(q[:, 1:], axis=1) > 0).all()


def test_the_fertility_schedule_sums_to_the_published_total_fertility_rate():
    asfr = nrw_fertility()
    assert asfr.size == 35
    assert asfr.sum() == pytest.approx(1.39, abs=1e-6)
    assert 29 <= 15 + int(np.argmax(asfr)) <= 32
