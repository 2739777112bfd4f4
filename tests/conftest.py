import pytest

from atlas.demo import load_demo_data
from districts.models import District
from indicators.models import Indicator, Observation

from .factories import (
    DistrictFactory,
    IndicatorFactory,
    LevelFactory,
    ObservationFactory,
    ReleaseFactory,
    ThemeFactory,
)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The test database holds the Bottrop demo data for every test that uses ``db``.

    Transactional tests (the browser tests) empty the tables afterwards; pytest-django runs
    them after all others, and they load what they need themselves.
    """
    with django_db_blocker.unblock():
        load_demo_data()


@pytest.fixture
def level(db):
    return LevelFactory()


@pytest.fixture
def make_district(level):
    def make(code: str, *, x: float = 0.0, y: float = 0.0, **fields) -> District:
        fields.setdefault("level", level)
        return DistrictFactory(code=code, x=x, y=y, **fields)

    return make


@pytest.fixture
def theme(db):
    return ThemeFactory()


@pytest.fixture
def make_indicator(theme):
    def make(slug: str, **fields) -> Indicator:
        return IndicatorFactory(slug=slug, theme=theme, **fields)

    return make


@pytest.fixture
def release(db):
    return ReleaseFactory()


@pytest.fixture
def make_observation(release):
    def make(indicator, district, year=2020, **fields) -> Observation:
        fields.setdefault("release", release)
        return ObservationFactory(indicator=indicator, district=district, year=year, **fields)

    return make


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path_factory):
    """Uploaded source files go to a temporary folder, not into the working tree."""
    settings.MEDIA_ROOT = tmp_path_factory.mktemp("media")
